-- Staff, teams, sessions, sign-in attempts, API tokens, the audit trail and the family core.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE teams (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    service_account BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_teams (
    staff_id UUID NOT NULL REFERENCES staff(id),
    team_id UUID NOT NULL REFERENCES teams(id),
    PRIMARY KEY (staff_id, team_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id UUID NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions(staff_id);

CREATE TABLE login_failures (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures(username, at);
CREATE INDEX login_failures_by_address ON login_failures(address, at);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id UUID NOT NULL REFERENCES staff(id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE families (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams(id),
    mother_name TEXT NOT NULL,
    mother_name_lower TEXT NOT NULL,
    mother_nhs_number TEXT,
    stage TEXT NOT NULL,
    baby_name TEXT,
    baby_date_of_birth TEXT,
    due_date TEXT,
    created_at BIGINT NOT NULL,
    created_by UUID NOT NULL REFERENCES staff(id)
);
CREATE INDEX families_by_team ON families(team_id, mother_name_lower, id);
CREATE INDEX families_by_nhs_number ON families(mother_nhs_number);

CREATE TABLE break_glass_grants (
    id UUID PRIMARY KEY,
    staff_id UUID NOT NULL REFERENCES staff(id),
    family_id UUID NOT NULL REFERENCES families(id),
    reason TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_by_staff ON break_glass_grants(staff_id, family_id, expires_at);

-- The audit trail is append-only and hash-chained; audit_head holds the newest link so that
-- removing records from the end is detected too.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id UUID,
    actor_username TEXT NOT NULL,
    actor_role TEXT,
    team_id UUID,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    subject_kind TEXT,
    subject_id UUID,
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
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
