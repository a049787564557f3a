-- The family network: babies (a pregnancy is a baby not yet born), people in their own
-- right, their relationships to each baby and to the mother, safety restrictions, and the
-- history of amended records.

CREATE TABLE babies (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    position BIGINT NOT NULL,
    name TEXT,
    date_of_birth TEXT,
    due_date TEXT,
    gestation_days BIGINT,
    nhs_number TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX babies_by_family ON babies(family_id, position);
CREATE INDEX babies_by_nhs_number ON babies(nhs_number);

INSERT INTO babies (id, family_id, position, name, date_of_birth, due_date, gestation_days, nhs_number, created_at)
SELECT id, id, 1, baby_name, baby_date_of_birth, due_date, NULL, NULL, created_at
FROM families WHERE baby_name IS NOT NULL OR baby_date_of_birth IS NOT NULL OR due_date IS NOT NULL;

ALTER TABLE families DROP COLUMN baby_name;
ALTER TABLE families DROP COLUMN baby_date_of_birth;
ALTER TABLE families DROP COLUMN due_date;
ALTER TABLE families ADD COLUMN referral_date TEXT;
ALTER TABLE families ADD COLUMN child_protection TEXT NOT NULL DEFAULT 'none';
ALTER TABLE families ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE people (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    postcode TEXT,
    preferred_language TEXT,
    interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE,
    ethnicity TEXT,
    religion TEXT,
    cultural_notes TEXT,
    contact_consent TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A person's membership of a family; the same person can be in several families.
CREATE TABLE family_people (
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (family_id, person_id)
);
CREATE INDEX family_people_by_person ON family_people(person_id);

CREATE TABLE relationships (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    baby_id UUID REFERENCES babies(id),
    kind TEXT NOT NULL,
    lives_with_baby BOOLEAN NOT NULL,
    care_share TEXT NOT NULL,
    contact_frequency TEXT NOT NULL,
    nature TEXT,
    started_on TEXT,
    ended_on TEXT,
    end_reason TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX relationships_by_family ON relationships(family_id);

CREATE TABLE contact_restrictions (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    until TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    lifted_at BIGINT,
    lifted_by UUID REFERENCES staff(id),
    lifted_reason TEXT
);
CREATE INDEX contact_restrictions_by_person ON contact_restrictions(person_id);

-- Earlier versions of amended records: who changed what, when and why.
CREATE TABLE record_versions (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    record_kind TEXT NOT NULL,
    record_id UUID NOT NULL,
    version BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    replaced_by UUID NOT NULL REFERENCES staff(id),
    reason TEXT NOT NULL
);
CREATE INDEX record_versions_by_record ON record_versions(record_kind, record_id, version);
