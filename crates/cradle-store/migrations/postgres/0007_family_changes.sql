-- Every change to what a family's record shows counts on the family's row, in the same
-- transaction, whoever makes it (Cradle, the command line, a future feature): a read can
-- then tell with one indexed lookup whether a copy it already holds is still the record.
ALTER TABLE families ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION count_family_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id;
        RETURN OLD;
    END IF;
    UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER babies_counts AFTER INSERT OR UPDATE OR DELETE ON babies
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER family_people_counts AFTER INSERT OR UPDATE OR DELETE ON family_people
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER relationships_counts AFTER INSERT OR UPDATE OR DELETE ON relationships
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER contact_restrictions_counts AFTER INSERT OR UPDATE OR DELETE ON contact_restrictions
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER family_entries_counts AFTER INSERT OR UPDATE OR DELETE ON family_entries
    FOR EACH ROW EXECUTE FUNCTION count_family_change();

-- A person can be in several families: a change to them counts in each.
CREATE FUNCTION count_person_change() RETURNS trigger AS $$
BEGIN
    UPDATE families SET changes = changes + 1
    WHERE id IN (SELECT family_id FROM family_people WHERE person_id = NEW.id);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER people_counts AFTER UPDATE ON people
    FOR EACH ROW EXECUTE FUNCTION count_person_change();

-- A change to the family's own row counts too (unless it is the count's own update).
CREATE FUNCTION count_own_change() RETURNS trigger AS $$
BEGIN
    IF NEW.changes = OLD.changes THEN
        NEW.changes := OLD.changes + 1;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER families_counts BEFORE UPDATE ON families
    FOR EACH ROW EXECUTE FUNCTION count_own_change();
