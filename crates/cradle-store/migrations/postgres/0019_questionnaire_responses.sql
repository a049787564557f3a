-- Completed questionnaires. The response (answers, the definition's url and version, the
-- scores and alerts made from it) is JSON in `record`; `alert_open` is 1 while a safety
-- alert waits for a clinician's recorded action, so it can be found and counted.
CREATE TABLE questionnaire_responses (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    questionnaire TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    alert_open BIGINT NOT NULL,
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX questionnaire_responses_by_family ON questionnaire_responses(family_id, completed_on);
CREATE INDEX questionnaire_responses_open_alerts ON questionnaire_responses(alert_open, family_id);

CREATE TRIGGER questionnaire_responses_counts AFTER INSERT OR UPDATE OR DELETE ON questionnaire_responses
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
