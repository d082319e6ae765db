-- PDCA (§6): the measures (施策) of a fiscal year with their KPIs in the RS system's shape (file
-- 3-1) and the logic model's links; the lines serving them; follow-up rounds, in which each
-- ministry reports its KPIs' actual values and the Cabinet Office evaluates each measure; and the
-- action HQ records for each line, carried into next year's request.
-- KPI values are exact decimals kept as their text ('1.50' stays '1.50').

CREATE TABLE measures (
    fiscal_year INTEGER NOT NULL REFERENCES policies (fiscal_year),
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, code)
);

CREATE TABLE kpis (
    fiscal_year INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    measure     TEXT    NOT NULL,
    ministry    TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('activity', 'output', 'outcome-short', 'outcome-mid', 'outcome-long')),
    indicator   TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    direction   TEXT    NOT NULL CHECK (direction IN ('higher', 'lower')),
    source      TEXT    NOT NULL,
    baseline    TEXT,
    baseline_year INTEGER,
    PRIMARY KEY (fiscal_year, code),
    FOREIGN KEY (fiscal_year, measure) REFERENCES measures (fiscal_year, code)
);

CREATE TABLE kpi_targets (
    fiscal_year INTEGER NOT NULL,
    kpi         TEXT    NOT NULL,
    target_year INTEGER NOT NULL,
    value       TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, kpi, target_year),
    FOREIGN KEY (fiscal_year, kpi) REFERENCES kpis (fiscal_year, code)
);

-- The logic model (RS file 3-2): an activity leads to an output, an output to an outcome.
CREATE TABLE kpi_links (
    fiscal_year INTEGER NOT NULL,
    from_kpi    TEXT    NOT NULL,
    to_kpi      TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, from_kpi, to_kpi),
    FOREIGN KEY (fiscal_year, from_kpi) REFERENCES kpis (fiscal_year, code),
    FOREIGN KEY (fiscal_year, to_kpi) REFERENCES kpis (fiscal_year, code)
);

-- A line serves a measure, through one of its KPIs or ('' ) the measure as a whole.
CREATE TABLE line_measures (
    fiscal_year INTEGER NOT NULL,
    ministry    TEXT    NOT NULL,
    line_id     TEXT    NOT NULL,
    measure     TEXT    NOT NULL,
    kpi         TEXT    NOT NULL DEFAULT '',
    linked_by   TEXT    NOT NULL,
    linked_at   TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry, line_id, measure, kpi),
    FOREIGN KEY (fiscal_year, measure) REFERENCES measures (fiscal_year, code)
);

CREATE TABLE followup_rounds (
    id             INTEGER PRIMARY KEY,
    fiscal_year    INTEGER NOT NULL REFERENCES policies (fiscal_year),
    title          TEXT    NOT NULL,
    report_due     TEXT    NOT NULL,
    evaluation_due TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by      TEXT    NOT NULL,
    opened_at      TEXT    NOT NULL
);

CREATE TABLE kpi_actuals (
    round_id    INTEGER NOT NULL REFERENCES followup_rounds (id),
    kpi         TEXT    NOT NULL,
    actual_year INTEGER NOT NULL,
    value       TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    reported_by TEXT    NOT NULL,
    reported_at TEXT    NOT NULL,
    PRIMARY KEY (round_id, kpi, actual_year)
);

CREATE TABLE measure_evaluations (
    round_id     INTEGER NOT NULL REFERENCES followup_rounds (id),
    measure      TEXT    NOT NULL,
    evaluation   TEXT    NOT NULL CHECK (evaluation IN ('achieved', 'on-track', 'delayed', 'cannot-evaluate')),
    reason       TEXT    NOT NULL,
    evaluated_by TEXT    NOT NULL,
    evaluated_at TEXT    NOT NULL,
    PRIMARY KEY (round_id, measure)
);

-- HQ's action for a line after a follow-up round, with the amount to reflect (反映額, in yen,
-- negative for a reduction). One per line and round.
CREATE TABLE line_actions (
    round_id    INTEGER NOT NULL REFERENCES followup_rounds (id),
    fiscal_year INTEGER NOT NULL,
    ministry    TEXT    NOT NULL,
    line_id     TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('continue', 'expand', 'reduce', 'review', 'end')),
    amount      INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    decided_at  TEXT    NOT NULL,
    PRIMARY KEY (round_id, ministry, line_id)
);
