-- Needs, strengths and confidence: dated, attributed notes about a caregiver ("mother" or a
-- person's id) or the whole family ("family", for its shared understanding of the baby).
CREATE TABLE caregiver_notes (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    noted_on TEXT,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX caregiver_notes_by_family ON caregiver_notes(family_id, noted_on);

CREATE TRIGGER caregiver_notes_counts AFTER INSERT OR UPDATE OR DELETE ON caregiver_notes
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
