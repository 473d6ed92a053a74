-- Exams (issue 4), PostgreSQL. Exams, their subjects and items are district data (no school_id);
-- marks, the teacher snapshots and the per-school statistics are per-school tables with
-- school_id first in the primary key.
--
-- Statistics are computed at write (wuyu-analytics, after every import and by recompute_exam)
-- and stored as JSON payloads, so a page reads a few hundred small rows, never every mark.
CREATE TABLE exam (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    exam_date DATE NOT NULL,
    -- wuyu_domain::Term::code, e.g. 2024-autumn
    term TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('school', 'district', 'city', 'zhongkao')),
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    -- the earlier exam of the same students that value-added is measured from
    baseline_id BIGINT REFERENCES exam (id),
    created_at BIGINT NOT NULL,
    UNIQUE (name, exam_date, grade)
);

CREATE TABLE exam_subject (
    exam_id BIGINT NOT NULL REFERENCES exam (id),
    position INTEGER NOT NULL,
    subject TEXT NOT NULL,
    full_marks DOUBLE PRECISION NOT NULL CHECK (full_marks > 0),
    PRIMARY KEY (exam_id, position),
    UNIQUE (exam_id, subject)
);

-- A subject's paper (双向细目表), defined by the item import. Tags are a JSON array of strings.
CREATE TABLE exam_item (
    exam_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    position INTEGER NOT NULL,
    item_no TEXT NOT NULL,
    max_points DOUBLE PRECISION NOT NULL CHECK (max_points > 0),
    knowledge_points TEXT NOT NULL,
    PRIMARY KEY (exam_id, subject, position),
    FOREIGN KEY (exam_id, subject) REFERENCES exam_subject (exam_id, subject)
);

-- The schools that sat an exam (at least one mark), with their number of students; kept by
-- every statistics run. Lets a school's roles find their exams and every per-school read
-- reach the per-school tables through their primary keys.
CREATE TABLE exam_school (
    school_id BIGINT NOT NULL REFERENCES school (id),
    exam_id BIGINT NOT NULL REFERENCES exam (id),
    students BIGINT NOT NULL,
    PRIMARY KEY (school_id, exam_id)
);

-- One mark per student and subject: a score, or 缺考 (absent, no score; never a 0). A student
-- without a row did not take the subject. class_id is the class at exam time (the student's
-- class when the marks were imported). item_points: the points per item, comma-separated and
-- aligned with exam_item.position, when an item sheet was imported (blank items stored as 0).
-- No foreign key to student: every import resolves its students inside its own write
-- transaction, and the per-row check cost more than the rest of writing a mark (measured on
-- PostgreSQL: 14 s instead of 6 s for 1.2 million marks).
CREATE TABLE exam_score (
    school_id BIGINT NOT NULL,
    exam_id BIGINT NOT NULL,
    -- byte order: the import writes the marks in this order, whatever the database locale
    subject TEXT COLLATE "C" NOT NULL,
    student_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    absent BOOLEAN NOT NULL,
    score DOUBLE PRECISION,
    item_points TEXT,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (school_id, exam_id, subject, student_id),
    CHECK ((absent AND score IS NULL AND item_points IS NULL)
        OR (NOT absent AND score IS NOT NULL))
);

-- Who taught each class in each subject when the marks were imported (a copy of
-- teacher_assignment then), so the parallel-class rule knows the teacher of every past exam.
CREATE TABLE exam_class_teacher (
    school_id BIGINT NOT NULL,
    exam_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    teacher_id BIGINT NOT NULL,
    share DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (school_id, exam_id, class_id, subject, teacher_id),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);

-- Exam-wide statistics: kind 'unit' (unit 'district', 'location:urban', 'stage:junior'; an
-- ExamUnitStat over every subject, subject ''), 'standing' (per subject: the district score
-- table a student's z, T, 百分等级, rank and 临界生 are read from), 'items' (per subject: the
-- item analysis) and 'va' (unit 'school' or 'class', per subject: the value-added report).
CREATE TABLE exam_stat (
    exam_id BIGINT NOT NULL REFERENCES exam (id),
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (exam_id, kind, unit, subject)
);

-- Per-school statistics: kind 'school' (class_id 0) and 'class' (an ExamUnitStat over every
-- subject, subject ''), 'item_class' (per subject: a class's item difficulties and
-- knowledge-point mastery), and 'marks' (class_id 0, subject ''): every mark of the school
-- packed in one text, rewritten with the statistics, so an import or the statistics read an
-- exam's marks as a hundred rows, not a million (recompute_exam reads exam_score itself).
CREATE TABLE exam_school_stat (
    school_id BIGINT NOT NULL,
    exam_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    class_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (school_id, exam_id, kind, class_id, subject)
);

-- Each class's counts and mean per subject as plain columns: what the parallel-class rule
-- reads for every exam of a school (or of the district) without parsing the JSON payloads.
CREATE TABLE exam_class_mean (
    school_id BIGINT NOT NULL,
    exam_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    enrolled BIGINT NOT NULL,
    sat BIGINT NOT NULL,
    n BIGINT NOT NULL,
    mean DOUBLE PRECISION,
    PRIMARY KEY (school_id, exam_id, class_id, subject)
);

-- The payloads are JSON (or packed marks) read whole; compressing them on every write cost
-- more than the rest of the statistics run (≈ 40 MB for a 200,000-student exam).
ALTER TABLE exam_stat ALTER COLUMN payload SET STORAGE EXTERNAL;
ALTER TABLE exam_school_stat ALTER COLUMN payload SET STORAGE EXTERNAL;
