-- 0001_init: the whole authd schema.
--
-- Conventions: times are INTEGER unix nanoseconds in UTC, 0 meaning "zero
-- time" (never / not yet); lists and maps are JSON text; booleans are 0/1;
-- a grant or refresh token without a user (client credentials) has a NULL
-- user_id so the foreign key to users does not apply.

CREATE TABLE users (
	id                  TEXT PRIMARY KEY,
	connection          TEXT NOT NULL,
	email               TEXT NOT NULL,
	email_verified      INTEGER NOT NULL DEFAULT 0,
	name                TEXT NOT NULL DEFAULT '',
	nickname            TEXT NOT NULL DEFAULT '',
	given_name          TEXT NOT NULL DEFAULT '',
	family_name         TEXT NOT NULL DEFAULT '',
	picture             TEXT NOT NULL DEFAULT '',
	password_hash       TEXT NOT NULL DEFAULT '',
	user_metadata       TEXT NOT NULL DEFAULT '{}',
	app_metadata        TEXT NOT NULL DEFAULT '{}',
	logins_count        INTEGER NOT NULL DEFAULT 0,
	last_login          INTEGER NOT NULL DEFAULT 0,
	last_ip             TEXT NOT NULL DEFAULT '',
	last_password_reset INTEGER NOT NULL DEFAULT 0,
	created_at          INTEGER NOT NULL DEFAULT 0,
	updated_at          INTEGER NOT NULL DEFAULT 0,
	UNIQUE (connection, email)
);

