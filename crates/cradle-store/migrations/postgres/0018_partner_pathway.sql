-- Each family member's steps on the partner pathway, in order. The step itself is JSON
-- (`record`); its kind and date are columns for the service figures. `position` numbers a
-- person's steps from 0, so two steps recorded at once from the same starting point cannot
-- both be kept.
CREATE TABLE pathway_steps (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families(id),
    person_id UUID NOT NULL REFERENCES people(id),
    position BIGINT NOT NULL,
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id),
    UNIQUE (family_id, person_id, position)
);
CREATE INDEX pathway_steps_by_date ON pathway_steps(step, on_date);

CREATE TRIGGER pathway_steps_counts AFTER INSERT OR UPDATE OR DELETE ON pathway_steps
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
