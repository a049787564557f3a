-- Relationship conversations with the people around the baby: who took part (the mother as
-- "mother", others by person id, as a JSON array), the optional sections as written (a JSON
-- array of [section, text]), the clinician's formulation, and whether it is finished.
CREATE TABLE conversations (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    held_on TEXT,
    participants TEXT NOT NULL,
    baby_id UUID REFERENCES babies(id),
    seen TEXT NOT NULL,
    answers TEXT NOT NULL,
    formulation TEXT,
    status TEXT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    saved_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX conversations_by_family ON conversations(family_id, held_on);

CREATE TRIGGER conversations_counts AFTER INSERT OR UPDATE OR DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
