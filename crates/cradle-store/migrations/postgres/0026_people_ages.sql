-- What Cradle offers a person depends on their age: a date of birth, or an age band when the
-- date is not known (children are never offered adult questionnaires, the partner pathway or
-- summaries written for adults).
ALTER TABLE people ADD COLUMN date_of_birth TEXT;
ALTER TABLE people ADD COLUMN age_band TEXT;
