-- What users did with the classifier's suggestions: each accepted or rejected, by whom, why,
-- under which rule version. Accepted ones are applied to the line (a new version of it);
-- rejected ones are not suggested for that line again.

CREATE TABLE classification_feedback (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year BIGINT NOT NULL REFERENCES policies (fiscal_year),
    ministry    TEXT    NOT NULL,
    line_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('project', 'disease_areas', 'purposes', 'priority_item')),
    code        TEXT    NOT NULL,
    accepted    BIGINT NOT NULL CHECK (accepted IN (0, 1)),
    reason      TEXT    NOT NULL,
    rules       TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    decided_at  TEXT    NOT NULL
);
