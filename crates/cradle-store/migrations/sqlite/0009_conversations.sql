-- Relationship conversations with the people around the baby: who took part (the mother as
-- "mother", others by person id, as a JSON array), the optional sections as written (a JSON
-- array of [section, text]), the clinician's formulation, and whether it is finished.
CREATE TABLE conversations (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    held_on TEXT,
    participants TEXT NOT NULL,
    baby_id BLOB REFERENCES babies(id),
    seen TEXT NOT NULL,
    answers TEXT NOT NULL,
    formulation TEXT,
    status TEXT NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id),
    saved_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX conversations_by_family ON conversations(family_id, held_on);

CREATE TRIGGER conversations_insert_counts AFTER INSERT ON conversations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER conversations_update_counts AFTER UPDATE ON conversations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER conversations_delete_counts AFTER DELETE ON conversations
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
