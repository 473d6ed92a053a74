-- A family's confirmation (家长确认) of their child's semester archive during its 公示 (issue 12):
-- one per student and term, with who confirmed and when. Confirming again changes nothing.
CREATE TABLE archive_confirmation (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    student_id BIGINT NOT NULL,
    confirmed_by TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, class_id, term, student_id)
);
