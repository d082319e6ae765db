-- Opening a fiscal year from the one before (§6 PDCA): the new year's policy starts as a draft
-- copied from the old one (HQ edits it, then decides it); each carried line answers last
-- year's follow-up with a response.

ALTER TABLE policies ADD COLUMN status TEXT NOT NULL DEFAULT 'decided';
ALTER TABLE policies ADD COLUMN based_on BIGINT;

CREATE TABLE pdca_responses (
    fiscal_year  BIGINT NOT NULL,
    ministry     TEXT    NOT NULL,
    line_id      TEXT    NOT NULL,
    response     TEXT    NOT NULL,
    responded_by TEXT    NOT NULL,
    responded_at TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, ministry, line_id)
);
