-- One-time answer codes (issue 15): each code opens a published questionnaire once, for one
-- school and optionally one class. The code is random and is stored with no person and no time
-- of use, so a response cannot be traced back to whoever was handed the slip.
CREATE TABLE survey_code (
    school_id INTEGER NOT NULL REFERENCES school (id),
    code TEXT NOT NULL UNIQUE,
    questionnaire_id INTEGER NOT NULL REFERENCES survey_questionnaire (id),
    class_id INTEGER,
    used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    issued_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, code)
);
CREATE INDEX survey_code_questionnaire ON survey_code (questionnaire_id, school_id);
