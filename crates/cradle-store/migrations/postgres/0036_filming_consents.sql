-- Consent to film for video feedback: who is on film with the baby, who consented for the
-- baby, each purpose, who may view, and until when. The consent is JSON in `record`;
-- `withdrawn` is 1 once it is withdrawn, so consents in force can be found.
CREATE TABLE filming_consents (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX filming_consents_by_family ON filming_consents(family_id, recorded_at);

CREATE TRIGGER filming_consents_counts AFTER INSERT OR UPDATE OR DELETE ON filming_consents
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
