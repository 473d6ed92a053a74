-- The audit queue (issue 16). A sensitive read that arrives while an import holds SQLite's one
-- write lock writes its audit entry to a separate queue file (`<db>-audit-queue`) instead of
-- waiting; the entries are moved here once the lock is free. This row says up to which queue
-- id entries were moved, updated in the same transaction as the moved rows, so a crash between
-- the move and the queue's clean-up neither loses nor repeats an entry.
CREATE TABLE audit_queue_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    moved_upto INTEGER NOT NULL
);
INSERT INTO audit_queue_mark (id, moved_upto) VALUES (1, 0);
