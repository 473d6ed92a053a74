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
    loaded_at BIGINT NOT NULL,
    PRIMARY KEY (code, version),
    UNIQUE (code, sha256)
);

CREATE FUNCTION psych_scale_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '量表定义的已有版本不能修改，请载入新版本';
END;
$$;

CREATE TRIGGER psych_scale_no_update BEFORE UPDATE ON psych_scale
    FOR EACH ROW EXECUTE FUNCTION psych_scale_frozen();

-- A campaign may name one custom scale, pinned to a version (NULL: built-in scales only). The
-- foreign key keeps a version in use from being deleted.
ALTER TABLE psych_campaign ADD COLUMN custom_scale_code TEXT;
ALTER TABLE psych_campaign ADD COLUMN custom_scale_version INTEGER;
ALTER TABLE psych_campaign ADD CONSTRAINT psych_campaign_custom_scale
    FOREIGN KEY (custom_scale_code, custom_scale_version) REFERENCES psych_scale (code, version);
