-- Whether a person holds parental responsibility for the baby a relationship is with: who may
-- consent for the baby. "not_known" for every relationship recorded before it was asked.
ALTER TABLE relationships ADD COLUMN parental_responsibility TEXT NOT NULL DEFAULT 'not_known';
