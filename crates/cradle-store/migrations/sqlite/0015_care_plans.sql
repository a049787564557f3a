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
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES staff(id),
    closed_on TEXT,
    closed_by BLOB REFERENCES staff(id),
    attended_since_review INTEGER NOT NULL DEFAULT 0,
    next_contact TEXT
);
CREATE INDEX care_plans_by_family ON care_plans(family_id, created_at);

CREATE TABLE care_goals (
    id BLOB PRIMARY KEY,
    plan_id BLOB NOT NULL REFERENCES care_plans(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_goals_by_family ON care_goals(family_id, recorded_at);

CREATE TABLE care_sessions (
    id BLOB PRIMARY KEY,
    plan_id BLOB NOT NULL REFERENCES care_plans(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    held_on TEXT NOT NULL,
    attendance TEXT NOT NULL,
    next_contact TEXT,
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_sessions_by_family ON care_sessions(family_id, held_on);
CREATE INDEX care_sessions_by_plan ON care_sessions(plan_id, held_on);

CREATE TABLE care_reviews (
    id BLOB PRIMARY KEY,
    plan_id BLOB NOT NULL REFERENCES care_plans(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    reviewed_on TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_reviews_by_family ON care_reviews(family_id, reviewed_on);
CREATE INDEX care_reviews_by_plan ON care_reviews(plan_id, reviewed_on);

CREATE TRIGGER care_plans_insert_counts AFTER INSERT ON care_plans
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_plans_update_counts AFTER UPDATE ON care_plans
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_plans_delete_counts AFTER DELETE ON care_plans
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
CREATE TRIGGER care_goals_insert_counts AFTER INSERT ON care_goals
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_goals_update_counts AFTER UPDATE ON care_goals
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_goals_delete_counts AFTER DELETE ON care_goals
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
CREATE TRIGGER care_sessions_insert_counts AFTER INSERT ON care_sessions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_sessions_update_counts AFTER UPDATE ON care_sessions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_sessions_delete_counts AFTER DELETE ON care_sessions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
CREATE TRIGGER care_reviews_insert_counts AFTER INSERT ON care_reviews
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_reviews_update_counts AFTER UPDATE ON care_reviews
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_reviews_delete_counts AFTER DELETE ON care_reviews
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
