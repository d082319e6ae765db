-- HQ's floors and caps for a round's plan (e.g. at least so much to REGEN): on the proposals
-- whose target line is in an integrated project or disease area, or that serve a priority item.

CREATE TABLE fund_round_constraints (
    round_id  INTEGER NOT NULL REFERENCES fund_rounds (id),
    kind      TEXT    NOT NULL CHECK (kind IN ('floor', 'cap')),
    dimension TEXT    NOT NULL CHECK (dimension IN ('project', 'disease_area', 'priority_item', 'ministry')),
    code      TEXT    NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount >= 0),
    set_by    TEXT    NOT NULL,
    set_at    TEXT    NOT NULL,
    PRIMARY KEY (round_id, kind, dimension, code)
);
