-- The steps a service takes after someone discloses domestic abuse (a risk assessment, a
-- safety plan, a safeguarding or MARAC referral, telling the safeguarding lead, deciding on a
-- mark for the person named), opened with the enquiry and each settled as done or not
-- needed. The action is JSON in `record`; `open` is 1 until it is settled, so open ones can
-- be found and counted.
CREATE TABLE disclosure_actions (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    entry_id BLOB NOT NULL REFERENCES family_entries(id),
    step TEXT NOT NULL,
    open INTEGER NOT NULL,
    record TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    raised_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX disclosure_actions_by_family ON disclosure_actions(family_id, raised_at);
CREATE INDEX disclosure_actions_open ON disclosure_actions(family_id) WHERE open = 1;

CREATE TRIGGER disclosure_actions_insert_counts AFTER INSERT ON disclosure_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER disclosure_actions_update_counts AFTER UPDATE ON disclosure_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER disclosure_actions_delete_counts AFTER DELETE ON disclosure_actions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
