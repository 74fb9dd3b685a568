-- src/amplified.sql: the core piece of the install script: the guard on the
-- schema, roles, the schema's grants, and the rule every registry of
-- functions follows.
--
-- The schema must be the installing role's own and empty.  A role with
-- CREATE on the database could otherwise create "amplified" first and keep
-- it: CREATE EXTENSION adopts an existing schema, and its owner could then
-- put functions in it that SECURITY DEFINER code of the extension would run
-- as the extension's owner (docs/install.md, "Security").
DO $guard$
DECLARE
	ns record;
	me oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = pg_catalog.current_user());
BEGIN
	SELECT n.oid, n.nspowner, n.nspacl INTO ns FROM pg_catalog.pg_namespace n WHERE n.nspname = '@extschema@';
	IF ns.nspowner IS DISTINCT FROM me THEN
		RAISE EXCEPTION 'schema "@extschema@" exists already and belongs to role "%"', pg_catalog.pg_get_userbyid(ns.nspowner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'amplified installs only into a schema that CREATE EXTENSION creates, or an empty one owned by the role that installs it.',
				  HINT = 'Check what the schema holds, then drop it (or ALTER SCHEMA ... OWNER TO the installing role) and run CREATE EXTENSION again.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.aclexplode(ns.nspacl) a
				WHERE a.privilege_type = 'CREATE' AND a.grantee <> ns.nspowner) THEN
		RAISE EXCEPTION 'schema "@extschema@" lets other roles create objects in it'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'REVOKE CREATE ON SCHEMA @extschema@ FROM the other roles (and PUBLIC), then run CREATE EXTENSION again.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE pronamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE typnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_operator WHERE oprnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_collation WHERE collnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_conversion WHERE connamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_opfamily WHERE opfnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config WHERE cfgnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_dict WHERE dictnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_parser WHERE prsnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_template WHERE tmplnamespace = ns.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_statistic_ext WHERE stxnamespace = ns.oid) THEN
		RAISE EXCEPTION 'schema "@extschema@" is not empty'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'amplified installs only into a schema that CREATE EXTENSION creates, or an empty one owned by the role that installs it.',
				  HINT = 'Move or drop what the schema holds, then run CREATE EXTENSION again.';
	END IF;
END
$guard$;

-- Four group roles (NOLOGIN), each holding the one before it:
--   amplified_reader    the v_* views
--   amplified_analyst   + math functions and read-only RPC
--   amplified_operator  + strategies and transaction intents
--   amplified_admin     + configuration and signers
-- Roles are cluster-wide: they are created if missing and survive DROP
-- EXTENSION.  A role of one of these names that exists already is adopted
-- only when it is a plain group role: one that can log in, or holds any
-- attribute above that of a group (superuser, CREATEROLE, CREATEDB,
-- REPLICATION, BYPASSRLS), is refused, since whoever made it would hold
-- the extension's privileges through it.
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
		ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname = r
						 AND (x.rolcanlogin OR x.rolsuper OR x.rolcreaterole OR x.rolcreatedb
							  OR x.rolreplication OR x.rolbypassrls)) THEN
			RAISE EXCEPTION 'role "%" exists already and is not a plain group role', r
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = 'It can log in or holds role attributes; amplified would hand its privileges to whoever made it.',
					  HINT = pg_catalog.format('Check who uses it, then ALTER ROLE %I NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS (or drop it) and run CREATE EXTENSION again; grant it to login roles instead.', r);
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

