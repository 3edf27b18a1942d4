-- 0001_init: the whole authd schema, the same tables, keys and cascades as
-- the sqlite backend so both behave alike under the conformance suite.
--
-- Conventions: times are timestamptz, NULL meaning the zero time (never /
-- not yet); lists and maps are jsonb, stored as [] / {} rather than NULL;
-- binary values are bytea. Emails are lower-cased (the CHECK catches a
-- caller bypassing the store) and unique per connection. A grant or
-- refresh token without a user (client credentials) has a NULL user_id so
-- the foreign key to users does not apply; deleting a user cascades to
-- everything that hangs off it.

CREATE TABLE users (
    id                  text PRIMARY KEY,
    connection          text NOT NULL,
    email               text NOT NULL CHECK (email = lower(email)),
    email_verified      boolean NOT NULL DEFAULT false,
    name                text NOT NULL DEFAULT '',
    nickname            text NOT NULL DEFAULT '',
    given_name          text NOT NULL DEFAULT '',
    family_name         text NOT NULL DEFAULT '',
    picture             text NOT NULL DEFAULT '',
    password_hash       text NOT NULL DEFAULT '',
    user_metadata       jsonb NOT NULL DEFAULT '{}',
    app_metadata        jsonb NOT NULL DEFAULT '{}',
    logins_count        integer NOT NULL DEFAULT 0,
    last_login          timestamptz,
    last_ip             text NOT NULL DEFAULT '',
    last_password_reset timestamptz,
    created_at          timestamptz,
    updated_at          timestamptz
);
CREATE UNIQUE INDEX users_connection_email ON users (connection, email);

