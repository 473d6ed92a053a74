-- Foundation schema (SQLite). Times are unix seconds (INTEGER) so both backends compare them
-- the same way. Every per-school table has school_id in its primary key (Citus-ready).
CREATE TABLE district (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE school (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('primary', 'junior', 'nine_year', 'senior', 'complete')),
    location TEXT NOT NULL CHECK (location IN ('urban', 'rural')),
    school_group TEXT
);

CREATE TABLE school_class (
    school_id INTEGER NOT NULL REFERENCES school (id),
    id INTEGER NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    name TEXT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, grade, name)
);

CREATE TABLE student (
    school_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    student_no TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date TEXT NOT NULL,
    id_card_no TEXT,
    ethnicity INTEGER,
    PRIMARY KEY (school_id, id),
    -- 学籍号 first: this one index serves both the per-school uniqueness and look-ups by
    -- 学籍号 across schools (district-wide uniqueness is checked by the import).
    UNIQUE (student_no, school_id),
    FOREIGN KEY (school_id, class_id) REFERENCES school_class (school_id, id)
) WITHOUT ROWID;
-- No index on class_id: a class's students are found through the primary key's school_id
-- prefix (a school has at most a few thousand students), and every index slows imports.

CREATE TABLE teacher (
    school_id INTEGER NOT NULL REFERENCES school (id),
    id INTEGER NOT NULL,
    staff_no TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT CHECK (sex IN ('M', 'F')),
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, staff_no)
);

CREATE TABLE teacher_assignment (
    school_id INTEGER NOT NULL,
    teacher_id INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    share REAL NOT NULL CHECK (share > 0 AND share <= 1),
    PRIMARY KEY (school_id, teacher_id, class_id, subject),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id),
    FOREIGN KEY (school_id, class_id) REFERENCES school_class (school_id, id)
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    school_id INTEGER REFERENCES school (id),
    teacher_id INTEGER,
    student_id INTEGER,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    school_id INTEGER,
    entity TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL
);

CREATE TABLE import_record (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    records INTEGER NOT NULL,
    summary TEXT NOT NULL
);
