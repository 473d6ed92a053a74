-- District-supplied scale definitions (issue 13, modules.md §3). A district loads a licensed
-- instrument's definition under its own licence; wuyu ships none. Keyed by code with versions
-- 1, 2, …: loading the same code with different content adds the next version, identical
-- content (same SHA-256) adds nothing. definition: the JSON exactly as given. source_version:
-- the version text inside the file. A stored version never changes (scores were computed with
-- it) and is never deleted while a campaign names it.
CREATE TABLE psych_scale (
    code TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    name TEXT NOT NULL,
    source_version TEXT NOT NULL,
    definition TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    licence TEXT NOT NULL DEFAULT '',
    loaded_by TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    PRIMARY KEY (code, version),
    UNIQUE (code, sha256)
);

CREATE TRIGGER psych_scale_no_update BEFORE UPDATE ON psych_scale
BEGIN
    SELECT RAISE(ABORT, '量表定义的已有版本不能修改，请载入新版本');
END;

-- A campaign may name one custom scale, pinned to a version (NULL: built-in scales only).
ALTER TABLE psych_campaign ADD COLUMN custom_scale_code TEXT;
ALTER TABLE psych_campaign ADD COLUMN custom_scale_version INTEGER;

CREATE TRIGGER psych_scale_no_delete_in_use BEFORE DELETE ON psych_scale
WHEN EXISTS (SELECT 1 FROM psych_campaign c
             WHERE c.custom_scale_code = OLD.code AND c.custom_scale_version = OLD.version)
BEGIN
    SELECT RAISE(ABORT, '量表定义的这个版本正被筛查使用，不能删除');
END;

-- A campaign's pinned version must exist.
CREATE TRIGGER psych_campaign_scale_exists BEFORE INSERT ON psych_campaign
WHEN NEW.custom_scale_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM psych_scale s
             WHERE s.code = NEW.custom_scale_code AND s.version = NEW.custom_scale_version)
BEGIN
    SELECT RAISE(ABORT, '筛查指定的量表版本不存在');
END;
