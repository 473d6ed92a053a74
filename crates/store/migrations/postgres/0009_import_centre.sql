-- The import centre (issue 10): every file uploaded in the browser is held here from upload
-- to confirm (nothing is imported before confirm), then stays as the import's history entry,
-- with the file itself for admins to download. school_id is the uploader's school (NULL: an
-- upload by the district); the history is filtered on it. A held upload past expires_at is
-- expired and its bytes dropped. status: pending, running (confirmed, being written), imported, rejected,
-- failed (a fault of the server; nothing written), expired, undone. stage: where a running
-- import is (read, validate, write), for the page that polls it.
CREATE TABLE import_upload (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    school_id BIGINT,
    user_id BIGINT NOT NULL,
    username TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    file BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'imported', 'rejected', 'failed', 'expired', 'undone')),
    stage TEXT NOT NULL DEFAULT '',
    -- What the confirmed import answered: its counts (JSON), or its row errors (JSON, the
    -- store's included, which only the write finds) and how many.
    counts TEXT NOT NULL DEFAULT '',
    errors TEXT NOT NULL DEFAULT '',
    error_count BIGINT NOT NULL DEFAULT 0,
    -- import_record.id of the written import.
    import_id BIGINT,
    finished_at BIGINT
);
CREATE INDEX import_upload_school ON import_upload (school_id, id);
