-- Each family has a key worker (at first, whoever created the record), for "My families".
ALTER TABLE families ADD COLUMN key_worker UUID REFERENCES staff(id);
UPDATE families SET key_worker = created_by;
CREATE INDEX families_by_key_worker ON families(key_worker, mother_name_lower, id);
