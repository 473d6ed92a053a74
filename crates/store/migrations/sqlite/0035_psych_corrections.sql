-- Corrections of a stored answer set (issue 13). Screening data is never deleted by a school: a
-- counsellor corrects a mis-entered answer set with a reason. The response row then holds the
-- corrected answers and scores; the values before each correction are kept here, with the
-- reason, who and when (the audit log has the same event). case_id: the crisis case the
-- correction opened, when it raised the level to 3.
CREATE TABLE psych_correction (
    school_id INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    old_answers TEXT NOT NULL,
    old_level INTEGER NOT NULL CHECK (old_level BETWEEN 0 AND 3),
    new_level INTEGER NOT NULL CHECK (new_level BETWEEN 0 AND 3),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    corrected_by TEXT NOT NULL,
    corrected_at INTEGER NOT NULL,
    case_id INTEGER,
    PRIMARY KEY (school_id, campaign_id, student_id, seq),
    FOREIGN KEY (school_id, campaign_id, student_id)
        REFERENCES psych_response (school_id, campaign_id, student_id)
);
