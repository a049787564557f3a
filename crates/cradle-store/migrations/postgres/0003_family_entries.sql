-- The family timeline: entries written by staff, each about the family or one person, and
-- optionally shared in confidence by one family member (or the mother).

CREATE TABLE family_entries (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    about_person UUID REFERENCES people(id),
    about_mother BOOLEAN NOT NULL,
    confided_by_person UUID REFERENCES people(id),
    confided_by_mother BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    written_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX family_entries_by_family ON family_entries(family_id, written_at);
