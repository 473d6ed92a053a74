-- Fitness and health records (issue 3), SQLite. One row per student and term: the raw
-- values as recorded and, next to them, everything scored at import (score at write):
-- 国家学生体质健康标准 item scores, bonuses, 标准分, 学年总分, 等级; WS/T 586 weight status;
-- WS/T 456 malnutrition; screening myopia. Items not tested are NULL, and so are their scores.
--
-- Indexes: only the primary key. The aggregates walk the roster (student, in primary-key
-- order) and look each student's record up by the full primary key (school_id, student_id,
-- term), which the key serves; the class view and a student's history use its prefixes.
-- The terms present come from fitness_school_term, so nothing scans the big table for them.
CREATE TABLE fitness_record (
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    -- e.g. 2024-autumn (wuyu_domain::Term::code)
    term TEXT NOT NULL,
    test_date TEXT NOT NULL,
    -- the grade and sex the record was scored for
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    -- exact age in years at test_date (WS/T 586 / 456 half-year groups)
    age_years REAL NOT NULL,
    height_cm REAL,
    weight_kg REAL,
    vital_capacity REAL,
    run_50m REAL,
    sit_and_reach REAL,
    rope_skip_1min REAL,
    sit_up_1min REAL,
    shuttle_50x8 REAL,
    standing_long_jump REAL,
    pull_up REAL,
    run_1000m REAL,
    run_800m REAL,
    -- scored at import
    bmi REAL,
    bmi_category TEXT CHECK (bmi_category IN ('underweight', 'normal', 'overweight', 'obese')),
    bmi_score INTEGER,
    vital_capacity_score INTEGER,
    run_50m_score INTEGER,
    sit_and_reach_score INTEGER,
    rope_skip_1min_score INTEGER,
    sit_up_1min_score INTEGER,
    shuttle_50x8_score INTEGER,
    standing_long_jump_score INTEGER,
    pull_up_score INTEGER,
    run_1000m_score INTEGER,
    run_800m_score INTEGER,
    rope_skip_1min_bonus INTEGER,
    sit_up_1min_bonus INTEGER,
    pull_up_bonus INTEGER,
    run_1000m_bonus INTEGER,
    run_800m_bonus INTEGER,
    bonus_total INTEGER NOT NULL,
    standard_score REAL,
    year_total REAL,
    level TEXT CHECK (level IN ('excellent', 'good', 'pass', 'fail')),
    status TEXT NOT NULL CHECK (status IN ('OK', 'INCOMPLETE')),
    -- item codes missing from an INCOMPLETE record, comma-separated; '' when OK
    missing_items TEXT NOT NULL,
    -- WS/T 586-2018; NULL without height and weight or below age 6
    weight_status TEXT CHECK (weight_status IN ('normal', 'overweight', 'obese')),
    -- WS/T 456-2014; NULL without height and weight or outside ages 6-18
    malnutrition TEXT CHECK (malnutrition IN ('stunting', 'moderate_severe_thinness', 'mild_thinness', 'none')),
    acuity_left REAL,
    acuity_right REAL,
    se_left REAL,
    se_right REAL,
    -- screening myopia per person; NULL when no vision field was recorded
    vision_status TEXT CHECK (vision_status IN ('myopia', 'reduced_vision', 'normal', 'incomplete')),
    import_id INTEGER NOT NULL,
    PRIMARY KEY (school_id, student_id, term),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
) WITHOUT ROWID;

-- The terms each school has fitness records for (written by every fitness import).
CREATE TABLE fitness_school_term (
    school_id INTEGER NOT NULL REFERENCES school (id),
    term TEXT NOT NULL,
    PRIMARY KEY (school_id, term)
);