-- The rule of every registry of functions (strategy kinds, and any table
-- whose rows name functions that the extension's SECURITY DEFINER code
-- calls as the extension's owner):
--   * only a function owned by the extension's owner may be registered, and
--     never one in a temporary schema: whoever may write such a row but is
--     not that owner could otherwise have their own code run with the
--     owner's rights;
--   * it must have exactly the signature its slot calls (argument types and
--     result, no variadic, no set), and the caller calls it by its
--     schema-qualified name (registry_call_name) with arguments of exactly
--     those types.  A function's name and argument types are unique in its
--     schema, so that call can only reach the function that was checked,
--     never an overload someone else adds beside it.
-- Registries call registry_check_function from a trigger (registry_check_row).
CREATE FUNCTION @extschema@.registry_check_function(fn regproc, registry text, argtypes regtype[], rettype regtype)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f record;
	owner oid := (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'amplified');
BEGIN
	IF fn IS NULL THEN
		RETURN;
	END IF;
	SELECT p.proowner, n.nspname, ARRAY(SELECT pg_catalog.unnest(p.proargtypes::oid[])) AS args,
		   p.prorettype, p.proretset, p.provariadic, p.prokind
	  INTO f
	  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
	 WHERE p.oid = fn;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'function % of % does not exist', fn::oid, registry USING ERRCODE = 'undefined_function';
	END IF;
	IF f.nspname LIKE 'pg\_temp\_%' OR f.nspname LIKE 'pg\_toast\_temp\_%' THEN
		RAISE EXCEPTION 'function % cannot be registered in %: it is a temporary function', fn, registry
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF f.proowner IS DISTINCT FROM owner THEN
		RAISE EXCEPTION 'function % cannot be registered in %: it belongs to role "%", not to the extension''s owner "%"',
			fn, registry, pg_catalog.pg_get_userbyid(f.proowner), pg_catalog.pg_get_userbyid(owner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The extension calls registered functions with its owner''s rights.',
				  HINT = 'Have the extension''s owner review the function and take it over (ALTER FUNCTION ... OWNER TO), then register it.';
	END IF;
	IF f.prokind <> 'f' OR f.args IS DISTINCT FROM argtypes::oid[] OR f.prorettype IS DISTINCT FROM rettype::oid
	   OR f.proretset OR f.provariadic <> 0 THEN
		RAISE EXCEPTION 'function % cannot be registered in %: it must take (%) and return %', fn, registry,
			(SELECT pg_catalog.string_agg(t::text, ', ') FROM pg_catalog.unnest(argtypes) t), rettype
			USING ERRCODE = 'invalid_function_definition';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.registry_check_function(regproc, text, regtype[], regtype) IS
	'refuse a function for a registry unless the extension''s owner owns it and it has exactly the slot''s signature';

-- The trigger every registry puts on its table: the rule above for each
-- function column of the row.  Its arguments come in threes, one per
-- column: the column, its argument types (comma-separated, schema-
-- qualified) and its result type, e.g.
--   EXECUTE FUNCTION registry_check_row('guard', 'bigint,@extschema@.address', '@extschema@.txq_guard_verdict')
-- The registry is named <table>.<column> in errors.
CREATE FUNCTION @extschema@.registry_check_row()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	i integer := 0;
	fn pg_catalog.oid;
BEGIN
	IF TG_NARGS = 0 OR TG_NARGS % 3 <> 0 THEN
		RAISE EXCEPTION 'registry_check_row on % needs (column, argument types, result type) triples', TG_TABLE_NAME
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	WHILE i < TG_NARGS LOOP
		-- The column's OID itself: its name printed and parsed again could be ambiguous.
		EXECUTE pg_catalog.format('SELECT ($1).%I::pg_catalog.oid', TG_ARGV[i]) INTO fn USING NEW;
		PERFORM @extschema@.registry_check_function(fn::pg_catalog.regproc,
			TG_TABLE_NAME OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) TG_ARGV[i],
			CASE WHEN TG_ARGV[i + 1] OPERATOR(pg_catalog.=) '' THEN '{}'::pg_catalog.regtype[]
				 ELSE pg_catalog.string_to_array(TG_ARGV[i + 1], ',')::pg_catalog.regtype[] END,
			TG_ARGV[i + 2]::pg_catalog.regtype);
		i := i + 3;
	END LOOP;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.registry_check_row() IS
	'trigger of a registry of functions: registry_check_function for each (column, argument types, result type) it is given';
REVOKE ALL ON FUNCTION @extschema@.registry_check_row() FROM PUBLIC;

-- The rows a registry ships with (builtin) are the install script's: an
-- admin may neither delete them nor change them but for the columns named
-- in the trigger's arguments (a description, a check's enabled flag), or
-- pg_dump, which keeps only the rows admins add, would silently undo the
-- change on restore.  The extension's owner and superusers may.
CREATE FUNCTION @extschema@.registry_keep_builtin()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner oid := (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'amplified');
	allowed text[] := COALESCE(TG_ARGV, '{}'::text[]);
BEGIN
	IF NOT (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.->>) 'builtin')::boolean
	   OR (SELECT r.oid OPERATOR(pg_catalog.=) owner OR r.rolsuper FROM pg_catalog.pg_roles r
			WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
		RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'DELETE'
	   OR (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) allowed)
		  OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) allowed) THEN
		RAISE EXCEPTION 'a builtin row of % is the extension''s own: it cannot be %', TG_TABLE_NAME,
			CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = CASE WHEN pg_catalog.cardinality(allowed) OPERATOR(pg_catalog.>) 0
								THEN pg_catalog.format('Only %s may be changed on it.', pg_catalog.array_to_string(allowed, ', '))
								ELSE 'None of its columns may be changed.' END,
				  HINT = 'Add a row of your own instead.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.registry_keep_builtin() IS
	'trigger of a registry: an admin may not delete a builtin row, nor change it beyond the columns it is given';
REVOKE ALL ON FUNCTION @extschema@.registry_keep_builtin() FROM PUBLIC;

-- A settings table of one row (singleton boolean PRIMARY KEY, the kill
-- switches) gets its row from the install script, and its dumped row comes
-- back on restore into the row CREATE EXTENSION made again: an insert
-- replaces the row that is there, so the restored switch wins and the
-- primary key never refuses the dump.  No one but the install script and a
-- restore inserts into these tables.
CREATE FUNCTION @extschema@.dump_replace_singleton()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE pg_catalog.format('DELETE FROM %I.%I WHERE singleton', TG_TABLE_SCHEMA, TG_TABLE_NAME);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.dump_replace_singleton() IS
	'trigger of a one-row settings table: an inserted row (a restored one) replaces the row there';
REVOKE ALL ON FUNCTION @extschema@.dump_replace_singleton() FROM PUBLIC;

-- How a registered function is called: by its schema-qualified name, never
-- by a name that a search path resolves (see above).
CREATE FUNCTION @extschema@.registry_call_name(fn regproc)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname)
		  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
		 WHERE p.oid OPERATOR(pg_catalog.=) fn);
COMMENT ON FUNCTION @extschema@.registry_call_name(regproc) IS
	'the schema-qualified name by which a registered function is called';
-- Both are harmless (they read the catalogs), and the triggers of registries
-- run the check as whoever writes the row: left executable by PUBLIC.
