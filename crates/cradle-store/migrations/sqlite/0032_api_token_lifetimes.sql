-- API tokens get an id (to list and revoke them by), an expiry and a revocation. Tokens
-- issued before this expire a year after they were issued.
ALTER TABLE api_tokens ADD COLUMN id BLOB;
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
UPDATE api_tokens SET id = randomblob(16), expires_at = created_at + 31536000000;
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens(id);
