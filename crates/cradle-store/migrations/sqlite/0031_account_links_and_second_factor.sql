-- One-time links through which a person sets their own password (enrolment, reset), a
-- second factor (RFC 6238 time-based codes) and sign-ins waiting for their code.

CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    staff_id BLOB NOT NULL REFERENCES staff(id),
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX account_links_by_staff ON account_links(staff_id);

ALTER TABLE staff ADD COLUMN totp_secret TEXT;
-- The last time step whose code was accepted: a code is never accepted twice.
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;

CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    staff_id BLOB NOT NULL REFERENCES staff(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
