-- Reported indicators (填报, issue 11): a value per plan indicator, unit and school year with
-- its evidence (a note, optionally one file kept with its SHA-256), and where it stands in
-- the review (submitted → approved, or returned with a reason). school_id 0 is the district's
-- own line (a target for the district as a whole); it is part of the key so the table shards
-- by school. No foreign key to plan_indicator: a plan re-import keeps what schools reported.
CREATE TABLE plan_report (
    school_id BIGINT NOT NULL,
    indicator_key TEXT NOT NULL,
    school_year BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    reason TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    evidence_name TEXT,
    evidence_type TEXT,
    evidence_sha256 TEXT,
    evidence_size BIGINT,
    evidence BYTEA,
    PRIMARY KEY (school_id, indicator_key, school_year)
);
CREATE INDEX plan_report_year ON plan_report (school_year, status);
-- A locked school year: no more entries or changes, with the reason shown to schools.
CREATE TABLE plan_period_lock (
    school_year BIGINT PRIMARY KEY,
    reason TEXT NOT NULL,
    locked_by TEXT NOT NULL,
    locked_at BIGINT NOT NULL
);
