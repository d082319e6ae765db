-- The adjustment fund's follow-through: what a proposal says the money will achieve (its
-- targets), the files attached to a proposal, what each funded line achieved against them, and
-- the Cabinet Office's ex-post check of a decided round.

ALTER TABLE fund_proposals ADD COLUMN targets TEXT NOT NULL DEFAULT '';

ALTER TABLE fund_rounds ADD COLUMN checked_by TEXT;
ALTER TABLE fund_rounds ADD COLUMN checked_at TEXT;
ALTER TABLE fund_rounds ADD COLUMN check_note TEXT;

CREATE TABLE fund_attachments (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL REFERENCES fund_proposals (id),
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    sha256       TEXT    NOT NULL,
    content      BLOB   NOT NULL,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL
);

CREATE TABLE fund_outcomes (
    allocation_id INTEGER PRIMARY KEY REFERENCES fund_allocations (id),
    result        TEXT    NOT NULL CHECK (result IN ('met', 'partly', 'not-met')),
    achieved      TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL
);
