-- The application's PostgreSQL roles, kept by deploy/phone-lookup-db-roles (the release job) as
-- the RDS master user, before every migrate. Idempotent. The {names} are filled in by psycopg's
-- sql module, quoted; the passwords come from the stack's Secrets Manager secrets.
--   {migrate_role}: owns the schema, runs `manage.py migrate` (the release job only);
--   {app_role}: every host; reads and writes rows, cannot create, alter or drop anything.
-- The master user is used for nothing else; no host holds its password.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {migrate_name}) THEN
    CREATE ROLE {migrate_role};
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {app_name}) THEN
    CREATE ROLE {app_role};
  END IF;
END
$$;
ALTER ROLE {migrate_role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD {migrate_password};
ALTER ROLE {app_role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD {app_password};
-- Creating the owner's schema and default privileges needs membership of the owner: since
-- PostgreSQL 16 creating a role no longer gives it.
GRANT {migrate_role} TO CURRENT_USER;
REVOKE ALL ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {migrate_role};
GRANT CONNECT ON DATABASE {database} TO {app_role};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {migrate_role};
GRANT USAGE ON SCHEMA {schema} TO {app_role};
-- Tables and sequences the migrations create from now on, and those they created before.
ALTER DEFAULT PRIVILEGES FOR ROLE {migrate_role} IN SCHEMA {schema}
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app_role};
ALTER DEFAULT PRIVILEGES FOR ROLE {migrate_role} IN SCHEMA {schema}
  GRANT USAGE, SELECT ON SEQUENCES TO {app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app_role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role};
ALTER ROLE {migrate_role} IN DATABASE {database} SET search_path = {schema};
ALTER ROLE {app_role} IN DATABASE {database} SET search_path = {schema};
