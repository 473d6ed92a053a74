-- What an appraisal row's teaching-result source measured (issue 14): 'parallel' (the
-- parallel-class comparison) or 'value_added' (the teacher's value-added as a district
-- percentile rank), and for the latter the value-added itself in student SD units. NULL
-- without a teaching result; rows stored before this migration were all 'parallel'.
ALTER TABLE staff_appraisal ADD COLUMN teaching_basis TEXT
    CHECK (teaching_basis IN ('parallel', 'value_added'));
ALTER TABLE staff_appraisal ADD COLUMN teaching_value_added DOUBLE PRECISION;
UPDATE staff_appraisal SET teaching_basis = 'parallel' WHERE teaching_score IS NOT NULL;
