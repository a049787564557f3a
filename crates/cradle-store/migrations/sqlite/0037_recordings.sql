-- Video feedback recordings. The recording as JSON in `record`; its state and the bytes
-- received so far also as columns, so a change can be made only from the state it was read
-- in. The film itself rests sealed in blob storage; only its data key, wrapped by a master
-- key, is kept here, and is set to NULL when the recording is deleted (the key destroyed).
CREATE TABLE recordings (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    consent_id BLOB NOT NULL REFERENCES filming_consents(id),
    record TEXT NOT NULL,
    state TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    key_master TEXT,
    key_sealed BLOB,
    started_at INTEGER NOT NULL,
    started_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX recordings_by_family ON recordings(family_id, started_at);
CREATE INDEX recordings_by_consent ON recordings(consent_id);

CREATE TRIGGER recordings_insert_counts AFTER INSERT ON recordings
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER recordings_update_counts AFTER UPDATE ON recordings
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER recordings_delete_counts AFTER DELETE ON recordings
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
