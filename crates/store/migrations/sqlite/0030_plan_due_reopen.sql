-- Reported targets' due dates and a locked year reopened for one school (issue 11).
-- A due rule per plan indicator (填报周期 and the day of the month after each period it is
-- due); an indicator without a row is due once a year by 15 July.
CREATE TABLE plan_report_due (
    indicator_key TEXT PRIMARY KEY,
    cadence TEXT NOT NULL CHECK (cadence IN ('yearly', 'quarterly', 'monthly')),
    due_day INTEGER NOT NULL CHECK (due_day BETWEEN 1 AND 28),
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
-- While a school year is locked, the district may reopen it for one school to correct its
-- values (with the reason shown); closing it again deletes the row. Both are audited.
CREATE TABLE plan_period_reopen (
    school_year INTEGER NOT NULL,
    school_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    reopened_by TEXT NOT NULL,
    reopened_at BIGINT NOT NULL,
    PRIMARY KEY (school_year, school_id)
);
