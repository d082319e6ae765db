-- The RS system's id of a line (予算事業ID), by which RS files (budget summaries 2-1, KPIs 3-1)
-- are matched to lines; and each line's budget and execution as an RS 2-1 file reports them.

ALTER TABLE request_lines ADD COLUMN rs_id TEXT NOT NULL DEFAULT '';
ALTER TABLE request_line_versions ADD COLUMN rs_id TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot_lines ADD COLUMN rs_id TEXT NOT NULL DEFAULT '';

-- One row per (予算事業ID, 予算年度): the summary row of an RS 2-1 file, in yen. `review_year` is
-- the file's 事業年度 (the review year), which is not the budget year.
CREATE TABLE rs_budgets (
    rs_id          TEXT    NOT NULL,
    budget_year    INTEGER NOT NULL,
    review_year    INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    ministry       TEXT    NOT NULL,
    initial        INTEGER NOT NULL,
    supplementary  INTEGER NOT NULL,
    carried_in     INTEGER NOT NULL,
    reserve        INTEGER NOT NULL,
    current_total  INTEGER NOT NULL,
    executed       INTEGER,
    execution_rate TEXT,
    carried_out    INTEGER NOT NULL,
    next_request   INTEGER NOT NULL,
    change_reason  TEXT    NOT NULL,
    source_file    TEXT    NOT NULL,
    imported_by    TEXT    NOT NULL,
    imported_at    TEXT    NOT NULL,
    PRIMARY KEY (rs_id, budget_year)
);
