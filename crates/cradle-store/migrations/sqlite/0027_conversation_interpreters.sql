-- Whether an interpreter was used in a relationship conversation (JSON: used, language, how;
-- NULL when nobody there needed one and none was recorded).
ALTER TABLE conversations ADD COLUMN interpreter TEXT;
