-- Survey links and responses per class (issue 15): a link printed for one class (NULL: the
-- whole school) passes its class to the responses given through it, and so does a one-time
-- code issued for a class, so a school can read its results class by class (suppressed under
-- the minimum respondents like any unit). Still no identity: a class, never a person.
ALTER TABLE survey_link ADD COLUMN class_id INTEGER;
ALTER TABLE survey_response ADD COLUMN class_id INTEGER;
CREATE INDEX survey_response_class ON survey_response (questionnaire_id, school_id, class_id);
