-- School sets the district names for its plan (issue 11), e.g. 城区四所初中: a scope
-- 学校组:NAME judges each member school. A stored set named 城区初中 or 其余初中 replaces the
-- built-in rule of the same name.
CREATE TABLE plan_school_set (
    name TEXT NOT NULL,
    school_id BIGINT NOT NULL,
    PRIMARY KEY (name, school_id)
);
