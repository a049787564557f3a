-- API tokens get an id (to list and revoke them by), an expiry and a revocation. Tokens
-- issued before this expire a year after they were issued.
ALTER TABLE api_tokens ADD COLUMN id UUID;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
UPDATE api_tokens SET id = gen_random_uuid(), expires_at = created_at + 31536000000;
ALTER TABLE api_tokens ALTER COLUMN id SET NOT NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens(id);
