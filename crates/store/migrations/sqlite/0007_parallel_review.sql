-- The parallel-class rule's evidence and review (issue 9).
-- Class SDs, for gaps in SD units; statistics computed before this are recomputed on read
-- (wuyu_monitor::exam::STAT_VERSION 2).
ALTER TABLE exam_class_mean ADD COLUMN sd REAL;

-- The district's decision on a teacher's parallel-class alert: a person decides (低聘 / 调离 /
-- 不予处理 / 待复核) with a reason; the latest decision is kept here, every one in the audit log.
CREATE TABLE exam_alert_decision (
    school_id INTEGER NOT NULL,
    teacher_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    evaluation_year INTEGER NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, teacher_id, subject, evaluation_year)
);
