-- Undoing a roster import (issue 10). Before a roster import writes, it copies the rows it may
-- change of every school it touches (the columns the import writes) into these journals; an
-- undo restores them, removes what the import added, and is refused while a later import touched
-- the same school or other data (results, accounts, records) already refers to an added row.

CREATE TABLE school_undo AS SELECT 0::BIGINT AS undo_import_id, t.id, t.code, t.name, t.stage, t.location, t.school_group FROM school t WITH NO DATA;
CREATE INDEX school_undo_import ON school_undo (undo_import_id, id);

CREATE TABLE school_class_undo AS SELECT 0::BIGINT AS undo_import_id, t.school_id, t.id, t.grade, t.name, t.class_type FROM school_class t WITH NO DATA;
CREATE INDEX school_class_undo_import ON school_class_undo (undo_import_id, school_id);

CREATE TABLE student_undo AS SELECT 0::BIGINT AS undo_import_id, t.school_id, t.id, t.class_id, t.student_no, t.name, t.sex, t.birth_date, t.id_card_no, t.ethnicity, t.former_names FROM student t WITH NO DATA;
CREATE INDEX student_undo_import ON student_undo (undo_import_id, school_id);

CREATE TABLE teacher_undo AS SELECT 0::BIGINT AS undo_import_id, t.school_id, t.id, t.staff_no, t.name, t.sex FROM teacher t WITH NO DATA;
CREATE INDEX teacher_undo_import ON teacher_undo (undo_import_id, school_id);

CREATE TABLE teacher_assignment_undo AS SELECT 0::BIGINT AS undo_import_id, t.school_id, t.teacher_id, t.class_id, t.subject, t.share FROM teacher_assignment t WITH NO DATA;
CREATE INDEX teacher_assignment_undo_import ON teacher_assignment_undo (undo_import_id, school_id);
