-- src/rpc/rpc.sql: chains and their JSON-RPC endpoints; read-only RPC from SQL.

-- True when every element is an http(s) URL with a host and no white space.
CREATE FUNCTION @extschema@.rpc_urls_valid(urls text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN cardinality(urls) BETWEEN 1 AND 16
	AND NOT EXISTS (SELECT 1 FROM unnest(urls) AS u
					 WHERE u IS NULL OR u !~ '^https?://[^/\s?#@]*@?[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?(/[^\s]*)?$');
COMMENT ON FUNCTION @extschema@.rpc_urls_valid(text[]) IS
	'True when the array holds 1 to 16 http(s) URLs';

-- Refuse (22023) any URL whose host amplified.allowed_hosts does not allow.
CREATE FUNCTION @extschema@.rpc_check_urls(urls text[])
RETURNS void
AS 'MODULE_PATHNAME', 'rpc_check_urls'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rpc_check_urls(text[]) IS
	'Raise 22023 for a URL whose host amplified.allowed_hosts does not allow (link-local and metadata addresses never, by default)';

-- One row per chain: where its nodes are and how to ingest it.
CREATE TABLE @extschema@.chains (
	chain_id		bigint PRIMARY KEY CHECK (chain_id > 0),
	name			text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_\-]{0,62}$'),
	rpc_urls		text[] NOT NULL CHECK (@extschema@.rpc_urls_valid(rpc_urls)),
	confirmations	integer NOT NULL DEFAULT 12 CHECK (confirmations BETWEEN 0 AND 10000),
	finality_depth	integer NOT NULL DEFAULT 64 CHECK (finality_depth BETWEEN 1 AND 100000),
	poll_interval	interval NOT NULL DEFAULT '2 seconds'
					CHECK (poll_interval BETWEEN '10 milliseconds' AND '1 hour'),
	batch_size		integer NOT NULL DEFAULT 100 CHECK (batch_size BETWEEN 1 AND 1000),
	logs_range		integer NOT NULL DEFAULT 2000 CHECK (logs_range BETWEEN 1 AND 1000000),
	start_block		bigint NOT NULL DEFAULT 0 CHECK (start_block >= 0),
	enabled			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	CHECK (finality_depth >= confirmations)
);
COMMENT ON TABLE @extschema@.chains IS
	'Chains amplified reads and acts on; rpc_urls may hold API keys, so only amplified_admin reads this table (v_chains redacts them)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.chains', '');

-- Check chain settings before they are written, with one clear error each
-- (the table's CHECK constraints are the safety net behind this).
CREATE FUNCTION @extschema@.chain_check_settings(c @extschema@.chains)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF c.chain_id IS NULL OR c.chain_id <= 0 THEN
		RAISE EXCEPTION 'invalid chain id: %', c.chain_id
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A chain id is a positive integer (EIP-155).';
	END IF;
	IF c.name IS NULL OR c.name !~ '^[a-z0-9][a-z0-9_\-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid chain name: "%"', c.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A chain name is 1 to 63 lowercase letters, digits, "_" or "-".';
	END IF;
	IF c.rpc_urls IS NULL OR NOT @extschema@.rpc_urls_valid(c.rpc_urls) THEN
		RAISE EXCEPTION 'invalid rpc_urls: %', c.rpc_urls
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Give 1 to 16 http:// or https:// URLs.';
	END IF;
	IF c.confirmations IS NULL OR c.confirmations NOT BETWEEN 0 AND 10000 THEN
		RAISE EXCEPTION 'confirmations must be between 0 and 10000, not %', c.confirmations
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF c.finality_depth IS NULL OR c.finality_depth NOT BETWEEN 1 AND 100000
	   OR c.finality_depth < c.confirmations THEN
		RAISE EXCEPTION 'finality_depth must be between 1 and 100000 and at least confirmations (%), not %',
			c.confirmations, c.finality_depth
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF c.poll_interval IS NULL OR c.poll_interval NOT BETWEEN '10 milliseconds' AND '1 hour' THEN
		RAISE EXCEPTION 'poll_interval must be between 10 milliseconds and 1 hour, not %', c.poll_interval
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF c.batch_size IS NULL OR c.batch_size NOT BETWEEN 1 AND 1000 THEN
		RAISE EXCEPTION 'batch_size must be between 1 and 1000, not %', c.batch_size
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF c.logs_range IS NULL OR c.logs_range NOT BETWEEN 1 AND 1000000 THEN
		RAISE EXCEPTION 'logs_range must be between 1 and 1000000, not %', c.logs_range
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF c.start_block IS NULL OR c.start_block < 0 THEN
		RAISE EXCEPTION 'start_block must not be negative, not %', c.start_block
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- Last, so that a URL is shown to be malformed before its host is judged.
	PERFORM @extschema@.rpc_check_urls(c.rpc_urls);
END
$$;

-- Add a chain.  Everything but the id, a name and the URLs has a default.
CREATE FUNCTION @extschema@.add_chain(
	chain_id bigint,
	name text,
	rpc_urls text[],
	confirmations integer DEFAULT 12,
	finality_depth integer DEFAULT 64,
	poll_interval interval DEFAULT '2 seconds',
	batch_size integer DEFAULT 100,
	logs_range integer DEFAULT 2000,
	start_block bigint DEFAULT 0,
	enabled boolean DEFAULT true)
RETURNS @extschema@.chains
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.chains;
BEGIN
	r := ROW(add_chain.chain_id, add_chain.name, add_chain.rpc_urls, add_chain.confirmations,
			 add_chain.finality_depth, add_chain.poll_interval, add_chain.batch_size,
			 add_chain.logs_range, add_chain.start_block, coalesce(add_chain.enabled, true),
			 now(), now());
	PERFORM @extschema@.chain_check_settings(r);
	IF EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.chain_id = add_chain.chain_id) THEN
		RAISE EXCEPTION 'chain % already exists', add_chain.chain_id
			USING ERRCODE = 'unique_violation', HINT = 'Change it with amplified.alter_chain().';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.name = add_chain.name) THEN
		RAISE EXCEPTION 'a chain named "%" already exists', add_chain.name
			USING ERRCODE = 'unique_violation';
	END IF;
	INSERT INTO @extschema@.chains SELECT r.* RETURNING * INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.add_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) IS
	'Add a chain with its JSON-RPC endpoints; the rest has defaults';

