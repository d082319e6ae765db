-- The audit trail is append-only in the database itself: an UPDATE or DELETE of an event is
-- refused by the database, whoever asks. (An attacker holding the file can drop these triggers;
-- the hash chain and an anchor kept elsewhere still catch what they then change.)

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only / 監査証跡は追記のみです');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only / 監査証跡は追記のみです');
END;
