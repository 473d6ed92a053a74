-- Roster fields the later capabilities need (issue 9), in one migration for both backends.

-- 班级类型: parallel classes (同类班级) share school, grade and type; every class stored before
-- this migration is a 普通班.
ALTER TABLE school_class ADD COLUMN class_type TEXT NOT NULL DEFAULT 'ordinary'
    CHECK (class_type IN ('ordinary', 'experimental', 'key', 'talent', 'other'));

-- 曾用名: former names joined by 、 (a name cannot contain it); empty when there are none.
ALTER TABLE student ADD COLUMN former_names TEXT NOT NULL DEFAULT '';

-- 学籍状态 and the date it took effect. Every student stored before this is 在读.
ALTER TABLE student ADD COLUMN status TEXT NOT NULL DEFAULT 'enrolled'
    CHECK (status IN ('enrolled', 'transferred_out', 'suspended', 'dropped_out'));
ALTER TABLE student ADD COLUMN status_date TEXT;

-- Special-group flags (残疾, 留守, 困境) are sensitive: a table of their own, so no ordinary
-- roster read can pick them up by accident.
CREATE TABLE student_flag (
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    flag TEXT NOT NULL CHECK (flag IN ('disability', 'left_behind', 'hardship')),
    PRIMARY KEY (school_id, student_id, flag),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- Teachers: subject taught (体育, 音乐, 美术, 心理 …), 专职/兼职, birth year.
ALTER TABLE teacher ADD COLUMN subject TEXT;
ALTER TABLE teacher ADD COLUMN employment TEXT CHECK (employment IN ('full_time', 'part_time'));
ALTER TABLE teacher ADD COLUMN birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2100);

-- Titles (骨干教师, 学科带头人, 名师) with level and year; several per teacher.
CREATE TABLE teacher_title (
    school_id INTEGER NOT NULL,
    teacher_id INTEGER NOT NULL,
    title TEXT NOT NULL CHECK (title IN ('key_teacher', 'subject_leader', 'master_teacher')),
    level TEXT NOT NULL CHECK (level IN ('district', 'city', 'province', 'national')),
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    PRIMARY KEY (school_id, teacher_id, title, level, year),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);
