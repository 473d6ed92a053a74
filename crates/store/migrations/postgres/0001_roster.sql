-- Foundation schema (PostgreSQL). Times are unix seconds (BIGINT) so both backends compare them
-- the same way. Every per-school table has school_id in its primary key (Citus-ready).
CREATE TABLE district (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    code TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE school (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('primary', 'junior', 'nine_year', 'senior', 'complete')),
    location TEXT NOT NULL CHECK (location IN ('urban', 'rural')),
    school_group TEXT
);

CREATE TABLE school_class (
    school_id BIGINT NOT NULL REFERENCES school (id),
    id BIGINT NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    name TEXT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, grade, name)
);

CREATE TABLE student (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    student_no TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date DATE NOT NULL,
    id_card_no TEXT,
    ethnicity INTEGER,
    PRIMARY KEY (school_id, id),
    -- 学籍号 first: this one index serves both the per-school uniqueness and look-ups by
    -- 学籍号 across schools (district-wide uniqueness is checked by the import).
    UNIQUE (student_no, school_id),
    FOREIGN KEY (school_id, class_id) REFERENCES school_class (school_id, id)
);
-- No index on class_id: a class's students are found through the primary key's school_id
-- prefix (a school has at most a few thousand students), and every index slows imports.

CREATE TABLE teacher (
    school_id BIGINT NOT NULL REFERENCES school (id),
    id BIGINT NOT NULL,
    staff_no TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT CHECK (sex IN ('M', 'F')),
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, staff_no)
);

CREATE TABLE teacher_assignment (
    school_id BIGINT NOT NULL,
    teacher_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    share DOUBLE PRECISION NOT NULL CHECK (share > 0 AND share <= 1),
    PRIMARY KEY (school_id, teacher_id, class_id, subject),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id),
    FOREIGN KEY (school_id, class_id) REFERENCES school_class (school_id, id)
);

CREATE TABLE app_user (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    school_id BIGINT REFERENCES school (id),
    teacher_id BIGINT,
    student_id BIGINT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    school_id BIGINT,
    entity TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL
);

CREATE TABLE import_record (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    records BIGINT NOT NULL,
    summary TEXT NOT NULL
);
