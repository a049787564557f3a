-- The family timeline: entries written by staff, each about the family or one person, and
-- optionally shared in confidence by one family member (or the mother).

CREATE TABLE family_entries (
    id BLOB PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES families(id),
    about_person BLOB REFERENCES people(id),
    about_mother INTEGER NOT NULL,
    confided_by_person BLOB REFERENCES people(id),
    confided_by_mother INTEGER NOT NULL,
    text TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    written_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX family_entries_by_family ON family_entries(family_id, written_at);
