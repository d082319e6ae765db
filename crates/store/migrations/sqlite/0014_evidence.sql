-- Evidence to priorities (§4): the tables HQ imports for a year (overseas funding, the mapping of
-- source categories onto disease areas and projects, publication counts, researcher surveys and
-- exchange rates), each replaced whole by an import, with its source, date and licence note; and
-- the evidence a draft policy's priority items cite. Decimals are kept as text, exactly.

CREATE TABLE evidence_sets (
    fiscal_year  INTEGER NOT NULL,
    table_name   TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    as_of        TEXT    NOT NULL,
    licence      TEXT    NOT NULL,
    file         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    row_count    INTEGER NOT NULL,
    imported_by  TEXT    NOT NULL,
    imported_at  TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, table_name)
);

CREATE TABLE evidence_funding (
    fiscal_year INTEGER NOT NULL,
    funder      TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    amount      TEXT    NOT NULL,
    currency    TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, funder, category, year)
);

CREATE TABLE evidence_mapping (
    fiscal_year INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    dimension   TEXT    NOT NULL,
    shares      TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, source, category, dimension)
);

CREATE TABLE evidence_publications (
    fiscal_year INTEGER NOT NULL,
    field       TEXT    NOT NULL,
    country     TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    papers      INTEGER NOT NULL,
    PRIMARY KEY (fiscal_year, field, country, year)
);

CREATE TABLE evidence_survey (
    fiscal_year INTEGER NOT NULL,
    dimension   TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    score       TEXT    NOT NULL,
    respondents INTEGER NOT NULL,
    PRIMARY KEY (fiscal_year, dimension, area, question)
);

CREATE TABLE evidence_rates (
    fiscal_year  INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    yen_per_unit TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, currency, year)
);

-- A priority item of a year's policy citing a candidate area, with the candidate's rank and
-- evidence as they stood when it was cited (from the evidence report of `evidence_year`).
CREATE TABLE policy_citations (
    fiscal_year   INTEGER NOT NULL,
    item_id       TEXT    NOT NULL,
    dimension     TEXT    NOT NULL,
    area          TEXT    NOT NULL,
    evidence_year INTEGER NOT NULL,
    cited_rank    INTEGER NOT NULL,
    basis         TEXT    NOT NULL,
    cited_by      TEXT    NOT NULL,
    cited_at      TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, item_id, dimension, area)
);
