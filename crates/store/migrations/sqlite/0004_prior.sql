-- The prior fiscal year's settled budget (前年度予算), held by the year that compares against it:
-- one row per line, replaced a ministry at a time by an import. Money is whole yen.

CREATE TABLE prior_budget_lines (
    fiscal_year   INTEGER NOT NULL REFERENCES policies (fiscal_year),
    ministry      TEXT    NOT NULL,
    line_id       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    project       TEXT,
    disease_areas TEXT,
    purposes      TEXT,
    amount        INTEGER NOT NULL CHECK (amount >= 0),
    source_file   TEXT    NOT NULL,
    source_sha256 TEXT    NOT NULL,
    imported_at   TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry, line_id)
);
