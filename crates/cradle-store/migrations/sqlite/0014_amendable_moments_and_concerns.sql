-- Positive moments and what a concern says can be corrected too, keeping the version replaced.
ALTER TABLE positive_moments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE concerns ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
