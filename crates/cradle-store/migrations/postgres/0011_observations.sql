-- Interaction observations of a caregiver ("mother" or a person's id) with the baby, their
-- descriptive sections (a JSON array of [section, text]) and any formal tool's result exactly
-- as given (JSON), and positive moments fed back to the caregiver.
CREATE TABLE observations (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    caregiver TEXT NOT NULL,
    baby_id UUID REFERENCES babies(id),
    observed_on TEXT,
    setting TEXT NOT NULL,
    descriptors TEXT NOT NULL,
    tool TEXT,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX observations_by_family ON observations(family_id, observed_on);

CREATE TABLE positive_moments (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    caregiver TEXT NOT NULL,
    observation_id UUID REFERENCES observations(id),
    noticed_on TEXT,
    what_happened TEXT NOT NULL,
    baby_responses TEXT NOT NULL,
    fed_back TEXT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX positive_moments_by_family ON positive_moments(family_id, noticed_on);

CREATE TRIGGER observations_counts AFTER INSERT OR UPDATE OR DELETE ON observations
    FOR EACH ROW EXECUTE FUNCTION count_family_change();

CREATE TRIGGER positive_moments_counts AFTER INSERT OR UPDATE OR DELETE ON positive_moments
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
