-- Choice and short-text survey items (issue 15). A response keeps its 5-point answers in
-- survey_response.answers ('-' for these items); a choice item's picked options (0-based, by
-- item index) and a text item's text are rows here, written in the response's transaction.
CREATE TABLE survey_choice_answer (
    school_id BIGINT NOT NULL,
    questionnaire_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    item_index INTEGER NOT NULL,
    option_index INTEGER NOT NULL,
    PRIMARY KEY (questionnaire_id, school_id, seq, item_index, option_index),
    FOREIGN KEY (school_id, questionnaire_id, seq)
        REFERENCES survey_response (school_id, questionnaire_id, seq)
);

CREATE TABLE survey_text_answer (
    school_id BIGINT NOT NULL,
    questionnaire_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    item_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, school_id, seq, item_index),
    FOREIGN KEY (school_id, questionnaire_id, seq)
        REFERENCES survey_response (school_id, questionnaire_id, seq)
);
