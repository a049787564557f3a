-- Group programmes a team runs, the family members enrolled, and each session's register.
-- Records are JSON (`record`); the columns are what the database checks and searches by.
CREATE TABLE care_groups (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    record TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX groups_by_team ON care_groups(team_id, created_at);

CREATE TABLE group_enrolments (
    id BLOB PRIMARY KEY,
    group_id BLOB NOT NULL REFERENCES care_groups(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    member TEXT NOT NULL,
    record TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL,
    enrolled_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE UNIQUE INDEX group_enrolments_once ON group_enrolments(group_id, family_id, member);
CREATE INDEX group_enrolments_by_family ON group_enrolments(family_id);

CREATE TABLE group_attendance (
    id BLOB PRIMARY KEY,
    group_id BLOB NOT NULL REFERENCES care_groups(id),
    session_id BLOB NOT NULL,
    enrolment_id BLOB NOT NULL REFERENCES group_enrolments(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    record TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE UNIQUE INDEX group_attendance_once ON group_attendance(session_id, enrolment_id);
CREATE INDEX group_attendance_by_family ON group_attendance(family_id);
CREATE INDEX group_attendance_by_group ON group_attendance(group_id);

CREATE TRIGGER group_enrolments_insert_counts AFTER INSERT ON group_enrolments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER group_enrolments_update_counts AFTER UPDATE ON group_enrolments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER group_enrolments_delete_counts AFTER DELETE ON group_enrolments
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
CREATE TRIGGER group_attendance_insert_counts AFTER INSERT ON group_attendance
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER group_attendance_update_counts AFTER UPDATE ON group_attendance
BEGIN UPDATE families SET changes = changes + 1 WHERE id = NEW.family_id; END;
CREATE TRIGGER group_attendance_delete_counts AFTER DELETE ON group_attendance
BEGIN UPDATE families SET changes = changes + 1 WHERE id = OLD.family_id; END;
-- A group's name and sessions show on its members' family pages.
CREATE TRIGGER groups_update_counts AFTER UPDATE ON care_groups
BEGIN UPDATE families SET changes = changes + 1 WHERE id IN (SELECT family_id FROM group_enrolments WHERE group_id = NEW.id); END;
