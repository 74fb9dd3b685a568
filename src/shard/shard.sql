-- src/shard/shard.sql: shards behind a coordinator (docs/scaling.md,
-- "Shards behind a coordinator").
--
-- Several primaries (shards) each ingest and run the strategies of their
-- own chains; a coordinator sees all of them through postgres_fdw.  Every
-- install has both halves; which one a database plays depends only on
-- whether shard_add() was called in it.
--
--   shard side       nothing of its own: the coordinator reads the strategy
--                    module's v_strategy_books (per strategy, its latest
--                    value and its P&L since its first snapshot), the risk
--                    module's v_risk and the strategy module's v_positions
--   coordinator      shards, shard_chains: the registry (which chains each
--                    shard holds; a chain belongs to one shard)
--                    shard_add(), shard_remove(), shard_refresh()
--                    shard_books, shard_risk, shard_positions: tables
--                    partitioned BY LIST (chain_id) whose partitions are
--                    the shards' foreign tables, so that a GROUP BY
--                    chain_id aggregate is pushed whole to each shard
--                    (enable_partitionwise_aggregate, set on the
--                    cluster_* functions) and the shards are scanned
--                    concurrently (async_capable)
--                    cluster_portfolio(), cluster_pnl(), cluster_risk(),
--                    cluster_positions(), cluster_totals() and their views
--                    v_cluster_*
--
-- PostgreSQL 15's postgres_fdw pushes no partial aggregate: a figure over
-- several chains (cluster_totals) is a local sum over per-chain groups
-- that each shard computed.  The foreign tables are made members of the
-- extension at run time (as the history partitions are), so pg_dump leaves
-- them out; the registry is dumped, and shard_refresh() rebuilds them after
-- a restore.  The servers and user mappings are ordinary objects that
-- pg_dump keeps.

-- ---- shard side: what a shard shows ----
-- The strategy module's read model v_strategy_books (src/strategy/pnl.sql),
-- with v_risk and v_positions.

-- ---- coordinator: the registry ----

-- One row per shard: where it is and the postgres_fdw server made for it.
CREATE TABLE @extschema@.shards (
	name			text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,30}$'),
	server			text NOT NULL UNIQUE,
	host			text NOT NULL,
	port			integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
	dbname			text NOT NULL,
	fetch_size		integer NOT NULL CHECK (fetch_size > 0),
	connect_timeout	integer NOT NULL CHECK (connect_timeout >= 2),
	added_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.shards IS
	'Shards this coordinator reads: host, port, database and the postgres_fdw server made for each (shard_add)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.shards', '');

-- Which shard holds each chain: a chain belongs to one shard (the primary
-- key here, and the partition bounds of the shard_* tables).
CREATE TABLE @extschema@.shard_chains (
	chain_id		bigint PRIMARY KEY CHECK (chain_id > 0),
	shard			text NOT NULL REFERENCES @extschema@.shards ON DELETE CASCADE
);
CREATE INDEX shard_chains_shard_idx ON @extschema@.shard_chains (shard);
COMMENT ON TABLE @extschema@.shard_chains IS
	'The chains of each shard; a chain id belongs to exactly one shard';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.shard_chains', '');

-- ---- coordinator: the partitioned relations ----
-- Their columns are those of the shard-side views they read (postgres_fdw
-- matches columns by name).  No partition exists until shard_add().

CREATE TABLE @extschema@.shard_books (
	at					timestamptz,
	chain_id			bigint NOT NULL,
	strategy_id			bigint,
	strategy			text,
	strategy_kind		text,
	numeraire			@extschema@.address,
	first_block			bigint,
	block_number		bigint,
	first_value			numeric,
	value				numeric,
	hold_value			numeric,
	value_change		numeric,
	pnl_fees			numeric,
	pnl_divergence		numeric,
	pnl_staking_yield	numeric,
	pnl_interest_earned	numeric,
	pnl_interest_paid	numeric,
	pnl_hedge			numeric,
	pnl_incentives		numeric,
	pnl_gas				numeric,
	pnl_swap_cost		numeric,
	pnl_price			numeric,
	pnl_flows			numeric,
	gas_eth				numeric
) PARTITION BY LIST (chain_id);
COMMENT ON TABLE @extschema@.shard_books IS
	'The shards'' v_strategy_books, one foreign partition per shard FOR VALUES IN its chains';

