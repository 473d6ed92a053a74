-- Mental health, browser work (issue 13): one-time answer codes and counselling records.
--
-- A one-time code lets one student answer one campaign without an account. Only the code's
-- SHA-256 is kept (the printed sheet is the only place the code itself exists); a code is
-- used once (used_at set in the transaction that writes the response) and expires with the
-- campaign's window. Issuing again replaces an unused code.
CREATE TABLE psych_code (
    school_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (school_id, campaign_id, student_id),
    FOREIGN KEY (school_id, campaign_id) REFERENCES psych_campaign (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- Counselling records (心理档案) of a crisis case: a session or contact with its date, kind,
-- summary and next step, by the school's counsellor. Never deleted.
CREATE TABLE psych_session (
    school_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('individual', 'group', 'guardian', 'phone', 'referral_contact')),
    summary TEXT NOT NULL,
    next_step TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, case_id, seq),
    FOREIGN KEY (school_id, case_id) REFERENCES psych_case (school_id, id)
);
