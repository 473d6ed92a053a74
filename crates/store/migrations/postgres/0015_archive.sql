-- The comprehensive archive (issue 12): activity records (写实记录) with their review state,
-- and the art assessment (艺术素质测评) per student and school year, scored at write.
-- Hours and points are tenths (integers): thresholds compare exactly as recorded.
-- school_id leads every key; record ids are allocated as MAX + 1 per school under the write
-- lock.
CREATE TABLE archive_record (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    category TEXT NOT NULL,
    date TEXT NOT NULL,
    end_date TEXT,
    hours_tenths INTEGER NOT NULL CHECK (hours_tenths >= 0),
    -- the part of the hours spent travelling: never counted towards volunteer stars
    travel_tenths INTEGER NOT NULL DEFAULT 0
        CHECK (travel_tenths >= 0 AND travel_tenths <= hours_tenths),
    organiser TEXT NOT NULL,
    description TEXT NOT NULL,
    entrant TEXT NOT NULL CHECK (entrant IN ('teacher', 'parent', 'student')),
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    reviewed_by TEXT,
    reviewed_at BIGINT,
    return_reason TEXT,
    import_id BIGINT,
    PRIMARY KEY (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);
-- A student's archive, and a term's counts per student.
CREATE INDEX archive_record_student ON archive_record (school_id, student_id, term);

CREATE TABLE archive_art (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    school_year INTEGER NOT NULL,
    basic_tenths INTEGER NOT NULL CHECK (basic_tenths BETWEEN 0 AND 400),
    academic_tenths INTEGER NOT NULL CHECK (academic_tenths BETWEEN 0 AND 500),
    development_tenths INTEGER NOT NULL CHECK (development_tenths BETWEEN 0 AND 200),
    total_tenths INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('excellent', 'good', 'pass', 'fail')),
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    import_id BIGINT,
    PRIMARY KEY (school_id, student_id, school_year),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);
