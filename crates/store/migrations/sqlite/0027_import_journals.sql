-- Issue 10, the import centre's remaining undo work and the PE teacher's 免测 mark.
--
-- Journals are pruned: once a later import of the same kind wrote every school and part an
-- import touched, its journal can no longer be applied in order, so it is dropped and the
-- import is marked; an undo of it is then refused in Chinese instead of misapplied.
ALTER TABLE import_record ADD COLUMN journal_dropped_at INTEGER;

-- Art assessments are overwritten per (student, school year): an art import journals the
-- school's rows of the years it writes, as the fitness import does for a term.
CREATE TABLE archive_art_undo AS SELECT 0 AS undo_import_id, * FROM archive_art WHERE 0;
CREATE INDEX archive_art_undo_import ON archive_art_undo (undo_import_id, school_id);

-- 免测 (免予执行): a student excused from the fitness test of a term, with the reason. The
-- student has no fitness record of that term (so they leave every rate's denominator) and
-- is not on the 补测名单.
CREATE TABLE fitness_exemption (
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, student_id, term),
    FOREIGN KEY (school_id, student_id) REFERENCES student (school_id, id)
);

-- Journals kept before this migration: an import superseded (same school, family and part) by
-- a later import that is not undone loses its journal now, as it would have at that import.
UPDATE import_record SET journal_dropped_at = (
    SELECT MIN(r.at) FROM import_touch t
    JOIN import_touch l ON l.school_id = t.school_id AND l.family = t.family
        AND l.part = t.part AND l.import_id > t.import_id
    JOIN import_record r ON r.id = l.import_id AND r.undone_at IS NULL
    WHERE t.import_id = import_record.id)
WHERE undone_at IS NULL AND id IN (
    SELECT t.import_id FROM import_touch t
    JOIN import_touch l ON l.school_id = t.school_id AND l.family = t.family
        AND l.part = t.part AND l.import_id > t.import_id
    JOIN import_record r ON r.id = l.import_id AND r.undone_at IS NULL);
DELETE FROM fitness_record_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM exam_score_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM exam_class_teacher_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM exam_item_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM teacher_assignment_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM student_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM teacher_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM school_class_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
DELETE FROM school_undo WHERE undo_import_id IN (SELECT id FROM import_record WHERE journal_dropped_at IS NOT NULL);
