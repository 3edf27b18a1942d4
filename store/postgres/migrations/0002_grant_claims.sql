-- Claims actions added to a grant's ID token, served again by /userinfo.
ALTER TABLE grants ADD COLUMN claims jsonb NOT NULL DEFAULT '{}'::jsonb;
