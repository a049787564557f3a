-- Completed questionnaires. The response (answers, the definition's url and version, the
-- scores and alerts made from it) is JSON in `record`; `alert_open` is 1 while a safety
-- alert waits for a clinician's recorded action, so it can be found and counted.
CREATE TABLE questionnaire_responses (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    questionnaire TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    alert_open INTEGER NOT NULL,
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX questionnaire_responses_by_family ON questionnaire_responses(family_id, completed_on);
CREATE INDEX questionnaire_responses_open_alerts ON questionnaire_responses(alert_open, family_id);

CREATE TRIGGER questionnaire_responses_insert_counts AFTER INSERT ON questionnaire_responses
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER questionnaire_responses_update_counts AFTER UPDATE ON questionnaire_responses
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER questionnaire_responses_delete_counts AFTER DELETE ON questionnaire_responses
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
