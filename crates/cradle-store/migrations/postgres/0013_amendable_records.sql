-- Observations and needs notes can be corrected: each carries its version, and the version
-- it replaces is kept in record_versions with who, when and why.
ALTER TABLE observations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE caregiver_notes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