CREATE TABLE user_roles (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    TEXT NOT NULL,
	PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE sessions (
	id               TEXT PRIMARY KEY,
	user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	methods          TEXT NOT NULL DEFAULT '[]',
	clients          TEXT NOT NULL DEFAULT '[]',
	created_at       INTEGER NOT NULL DEFAULT 0,
	authenticated_at INTEGER NOT NULL DEFAULT 0,
	updated_at       INTEGER NOT NULL DEFAULT 0,
	expires_at       INTEGER NOT NULL DEFAULT 0,
	initial_ip       TEXT NOT NULL DEFAULT '',
	last_ip          TEXT NOT NULL DEFAULT '',
	initial_ua       TEXT NOT NULL DEFAULT '',
	last_ua          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Auth requests have no foreign key to users: a login transaction exists
-- before anyone is identified, and it dies by expiry.
CREATE TABLE auth_requests (
	id                    TEXT PRIMARY KEY,
	client_id             TEXT NOT NULL,
	redirect_uri          TEXT NOT NULL DEFAULT '',
	scopes                TEXT NOT NULL DEFAULT '[]',
	state                 TEXT NOT NULL DEFAULT '',
	nonce                 TEXT NOT NULL DEFAULT '',
	response_type         TEXT NOT NULL DEFAULT '',
	response_mode         TEXT NOT NULL DEFAULT '',
	code_challenge        TEXT NOT NULL DEFAULT '',
	code_challenge_method TEXT NOT NULL DEFAULT '',
	prompt                TEXT NOT NULL DEFAULT '[]',
	max_age               INTEGER NOT NULL DEFAULT -1,
	acr_values            TEXT NOT NULL DEFAULT '[]',
	ui_locales            TEXT NOT NULL DEFAULT '[]',
	login_hint            TEXT NOT NULL DEFAULT '',
	audience              TEXT NOT NULL DEFAULT '',
	query                 TEXT NOT NULL DEFAULT '{}',
	browser_id            TEXT NOT NULL DEFAULT '',
	created_at            INTEGER NOT NULL DEFAULT 0,
	expires_at            INTEGER NOT NULL DEFAULT 0,
	user_id               TEXT NOT NULL DEFAULT '',
	session_id            TEXT NOT NULL DEFAULT '',
	auth_time             INTEGER NOT NULL DEFAULT 0,
	amr                   TEXT NOT NULL DEFAULT '[]',
	done                  INTEGER NOT NULL DEFAULT 0,
	error_code            TEXT NOT NULL DEFAULT '',
	error_description     TEXT NOT NULL DEFAULT '',
	pipeline              BLOB,
	id_claims             TEXT NOT NULL DEFAULT '{}',
	access_claims         TEXT NOT NULL DEFAULT '{}',
	granted_scopes        TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

-- Codes outlive their auth request on purpose (no cascade): a replayed code
-- must still be recognised, with the grant it produced, so the grant can be
-- revoked (RFC 6749 §4.1.2).
CREATE TABLE auth_codes (
	hash            TEXT PRIMARY KEY,
	auth_request_id TEXT NOT NULL,
	expires_at      INTEGER NOT NULL DEFAULT 0,
	used_at         INTEGER NOT NULL DEFAULT 0,
	grant_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

CREATE TABLE continue_states (
	hash            TEXT PRIMARY KEY,
	auth_request_id TEXT NOT NULL,
	browser_id      TEXT NOT NULL DEFAULT '',
	expires_at      INTEGER NOT NULL DEFAULT 0,
	used_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX continue_states_expires ON continue_states (expires_at);

CREATE TABLE grants (
	id         TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL,
	user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL DEFAULT 0,
	expires_at INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_expires ON grants (expires_at);

CREATE TABLE refresh_tokens (
	hash              TEXT PRIMARY KEY,
	id                TEXT NOT NULL UNIQUE,
	grant_id          TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
	client_id         TEXT NOT NULL,
	user_id           TEXT REFERENCES users (id) ON DELETE CASCADE,
	session_id        TEXT NOT NULL DEFAULT '',
	audience          TEXT NOT NULL DEFAULT '',
	scopes            TEXT NOT NULL DEFAULT '[]',
	auth_time         INTEGER NOT NULL DEFAULT 0,
	amr               TEXT NOT NULL DEFAULT '[]',
	methods           TEXT NOT NULL DEFAULT '[]',
	created_at        INTEGER NOT NULL DEFAULT 0,
	expires_at        INTEGER NOT NULL DEFAULT 0,
	used_at           INTEGER NOT NULL DEFAULT 0,
	revoked_at        INTEGER NOT NULL DEFAULT 0,
	last_exchanged_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
	id          TEXT PRIMARY KEY,
	algorithm   TEXT NOT NULL,
	private_jwk BLOB NOT NULL,
	public_jwk  BLOB NOT NULL,
	created_at  INTEGER NOT NULL DEFAULT 0,
	activate_at INTEGER NOT NULL DEFAULT 0,
	retire_at   INTEGER NOT NULL DEFAULT 0,
	remove_at   INTEGER NOT NULL DEFAULT 0
);

-- One counter row per (kind, subject, ip): bounded however long an attack
-- lasts, unlike one row per failed attempt.
CREATE TABLE failures (
	kind    TEXT NOT NULL,
	subject TEXT NOT NULL,
	ip      TEXT NOT NULL,
	count   INTEGER NOT NULL,
	last_at INTEGER NOT NULL,
	PRIMARY KEY (kind, subject, ip)
) WITHOUT ROWID;

CREATE TABLE totp_factors (
	user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret_enc BLOB NOT NULL,
	confirmed  INTEGER NOT NULL DEFAULT 0,
	last_step  INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash    TEXT NOT NULL,
	used_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, hash)
) WITHOUT ROWID;

CREATE TABLE webauthn_credentials (
	id               BLOB PRIMARY KEY,
	user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name             TEXT NOT NULL DEFAULT '',
	public_key       BLOB NOT NULL,
	attestation_type TEXT NOT NULL DEFAULT '',
	aaguid           BLOB,
	sign_count       INTEGER NOT NULL DEFAULT 0,
	transports       TEXT NOT NULL DEFAULT '[]',
	user_verified    INTEGER NOT NULL DEFAULT 0,
	backup_eligible  INTEGER NOT NULL DEFAULT 0,
	backup_state     INTEGER NOT NULL DEFAULT 0,
	clone_warning    INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL DEFAULT 0,
	last_used_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

-- Challenges have no foreign key: a discoverable login has no user yet.
CREATE TABLE webauthn_challenges (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL,
	data       BLOB,
	expires_at INTEGER NOT NULL DEFAULT 0,
	used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webauthn_challenges_expires ON webauthn_challenges (expires_at);

CREATE TABLE cache (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cache_expires ON cache (expires_at);
