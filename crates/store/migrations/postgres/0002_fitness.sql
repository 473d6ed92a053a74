-- Fitness and health records (issue 3), PostgreSQL. One row per student and term: the raw
-- values as recorded and, next to them, everything scored at import (score at write):
-- 国家学生体质健康标准 item scores, bonuses, 标准分, 学年总分, 等级; WS/T 586 weight status;
-- WS/T 456 malnutrition; screening myopia. Items not tested are NULL, and so are their scores.
--
-- Indexes: only the primary key. The aggregates walk the roster (student, in primary-key
-- order) and look each student's record up by the full primary key (school_id, student_id,
-- term), which the key serves; the class view and a student's history use its prefixes.
-- The terms present come from fitness_school_term, so nothing scans the big table for them.
CREATE TABLE fitness_record (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    -- e.g. 2024-autumn (wuyu_domain::Term::code)
    term TEXT NOT NULL,
    test_date DATE NOT NULL,
    -- the grade and sex the record was scored for
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    -- exact age in years at test_date (WS/T 586 / 456 half-year groups)
    age_years DOUBLE PRECISION NOT NULL,
    height_cm DOUBLE PRECISION,
    weight_kg DOUBLE PRECISION,
    vital_capacity DOUBLE PRECISION,
    run_50m DOUBLE PRECISION,
    sit_and_reach DOUBLE PRECISION,
    rope_skip_1min DOUBLE PRECISION,
    sit_up_1min DOUBLE PRECISION,
    shuttle_50x8 DOUBLE PRECISION,
    standing_long_jump DOUBLE PRECISION,
    pull_up DOUBLE PRECISION,
    run_1000m DOUBLE PRECISION,
    run_800m DOUBLE PRECISION,
    -- scored at import
    bmi DOUBLE PRECISION,
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
    standard_score DOUBLE PRECISION,
    year_total DOUBLE PRECISION,
    level TEXT CHECK (level IN ('excellent', 'good', 'pass', 'fail')),
    status TEXT NOT NULL CHECK (status IN ('OK', 'INCOMPLETE')),
    -- item codes missing from an INCOMPLETE record, comma-separated; '' when OK
    missing_items TEXT NOT NULL,
    -- WS/T 586-2018; NULL without height and weight or below age 6
    weight_status TEXT CHECK (weight_status IN ('normal', 'overweight', 'obese')),
    -- WS/T 456-2014; NULL without height and weight or outside ages 6-18
    malnutrition TEXT CHECK (malnutrition IN ('stunting', 'moderate_severe_thinness', 'mild_thinness', 'none')),
    acuity_left DOUBLE PRECISION,
    acuity_right DOUBLE PRECISION,
    se_left DOUBLE PRECISION,
    se_right DOUBLE PRECISION,
    -- screening myopia per person; NULL when no vision field was recorded
    vision_status TEXT CHECK (vision_status IN ('myopia', 'reduced_vision', 'normal', 'incomplete')),
    import_id BIGINT NOT NULL,
    PRIMARY KEY (school_id, student_id, term),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- The terms each school has fitness records for (written by every fitness import).
CREATE TABLE fitness_school_term (
    school_id BIGINT NOT NULL REFERENCES school (id),
    term TEXT NOT NULL,
    PRIMARY KEY (school_id, term)
);
