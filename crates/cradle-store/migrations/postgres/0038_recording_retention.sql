-- How long a team keeps video feedback recordings for each purpose, in months
-- (`family_care=12,supervision=6,teaching=24,research=60`); empty for Cradle's defaults.
ALTER TABLE teams ADD COLUMN recording_retention TEXT NOT NULL DEFAULT '';
