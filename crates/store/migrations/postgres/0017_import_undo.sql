-- Undoing the last import of a kind (issue 10). Before an import overwrites stored rows it
-- copies them into a journal table (the same columns plus the import that replaced them), so
-- an undo restores exactly what was there. import_touch names what an import wrote, per school:
-- part is the term code (fitness) or "exam id/subject" (exam scores and items), and an undo is
-- refused while a later, not undone import touched the same school and part.
ALTER TABLE import_record ADD COLUMN undone_at BIGINT;
ALTER TABLE import_record ADD COLUMN undone_by TEXT;

CREATE TABLE import_touch (
    school_id BIGINT NOT NULL,
    import_id BIGINT NOT NULL,
    family TEXT NOT NULL,
    part TEXT NOT NULL,
    PRIMARY KEY (school_id, import_id, part)
);
CREATE INDEX import_touch_part ON import_touch (school_id, family, part, import_id);

CREATE TABLE fitness_record_undo AS SELECT 0::BIGINT AS undo_import_id, t.* FROM fitness_record t WITH NO DATA;
CREATE INDEX fitness_record_undo_import ON fitness_record_undo (undo_import_id);

CREATE TABLE exam_score_undo AS SELECT 0::BIGINT AS undo_import_id, t.* FROM exam_score t WITH NO DATA;
CREATE INDEX exam_score_undo_import ON exam_score_undo (undo_import_id);

CREATE TABLE exam_class_teacher_undo AS SELECT 0::BIGINT AS undo_import_id, t.* FROM exam_class_teacher t WITH NO DATA;
CREATE INDEX exam_class_teacher_undo_import ON exam_class_teacher_undo (undo_import_id);

-- exam_item is district data: an item import journals the subject's paper once.
CREATE TABLE exam_item_undo AS SELECT 0::BIGINT AS undo_import_id, t.* FROM exam_item t WITH NO DATA;
CREATE INDEX exam_item_undo_import ON exam_item_undo (undo_import_id);
