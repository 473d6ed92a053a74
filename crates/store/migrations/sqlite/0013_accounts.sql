-- Accounts (issue 10). must_change_password: the account holds a one-time password (an
-- admin's reset, a bulk account) and may do nothing but change it. last_seen_at: the idle
-- timeout's clock (0: never touched since created). child_student_id: the child a parent's
-- session shows, chosen among the parent's linked children.
ALTER TABLE app_user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_session ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_session ADD COLUMN child_student_id INTEGER;

-- A parent account's children beyond app_user.student_id (its first child), each linked by
-- 学籍号 + the one-time binding code the school handed out.
CREATE TABLE parent_child (
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, student_id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- The school's one-time binding code per student: only its SHA-256 is kept, so the printed
-- sheet is the only copy; issuing again replaces it, using it sets used_at.
CREATE TABLE binding_code (
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    code_hash TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by INTEGER,
    PRIMARY KEY (school_id, student_id),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);
