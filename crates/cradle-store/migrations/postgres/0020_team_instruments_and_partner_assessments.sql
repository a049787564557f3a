-- Questionnaire definitions a team imported (for instruments whose licence does not let Cradle
-- ship them, such as the EPDS). The definition file is kept exactly as imported; importing a
-- new version of the same questionnaire (same `url`) retires the earlier one, which stays so
-- that responses scored with it can still be read against it.
CREATE TABLE team_instruments (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    url TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by UUID NOT NULL REFERENCES staff(id),
    imported_by_name TEXT NOT NULL,
    retired_at BIGINT,
    UNIQUE (team_id, url, version)
);

-- Which family members, beyond partners, fathers and co-parents, the team offers the partner
-- pathway to: relationship codes separated by spaces.
ALTER TABLE teams ADD COLUMN pathway_roles TEXT NOT NULL DEFAULT '';

-- A partner's (or other family member's) own assessment, recorded with the pathway's
-- "assessed" step in the same transaction. The record is JSON.
CREATE TABLE partner_assessments (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    assessed_on TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX partner_assessments_by_family ON partner_assessments(family_id);

CREATE TRIGGER partner_assessments_counts AFTER INSERT OR UPDATE OR DELETE ON partner_assessments
    FOR EACH ROW EXECUTE FUNCTION count_family_change();

-- The caseload shows each person's current pathway step: the step at their highest position.
-- (The unique index on family, person and position already serves that lookup.)
