-- Teachers (issue 14): training records, and the annual appraisal per school and year. Titles
-- (骨干教师, 学科带头人, 名师) live in teacher_title (migration 6).

-- One training course a teacher took: level is the 666 programme's 普及/骨干/高端.
CREATE TABLE staff_training (
    school_id INTEGER NOT NULL,
    teacher_id INTEGER NOT NULL,
    course TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours > 0 AND hours <= 1000),
    level TEXT NOT NULL CHECK (level IN ('general', 'key', 'advanced')),
    provider TEXT NOT NULL,
    PRIMARY KEY (school_id, teacher_id, course, taken_on),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);

-- A school's appraisal of one year: the unit rating that sets the quota, the workflow state
-- (draft → publicity (公示) → approved), and the cap arithmetic as computed.
CREATE TABLE staff_appraisal_round (
    school_id INTEGER NOT NULL REFERENCES school (id),
    school_year INTEGER NOT NULL CHECK (school_year BETWEEN 2000 AND 2100),
    unit_rating TEXT NOT NULL CHECK (unit_rating IN ('normal', 'award', 'accountable')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'publicity', 'approved')),
    n_base INTEGER NOT NULL CHECK (n_base >= 0),
    cap INTEGER NOT NULL CHECK (cap >= 0),
    publicity_until TEXT,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, school_year)
);

-- One teacher's inputs and computed level; the appeal (复核/申诉) with its answer, and the
-- teacher's confirmation of having seen the result.
CREATE TABLE staff_appraisal (
    school_id INTEGER NOT NULL,
    school_year INTEGER NOT NULL,
    teacher_id INTEGER NOT NULL,
    score REAL CHECK (score BETWEEN 0 AND 100),
    org_score REAL CHECK (org_score BETWEEN 0 AND 100),
    peer_score REAL CHECK (peer_score BETWEEN 0 AND 100),
    parent_score REAL CHECK (parent_score BETWEEN 0 AND 100),
    renormalised INTEGER NOT NULL DEFAULT 0,
    first_job_months INTEGER CHECK (first_job_months >= 0),
    leave_days INTEGER NOT NULL DEFAULT 0 CHECK (leave_days BETWEEN 0 AND 366),
    under_investigation INTEGER NOT NULL DEFAULT 0,
    ethics_violation INTEGER NOT NULL DEFAULT 0,
    sanction TEXT CHECK (sanction IN ('warning', 'demerit', 'demotion', 'dismissal')),
    level TEXT NOT NULL CHECK (level IN ('excellent', 'qualified', 'basic', 'unqualified',
        'comment_only', 'no_level', 'deferred', 'committee')),
    committee_reason TEXT,
    appeal_text TEXT,
    appeal_at INTEGER,
    appeal_answer TEXT,
    answered_by TEXT,
    answered_at INTEGER,
    confirmed_at INTEGER,
    PRIMARY KEY (school_id, school_year, teacher_id),
    FOREIGN KEY (school_id, school_year) REFERENCES staff_appraisal_round (school_id, school_year),
    FOREIGN KEY (school_id, teacher_id) REFERENCES teacher (school_id, id)
);
