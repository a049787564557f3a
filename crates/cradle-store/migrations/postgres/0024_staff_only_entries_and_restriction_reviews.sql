-- A timeline entry's kind decides whether it may ever leave the clinic: abuse enquiries and
-- safeguarding entries are staff-only. Enquiries recorded before kinds existed are found by
-- the words Cradle itself wrote at their start, so no earlier disclosure can reach a printout.
ALTER TABLE family_entries ADD COLUMN kind TEXT NOT NULL DEFAULT 'note';
UPDATE family_entries SET kind = 'abuse_enquiry'
    WHERE text LIKE 'Routine enquiry about domestic abuse, seen alone on %';

-- A do not contact / do not involve decision is renewed by a new decision that replaces it:
-- the earlier one stays, closed, pointing to the one that replaced it.
ALTER TABLE contact_restrictions ADD COLUMN renewed_as UUID;

-- "Needs your attention": decisions in force by review date, and each team's families with
-- open care plans by sessions attended since their last review.
CREATE INDEX contact_restrictions_in_force ON contact_restrictions(until) WHERE lifted_at IS NULL;
CREATE INDEX families_review_due ON families(team_id, review_sessions) WHERE open_plans > 0;
