-- Surveys (issue 15). A questionnaire is district reference data (no school_id); its items are
-- JSON (code, text, reverse, allow_unknown, scale). A published questionnaire is never edited:
-- a revision is a new row with version + 1 and previous_id. status: draft, published, closed.
CREATE TABLE survey_questionnaire (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    previous_id BIGINT REFERENCES survey_questionnaire (id),
    title TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('parents', 'students', 'teachers')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
    items TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- An anonymous link of one questionnaire for one school: the token is the link's address.
CREATE TABLE survey_link (
    school_id BIGINT NOT NULL REFERENCES school (id),
    token TEXT NOT NULL UNIQUE,
    questionnaire_id BIGINT NOT NULL REFERENCES survey_questionnaire (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, token)
);

-- One response: no identity, only the school of its link, the time and one character per item
-- (1–5, ? for 不了解, - for blank). seq numbers a school's responses to a questionnaire.
CREATE TABLE survey_response (
    school_id BIGINT NOT NULL REFERENCES school (id),
    questionnaire_id BIGINT NOT NULL REFERENCES survey_questionnaire (id),
    seq BIGINT NOT NULL,
    answers TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, questionnaire_id, seq)
);
CREATE INDEX survey_response_questionnaire ON survey_response (questionnaire_id, school_id);
