-- 师德评价 of named teachers (issues 15 and 14). A questionnaire is about the school or about
-- one teacher; a teacher round is answered only through one-time codes, each issued for one
-- teacher of the school, and the response keeps that teacher (never the respondent), so the
-- results are read per teacher.
ALTER TABLE survey_questionnaire ADD COLUMN about TEXT NOT NULL DEFAULT 'school'
    CHECK (about IN ('school', 'teacher'));
ALTER TABLE survey_code ADD COLUMN teacher_id BIGINT;
ALTER TABLE survey_response ADD COLUMN teacher_id BIGINT;
CREATE INDEX survey_response_teacher ON survey_response (questionnaire_id, school_id, teacher_id);
-- Where an appraisal row's parent/student score and peer ratings came from: NULL when
-- uploaded (or missing), else the 师德 round they were taken from, with the parent round's
-- respondents.
ALTER TABLE staff_appraisal ADD COLUMN parent_survey_id BIGINT;
ALTER TABLE staff_appraisal ADD COLUMN parent_survey_n BIGINT;
ALTER TABLE staff_appraisal ADD COLUMN peer_survey_id BIGINT;
