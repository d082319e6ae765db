-- The coordination cycle (§2): users, ministry packages, hearings, instructions and answers,
-- HQ compilation snapshots with negotiated amounts, and each year's calendar.
-- Generated ids: BIGINT GENERATED ALWAYS AS IDENTITY here, INTEGER PRIMARY KEY in SQLite.

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    ministry   TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE packages (
    fiscal_year      BIGINT NOT NULL REFERENCES policies (fiscal_year),
    ministry         TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    version          BIGINT NOT NULL,
    exclusion_reason TEXT,
    updated_at       TEXT    NOT NULL,
    updated_by       TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry)
);

CREATE TABLE hearings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year BIGINT NOT NULL,
    ministry    TEXT    NOT NULL,
    held_on     TEXT    NOT NULL,
    held        BIGINT  NOT NULL CHECK (held IN (0, 1)),
    place       TEXT    NOT NULL,
    attendees   TEXT    NOT NULL,
    minutes     TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL
);

CREATE TABLE instructions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year   BIGINT NOT NULL,
    ministry      TEXT    NOT NULL,
    line_id       TEXT,
    round         BIGINT NOT NULL,
    text          TEXT    NOT NULL,
    target_amount BIGINT,
    due           TEXT,
    issued_by     TEXT    NOT NULL,
    issued_at     TEXT    NOT NULL
);

CREATE TABLE answers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instruction_id BIGINT NOT NULL REFERENCES instructions (id),
    text           TEXT    NOT NULL,
    line_version   BIGINT,
    answered_by    TEXT    NOT NULL,
    answered_at    TEXT    NOT NULL
);

CREATE TABLE snapshots (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year  BIGINT NOT NULL,
    status       TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    exclusions   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    submitted_at TEXT,
    settled_at   TEXT
);

CREATE TABLE snapshot_lines (
    snapshot_id    BIGINT NOT NULL REFERENCES snapshots (id),
    ministry       TEXT    NOT NULL,
    line_id        TEXT    NOT NULL,
    version        BIGINT NOT NULL,
    name           TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    project        TEXT,
    prior_year     BIGINT NOT NULL,
    request        BIGINT NOT NULL,
    priority_frame BIGINT,
    disease_areas  TEXT,
    purposes       TEXT,
    is_new         BIGINT NOT NULL,
    summary        TEXT    NOT NULL,
    kpi            TEXT    NOT NULL,
    negotiated     BIGINT CHECK (negotiated >= 0),
    negotiated_by  TEXT,
    negotiated_at  TEXT,
    PRIMARY KEY (snapshot_id, ministry, line_id)
);

CREATE TABLE calendars (
    fiscal_year         BIGINT PRIMARY KEY REFERENCES policies (fiscal_year),
    submission_deadline TEXT NOT NULL,
    hearing_start       TEXT NOT NULL,
    hearing_end         TEXT NOT NULL,
    consent_deadline    TEXT NOT NULL,
    compilation_date    TEXT NOT NULL
);
