-- Needs, strengths and confidence: dated, attributed notes about a caregiver ("mother" or a
-- person's id) or the whole family ("family", for its shared understanding of the baby).
CREATE TABLE caregiver_notes (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    noted_on TEXT,
    recorded_by BLOB NOT NULL REFERENCES staff(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX caregiver_notes_by_family ON caregiver_notes(family_id, noted_on);

CREATE TRIGGER caregiver_notes_insert_counts AFTER INSERT ON caregiver_notes
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER caregiver_notes_update_counts AFTER UPDATE ON caregiver_notes
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER caregiver_notes_delete_counts AFTER DELETE ON caregiver_notes
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
