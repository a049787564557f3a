-- Every change to an account (its role, whether it is disabled, its password, its teams)
-- counts on the account's row, in the same transaction, whoever makes it. A request served
-- on a sign-in remembered from an earlier request confirms, in the transaction that writes
-- its audit record, that the count is still the one it remembered.
ALTER TABLE staff ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER staff_counts BEFORE UPDATE ON staff
    FOR EACH ROW EXECUTE FUNCTION count_own_change();

CREATE FUNCTION count_staff_team_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        UPDATE staff SET changes = changes + 1 WHERE id = OLD.staff_id;
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        UPDATE staff SET changes = changes + 1 WHERE id = NEW.staff_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER staff_teams_counts AFTER INSERT OR UPDATE OR DELETE ON staff_teams
    FOR EACH ROW EXECUTE FUNCTION count_staff_team_change();
