-- An exam's own score lines (优秀/良好/及格/低分, JSON of wuyu_analytics RateLines): a 中考 and a
-- 小学质量监测 use different lines. NULL: the district's exam settings apply.
ALTER TABLE exam ADD COLUMN lines TEXT;
