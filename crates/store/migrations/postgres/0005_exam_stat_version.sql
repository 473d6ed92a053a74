-- Exam statistics carry the version of the code that computed them
-- (`wuyu_monitor::exam::STAT_VERSION`). A read that finds an exam's statistics at an older
-- version recomputes them from the marks first, so a stale payload is never reported as
-- corrupt. Statistics stored before this migration are version 1.
ALTER TABLE exam ADD COLUMN stat_version INTEGER NOT NULL DEFAULT 1;
