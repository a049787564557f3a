-- Group programmes a team runs, the family members enrolled, and each session's register.
-- Records are JSON (`record`); the columns are what the database checks and searches by.
CREATE TABLE care_groups (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    record TEXT NOT NULL,
    sessions BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX groups_by_team ON care_groups(team_id, created_at);

CREATE TABLE group_enrolments (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES care_groups(id),
    family_id UUID NOT NULL REFERENCES families(id),
    member TEXT NOT NULL,
    record TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    enrolled_by UUID NOT NULL REFERENCES staff(id)
);
CREATE UNIQUE INDEX group_enrolments_once ON group_enrolments(group_id, family_id, member);
CREATE INDEX group_enrolments_by_family ON group_enrolments(family_id);

CREATE TABLE group_attendance (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES care_groups(id),
    session_id UUID NOT NULL,
    enrolment_id UUID NOT NULL REFERENCES group_enrolments(id),
    family_id UUID NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES staff(id)
);
CREATE UNIQUE INDEX group_attendance_once ON group_attendance(session_id, enrolment_id);
CREATE INDEX group_attendance_by_family ON group_attendance(family_id);
CREATE INDEX group_attendance_by_group ON group_attendance(group_id);

CREATE TRIGGER group_enrolments_counts AFTER INSERT OR UPDATE OR DELETE ON group_enrolments
    FOR EACH ROW EXECUTE FUNCTION count_family_change();
CREATE TRIGGER group_attendance_counts AFTER INSERT OR UPDATE OR DELETE ON group_attendance
    FOR EACH ROW EXECUTE FUNCTION count_family_change();

-- A group's name and sessions show on its members' family pages.
CREATE FUNCTION count_group_change() RETURNS trigger AS $$
BEGIN
    UPDATE families SET changes = changes + 1
     WHERE id IN (SELECT family_id FROM group_enrolments WHERE group_id = NEW.id);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER groups_counts AFTER UPDATE ON care_groups
    FOR EACH ROW EXECUTE FUNCTION count_group_change();
