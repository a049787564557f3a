-- The steps a service takes after someone discloses domestic abuse (a risk assessment, a
-- safety plan, a safeguarding or MARAC referral, telling the safeguarding lead, deciding on a
-- mark for the person named), opened with the enquiry and each settled as done or not
-- needed. The action is JSON in `record`; `open` is 1 until it is settled, so open ones can
-- be found and counted.
CREATE TABLE disclosure_actions (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    entry_id UUID NOT NULL REFERENCES family_entries(id),
    step TEXT NOT NULL,
    open BIGINT NOT NULL,
    record TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    raised_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX disclosure_actions_by_family ON disclosure_actions(family_id, raised_at);
CREATE INDEX disclosure_actions_open ON disclosure_actions(family_id) WHERE open = 1;

CREATE TRIGGER disclosure_actions_counts AFTER INSERT OR UPDATE OR DELETE ON disclosure_actions
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
