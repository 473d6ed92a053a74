-- Teachers (issue 14): training records, and the annual appraisal per school and year. Titles
-- (骨干教师, 学科带头人, 名师) live in teacher_title (migration 6).

-- One training course a teacher took: level is the 666 programme's 普及/骨干/高端.
CREATE TABLE staff_training (
    school_id BIGINT NOT NULL,
    teacher_id BIGINT NOT NULL,
    course TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL CHECK (hours > 0 AND hours <= 1000),
    level TEXT NOT NULL CHECK (level IN ('general', 'key', 'advanced')),
    provider TEXT NOT NULL,
    PRIMARY KEY (school_id, teacher_id, course, taken_on),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);

-- A school's appraisal of one year: the unit rating that sets the quota, the workflow state
-- (draft → publicity (公示) → approved), and the cap arithmetic as computed.
CREATE TABLE staff_appraisal_round (
    school_id BIGINT NOT NULL REFERENCES school (id),
    school_year INTEGER NOT NULL CHECK (school_year BETWEEN 2000 AND 2100),
    unit_rating TEXT NOT NULL CHECK (unit_rating IN ('normal', 'award', 'accountable')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'publicity', 'approved')),
    n_base BIGINT NOT NULL CHECK (n_base >= 0),
    cap BIGINT NOT NULL CHECK (cap >= 0),
    publicity_until TEXT,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, school_year)
);

-- One teacher's inputs and computed level; the appeal (复核/申诉) with its answer, and the
-- teacher's confirmation of having seen the result.
CREATE TABLE staff_appraisal (
    school_id BIGINT NOT NULL,
    school_year INTEGER NOT NULL,
    teacher_id BIGINT NOT NULL,
    score DOUBLE PRECISION CHECK (score BETWEEN 0 AND 100),
    org_score DOUBLE PRECISION CHECK (org_score BETWEEN 0 AND 100),
    peer_score DOUBLE PRECISION CHECK (peer_score BETWEEN 0 AND 100),
    parent_score DOUBLE PRECISION CHECK (parent_score BETWEEN 0 AND 100),
    renormalised BOOLEAN NOT NULL DEFAULT FALSE,
    first_job_months BIGINT CHECK (first_job_months >= 0),
    leave_days BIGINT NOT NULL DEFAULT 0 CHECK (leave_days BETWEEN 0 AND 366),
    under_investigation BOOLEAN NOT NULL DEFAULT FALSE,
    ethics_violation BOOLEAN NOT NULL DEFAULT FALSE,
    sanction TEXT CHECK (sanction IN ('warning', 'demerit', 'demotion', 'dismissal')),
    level TEXT NOT NULL CHECK (level IN ('excellent', 'qualified', 'basic', 'unqualified',
        'comment_only', 'no_level', 'deferred', 'committee')),
    committee_reason TEXT,
    appeal_text TEXT,
    appeal_at BIGINT,
    appeal_answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    confirmed_at BIGINT,
    PRIMARY KEY (school_id, school_year, teacher_id),
    FOREIGN KEY (school_id, school_year) REFERENCES staff_appraisal_round (school_id, school_year),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);
