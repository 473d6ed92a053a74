-- Evidence files of activity records (issue 12): photos and certificates, checked by their
-- content (JPG, PNG, PDF) and size before they are stored, with their SHA-256. A file is
-- stored once per upload and linked to every record it proves: a class activity's photo is
-- one row here and one link per student's record. Ids are allocated as MAX + 1 per school
-- under the write lock, as the records' are.
CREATE TABLE archive_evidence (
    school_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, id)
);

CREATE TABLE archive_record_evidence (
    school_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    evidence_id INTEGER NOT NULL,
    PRIMARY KEY (school_id, record_id, evidence_id),
    FOREIGN KEY (school_id, record_id) REFERENCES archive_record (school_id, id),
    FOREIGN KEY (school_id, evidence_id) REFERENCES archive_evidence (school_id, id)
);
