-- Teachers' appraisal in the browser (issue 14): the district returns a round in 公示 to the
-- school with a reason the school reads on its page; cleared when the school publishes again.
ALTER TABLE staff_appraisal_round ADD COLUMN return_reason TEXT;
