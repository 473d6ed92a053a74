-- The audit queue's mark (issue 16). PostgreSQL writes audit entries directly (its writers do not
-- block readers or other inserts), so the queue is SQLite's only; the table is kept here too so
-- both backends have the same schema.
CREATE TABLE audit_queue_mark (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    moved_upto BIGINT NOT NULL
);
INSERT INTO audit_queue_mark (id, moved_upto) VALUES (1, 0);
