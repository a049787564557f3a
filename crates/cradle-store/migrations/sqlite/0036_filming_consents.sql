-- Consent to film for video feedback: who is on film with the baby, who consented for the
-- baby, each purpose, who may view, and until when. The consent is JSON in `record`;
-- `withdrawn` is 1 once it is withdrawn, so consents in force can be found.
CREATE TABLE filming_consents (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX filming_consents_by_family ON filming_consents(family_id, recorded_at);

CREATE TRIGGER filming_consents_insert_counts AFTER INSERT ON filming_consents
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER filming_consents_update_counts AFTER UPDATE ON filming_consents
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER filming_consents_delete_counts AFTER DELETE ON filming_consents
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
