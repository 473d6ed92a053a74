-- Monthly progress (调度, issue 11): each month's snapshot of every target × unit of the plan
-- year, so a target's trajectory and a quarter's changes can be read back later even after
-- data are corrected. One header row per month (taken once; retaken only on request).
CREATE TABLE plan_snapshot_month (
    month TEXT PRIMARY KEY,
    plan_year INTEGER NOT NULL,
    taken_at INTEGER NOT NULL,
    taken_by TEXT NOT NULL,
    lines INTEGER NOT NULL
);
-- school_id leads the key (0 for the district, a 学段 or a school set) so the table shards by
-- school. verdict: the monitor's code (met, not_met, awaiting_report, …).
CREATE TABLE plan_snapshot (
    school_id INTEGER NOT NULL,
    month TEXT NOT NULL REFERENCES plan_snapshot_month (month) ON DELETE CASCADE,
    indicator_key TEXT NOT NULL,
    unit_kind TEXT NOT NULL,
    unit_label TEXT NOT NULL,
    verdict TEXT NOT NULL,
    value REAL,
    value_text TEXT NOT NULL,
    target TEXT NOT NULL,
    n INTEGER,
    gap REAL,
    as_of TEXT,
    PRIMARY KEY (school_id, month, indicator_key, unit_kind, unit_label)
);
CREATE INDEX plan_snapshot_by_key ON plan_snapshot (indicator_key, month);
