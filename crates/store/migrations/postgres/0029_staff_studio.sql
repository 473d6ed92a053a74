-- Teachers' development records (issue 14): membership of a 工作室 (名师/名校长/学科工作室),
-- as host (主持人) or member, with the studio's level and the year the teacher joined.
CREATE TABLE staff_studio (
    school_id BIGINT NOT NULL,
    teacher_id BIGINT NOT NULL,
    studio TEXT NOT NULL CHECK (length(studio) BETWEEN 1 AND 100),
    role TEXT NOT NULL CHECK (role IN ('host', 'member')),
    level TEXT NOT NULL CHECK (level IN ('district', 'city', 'province', 'national')),
    joined_year INTEGER NOT NULL CHECK (joined_year BETWEEN 1950 AND 2100),
    PRIMARY KEY (school_id, teacher_id, studio),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);

-- 名校长 joins the titles (骨干教师, 学科带头人, 名师).
ALTER TABLE teacher_title DROP CONSTRAINT teacher_title_title_check;
ALTER TABLE teacher_title ADD CONSTRAINT teacher_title_title_check CHECK (title IN
    ('key_teacher', 'subject_leader', 'master_teacher', 'master_principal'));
