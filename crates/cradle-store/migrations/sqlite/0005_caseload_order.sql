-- Lets the caseload walk families in name order and stop at the page's end, instead of
-- sorting every family of the team.
CREATE INDEX families_by_name ON families(mother_name_lower, id);
