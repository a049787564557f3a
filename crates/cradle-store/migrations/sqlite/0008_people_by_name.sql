-- Finding someone already known to the team (a grandparent of two babies) by the start of
-- their name, so they are linked into a second family instead of entered twice.
CREATE INDEX people_by_name ON people(name_lower);
