-- One-time answer codes (issue 15): each code opens a published questionnaire once, for one
-- school and optionally one class. The code is random and is stored with no person and no time
-- of use, so a response cannot be traced back to whoever was handed the slip.
CREATE TABLE survey_code (
    school_id BIGINT NOT NULL REFERENCES school (id),
    code TEXT NOT NULL UNIQUE,
    questionnaire_id BIGINT NOT NULL REFERENCES survey_questionnaire (id),
    class_id BIGINT,
    used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, code)
);
CREATE INDEX survey_code_questionnaire ON survey_code (questionnaire_id, school_id);
