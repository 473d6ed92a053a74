-- Undoing a roster import (issue 10). Before a roster import writes, it copies the rows it may
-- change of every school it touches (the columns the import writes) into these journals; an
-- undo restores them, removes what the import added, and is refused while a later import touched
-- the same school or other data (results, accounts, records) already refers to an added row.

CREATE TABLE school_undo AS SELECT 0 AS undo_import_id, id, code, name, stage, location, school_group FROM school WHERE 0;
CREATE INDEX school_undo_import ON school_undo (undo_import_id, id);

CREATE TABLE school_class_undo AS SELECT 0 AS undo_import_id, school_id, id, grade, name, class_type FROM school_class WHERE 0;
CREATE INDEX school_class_undo_import ON school_class_undo (undo_import_id, school_id);

CREATE TABLE student_undo AS SELECT 0 AS undo_import_id, school_id, id, class_id, student_no, name, sex, birth_date, id_card_no, ethnicity, former_names FROM student WHERE 0;
CREATE INDEX student_undo_import ON student_undo (undo_import_id, school_id);

CREATE TABLE teacher_undo AS SELECT 0 AS undo_import_id, school_id, id, staff_no, name, sex FROM teacher WHERE 0;
CREATE INDEX teacher_undo_import ON teacher_undo (undo_import_id, school_id);

CREATE TABLE teacher_assignment_undo AS SELECT 0 AS undo_import_id, school_id, teacher_id, class_id, subject, share FROM teacher_assignment WHERE 0;
CREATE INDEX teacher_assignment_undo_import ON teacher_assignment_undo (undo_import_id, school_id);
