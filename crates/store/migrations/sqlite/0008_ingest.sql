-- Issue 9 (ingest), sqlite. Term codes name the calendar year a term begins in (2025-autumn,
-- 2026-spring: the two terms of school year 2025–2026), as schools say 2026年春季学期 and as
-- `wuyu --help` always promised. Codes written before named a spring term by its school
-- year (2025-spring was the spring of 2026), so every stored spring code moves one year on.
-- Two passes, so that no row takes a code another row still holds mid-update.
UPDATE exam SET term = '~' || term WHERE term LIKE '%-spring';
UPDATE exam SET term = CAST(CAST(substr(term, 2, 4) AS INTEGER) + 1 AS TEXT) || '-spring' WHERE term LIKE '~%';
UPDATE fitness_record SET term = '~' || term WHERE term LIKE '%-spring';
UPDATE fitness_record SET term = CAST(CAST(substr(term, 2, 4) AS INTEGER) + 1 AS TEXT) || '-spring' WHERE term LIKE '~%';
UPDATE fitness_school_term SET term = '~' || term WHERE term LIKE '%-spring';
UPDATE fitness_school_term SET term = CAST(CAST(substr(term, 2, 4) AS INTEGER) + 1 AS TEXT) || '-spring' WHERE term LIKE '~%';
UPDATE fitness_rollup SET term = '~' || term WHERE term LIKE '%-spring';
UPDATE fitness_rollup SET term = CAST(CAST(substr(term, 2, 4) AS INTEGER) + 1 AS TEXT) || '-spring' WHERE term LIKE '~%';

-- An exam's 考号 list (考号表): marking systems export 考号, not 学籍号. Imported as a sheet
-- (学籍号, 考号) or generated for the pre-filled score template; score and item sheets with a
-- 考号 column and no 学籍号 are matched through it. A 考号 is unique within an exam: the
-- import checks that across schools (a unique key must include school_id to shard), and the
-- index serves the look-up by exam.
CREATE TABLE exam_candidate (
    school_id INTEGER NOT NULL REFERENCES school (id),
    exam_id INTEGER NOT NULL REFERENCES exam (id),
    student_id INTEGER NOT NULL,
    candidate_no TEXT NOT NULL,
    PRIMARY KEY (school_id, exam_id, student_id),
    UNIQUE (school_id, exam_id, candidate_no)
);
CREATE INDEX exam_candidate_by_exam ON exam_candidate (exam_id, candidate_no);
