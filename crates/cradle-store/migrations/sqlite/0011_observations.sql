-- Interaction observations of a caregiver ("mother" or a person's id) with the baby, their
-- descriptive sections (a JSON array of [section, text]) and any formal tool's result exactly
-- as given (JSON), and positive moments fed back to the caregiver.
CREATE TABLE observations (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    caregiver TEXT NOT NULL,
    baby_id BLOB REFERENCES babies(id),
    observed_on TEXT,
    setting TEXT NOT NULL,
    descriptors TEXT NOT NULL,
    tool TEXT,
    recorded_by BLOB NOT NULL REFERENCES staff(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX observations_by_family ON observations(family_id, observed_on);

CREATE TABLE positive_moments (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    caregiver TEXT NOT NULL,
    observation_id BLOB REFERENCES observations(id),
    noticed_on TEXT,
    what_happened TEXT NOT NULL,
    baby_responses TEXT NOT NULL,
    fed_back TEXT NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX positive_moments_by_family ON positive_moments(family_id, noticed_on);

CREATE TRIGGER observations_insert_counts AFTER INSERT ON observations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER observations_update_counts AFTER UPDATE ON observations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER observations_delete_counts AFTER DELETE ON observations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

CREATE TRIGGER positive_moments_insert_counts AFTER INSERT ON positive_moments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER positive_moments_update_counts AFTER UPDATE ON positive_moments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER positive_moments_delete_counts AFTER DELETE ON positive_moments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
