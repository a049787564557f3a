-- Video feedback recordings. The recording as JSON in `record`; its state and the bytes
-- received so far also as columns, so a change can be made only from the state it was read
-- in. The film itself rests sealed in blob storage; only its data key, wrapped by a master
-- key, is kept here, and is set to NULL when the recording is deleted (the key destroyed).
CREATE TABLE recordings (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    consent_id UUID NOT NULL REFERENCES filming_consents(id),
    record TEXT NOT NULL,
    state TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    key_master TEXT,
    key_sealed BYTEA,
    started_at BIGINT NOT NULL,
    started_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX recordings_by_family ON recordings(family_id, started_at);
CREATE INDEX recordings_by_consent ON recordings(consent_id);

CREATE TRIGGER recordings_counts AFTER INSERT OR UPDATE OR DELETE ON recordings
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