CREATE TABLE @extschema@.shard_risk (
	at					timestamptz,
	strategy_id			bigint,
	strategy			text,
	chain_id			bigint NOT NULL,
	numeraire			@extschema@.address,
	value				numeric,
	var95				float8,
	cvar95				float8,
	var99				float8,
	cvar99				float8,
	method				text,
	min_health_factor	numeric,
	stress				jsonb,
	error				text,
	computed_at			timestamptz
) PARTITION BY LIST (chain_id);
COMMENT ON TABLE @extschema@.shard_risk IS
	'The shards'' v_risk, one foreign partition per shard FOR VALUES IN its chains';

CREATE TABLE @extschema@.shard_positions (
	at					timestamptz,
	strategy_id			bigint,
	strategy			text,
	strategy_kind		text,
	chain_id			bigint NOT NULL,
	owner				@extschema@.address,
	protocol			text,
	asset				@extschema@.address,
	position_id			numeric,
	block_number		bigint,
	amount				@extschema@.int256,
	is_debt				boolean,
	detail				jsonb
) PARTITION BY LIST (chain_id);
COMMENT ON TABLE @extschema@.shard_positions IS
	'The shards'' v_positions, one foreign partition per shard FOR VALUES IN its chains';

-- The remote view each partitioned relation reads.
CREATE FUNCTION @extschema@.shard_sources()
RETURNS TABLE (parent text, remote_view text)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('shard_books', 'v_strategy_books'), ('shard_risk', 'v_risk'), ('shard_positions', 'v_positions')
$$;
COMMENT ON FUNCTION @extschema@.shard_sources() IS
	'the coordinator''s partitioned relations and the shard-side view each reads';

-- ---- coordinator: building a shard's foreign tables ----

