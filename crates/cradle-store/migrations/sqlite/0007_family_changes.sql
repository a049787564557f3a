-- Every change to what a family's record shows counts on the family's row, in the same
-- transaction, whoever makes it (Cradle, the command line, a future feature): a read can
-- then tell with one indexed lookup whether a copy it already holds is still the record.
ALTER TABLE families ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER babies_insert_counts AFTER INSERT ON babies
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER babies_update_counts AFTER UPDATE ON babies
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER babies_delete_counts AFTER DELETE ON babies
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

CREATE TRIGGER family_people_insert_counts AFTER INSERT ON family_people
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER family_people_update_counts AFTER UPDATE ON family_people
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER family_people_delete_counts AFTER DELETE ON family_people
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

CREATE TRIGGER relationships_insert_counts AFTER INSERT ON relationships
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER relationships_update_counts AFTER UPDATE ON relationships
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER relationships_delete_counts AFTER DELETE ON relationships
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

CREATE TRIGGER contact_restrictions_insert_counts AFTER INSERT ON contact_restrictions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER contact_restrictions_update_counts AFTER UPDATE ON contact_restrictions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER contact_restrictions_delete_counts AFTER DELETE ON contact_restrictions
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

CREATE TRIGGER family_entries_insert_counts AFTER INSERT ON family_entries
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER family_entries_update_counts AFTER UPDATE ON family_entries
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER family_entries_delete_counts AFTER DELETE ON family_entries
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;

-- A person can be in several families: a change to them counts in each.
CREATE TRIGGER people_update_counts AFTER UPDATE ON people
BEGIN UPDATE families SET changes = changes + 1 WHERE id IN (SELECT family_id FROM family_people WHERE person_id = NEW.id); END;

-- A change to the family's own row counts too (the WHEN keeps the count's own update out).
CREATE TRIGGER families_update_counts AFTER UPDATE ON families WHEN NEW.changes = OLD.changes
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.id; END;
