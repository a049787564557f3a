-- Coping concerns: raised about one family member ("mother" or a person's id), what they
-- are about (a JSON array of codes), the actions taken, and their closing with a reason.
CREATE TABLE concerns (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    about TEXT NOT NULL,
    conversation_id UUID REFERENCES conversations(id),
    kinds TEXT NOT NULL,
    description TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    raised_by UUID NOT NULL REFERENCES staff(id),
    closed_at BIGINT,
    closed_by UUID REFERENCES staff(id),
    close_reason TEXT
);
CREATE INDEX concerns_by_family ON concerns(family_id, raised_at);
CREATE INDEX open_concerns ON concerns(family_id) WHERE closed_at IS NULL;

CREATE TABLE concern_actions (
    id UUID PRIMARY KEY,
    concern_id UUID NOT NULL REFERENCES concerns(id),
    family_id UUID NOT NULL REFERENCES families(id),
    action TEXT NOT NULL,
    reference TEXT,
    note TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX concern_actions_by_concern ON concern_actions(concern_id, recorded_at);

CREATE TRIGGER concerns_counts AFTER INSERT OR UPDATE OR DELETE ON concerns
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER concern_actions_counts AFTER INSERT OR UPDATE OR DELETE ON concern_actions
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
