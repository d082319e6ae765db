-- Two fields of a request line the policy checks need: the §5 priority items it serves (重点項目,
-- `;`-separated ids) and why it is new or grows, with its evidence (増額理由・根拠). Lines stored
-- before have neither, which the checks then report.

ALTER TABLE request_lines ADD COLUMN priority_items TEXT NOT NULL DEFAULT '';
ALTER TABLE request_lines ADD COLUMN justification TEXT NOT NULL DEFAULT '';
ALTER TABLE request_line_versions ADD COLUMN priority_items TEXT NOT NULL DEFAULT '';
ALTER TABLE request_line_versions ADD COLUMN justification TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot_lines ADD COLUMN priority_items TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot_lines ADD COLUMN justification TEXT NOT NULL DEFAULT '';
