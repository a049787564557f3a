-- Care plans: goals agreed with the family (Goal-Based Outcomes ratings), sessions and
-- reviews. Each row keeps the columns the database searches and counts by, and the record
-- itself as JSON (`record`), written and read whole by Cradle.
ALTER TABLE teams ADD COLUMN sessions_before_review INTEGER NOT NULL DEFAULT 6;

-- What the caseload shows as the next thing due, kept with the family in the same
-- transaction as the change that moves it: the open plans, the most attended sessions since
-- a review across them, and the earliest next planned contact.
ALTER TABLE families ADD COLUMN open_plans INTEGER NOT NULL DEFAULT 0;
ALTER TABLE families ADD COLUMN review_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE families ADD COLUMN next_contact_on TEXT;

CREATE TABLE care_plans (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by UUID NOT NULL REFERENCES staff(id),
    closed_on TEXT,
    closed_by UUID REFERENCES staff(id),
    attended_since_review INTEGER NOT NULL DEFAULT 0,
    next_contact TEXT
);
CREATE INDEX care_plans_by_family ON care_plans(family_id, created_at);

CREATE TABLE care_goals (
    id UUID PRIMARY KEY,
    plan_id UUID NOT NULL REFERENCES care_plans(id),
    family_id UUID NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_goals_by_family ON care_goals(family_id, recorded_at);

CREATE TABLE care_sessions (
    id UUID PRIMARY KEY,
    plan_id UUID NOT NULL REFERENCES care_plans(id),
    family_id UUID NOT NULL REFERENCES families(id),
    held_on TEXT NOT NULL,
    attendance TEXT NOT NULL,
    next_contact TEXT,
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_sessions_by_family ON care_sessions(family_id, held_on);
CREATE INDEX care_sessions_by_plan ON care_sessions(plan_id, held_on);

CREATE TABLE care_reviews (
    id UUID PRIMARY KEY,
    plan_id UUID NOT NULL REFERENCES care_plans(id),
    family_id UUID NOT NULL REFERENCES families(id),
    reviewed_on TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_reviews_by_family ON care_reviews(family_id, reviewed_on);
CREATE INDEX care_reviews_by_plan ON care_reviews(plan_id, reviewed_on);

CREATE TRIGGER care_plans_counts AFTER INSERT OR UPDATE OR DELETE ON care_plans
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER care_goals_counts AFTER INSERT OR UPDATE OR DELETE ON care_goals
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER care_sessions_counts AFTER INSERT OR UPDATE OR DELETE ON care_sessions
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER care_reviews_counts AFTER INSERT OR UPDATE OR DELETE ON care_reviews
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
