-- Each team's interventions catalogue, and each family member's journey through one. The
-- record itself is JSON (`record`); `steps` counts the steps and series sessions recorded, so
-- a change made from an out-of-date copy is refused rather than lost.
CREATE TABLE intervention_catalogue (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    name_lower TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX intervention_catalogue_names ON intervention_catalogue(team_id, name_lower);

CREATE TABLE care_interventions (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    steps BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX care_interventions_by_family ON care_interventions(family_id, recorded_at);

CREATE TRIGGER care_interventions_counts AFTER INSERT OR UPDATE OR DELETE ON care_interventions
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