-- Change a chain: every argument left NULL keeps its value.
CREATE FUNCTION @extschema@.alter_chain(
	chain_id bigint,
	name text DEFAULT NULL,
	rpc_urls text[] DEFAULT NULL,
	confirmations integer DEFAULT NULL,
	finality_depth integer DEFAULT NULL,
	poll_interval interval DEFAULT NULL,
	batch_size integer DEFAULT NULL,
	logs_range integer DEFAULT NULL,
	start_block bigint DEFAULT NULL,
	enabled boolean DEFAULT NULL)
RETURNS @extschema@.chains
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.chains;
BEGIN
	SELECT * INTO r FROM @extschema@.chains AS c WHERE c.chain_id = alter_chain.chain_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'chain % is not configured', alter_chain.chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	r.name := coalesce(alter_chain.name, r.name);
	r.rpc_urls := coalesce(alter_chain.rpc_urls, r.rpc_urls);
	r.confirmations := coalesce(alter_chain.confirmations, r.confirmations);
	r.finality_depth := coalesce(alter_chain.finality_depth, r.finality_depth);
	r.poll_interval := coalesce(alter_chain.poll_interval, r.poll_interval);
	r.batch_size := coalesce(alter_chain.batch_size, r.batch_size);
	r.logs_range := coalesce(alter_chain.logs_range, r.logs_range);
	r.start_block := coalesce(alter_chain.start_block, r.start_block);
	r.enabled := coalesce(alter_chain.enabled, r.enabled);
	r.updated_at := now();
	PERFORM @extschema@.chain_check_settings(r);
	IF EXISTS (SELECT 1 FROM @extschema@.chains AS c
				WHERE c.name = r.name AND c.chain_id <> r.chain_id) THEN
		RAISE EXCEPTION 'a chain named "%" already exists', r.name
			USING ERRCODE = 'unique_violation';
	END IF;
	UPDATE @extschema@.chains AS c SET
		name = r.name, rpc_urls = r.rpc_urls, confirmations = r.confirmations,
		finality_depth = r.finality_depth, poll_interval = r.poll_interval,
		batch_size = r.batch_size, logs_range = r.logs_range, start_block = r.start_block,
		enabled = r.enabled, updated_at = r.updated_at
	 WHERE c.chain_id = r.chain_id;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.alter_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) IS
	'Change a chain''s settings; NULL arguments keep their value';

-- Chains for everyone who may read: endpoints reduced to scheme://host[:port].
CREATE VIEW @extschema@.v_chains AS
	SELECT c.chain_id, c.name,
		   ARRAY(SELECT regexp_replace(u, '^(https?://)([^/?#@]*@)?([^/?#]+).*$', '\1\3')
				   FROM unnest(c.rpc_urls) WITH ORDINALITY AS t(u, i) ORDER BY i) AS endpoints,
		   c.confirmations, c.finality_depth, c.poll_interval, c.batch_size, c.logs_range,
		   c.start_block, c.enabled, c.created_at, c.updated_at
	  FROM @extschema@.chains AS c;
COMMENT ON VIEW @extschema@.v_chains IS 'Configured chains, endpoints without paths or credentials';

CREATE FUNCTION @extschema@.rpc_call(chain_id bigint, method text, params jsonb DEFAULT '[]')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'rpc_call'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.rpc_call(bigint, text, jsonb) IS
	'Call a read-only JSON-RPC method on a configured chain; returns its result';

CREATE FUNCTION @extschema@.rpc_batch(chain_id bigint, calls jsonb)
RETURNS TABLE (ord integer, result jsonb, error_code integer, error_message text)
AS 'MODULE_PATHNAME', 'rpc_batch'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.rpc_batch(bigint, jsonb) IS
	'Send read-only JSON-RPC calls in batches; one row per call in the order given';

CREATE FUNCTION @extschema@.eth_block_number(chain_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eth_block_number'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.eth_block_number(bigint) IS 'Latest block number of a configured chain';

CREATE FUNCTION @extschema@.eth_chain_id(chain_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eth_chain_id'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.eth_chain_id(bigint) IS 'Chain id reported by the node (each endpoint is checked against the configuration before use)';

REVOKE ALL ON TABLE @extschema@.chains FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rpc_check_urls(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.rpc_check_urls(text[]) TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.chain_check_settings(@extschema@.chains) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.chain_check_settings(@extschema@.chains) TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.add_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.alter_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rpc_call(bigint, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rpc_batch(bigint, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.eth_block_number(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.eth_chain_id(bigint) FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE @extschema@.chains TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.add_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.alter_chain(bigint, text, text[], integer, integer, interval, integer, integer, bigint, boolean) TO amplified_admin;
GRANT SELECT ON @extschema@.v_chains TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.rpc_call(bigint, text, jsonb) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.rpc_batch(bigint, jsonb) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.eth_block_number(bigint) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.eth_chain_id(bigint) TO amplified_analyst;
