-- A person's sex as recorded, where a questionnaire's cut-offs depend on it (the EPDS reads
-- fathers' scores against another cut-off): a population for one sex is checked against it.
ALTER TABLE people ADD COLUMN sex TEXT;
