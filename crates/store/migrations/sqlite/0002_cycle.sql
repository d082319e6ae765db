-- The coordination cycle (§2): users, ministry packages, hearings, instructions and answers,
-- HQ compilation snapshots with negotiated amounts, and each year's calendar.
-- Generated ids: INTEGER PRIMARY KEY here, BIGINT GENERATED ALWAYS AS IDENTITY in PostgreSQL.

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    ministry   TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE packages (
    fiscal_year      INTEGER NOT NULL REFERENCES policies (fiscal_year),
    ministry         TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    exclusion_reason TEXT,
    updated_at       TEXT    NOT NULL,
    updated_by       TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry)
);

CREATE TABLE hearings (
    id          INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    ministry    TEXT    NOT NULL,
    held_on     TEXT    NOT NULL,
    held        INTEGER NOT NULL CHECK (held IN (0, 1)),
    place       TEXT    NOT NULL,
    attendees   TEXT    NOT NULL,
    minutes     TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL
);

CREATE TABLE instructions (
    id            INTEGER PRIMARY KEY,
    fiscal_year   INTEGER NOT NULL,
    ministry      TEXT    NOT NULL,
    line_id       TEXT,
    round         INTEGER NOT NULL,
    text          TEXT    NOT NULL,
    target_amount INTEGER,
    due           TEXT,
    issued_by     TEXT    NOT NULL,
    issued_at     TEXT    NOT NULL
);

CREATE TABLE answers (
    id             INTEGER PRIMARY KEY,
    instruction_id INTEGER NOT NULL REFERENCES instructions (id),
    text           TEXT    NOT NULL,
    line_version   INTEGER,
    answered_by    TEXT    NOT NULL,
    answered_at    TEXT    NOT NULL
);

CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY,
    fiscal_year  INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    exclusions   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    submitted_at TEXT,
    settled_at   TEXT
);

CREATE TABLE snapshot_lines (
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id),
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
    negotiated     INTEGER CHECK (negotiated >= 0),
    negotiated_by  TEXT,
    negotiated_at  TEXT,
    PRIMARY KEY (snapshot_id, ministry, line_id)
);

CREATE TABLE calendars (
    fiscal_year         INTEGER PRIMARY KEY REFERENCES policies (fiscal_year),
    submission_deadline TEXT NOT NULL,
    hearing_start       TEXT NOT NULL,
    hearing_end         TEXT NOT NULL,
    consent_deadline    TEXT NOT NULL,
    compilation_date    TEXT NOT NULL
);
