-- The Cabinet Office's decisions on overlap candidates (府省間の重複): a pair of lines of a year
-- confirmed as distinct lines or as lines to coordinate, with a note. The pair is stored with
-- the smaller (ministry, line) first.

CREATE TABLE overlap_decisions (
    fiscal_year INTEGER NOT NULL REFERENCES policies (fiscal_year),
    a_ministry  TEXT    NOT NULL,
    a_line      TEXT    NOT NULL,
    b_ministry  TEXT    NOT NULL,
    b_line      TEXT    NOT NULL,
    decision    TEXT    NOT NULL CHECK (decision IN ('distinct', 'coordinate')),
    note        TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    decided_at  TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, a_ministry, a_line, b_ministry, b_line)
);