-- Drop a shard's foreign tables (members of the extension: released first).
CREATE FUNCTION @extschema@.shard_drop_tables(shard text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	t text;
BEGIN
	FOR t IN
		SELECT c.relname FROM pg_class c
		 WHERE c.relnamespace = '@extschema@'::regnamespace AND c.relkind = 'f'
		   AND c.relname IN (SELECT format('shard_%s_%s', $1, x) FROM unnest(ARRAY['chains', 'books', 'risk', 'positions']) x)
	LOOP
		EXECUTE format('ALTER EXTENSION amplified DROP FOREIGN TABLE @extschema@.%I', t);
		EXECUTE format('DROP FOREIGN TABLE @extschema@.%I', t);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_drop_tables(text) IS
	'drop the foreign tables of a shard on this coordinator (its registry rows and server stay)';

-- (Re)create a shard's foreign tables: first one over its v_chains, to
-- check that the chains it holds are exactly those registered (anything
-- else would be counted under the wrong shard or not at all), then one
-- partition of each shard_* relation FOR VALUES IN its chains, analysed
-- (postgres_fdw samples the remote rows).  An unreachable shard raises
-- 58R01; one without amplified 55000.
CREATE FUNCTION @extschema@.shard_build_tables(shard text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s @extschema@.shards;
	listed bigint[];
	remote bigint[];
	src record;
	part text;
	why text;
BEGIN
	SELECT * INTO s FROM @extschema@.shards x WHERE x.name = $1;
	SELECT array_agg(c.chain_id ORDER BY c.chain_id) INTO listed FROM @extschema@.shard_chains c WHERE c.shard = $1;
	PERFORM @extschema@.shard_drop_tables($1);

	EXECUTE format('CREATE FOREIGN TABLE @extschema@.%I (chain_id bigint, name text) SERVER %I '
				   'OPTIONS (schema_name %L, table_name %L)',
				   format('shard_%s_chains', s.name), s.server, 'amplified', 'v_chains');
	EXECUTE format('ALTER EXTENSION amplified ADD FOREIGN TABLE @extschema@.%I', format('shard_%s_chains', s.name));
	BEGIN
		EXECUTE format('SELECT array_agg(chain_id ORDER BY chain_id) FROM @extschema@.%I',
					   format('shard_%s_chains', s.name)) INTO remote;
	EXCEPTION
		WHEN connection_exception OR sqlclient_unable_to_establish_sqlconnection THEN
			GET STACKED DIAGNOSTICS why = PG_EXCEPTION_DETAIL;
			RAISE EXCEPTION 'shard "%" is unreachable', s.name
				USING ERRCODE = '58R01', DETAIL = concat_ws(': ', SQLERRM, nullif(why, '')),
					  HINT = format('Check that a server listens on %s:%s and that the user mapping of server %s is right.',
									s.host, s.port, s.server);
		WHEN undefined_table OR invalid_schema_name THEN
			RAISE EXCEPTION 'amplified is not installed in database "%" of shard "%"', s.dbname, s.name
				USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = SQLERRM,
					  HINT = 'Run CREATE EXTENSION amplified on the shard first.';
	END;
	IF remote IS DISTINCT FROM listed THEN
		RAISE EXCEPTION 'shard "%" holds chains % but % were given', s.name, coalesce(remote, '{}'), listed
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A shard''s chains must be exactly those of its own chains table: a chain left out would be missing from the totals, one not held there would be empty.',
				  HINT = 'List every chain the shard holds (amplified.v_chains on the shard).';
	END IF;

	FOR src IN SELECT * FROM @extschema@.shard_sources() LOOP
		part := format('shard_%s_%s', s.name, substr(src.parent, 7));
		EXECUTE format('CREATE FOREIGN TABLE @extschema@.%I PARTITION OF @extschema@.%I FOR VALUES IN (%s) SERVER %I '
					   'OPTIONS (schema_name %L, table_name %L)',
					   part, src.parent, array_to_string(listed, ', '), s.server, 'amplified', src.remote_view);
		EXECUTE format('ALTER EXTENSION amplified ADD FOREIGN TABLE @extschema@.%I', part);
		-- statistics of the remote rows: without them the planner guesses as
		-- many groups as rows and fetches the rows rather than the groups
		EXECUTE format('ANALYZE @extschema@.%I', part);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_build_tables(text) IS
	'(re)create a shard''s foreign tables on this coordinator after checking that its chains are those registered';

-- ---- coordinator: the API ----

-- Register a shard: a postgres_fdw server (async_capable, extensions
-- amplified so that our types' operators, aggregates and immutable
-- functions are shipped, fetch_size, connect_timeout, and fdw_tuple_cost
-- 0.2, PostgreSQL 17's default, without which the planner may prefer
-- fetching every row to a pushed-down aggregate), a user mapping for
-- the extension's owner (the cluster_* functions read the shards as it),
-- and its foreign partitions.  Nothing is left behind if any check fails.
CREATE FUNCTION @extschema@.shard_add(name text, host text, port integer, dbname text, chain_ids bigint[],
	remote_user text DEFAULT NULL, remote_password text DEFAULT NULL,
	fetch_size integer DEFAULT 1000, connect_timeout integer DEFAULT 10)
RETURNS @extschema@.shards
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r @extschema@.shards;
	c bigint;
	owner_shard text;
	opts text;
	caller text;
BEGIN
	IF shard_add.name IS NULL OR shard_add.name !~ '^[a-z][a-z0-9_]{0,30}$' THEN
		RAISE EXCEPTION 'invalid shard name: "%"', shard_add.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A shard name is 1 to 31 lowercase letters, digits or underscores, starting with a letter.';
	END IF;
	IF coalesce(shard_add.host, '') = '' OR coalesce(shard_add.dbname, '') = '' THEN
		RAISE EXCEPTION 'a shard needs a host and a database name'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF shard_add.port IS NULL OR shard_add.port NOT BETWEEN 1 AND 65535 THEN
		RAISE EXCEPTION 'invalid port: %', shard_add.port
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF shard_add.fetch_size IS NULL OR shard_add.fetch_size < 1
	   OR shard_add.connect_timeout IS NULL OR shard_add.connect_timeout < 2 THEN
		RAISE EXCEPTION 'invalid fetch_size % or connect_timeout %', shard_add.fetch_size, shard_add.connect_timeout
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'fetch_size is at least 1 row; connect_timeout at least 2 seconds (libpq''s minimum).';
	END IF;
	IF coalesce(cardinality(shard_add.chain_ids), 0) = 0 OR array_position(shard_add.chain_ids, NULL) IS NOT NULL
	   OR EXISTS (SELECT 1 FROM unnest(shard_add.chain_ids) x WHERE x <= 0)
	   OR (SELECT count(DISTINCT x) FROM unnest(shard_add.chain_ids) x) <> cardinality(shard_add.chain_ids) THEN
		RAISE EXCEPTION 'invalid chain ids: %', shard_add.chain_ids
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A shard holds one or more distinct positive chain ids.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgres_fdw') THEN
		RAISE EXCEPTION 'postgres_fdw is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Run CREATE EXTENSION postgres_fdw (it ships with PostgreSQL).';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.shards x WHERE x.name = shard_add.name) THEN
		RAISE EXCEPTION 'shard "%" already exists', shard_add.name
			USING ERRCODE = 'unique_violation', HINT = 'Remove it first with amplified.shard_remove().';
	END IF;
	FOREACH c IN ARRAY shard_add.chain_ids LOOP
		SELECT x.shard INTO owner_shard FROM @extschema@.shard_chains x WHERE x.chain_id = c;
		IF FOUND THEN
			RAISE EXCEPTION 'chain % already belongs to shard "%"', c, owner_shard
				USING ERRCODE = 'unique_violation',
					  DETAIL = 'A chain is ingested and run by exactly one shard.';
		END IF;
	END LOOP;
	-- The user mapping belongs to the extension's owner (the cluster_*
	-- functions read the shards as it), so postgres_fdw's password_required
	-- does not guard it: an admin who is not a superuser must name the remote
	-- user and its password, never borrow the server's own identity (trust,
	-- peer, its ~/.pgpass or certificates).  The caller is the role set by SET
	-- ROLE, else the session's user (SECURITY DEFINER leaves both as they were).
	caller := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user::text
				   ELSE pg_catalog.current_setting('role') END;
	IF NOT coalesce((SELECT a.rolsuper FROM pg_catalog.pg_roles a WHERE a.rolname = caller), false)
	   AND (coalesce(remote_user, '') = '' OR coalesce(remote_password, '') = '') THEN
		RAISE EXCEPTION 'a shard added by a role that is not a superuser needs remote_user and remote_password'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The coordinator connects as the extension''s owner; without a password of its own the connection would use the server''s identity.',
				  HINT = 'Give the shard''s reader role and its password, or have a superuser add the shard.';
	END IF;
	r := ROW(shard_add.name, 'amplified_shard_' || shard_add.name, shard_add.host, shard_add.port, shard_add.dbname,
			 shard_add.fetch_size, shard_add.connect_timeout, now());
	IF EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = r.server) THEN
		RAISE EXCEPTION 'a foreign server named "%" already exists', r.server
			USING ERRCODE = 'duplicate_object', HINT = 'Drop it, or choose another shard name.';
	END IF;

	EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L, '
				   'async_capable %L, extensions %L, fetch_size %L, connect_timeout %L, updatable %L, '
				   'fdw_tuple_cost %L, application_name %L)',
				   r.server, r.host, r.port::text, r.dbname, 'true', 'amplified', r.fetch_size::text,
				   r.connect_timeout::text, 'false', '0.2', 'amplified_coordinator');
	opts := concat_ws(', ', CASE WHEN remote_user IS NOT NULL THEN format('user %L', remote_user) END,
						   CASE WHEN remote_password IS NOT NULL THEN format('password %L', remote_password) END);
	EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I%s', r.server,
				   CASE WHEN opts <> '' THEN format(' OPTIONS (%s)', opts) ELSE '' END);
	INSERT INTO @extschema@.shards SELECT r.*;
	INSERT INTO @extschema@.shard_chains (chain_id, shard) SELECT x, r.name FROM unnest(shard_add.chain_ids) x;
	PERFORM @extschema@.shard_build_tables(r.name);
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_add(text, text, integer, text, bigint[], text, text, integer, integer) IS
	'register a shard holding the given chains: a postgres_fdw server (async, extensions amplified), a user mapping and its foreign partitions, after checking its chains';

