-- Every change to an account (its role, whether it is disabled, its password, its teams)
-- counts on the account's row, in the same transaction, whoever makes it. A request served
-- on a sign-in remembered from an earlier request confirms, in the transaction that writes
-- its audit record, that the count is still the one it remembered.
ALTER TABLE staff ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER staff_update_counts AFTER UPDATE ON staff WHEN NEW.changes = OLD.changes
BEGIN UPDATE staff SET changes = changes + 1 WHERE id = NEW.id; END;
CREATE TRIGGER staff_teams_insert_counts AFTER INSERT ON staff_teams
BEGIN UPDATE staff SET changes = changes + 1 WHERE id = NEW.staff_id; END;
CREATE TRIGGER staff_teams_update_counts AFTER UPDATE ON staff_teams
BEGIN UPDATE staff SET changes = changes + 1 WHERE id IN (OLD.staff_id, NEW.staff_id); END;
CREATE TRIGGER staff_teams_delete_counts AFTER DELETE ON staff_teams
BEGIN UPDATE staff SET changes = changes + 1 WHERE id = OLD.staff_id; END;
