-- Whether an interpreter was used while observing a caregiver with the baby (JSON: used,
-- language, how; NULL when the caregiver needs none and none was recorded).
ALTER TABLE observations ADD COLUMN interpreter TEXT;
