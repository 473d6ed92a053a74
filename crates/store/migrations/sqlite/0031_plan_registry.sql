-- The registry of designations and counts (issue 11): 特色学校, 示范家长学校, 文明校园, 实践基地,
-- 心理辅导室, 名校长, school events … with type, level, school, date and evidence. A school
-- enters its items (待审核) and the district approves or returns them; the district's own
-- entries are approved at once. Approved items count into the plan's indicators.
-- Ids are allocated as MAX + 1 under the write lock, as the activity records' are.
CREATE TABLE plan_registry_item (
    id INTEGER PRIMARY KEY,
    -- NULL: the district's own item (a base or an event that belongs to no school).
    school_id INTEGER,
    kind TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('national', 'province', 'city', 'district')),
    title TEXT NOT NULL,
    awarded_on TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    reason TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    evidence_name TEXT,
    evidence_type TEXT,
    evidence_sha256 TEXT,
    evidence_size BIGINT,
    evidence BLOB
);
CREATE INDEX plan_registry_item_school ON plan_registry_item (school_id);
