-- Signing in: password hashes (argon2id PHC strings), server-side sessions and API tokens (both
-- stored only as SHA-256 hashes of the secret), and sign-in attempts for rate limiting.
-- Times here are Unix seconds, so expiry and windows compare as numbers on both databases.

ALTER TABLE users ADD COLUMN password_hash TEXT;

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_name  TEXT    NOT NULL REFERENCES users (name),
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_name  TEXT    NOT NULL REFERENCES users (name),
    label      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sign_in_attempts (
    user_name TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_user ON sign_in_attempts (user_name, at);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts (address, at);
