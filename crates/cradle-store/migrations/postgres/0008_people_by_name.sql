-- Finding someone already known to the team (a grandparent of two babies) by the start of
-- their name, so they are linked into a second family instead of entered twice. Names
-- compare by their bytes, as in SQLite, so a prefix is a range over the index.
ALTER TABLE people ALTER COLUMN name_lower TYPE TEXT COLLATE "C";
CREATE INDEX people_by_name ON people(name_lower);
