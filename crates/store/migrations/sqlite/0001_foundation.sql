-- The foundation: stored policies, request lines with every version kept, and the audit chain.
-- SQLite and PostgreSQL differ only in integer types (INTEGER here, BIGINT there); all money is
-- whole yen in a 64-bit integer, all times are RFC 3339 UTC text.

CREATE TABLE policies (
    fiscal_year INTEGER PRIMARY KEY,
    source_file TEXT NOT NULL,
    toml        TEXT NOT NULL,
    stored_at   TEXT NOT NULL
);

CREATE TABLE request_lines (
    fiscal_year    INTEGER NOT NULL REFERENCES policies (fiscal_year),
    ministry       TEXT    NOT NULL,
    line_id        TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    project        TEXT,
    prior_year     INTEGER NOT NULL CHECK (prior_year >= 0),
    request        INTEGER NOT NULL CHECK (request >= 0),
    priority_frame INTEGER CHECK (priority_frame >= 0 AND priority_frame <= request),
    disease_areas  TEXT,
    purposes       TEXT,
    is_new         INTEGER NOT NULL CHECK (is_new IN (0, 1)),
    summary        TEXT    NOT NULL,
    kpi            TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry, line_id)
);

CREATE TABLE request_line_versions (
    fiscal_year    INTEGER NOT NULL,
    ministry       TEXT    NOT NULL,
    line_id        TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    project        TEXT,
    prior_year     INTEGER NOT NULL,
    request        INTEGER NOT NULL,
    priority_frame INTEGER,
    disease_areas  TEXT,
    purposes       TEXT,
    is_new         INTEGER NOT NULL,
    summary        TEXT    NOT NULL,
    kpi            TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry, line_id, version)
);

-- One row holding the head of the audit chain; every append updates it first, which
-- serialises appenders on both databases.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    fiscal_year INTEGER,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
