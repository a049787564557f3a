-- Staff, teams, sessions, sign-in attempts, API tokens, the audit trail and the family core.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE teams (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE staff (
    id BLOB PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    service_account INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE staff_teams (
    staff_id BLOB NOT NULL REFERENCES staff(id),
    team_id BLOB NOT NULL REFERENCES teams(id),
    PRIMARY KEY (staff_id, team_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BLOB NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions(staff_id);

CREATE TABLE login_failures (
    id BLOB PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures(username, at);
CREATE INDEX login_failures_by_address ON login_failures(address, at);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id BLOB NOT NULL REFERENCES staff(id),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);

CREATE TABLE families (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams(id),
    mother_name TEXT NOT NULL,
    mother_name_lower TEXT NOT NULL,
    mother_nhs_number TEXT,
    stage TEXT NOT NULL,
    baby_name TEXT,
    baby_date_of_birth TEXT,
    due_date TEXT,
    created_at INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES staff(id)
);
CREATE INDEX families_by_team ON families(team_id, mother_name_lower, id);
CREATE INDEX families_by_nhs_number ON families(mother_nhs_number);

CREATE TABLE break_glass_grants (
    id BLOB PRIMARY KEY,
    staff_id BLOB NOT NULL REFERENCES staff(id),
    family_id BLOB NOT NULL REFERENCES families(id),
    reason TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX break_glass_by_staff ON break_glass_grants(staff_id, family_id, expires_at);

-- The audit trail is append-only and hash-chained; audit_head holds the newest link so that
-- removing records from the end is detected too.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id BLOB,
    actor_username TEXT NOT NULL,
    actor_role TEXT,
    team_id BLOB,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    subject_kind TEXT,
    subject_id BLOB,
    source TEXT NOT NULL,
    break_glass_reason TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit_events(subject_kind, subject_id, seq);
CREATE INDEX audit_by_actor ON audit_events(actor_id, seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
