-- Each team's interventions catalogue, and each family member's journey through one. The
-- record itself is JSON (`record`); `steps` counts the steps and series sessions recorded, so
-- a change made from an out-of-date copy is refused rather than lost.
CREATE TABLE intervention_catalogue (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    name_lower TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX intervention_catalogue_names ON intervention_catalogue(team_id, name_lower);

CREATE TABLE care_interventions (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    steps INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_interventions_by_family ON care_interventions(family_id, recorded_at);

CREATE TRIGGER care_interventions_insert_counts AFTER INSERT ON care_interventions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_interventions_update_counts AFTER UPDATE ON care_interventions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER care_interventions_delete_counts AFTER DELETE ON care_interventions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
