-- core: the GUCs, the reserved prefix, the roles and the schema's grants.

-- Every amplified.* parameter with its type, default, unit, limits and context.
-- (The throwaway clusters set some in postgresql.conf: boot_val is the default.)
SELECT name, vartype, boot_val, unit, min_val, max_val, context
  FROM pg_settings WHERE name LIKE 'amplified.%' ORDER BY name;

-- Superuser-only: the parameters that name a database, a directory or the hosts requests may reach.
SELECT name, context IN ('sighup', 'postmaster', 'superuser') AS superuser_only
  FROM pg_settings WHERE name IN ('amplified.database', 'amplified.keys_dir', 'amplified.txq_test_stop_at',
                                  'amplified.allowed_hosts') ORDER BY name;

-- The prefix is reserved: a misspelt parameter is an error, not a placeholder.
SET amplified.no_such_parameter = 1;
SET amplified.heartbeat_interval = 5;
-- A non-superuser cannot even read the key directory.
CREATE ROLE amplified_test_nobody;
SET ROLE amplified_test_nobody;
SHOW amplified.keys_dir;
RESET ROLE;
DROP ROLE amplified_test_nobody;

-- The four roles exist, cannot log in, and each holds the one before it.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'amplified\_%' ORDER BY rolname;
SELECT r.rolname AS role, m.rolname AS member_of
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member JOIN pg_roles m ON m.oid = a.roleid
 WHERE r.rolname LIKE 'amplified\_%' ORDER BY 1, 2;

-- PUBLIC may not use the schema; the reader role may.
SELECT has_schema_privilege('public', 'amplified', 'USAGE') AS public_usage,
       has_schema_privilege('amplified_reader', 'amplified', 'USAGE') AS reader_usage;

-- The extension is not relocatable and lives in its fixed schema.
SELECT extname, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'amplified';
ALTER EXTENSION amplified SET SCHEMA public;
