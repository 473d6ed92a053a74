-- The plan (任务分解表, issue 11): district reference data, no school_id. One row per
-- indicator in file order (position); texts as the plan file writes them so it exports back
-- unchanged. applies_to: the units the scope names (JSON); measure: the indicator source's key
-- for computed indicators, NULL for reported ones; domain: which of 五育 (code).
CREATE TABLE plan_indicator (
    key TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    comparator TEXT NOT NULL,
    scope TEXT NOT NULL,
    applies_to TEXT NOT NULL,
    measure TEXT,
    data_to_compute TEXT NOT NULL,
    seed_file TEXT NOT NULL,
    seed_phrase TEXT NOT NULL,
    note TEXT NOT NULL
);
-- Targets: indicator x unit x school year. unit '' = every unit the indicator applies to.
-- cell: empty (the district fills it in), number (value) or words (text, judged by people).
CREATE TABLE plan_target (
    indicator_key TEXT NOT NULL REFERENCES plan_indicator (key) ON DELETE CASCADE,
    unit TEXT NOT NULL DEFAULT '',
    school_year BIGINT NOT NULL,
    cell TEXT NOT NULL CHECK (cell IN ('empty', 'number', 'words')),
    value DOUBLE PRECISION,
    text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (indicator_key, unit, school_year)
);
