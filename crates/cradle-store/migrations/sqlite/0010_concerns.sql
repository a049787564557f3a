-- Coping concerns: raised about one family member ("mother" or a person's id), what they
-- are about (a JSON array of codes), the actions taken, and their closing with a reason.
CREATE TABLE concerns (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    about TEXT NOT NULL,
    conversation_id BLOB REFERENCES conversations(id),
    kinds TEXT NOT NULL,
    description TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    raised_by BLOB NOT NULL REFERENCES staff(id),
    closed_at INTEGER,
    closed_by BLOB REFERENCES staff(id),
    close_reason TEXT
);
CREATE INDEX concerns_by_family ON concerns(family_id, raised_at);
CREATE INDEX open_concerns ON concerns(family_id) WHERE closed_at IS NULL;

CREATE TABLE concern_actions (
    id BLOB PRIMARY KEY,
    concern_id BLOB NOT NULL REFERENCES concerns(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    action TEXT NOT NULL,
    reference TEXT,
    note TEXT,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX concern_actions_by_concern ON concern_actions(concern_id, recorded_at);

CREATE TRIGGER concerns_insert_counts AFTER INSERT ON concerns
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER concerns_update_counts AFTER UPDATE ON concerns
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER concerns_delete_counts AFTER DELETE ON concerns
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
CREATE TRIGGER concern_actions_insert_counts AFTER INSERT ON concern_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER concern_actions_update_counts AFTER UPDATE ON concern_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER concern_actions_delete_counts AFTER DELETE ON concern_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
