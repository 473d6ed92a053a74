-- Fitness rollup (sqlite): per school, term, class (today's roster) and sex, the counts and
-- sums every fitness aggregate is made of, so a district summary adds up tens of thousands of
-- rows instead of joining a million students with their records. Rebuilt, in the same
-- transaction, for the (school, term) pairs a fitness import touches (every school for a term
-- the district has not seen before, so a school that sent nothing shows 0 tested) and for the
-- schools a roster import touches (every term: groups follow today's roster).
-- Counts are INTEGER so that SUM stays an integer on PostgreSQL; sums are floating point so
-- that dividing them never truncates.
CREATE TABLE fitness_rollup (
    school_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    class_id INTEGER NOT NULL,
    sex TEXT NOT NULL,
    enrolled INTEGER NOT NULL,
    tested INTEGER NOT NULL,
    ok_count INTEGER NOT NULL,
    incomplete_count INTEGER NOT NULL,
    excellent_count INTEGER NOT NULL,
    good_count INTEGER NOT NULL,
    pass_level_count INTEGER NOT NULL,
    fail_count INTEGER NOT NULL,
    year_total_n INTEGER NOT NULL,
    bmi_underweight INTEGER NOT NULL,
    bmi_normal INTEGER NOT NULL,
    bmi_overweight INTEGER NOT NULL,
    bmi_obese INTEGER NOT NULL,
    weight_measured INTEGER NOT NULL,
    overweight_count INTEGER NOT NULL,
    obese_count INTEGER NOT NULL,
    growth_measured INTEGER NOT NULL,
    stunting_count INTEGER NOT NULL,
    wasting_count INTEGER NOT NULL,
    vision_screened INTEGER NOT NULL,
    myopia_count INTEGER NOT NULL,
    reduced_vision_count INTEGER NOT NULL,
    year_total_sum REAL NOT NULL,
    bmi_n INTEGER NOT NULL, bmi_value_sum REAL NOT NULL, bmi_score_sum REAL NOT NULL, bmi_pass INTEGER NOT NULL,
    vital_capacity_n INTEGER NOT NULL, vital_capacity_value_sum REAL NOT NULL, vital_capacity_score_sum REAL NOT NULL, vital_capacity_pass INTEGER NOT NULL,
    run_50m_n INTEGER NOT NULL, run_50m_value_sum REAL NOT NULL, run_50m_score_sum REAL NOT NULL, run_50m_pass INTEGER NOT NULL,
    sit_and_reach_n INTEGER NOT NULL, sit_and_reach_value_sum REAL NOT NULL, sit_and_reach_score_sum REAL NOT NULL, sit_and_reach_pass INTEGER NOT NULL,
    rope_skip_1min_n INTEGER NOT NULL, rope_skip_1min_value_sum REAL NOT NULL, rope_skip_1min_score_sum REAL NOT NULL, rope_skip_1min_pass INTEGER NOT NULL,
    sit_up_1min_n INTEGER NOT NULL, sit_up_1min_value_sum REAL NOT NULL, sit_up_1min_score_sum REAL NOT NULL, sit_up_1min_pass INTEGER NOT NULL,
    shuttle_50x8_n INTEGER NOT NULL, shuttle_50x8_value_sum REAL NOT NULL, shuttle_50x8_score_sum REAL NOT NULL, shuttle_50x8_pass INTEGER NOT NULL,
    standing_long_jump_n INTEGER NOT NULL, standing_long_jump_value_sum REAL NOT NULL, standing_long_jump_score_sum REAL NOT NULL, standing_long_jump_pass INTEGER NOT NULL,
    pull_up_n INTEGER NOT NULL, pull_up_value_sum REAL NOT NULL, pull_up_score_sum REAL NOT NULL, pull_up_pass INTEGER NOT NULL,
    run_1000m_n INTEGER NOT NULL, run_1000m_value_sum REAL NOT NULL, run_1000m_score_sum REAL NOT NULL, run_1000m_pass INTEGER NOT NULL,
    run_800m_n INTEGER NOT NULL, run_800m_value_sum REAL NOT NULL, run_800m_score_sum REAL NOT NULL, run_800m_pass INTEGER NOT NULL,
    PRIMARY KEY (school_id, term, class_id, sex)
) WITHOUT ROWID;
