-- Each family member's steps on the partner pathway, in order. The step itself is JSON
-- (`record`); its kind and date are columns for the service figures. `position` numbers a
-- person's steps from 0, so two steps recorded at once from the same starting point cannot
-- both be kept.
CREATE TABLE pathway_steps (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    position INTEGER NOT NULL,
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id),
    UNIQUE (family_id, person_id, position)
);
CREATE INDEX pathway_steps_by_date ON pathway_steps(step, on_date);

CREATE TRIGGER pathway_steps_insert_counts AFTER INSERT ON pathway_steps
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER pathway_steps_update_counts AFTER UPDATE ON pathway_steps
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER pathway_steps_delete_counts AFTER DELETE ON pathway_steps
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
