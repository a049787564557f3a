-- The caseload at scale: how many families each team (and each key worker in it) holds, kept
-- in the same transaction as the family is created, so showing "100,000 families" does not
-- count 100,000 rows; and the mother's date of birth and postcode, for checks and search.
CREATE TABLE caseload_counts (
    team_id UUID NOT NULL REFERENCES teams(id),
    key_worker UUID NOT NULL REFERENCES staff(id),
    families BIGINT NOT NULL,
    PRIMARY KEY (team_id, key_worker)
);
INSERT INTO caseload_counts (team_id, key_worker, families)
SELECT team_id, key_worker, COUNT(*) FROM families WHERE key_worker IS NOT NULL GROUP BY team_id, key_worker;

ALTER TABLE families ADD COLUMN mother_date_of_birth TEXT;
ALTER TABLE families ADD COLUMN mother_postcode TEXT;
CREATE INDEX families_by_postcode ON families(mother_postcode);
CREATE INDEX people_by_postcode ON people(postcode);
CREATE INDEX contact_restrictions_by_family ON contact_restrictions(family_id);
-- Names sort and match by their bytes, as in SQLite, whatever the database's locale: a name
-- search is a range over the index, and paging resumes exactly where the last page ended.
ALTER TABLE families ALTER COLUMN mother_name_lower TYPE TEXT COLLATE "C";
DROP INDEX families_by_key_worker;
CREATE INDEX families_by_key_worker ON families(key_worker, team_id, mother_name_lower, id);
DROP INDEX families_by_name;
