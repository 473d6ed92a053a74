-- Mental health (issue 13). Need-to-know data: only the school's counsellor reads individual
-- rows (the store takes a PsychToken); aggregates are counted here and suppressed by the
-- service. school_id leads every key. Ids are allocated as MAX + 1 under the write lock.
--
-- A screening campaign of one school: which built-in scales (comma-separated codes), which
-- grades (comma-separated), the window (ISO dates).
CREATE TABLE psych_campaign (
    school_id BIGINT NOT NULL REFERENCES school (id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    school_year INTEGER NOT NULL,
    scales TEXT NOT NULL,
    grades TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, id)
);

-- Consent per student and campaign: the guardian's decision (given / refused / withdrawn),
-- the student's own assent, the date and channel (paper form scanned, parent account).
-- A later decision replaces the row; the audit log keeps every change.
CREATE TABLE psych_consent (
    school_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    guardian TEXT NOT NULL CHECK (guardian IN ('given', 'refused', 'withdrawn')),
    assent BOOLEAN NOT NULL,
    decided_on TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('paper', 'parent_account')),
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, campaign_id, student_id),
    FOREIGN KEY (school_id, campaign_id) REFERENCES psych_campaign (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- One submission per student and campaign: raw answers (JSON) and, next to them, what was
-- scored at write. Never deleted by a school.
CREATE TABLE psych_response (
    school_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    answers TEXT NOT NULL,
    phq_total INTEGER,
    phq_band TEXT,
    phq_item9 INTEGER,
    gad_total INTEGER,
    gad_band TEXT,
    asq_result TEXT,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    incomplete BOOLEAN NOT NULL,
    submitted_at BIGINT NOT NULL,
    import_id BIGINT,
    PRIMARY KEY (school_id, campaign_id, student_id),
    FOREIGN KEY (school_id, campaign_id) REFERENCES psych_campaign (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- A crisis case: opened by a level-3 result (campaign_id set) or by hand; closed only with an
-- outcome.
CREATE TABLE psych_case (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    campaign_id BIGINT,
    opened_at BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    outcome TEXT,
    closed_at BIGINT,
    closed_by TEXT,
    PRIMARY KEY (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- The steps of a case, with who and when: due, done, by whom, a note and, for 转介, the
-- named institution. assignee: who must act (the counsellor, or the 班主任 for tasks given).
CREATE TABLE psych_case_step (
    school_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('head_teacher_informed', 'guardian_informed', 'safety_plan', 'referral', 'follow_up')),
    assignee TEXT NOT NULL CHECK (assignee IN ('counsellor', 'head_teacher')),
    due_at BIGINT NOT NULL,
    done_at BIGINT,
    done_by TEXT,
    note TEXT NOT NULL DEFAULT '',
    institution TEXT,
    PRIMARY KEY (school_id, case_id, seq),
    FOREIGN KEY (school_id, case_id) REFERENCES psych_case (school_id, id)
);
