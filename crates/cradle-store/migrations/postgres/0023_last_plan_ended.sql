-- The caseload tells a family whose care plan has ended (and when) from one that has never had
-- one; kept on the family's row with the other care plan counts, recounted with them.
ALTER TABLE families ADD COLUMN last_plan_closed_on TEXT;
UPDATE families SET last_plan_closed_on =
    (SELECT MAX(closed_on) FROM care_plans WHERE care_plans.family_id = families.id);
