-- The smallest n a plan indicator's rate is judged on (issue 11: 样本不足 below it); NULL:
-- judged whatever n.
ALTER TABLE plan_indicator ADD COLUMN min_n BIGINT;