CREATE TABLE user_roles (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    text NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id               text PRIMARY KEY,
    user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    methods          jsonb NOT NULL DEFAULT '[]',
    clients          jsonb NOT NULL DEFAULT '[]',
    created_at       timestamptz,
    authenticated_at timestamptz,
    updated_at       timestamptz,
    expires_at       timestamptz,
    initial_ip       text NOT NULL DEFAULT '',
    last_ip          text NOT NULL DEFAULT '',
    initial_ua       text NOT NULL DEFAULT '',
    last_ua          text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Auth requests have no foreign key to users: a login transaction exists
-- before anyone is identified, and it dies by expiry.
CREATE TABLE auth_requests (
    id                    text PRIMARY KEY,
    client_id             text NOT NULL,
    redirect_uri          text NOT NULL DEFAULT '',
    scopes                jsonb NOT NULL DEFAULT '[]',
    state                 text NOT NULL DEFAULT '',
    nonce                 text NOT NULL DEFAULT '',
    response_type         text NOT NULL DEFAULT '',
    response_mode         text NOT NULL DEFAULT '',
    code_challenge        text NOT NULL DEFAULT '',
    code_challenge_method text NOT NULL DEFAULT '',
    prompt                jsonb NOT NULL DEFAULT '[]',
    max_age               bigint NOT NULL DEFAULT -1,
    acr_values            jsonb NOT NULL DEFAULT '[]',
    ui_locales            jsonb NOT NULL DEFAULT '[]',
    login_hint            text NOT NULL DEFAULT '',
    audience              text NOT NULL DEFAULT '',
    query                 jsonb NOT NULL DEFAULT '{}',
    browser_id            text NOT NULL DEFAULT '',
    created_at            timestamptz,
    expires_at            timestamptz,
    user_id               text NOT NULL DEFAULT '',
    session_id            text NOT NULL DEFAULT '',
    auth_time             timestamptz,
    amr                   jsonb NOT NULL DEFAULT '[]',
    done                  boolean NOT NULL DEFAULT false,
    error_code            text NOT NULL DEFAULT '',
    error_description     text NOT NULL DEFAULT '',
    pipeline              bytea,
    id_claims             jsonb NOT NULL DEFAULT '{}',
    access_claims         jsonb NOT NULL DEFAULT '{}',
    granted_scopes        jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX auth_requests_expires_at ON auth_requests (expires_at);

-- Codes outlive their auth request on purpose (no cascade): a replayed code
-- must still be recognised, with the grant it produced, so the grant can be
-- revoked (RFC 6749 §4.1.2).
CREATE TABLE auth_codes (
    hash            text PRIMARY KEY,
    auth_request_id text NOT NULL,
    expires_at      timestamptz,
    used_at         timestamptz,
    grant_id        text NOT NULL DEFAULT ''
);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE continue_states (
    hash            text PRIMARY KEY,
    auth_request_id text NOT NULL,
    browser_id      text NOT NULL DEFAULT '',
    expires_at      timestamptz,
    used_at         timestamptz
);
CREATE INDEX continue_states_expires_at ON continue_states (expires_at);

CREATE TABLE grants (
    id         text PRIMARY KEY,
    client_id  text NOT NULL,
    user_id    text REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX grants_user_id ON grants (user_id);
CREATE INDEX grants_expires_at ON grants (expires_at);

CREATE TABLE refresh_tokens (
    hash              text PRIMARY KEY,
    id                text NOT NULL UNIQUE,
    grant_id          text NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    client_id         text NOT NULL,
    user_id           text REFERENCES users (id) ON DELETE CASCADE,
    session_id        text NOT NULL DEFAULT '',
    audience          text NOT NULL DEFAULT '',
    scopes            jsonb NOT NULL DEFAULT '[]',
    auth_time         timestamptz,
    amr               jsonb NOT NULL DEFAULT '[]',
    methods           jsonb NOT NULL DEFAULT '[]',
    created_at        timestamptz,
    expires_at        timestamptz,
    used_at           timestamptz,
    revoked_at        timestamptz,
    last_exchanged_at timestamptz
);
CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
    id          text PRIMARY KEY,
    algorithm   text NOT NULL,
    private_jwk bytea NOT NULL,
    public_jwk  bytea NOT NULL,
    created_at  timestamptz,
    activate_at timestamptz,
    retire_at   timestamptz,
    remove_at   timestamptz
);

-- One counter row per (kind, subject, ip): bounded however long an attack
-- lasts, unlike one row per failed attempt.
CREATE TABLE failures (
    kind    text NOT NULL,
    subject text NOT NULL,
    ip      text NOT NULL,
    count   integer NOT NULL,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (kind, subject, ip)
);

CREATE TABLE totp_factors (
    user_id    text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc bytea NOT NULL,
    confirmed  boolean NOT NULL DEFAULT false,
    last_step  bigint NOT NULL DEFAULT 0,
    created_at timestamptz
);

CREATE TABLE recovery_codes (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    text NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE webauthn_credentials (
    id               bytea PRIMARY KEY,
    user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text NOT NULL DEFAULT '',
    public_key       bytea NOT NULL,
    attestation_type text NOT NULL DEFAULT '',
    aaguid           bytea,
    sign_count       bigint NOT NULL DEFAULT 0,
    transports       jsonb NOT NULL DEFAULT '[]',
    user_verified    boolean NOT NULL DEFAULT false,
    backup_eligible  boolean NOT NULL DEFAULT false,
    backup_state     boolean NOT NULL DEFAULT false,
    clone_warning    boolean NOT NULL DEFAULT false,
    created_at       timestamptz,
    last_used_at     timestamptz
);
CREATE INDEX webauthn_credentials_user_id ON webauthn_credentials (user_id);

-- Challenges have no foreign key: a discoverable login has no user yet.
CREATE TABLE webauthn_challenges (
    id         text PRIMARY KEY,
    user_id    text NOT NULL DEFAULT '',
    kind       text NOT NULL,
    data       bytea,
    expires_at timestamptz,
    used_at    timestamptz
);
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);

CREATE TABLE cache (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    expires_at timestamptz
);
CREATE INDEX cache_expires_at ON cache (expires_at);
