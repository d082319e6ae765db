-- The role haibun serves with on PostgreSQL: it reads and writes the data, but may not change or
-- delete the audit trail. Run as the database's owner after `haibun init` (which the owner runs:
-- the application role cannot create tables), e.g.
--   psql -d haibun -v ON_ERROR_STOP=1 -f scripts/postgres-app-role.sql
-- then set a password (ALTER ROLE haibun_app PASSWORD '…') and serve with
--   HAIBUN_DATABASE_URL=postgres://haibun_app:…@host/haibun haibun serve
CREATE ROLE haibun_app LOGIN;
GRANT USAGE ON SCHEMA public TO haibun_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO haibun_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO haibun_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM haibun_app;
-- Tables that later migrations (run by the owner) create are granted as well.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO haibun_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO haibun_app;
