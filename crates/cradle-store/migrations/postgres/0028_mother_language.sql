-- The mother's preferred language and whether she needs an interpreter, shown wherever she
-- appears and asked about at every contact with her, as for every other family member.
ALTER TABLE families ADD COLUMN mother_language TEXT;
ALTER TABLE families ADD COLUMN mother_interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE;
