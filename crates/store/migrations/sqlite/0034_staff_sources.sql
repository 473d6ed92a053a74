-- The appraisal score from its sources (issue 14, analytics-methods §6.2): how a row's score
-- came about — uploaded as a final score, or composed here from its sources — the raw peer
-- ratings behind the trimmed mean, the teaching result from the exams' parallel-class
-- comparison, the workload score, and the weights used for this row (re-normalised over the
-- sources present; NULL for an uploaded score).
ALTER TABLE staff_appraisal ADD COLUMN score_basis TEXT NOT NULL DEFAULT 'uploaded'
    CHECK (score_basis IN ('uploaded', 'composed'));
ALTER TABLE staff_appraisal ADD COLUMN peer_ratings TEXT;
-- The sources with a positive weight that were missing (codes separated by ';'): the reason
-- the row is flagged as re-normalised.
ALTER TABLE staff_appraisal ADD COLUMN missing_sources TEXT;
ALTER TABLE staff_appraisal ADD COLUMN teaching_score REAL
    CHECK (teaching_score BETWEEN 0 AND 100);
ALTER TABLE staff_appraisal ADD COLUMN workload_score REAL
    CHECK (workload_score BETWEEN 0 AND 100);
ALTER TABLE staff_appraisal ADD COLUMN weight_org REAL;
ALTER TABLE staff_appraisal ADD COLUMN weight_peer REAL;
ALTER TABLE staff_appraisal ADD COLUMN weight_parent REAL;
ALTER TABLE staff_appraisal ADD COLUMN weight_teaching REAL;
ALTER TABLE staff_appraisal ADD COLUMN weight_workload REAL;
