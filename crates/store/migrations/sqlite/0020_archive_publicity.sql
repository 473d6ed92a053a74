-- 公示 and sign-off of a class's semester archive (issue 12). A row appears when the 班主任
-- opens the 公示 of a class and term: from then on that class's records of the term are frozen
-- (no new record, no submission, no review). The window's last day is fixed when it opens
-- (working days, a district setting). After it the 班主任 signs, then the 校长; the second
-- signature locks the term for good.
CREATE TABLE archive_publicity (
    school_id INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    head_signed_by TEXT,
    head_signed_on TEXT,
    principal_signed_by TEXT,
    principal_signed_on TEXT,
    PRIMARY KEY (school_id, class_id, term),
    FOREIGN KEY (school_id, class_id) REFERENCES school_class (school_id, id),
    CHECK (principal_signed_by IS NULL OR head_signed_by IS NOT NULL)
);

-- Objections (质疑) to a record in 公示, raised by a family or a teacher and answered by the
-- 班主任. Ids are allocated as MAX + 1 per school under the write lock.
CREATE TABLE archive_objection (
    school_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    raised_by TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    text TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at INTEGER,
    PRIMARY KEY (school_id, id),
    FOREIGN KEY (school_id, record_id) REFERENCES archive_record (school_id, id)
);
CREATE INDEX archive_objection_record ON archive_objection (school_id, record_id);
