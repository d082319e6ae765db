-- The audit trail is append-only in the database itself: an UPDATE, DELETE or TRUNCATE of the
-- events is refused, whoever asks; the application role of scripts/postgres-app-role.sql has,
-- besides, no UPDATE, DELETE or TRUNCATE privilege on the table at all. (The owner can drop the
-- trigger; the hash chain and an anchor kept elsewhere still catch what it then changes.)

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only / 監査証跡は追記のみです';
END;
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
