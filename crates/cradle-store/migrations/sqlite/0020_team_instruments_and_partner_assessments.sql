-- Questionnaire definitions a team imported (for instruments whose licence does not let Cradle
-- ship them, such as the EPDS). The definition file is kept exactly as imported; importing a
-- new version of the same questionnaire (same `url`) retires the earlier one, which stays so
-- that responses scored with it can still be read against it.
CREATE TABLE team_instruments (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    url TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by BLOB NOT NULL REFERENCES staff(id),
    imported_by_name TEXT NOT NULL,
    retired_at INTEGER,
    UNIQUE (team_id, url, version)
);

-- Which family members, beyond partners, fathers and co-parents, the team offers the partner
-- pathway to: relationship codes separated by spaces.
ALTER TABLE teams ADD COLUMN pathway_roles TEXT NOT NULL DEFAULT '';

-- A partner's (or other family member's) own assessment, recorded with the pathway's
-- "assessed" step in the same transaction. The record is JSON.
CREATE TABLE partner_assessments (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    assessed_on TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX partner_assessments_by_family ON partner_assessments(family_id);

CREATE TRIGGER partner_assessments_insert_counts AFTER INSERT ON partner_assessments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER partner_assessments_update_counts AFTER UPDATE ON partner_assessments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER partner_assessments_delete_counts AFTER DELETE ON partner_assessments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

-- The caseload shows each person's current pathway step: the step at their highest position.
-- (The unique index on family, person and position already serves that lookup.)