-- Forget a shard: its foreign tables, server (with its user mappings) and
-- registry rows.  The shard's own data are untouched.
CREATE FUNCTION @extschema@.shard_remove(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r @extschema@.shards;
BEGIN
	SELECT * INTO r FROM @extschema@.shards x WHERE x.name = shard_remove.name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'shard "%" does not exist', shard_remove.name
			USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM @extschema@.shard_drop_tables(r.name);
	EXECUTE format('DROP SERVER IF EXISTS %I CASCADE', r.server);
	DELETE FROM @extschema@.shards x WHERE x.name = r.name;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_remove(text) IS
	'forget a shard on this coordinator: its foreign tables, server and user mappings (the shard''s data are untouched)';

-- Rebuild every shard's foreign tables (after a restore, which leaves them
-- out, or an upgrade that changed the views they read), checking each
-- shard's chains again.  Returns the shards rebuilt.
CREATE FUNCTION @extschema@.shard_refresh()
RETURNS TABLE (shard text, server text, chain_ids bigint[])
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s @extschema@.shards;
BEGIN
	FOR s IN SELECT * FROM @extschema@.shards ORDER BY name LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = s.server) THEN
			RAISE EXCEPTION 'the foreign server "%" of shard "%" is missing', s.server, s.name
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Remove the shard with amplified.shard_remove() and add it again.';
		END IF;
		PERFORM @extschema@.shard_build_tables(s.name);
		shard := s.name;
		server := s.server;
		chain_ids := ARRAY(SELECT c.chain_id FROM @extschema@.shard_chains c WHERE c.shard = s.name ORDER BY 1);
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_refresh() IS
	'rebuild every shard''s foreign tables (after a restore or an upgrade), checking each shard''s chains again';

