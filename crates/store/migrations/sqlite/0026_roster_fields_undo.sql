-- Roster fields in imports (issue 9): a roster import now writes 学籍状态, 特殊群体 and the
-- teacher's 任教学科 / 专兼职 / 出生年份, so its undo journal keeps them too.
ALTER TABLE student_undo ADD COLUMN status TEXT;
ALTER TABLE student_undo ADD COLUMN status_date TEXT;
ALTER TABLE teacher_undo ADD COLUMN subject TEXT;
ALTER TABLE teacher_undo ADD COLUMN employment TEXT;
ALTER TABLE teacher_undo ADD COLUMN birth_year INTEGER;

CREATE TABLE student_flag_undo AS SELECT 0 AS undo_import_id, school_id, student_id, flag FROM student_flag WHERE 0;
CREATE INDEX student_flag_undo_import ON student_flag_undo (undo_import_id, school_id);
