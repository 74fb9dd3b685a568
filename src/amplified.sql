-- src/amplified.sql: the core piece of the install script: roles and the schema's grants.
--
-- Four group roles (NOLOGIN), each holding the one before it:
--   amplified_reader    the v_* views
--   amplified_analyst   + math functions and read-only RPC
--   amplified_operator  + strategies and transaction intents
--   amplified_admin     + configuration and signers
-- Roles are cluster-wide: they are created if missing and survive DROP EXTENSION.
DO $roles$
DECLARE
	r text;
	prev text := NULL;
BEGIN
	FOREACH r IN ARRAY ARRAY['amplified_reader', 'amplified_analyst',
							 'amplified_operator', 'amplified_admin']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
		IF prev IS NOT NULL AND NOT pg_catalog.pg_has_role(r, prev, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO %I', prev, r);
		END IF;
		prev := r;
	END LOOP;
END
$roles$;

REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO amplified_reader;