-- ---- coordinator: what it shows ----
-- Three functions read the shards, each grouping by chain_id first so that
-- each shard computes its own groups (they set enable_partitionwise_aggregate,
-- which a view cannot); the cluster_* functions combine their rows and read
-- the shards as the extension's owner (SECURITY DEFINER, one user mapping).
-- A shard that cannot be reached fails the whole query with 58R01: no total
-- is ever made of the shards that answered.

-- The error of an unreachable shard (from a foreign scan's connection
-- failure: SQLSTATE class 08, which no caller of ours ever sees).
CREATE FUNCTION @extschema@.shard_unreachable(message text, detail text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'a shard is unreachable: no cluster figure without every shard'
		USING ERRCODE = '58R01', DETAIL = concat_ws(': ', message, nullif(detail, '')),
			  HINT = 'amplified.shards lists where each shard is; the figures come back when every shard answers.';
END
$$;
COMMENT ON FUNCTION @extschema@.shard_unreachable(text, text) IS
	'raise 58R01 for a shard the coordinator could not reach, with libpq''s reason';

-- Per chain and numeraire, every figure of the shards' v_strategy_books
-- summed (each shard sums its own chains).
CREATE FUNCTION @extschema@.shard_books_by_chain()
RETURNS TABLE (chain_id bigint, numeraire @extschema@.address, strategies bigint, value numeric,
			   hold_value numeric, value_start numeric, value_change numeric,
			   pnl_fees numeric, pnl_divergence numeric, pnl_staking_yield numeric, pnl_interest_earned numeric,
			   pnl_interest_paid numeric, pnl_hedge numeric, pnl_incentives numeric, pnl_gas numeric,
			   pnl_swap_cost numeric, pnl_price numeric, pnl_flows numeric, gas_eth numeric,
			   block_number bigint, at timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
SET enable_partitionwise_aggregate = on
AS $$
DECLARE
	why text;
BEGIN
	RETURN QUERY
		SELECT x.chain_id, x.numeraire, count(*), sum(x.value), sum(x.hold_value), sum(x.first_value),
			   sum(x.value_change), sum(x.pnl_fees), sum(x.pnl_divergence), sum(x.pnl_staking_yield),
			   sum(x.pnl_interest_earned), sum(x.pnl_interest_paid), sum(x.pnl_hedge), sum(x.pnl_incentives),
			   sum(x.pnl_gas), sum(x.pnl_swap_cost), sum(x.pnl_price), sum(x.pnl_flows), sum(x.gas_eth),
			   max(x.block_number), max(x.at)
		  FROM @extschema@.shard_books x
		 GROUP BY x.chain_id, x.numeraire;
EXCEPTION WHEN connection_exception OR sqlclient_unable_to_establish_sqlconnection THEN
	GET STACKED DIAGNOSTICS why = PG_EXCEPTION_DETAIL;
	PERFORM @extschema@.shard_unreachable(SQLERRM, why);
END
$$;
COMMENT ON FUNCTION @extschema@.shard_books_by_chain() IS
	'per chain and numeraire: the shards'' v_strategy_books summed, each shard summing its own chains';

-- Every row of the shards' v_risk.
CREATE FUNCTION @extschema@.shard_risk_rows()
RETURNS SETOF @extschema@.shard_risk
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	why text;
BEGIN
	RETURN QUERY SELECT * FROM @extschema@.shard_risk;
EXCEPTION WHEN connection_exception OR sqlclient_unable_to_establish_sqlconnection THEN
	GET STACKED DIAGNOSTICS why = PG_EXCEPTION_DETAIL;
	PERFORM @extschema@.shard_unreachable(SQLERRM, why);
END
$$;
COMMENT ON FUNCTION @extschema@.shard_risk_rows() IS 'every row of the shards'' v_risk';

-- Per chain, protocol and asset: the shards' positions counted and their
-- signed raw amounts summed (amplified.sum(int256), shipped with the
-- extension).
CREATE FUNCTION @extschema@.shard_positions_by_chain()
RETURNS TABLE (chain_id bigint, protocol text, asset @extschema@.address, positions bigint,
			   amount @extschema@.int256, at timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
SET enable_partitionwise_aggregate = on
AS $$
DECLARE
	why text;
BEGIN
	RETURN QUERY
		SELECT x.chain_id, x.protocol, x.asset, count(*), @extschema@.sum(x.amount), max(x.at)
		  FROM @extschema@.shard_positions x
		 GROUP BY x.chain_id, x.protocol, x.asset;
EXCEPTION WHEN connection_exception OR sqlclient_unable_to_establish_sqlconnection THEN
	GET STACKED DIAGNOSTICS why = PG_EXCEPTION_DETAIL;
	PERFORM @extschema@.shard_unreachable(SQLERRM, why);
END
$$;
COMMENT ON FUNCTION @extschema@.shard_positions_by_chain() IS
	'per chain, protocol and asset: the shards'' positions counted and amounts summed, each shard summing its own';

-- Per chain and numeraire: the strategies' latest value.
CREATE FUNCTION @extschema@.cluster_portfolio()
RETURNS TABLE (shard text, chain_id bigint, numeraire @extschema@.address, strategies bigint,
			   value numeric, hold_value numeric, block_number bigint, at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT c.shard, b.chain_id, b.numeraire, b.strategies, b.value, b.hold_value, b.block_number, b.at
	  FROM @extschema@.shard_books_by_chain() b
	  JOIN @extschema@.shard_chains c ON c.chain_id = b.chain_id
	 ORDER BY b.chain_id, b.numeraire::text;
END;
COMMENT ON FUNCTION @extschema@.cluster_portfolio() IS
	'per shard, chain and numeraire: the number of strategies and the sum of their latest value and holding value (each shard sums its own)';

-- Per chain and numeraire: value change since the strategies' first
-- snapshots and its P&L components.
CREATE FUNCTION @extschema@.cluster_pnl()
RETURNS TABLE (shard text, chain_id bigint, numeraire @extschema@.address, strategies bigint,
			   value_start numeric, value_end numeric, value_change numeric,
			   pnl_fees numeric, pnl_divergence numeric, pnl_staking_yield numeric, pnl_interest_earned numeric,
			   pnl_interest_paid numeric, pnl_hedge numeric, pnl_incentives numeric, pnl_gas numeric,
			   pnl_swap_cost numeric, pnl_price numeric, pnl_flows numeric, gas_eth numeric, at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT c.shard, b.chain_id, b.numeraire, b.strategies, b.value_start, b.value, b.value_change,
		   b.pnl_fees, b.pnl_divergence, b.pnl_staking_yield, b.pnl_interest_earned, b.pnl_interest_paid,
		   b.pnl_hedge, b.pnl_incentives, b.pnl_gas, b.pnl_swap_cost, b.pnl_price, b.pnl_flows, b.gas_eth, b.at
	  FROM @extschema@.shard_books_by_chain() b
	  JOIN @extschema@.shard_chains c ON c.chain_id = b.chain_id
	 ORDER BY b.chain_id, b.numeraire::text;
END;
COMMENT ON FUNCTION @extschema@.cluster_pnl() IS
	'per shard, chain and numeraire: value at the strategies'' first and latest snapshots, its change and its P&L components (each shard sums its own)';

-- Every shard's v_risk: each strategy's latest report and the total per
-- chain and numeraire (strategy "total").  VaR does not add up across
-- chains; cluster_totals shows the sums and says what they bound.
CREATE FUNCTION @extschema@.cluster_risk()
RETURNS TABLE (shard text, at timestamptz, strategy_id bigint, strategy text, chain_id bigint,
			   numeraire @extschema@.address, value numeric, var95 float8, cvar95 float8, var99 float8,
			   cvar99 float8, method text, min_health_factor numeric, stress jsonb, error text,
			   computed_at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT c.shard, r.at, r.strategy_id, r.strategy, r.chain_id, r.numeraire, r.value, r.var95, r.cvar95,
		   r.var99, r.cvar99, r.method, r.min_health_factor, r.stress, r.error, r.computed_at
	  FROM @extschema@.shard_risk_rows() r
	  JOIN @extschema@.shard_chains c ON c.chain_id = r.chain_id
	 ORDER BY r.chain_id, r.numeraire::text, r.strategy_id NULLS LAST;
END;
COMMENT ON FUNCTION @extschema@.cluster_risk() IS
	'every shard''s latest risk reports (v_risk): per strategy and the total per chain and numeraire';

-- Per chain, protocol and asset: the positions and their signed raw amount.
CREATE FUNCTION @extschema@.cluster_positions()
RETURNS TABLE (shard text, chain_id bigint, protocol text, asset @extschema@.address, positions bigint,
			   amount @extschema@.int256, at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT c.shard, p.chain_id, p.protocol, p.asset, p.positions, p.amount, p.at
	  FROM @extschema@.shard_positions_by_chain() p
	  JOIN @extschema@.shard_chains c ON c.chain_id = p.chain_id
	 ORDER BY p.chain_id, p.protocol, p.asset::text;
END;
COMMENT ON FUNCTION @extschema@.cluster_positions() IS
	'per shard, chain, protocol and asset: the number of positions and their summed signed raw amount (each shard sums its own)';

-- Across chains, per numeraire: the sums of the per-chain groups (PG15
-- pushes no partial aggregate: each shard sums its chains, this adds the
-- chains up).  Values in different numeraires are never added together.
-- Risk: var*_sum adds the per-chain VaRs, which is the VaR of the whole only
-- if every chain lost together (VaR is not subadditive, so it is no upper
-- bound in general); cvar*_upper_bound adds the per-chain CVaRs, an upper
-- bound of the CVaR of the whole (CVaR is subadditive).
CREATE FUNCTION @extschema@.cluster_totals()
RETURNS TABLE (numeraire @extschema@.address, shards bigint, chains bigint, strategies bigint,
			   value numeric, hold_value numeric, value_start numeric, value_change numeric,
			   pnl_fees numeric, pnl_divergence numeric, pnl_staking_yield numeric, pnl_interest_earned numeric,
			   pnl_interest_paid numeric, pnl_hedge numeric, pnl_incentives numeric, pnl_gas numeric,
			   pnl_swap_cost numeric, pnl_price numeric, pnl_flows numeric, gas_eth numeric,
			   var95_sum float8, cvar95_upper_bound float8, var99_sum float8, cvar99_upper_bound float8,
			   min_health_factor numeric, risk_chains bigint, at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	WITH r AS (
		SELECT x.chain_id, x.numeraire, sum(x.var95) AS var95, sum(x.cvar95) AS cvar95,
			   sum(x.var99) AS var99, sum(x.cvar99) AS cvar99, min(x.min_health_factor) AS min_health_factor,
			   count(*) AS reports
		  FROM @extschema@.shard_risk_rows() x WHERE x.strategy_id IS NULL GROUP BY x.chain_id, x.numeraire),
	j AS (
		SELECT coalesce(b.chain_id, r.chain_id) AS chain_id, coalesce(b.numeraire, r.numeraire) AS numeraire,
			   b.strategies, b.value, b.hold_value, b.value_start, b.value_change, b.pnl_fees, b.pnl_divergence,
			   b.pnl_staking_yield, b.pnl_interest_earned, b.pnl_interest_paid, b.pnl_hedge, b.pnl_incentives,
			   b.pnl_gas, b.pnl_swap_cost, b.pnl_price, b.pnl_flows, b.gas_eth, b.at,
			   r.var95, r.cvar95, r.var99, r.cvar99, r.min_health_factor, r.reports
		  FROM @extschema@.shard_books_by_chain() b
		  FULL JOIN r ON r.chain_id = b.chain_id AND r.numeraire OPERATOR(@extschema@.=) b.numeraire)
	SELECT j.numeraire, count(DISTINCT c.shard), count(*), coalesce(sum(j.strategies), 0)::bigint,
		   sum(j.value), sum(j.hold_value), sum(j.value_start), sum(j.value_change),
		   sum(j.pnl_fees), sum(j.pnl_divergence), sum(j.pnl_staking_yield), sum(j.pnl_interest_earned),
		   sum(j.pnl_interest_paid), sum(j.pnl_hedge), sum(j.pnl_incentives), sum(j.pnl_gas),
		   sum(j.pnl_swap_cost), sum(j.pnl_price), sum(j.pnl_flows), sum(j.gas_eth),
		   sum(j.var95), sum(j.cvar95), sum(j.var99), sum(j.cvar99), min(j.min_health_factor),
		   count(j.reports), max(j.at)
	  FROM j JOIN @extschema@.shard_chains c ON c.chain_id = j.chain_id
	 GROUP BY j.numeraire
	 ORDER BY j.numeraire::text;
END;
COMMENT ON FUNCTION @extschema@.cluster_totals() IS
	'per numeraire, across every shard''s chains: value, value change and P&L components summed; per-chain VaRs summed (var*_sum, not a bound) and CVaRs summed (cvar*_upper_bound)';

CREATE VIEW @extschema@.v_cluster_portfolio AS SELECT * FROM @extschema@.cluster_portfolio();
COMMENT ON VIEW @extschema@.v_cluster_portfolio IS
	'Coordinator: per shard, chain and numeraire, the strategies'' latest value (cluster_portfolio)';
CREATE VIEW @extschema@.v_cluster_pnl AS SELECT * FROM @extschema@.cluster_pnl();
COMMENT ON VIEW @extschema@.v_cluster_pnl IS
	'Coordinator: per shard, chain and numeraire, value change since the first snapshots and its P&L components (cluster_pnl)';
CREATE VIEW @extschema@.v_cluster_risk AS SELECT * FROM @extschema@.cluster_risk();
COMMENT ON VIEW @extschema@.v_cluster_risk IS
	'Coordinator: every shard''s latest risk reports per strategy and per chain total (cluster_risk)';
CREATE VIEW @extschema@.v_cluster_positions AS SELECT * FROM @extschema@.cluster_positions();
COMMENT ON VIEW @extschema@.v_cluster_positions IS
	'Coordinator: per shard, chain, protocol and asset, positions and summed signed raw amount (cluster_positions)';
CREATE VIEW @extschema@.v_cluster_totals AS SELECT * FROM @extschema@.cluster_totals();
COMMENT ON VIEW @extschema@.v_cluster_totals IS
	'Coordinator: per numeraire across all chains, value and P&L summed, VaR summed (not a bound) and CVaR summed (an upper bound) (cluster_totals)';

-- ---- privileges ----
REVOKE ALL ON @extschema@.shards, @extschema@.shard_chains, @extschema@.shard_books, @extschema@.shard_risk,
	@extschema@.shard_positions FROM PUBLIC;
GRANT SELECT ON @extschema@.shards, @extschema@.shard_chains TO amplified_admin;
REVOKE ALL ON @extschema@.v_cluster_portfolio, @extschema@.v_cluster_pnl, @extschema@.v_cluster_risk,
	@extschema@.v_cluster_positions, @extschema@.v_cluster_totals FROM PUBLIC;
GRANT SELECT ON @extschema@.v_cluster_portfolio, @extschema@.v_cluster_pnl, @extschema@.v_cluster_risk,
	@extschema@.v_cluster_positions, @extschema@.v_cluster_totals TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.shard_drop_tables(text), @extschema@.shard_build_tables(text),
	@extschema@.shard_unreachable(text, text), @extschema@.shard_books_by_chain(), @extschema@.shard_risk_rows(),
	@extschema@.shard_positions_by_chain() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.shard_add(text, text, integer, text, bigint[], text, text, integer, integer),
	@extschema@.shard_remove(text), @extschema@.shard_refresh() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.shard_add(text, text, integer, text, bigint[], text, text, integer, integer),
	@extschema@.shard_remove(text), @extschema@.shard_refresh() TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.cluster_portfolio(), @extschema@.cluster_pnl(), @extschema@.cluster_risk(),
	@extschema@.cluster_positions(), @extschema@.cluster_totals() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.cluster_portfolio(), @extschema@.cluster_pnl(), @extschema@.cluster_risk(),
	@extschema@.cluster_positions(), @extschema@.cluster_totals() TO amplified_reader;
