-- The adjustment fund (調整費, §3): a year's pool, its rounds (regular or emergency), AMED PDs'
-- proposals, their scores per criterion, and the allocations HQ decided (追加配分). Money is
-- whole yen.

CREATE TABLE fund_pools (
    fiscal_year BIGINT PRIMARY KEY REFERENCES policies (fiscal_year),
    pool        BIGINT NOT NULL CHECK (pool >= 0),
    set_by      TEXT    NOT NULL,
    set_at      TEXT    NOT NULL
);

CREATE TABLE fund_rounds (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year BIGINT NOT NULL REFERENCES policies (fiscal_year),
    kind        TEXT    NOT NULL CHECK (kind IN ('regular', 'emergency')),
    round_type  TEXT    NOT NULL CHECK (round_type IN ('president', 'top-down', 'emergency')),
    title       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'decided')),
    opened_by   TEXT    NOT NULL,
    opened_at   TEXT    NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT,
    review_due  TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT
);

CREATE TABLE fund_proposals (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id       BIGINT NOT NULL REFERENCES fund_rounds (id),
    ministry       TEXT    NOT NULL,
    line_id        TEXT    NOT NULL,
    requested      BIGINT NOT NULL CHECK (requested > 0),
    min_amount     BIGINT NOT NULL CHECK (min_amount > 0 AND min_amount <= requested),
    rationale      TEXT    NOT NULL,
    evidence       TEXT    NOT NULL,
    needs          TEXT    NOT NULL,
    urgency        TEXT    NOT NULL,
    priority_items TEXT    NOT NULL,
    proposed_by    TEXT    NOT NULL,
    proposed_at    TEXT    NOT NULL
);

CREATE TABLE fund_scores (
    proposal_id BIGINT NOT NULL REFERENCES fund_proposals (id),
    criterion   TEXT    NOT NULL,
    score       BIGINT NOT NULL CHECK (score >= 0),
    scored_by   TEXT    NOT NULL,
    scored_at   TEXT    NOT NULL,
    PRIMARY KEY (proposal_id, criterion)
);

CREATE TABLE fund_allocations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES fund_rounds (id),
    fiscal_year BIGINT NOT NULL,
    ministry    TEXT    NOT NULL,
    line_id     TEXT    NOT NULL,
    proposal_id BIGINT REFERENCES fund_proposals (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    planned     BIGINT,
    reason      TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    decided_at  TEXT    NOT NULL
);
