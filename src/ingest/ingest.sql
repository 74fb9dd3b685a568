-- src/ingest/ingest.sql: what the ingest workers read (watched contracts) and
-- write (blocks, logs, cursors, status).  All chain data is keyed by
-- (chain_id, block_number) and hangs off amplified.blocks with ON DELETE
-- CASCADE, so rolling back a reorg is one DELETE of the orphaned blocks.

-- ---- the registry: how protocol modules plug into ingest.  ingest knows
-- blocks, logs and raw state reads; which events are decoded into which
-- tables, which calls a kind of contract makes, and which function turns
-- those calls' answers into typed rows, are rows that the protocol modules
-- add (src/univ3/data.sql, src/tokens/tokens.sql), and an analyst's own
-- module can add more (docs/ingest.md, "The registry").  The registries are
-- configuration: rows a user adds (builtin false) are dumped by pg_dump,
-- the extension's own (builtin true) are made again by CREATE EXTENSION.
-- The functions they name follow the rule of every registry of functions
-- (registry_check_function, src/amplified.sql), and the tables they name
-- are the extension owner's, in its schema.

-- What a registry row may name: a function of the slot's signature owned by
-- the extension's owner (registry_check_function), or a table of the
-- extension's schema owned by that owner.  Writing a row that names one of
-- the extension's own tables is the owner's alone: an admin who could
-- point a decoder at, say, univ3_swaps could write rows there that no
-- watched pool emitted.
CREATE FUNCTION @extschema@.ingest_registry_check_table(tab regclass, registry text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	e record;
BEGIN
	SELECT x.extowner, x.extnamespace, x.oid INTO e FROM pg_catalog.pg_extension x WHERE x.extname = 'amplified';
	SELECT c.relname, c.relnamespace, c.relowner, c.relkind INTO t FROM pg_catalog.pg_class c WHERE c.oid = tab;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % of % does not exist', tab::oid, registry USING ERRCODE = 'undefined_table';
	END IF;
	IF t.relnamespace IS DISTINCT FROM e.extnamespace THEN
		RAISE EXCEPTION 'table % cannot be registered in %: it is not in schema %', tab, registry,
			(SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_namespace n WHERE n.oid = e.extnamespace)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The ingest worker writes registered tables with the extension owner''s rights.';
	END IF;
	IF t.relowner IS DISTINCT FROM e.extowner THEN
		RAISE EXCEPTION 'table % cannot be registered in %: it belongs to role "%", not to the extension''s owner "%"',
			tab, registry, pg_catalog.pg_get_userbyid(t.relowner), pg_catalog.pg_get_userbyid(e.extowner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The ingest worker writes registered tables with the extension owner''s rights.',
				  HINT = 'Have the extension''s owner create the table, or take it over (ALTER TABLE ... OWNER TO).';
	END IF;
	IF NOT pg_catalog.pg_has_role(current_user, e.extowner, 'MEMBER')
	   AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
				    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = tab
					  AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = e.oid
					  AND d.deptype = 'e') THEN
		RAISE EXCEPTION 'table % cannot be registered in % by role "%": it is one of the extension''s own tables',
			tab, registry, current_user
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Only the extension''s owner may register a decoder that writes the extension''s own tables.';
	END IF;
	IF t.relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION 'table % cannot be registered in %: it is not a plain or partitioned table', tab, registry
			USING ERRCODE = 'wrong_object_type';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_registry_check_table(regclass, text) IS
	'refuse a table for an ingest registry unless it is a plain or partitioned table of the extension''s schema that its owner owns';

-- The calls a contract can be read with: its signature, how its argument
-- is chosen, and the function that decodes its answers into the protocol's
-- typed tables.  Argument rules: none (no argument: the call is the
-- selector), holders (one call per address of the contract's holders, the
-- only argument an address), fixed (one call with the argument arg).  A
-- decode function takes (chain_id, from_block, to_block), decodes the state
-- reads of those blocks that are its own (idempotently), and returns how
-- many rows it added; ingest_decode_reads() calls each one once.  Several
-- reads may share one (slot0() and liquidity() make one row of
-- univ3_pool_states), and a read that only feeds another's row has none.
CREATE TABLE @extschema@.ingest_state_reads (
	read		text PRIMARY KEY CHECK (read ~ '^[A-Za-z_$][A-Za-z0-9_$]*\([A-Za-z0-9,\[\]()]*\)$'),
	module		text NOT NULL CHECK (module ~ '^[a-z][a-z0-9_]{0,62}$'),
	arg_rule	text NOT NULL DEFAULT 'none' CHECK (arg_rule IN ('none', 'holders', 'fixed')),
	arg			text CHECK ((arg IS NOT NULL) = (arg_rule = 'fixed')),
	decode		regproc,
	builtin		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.ingest_state_reads IS
	'Registry: the eth_call reads a watched contract can make, how their argument is chosen, and the function that decodes their answers';

-- A read's row: a decode function of the registry's rule, and arguments that
-- its signature takes.
CREATE FUNCTION @extschema@.ingest_state_reads_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.registry_check_function(NEW.decode, 'ingest_state_reads.decode',
		ARRAY['bigint', 'bigint', 'bigint']::regtype[], 'bigint');
	-- ingest's own decoders have that signature too, and would call themselves.
	IF NEW.decode::oid IN ('@extschema@.ingest_decode_reads'::regproc::oid, '@extschema@.ingest_decode'::regproc::oid) THEN
		RAISE EXCEPTION 'function % cannot be registered in ingest_state_reads.decode: it is ingest''s own', NEW.decode
			USING ERRCODE = 'invalid_function_definition';
	END IF;
	IF NEW.arg_rule = 'none' AND NEW.read !~ '\(\)$' THEN
		RAISE EXCEPTION 'read % takes arguments: its arg_rule cannot be none', NEW.read
			USING ERRCODE = 'invalid_parameter_value';
	ELSIF NEW.arg_rule = 'holders' AND NEW.read !~ '\(address\)$' THEN
		RAISE EXCEPTION 'read % does not take one address: its arg_rule cannot be holders', NEW.read
			USING ERRCODE = 'invalid_parameter_value';
	ELSIF NEW.arg_rule = 'fixed' THEN
		BEGIN
			PERFORM @extschema@.abi_encode_call(NEW.read, pg_catalog.jsonb_build_array(NEW.arg));
		EXCEPTION WHEN OTHERS THEN
			RAISE EXCEPTION 'read % cannot be called with argument "%"', NEW.read, NEW.arg
				USING ERRCODE = 'invalid_parameter_value', DETAIL = SQLERRM;
		END;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER ingest_state_reads_check BEFORE INSERT OR UPDATE ON @extschema@.ingest_state_reads
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_state_reads_check();

-- The kinds a watched contract may have.
CREATE TABLE @extschema@.ingest_contract_kinds (
	kind		text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
	module		text NOT NULL CHECK (module ~ '^[a-z][a-z0-9_]{0,62}$'),
	description	text NOT NULL,
	builtin		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.ingest_contract_kinds IS
	'Registry: the kinds of watched contract';

-- The reads a kind makes when a watched contract names none of its own, one
-- row each (so that each is a registered read and a kind, by reference).
CREATE TABLE @extschema@.ingest_kind_reads (
	kind		text NOT NULL REFERENCES @extschema@.ingest_contract_kinds ON DELETE CASCADE,
	read		text NOT NULL REFERENCES @extschema@.ingest_state_reads,
	builtin		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (kind, read)
);
COMMENT ON TABLE @extschema@.ingest_kind_reads IS
	'Registry: the state reads each kind of watched contract makes by default';

-- A watched contract's own reads are registered reads.  (An array, checked
-- here: its column predates the registry.)
CREATE FUNCTION @extschema@.ingest_reads_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bad text[] := (SELECT pg_catalog.array_agg(r.r ORDER BY r.o) FROM pg_catalog.unnest(NEW.reads) WITH ORDINALITY AS r(r, o)
					WHERE r.r IS NULL OR NOT EXISTS (SELECT 1 FROM @extschema@.ingest_state_reads s WHERE s.read = r.r));
BEGIN
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'unknown state read in %: %', NEW.reads, bad
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Reads are those of amplified.ingest_state_reads: '
					  || (SELECT pg_catalog.string_agg(s.read, ', ' ORDER BY s.read) FROM @extschema@.ingest_state_reads s) || '.';
	END IF;
	RETURN NEW;
END
$$;

-- A read a watched contract names stays registered (a kind's, by its foreign key).
CREATE FUNCTION @extschema@.ingest_state_reads_keep()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.read = OLD.read THEN
		RETURN NEW;
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.watched_contracts w WHERE OLD.read = ANY (w.reads)) THEN
		RAISE EXCEPTION 'state read % is in use', OLD.read
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'A watched contract names it.';
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER ingest_state_reads_keep BEFORE UPDATE OR DELETE ON @extschema@.ingest_state_reads
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_state_reads_keep();
-- The registries' builtin rows are the modules' (registry_keep_builtin).
CREATE TRIGGER ingest_state_reads_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.ingest_state_reads
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin();
CREATE TRIGGER ingest_contract_kinds_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.ingest_contract_kinds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin('description');
CREATE TRIGGER ingest_kind_reads_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.ingest_kind_reads
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin();

INSERT INTO @extschema@.ingest_contract_kinds (kind, module, description, builtin)
VALUES ('generic', 'ingest', 'any contract: its logs, and the reads it names', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_state_reads', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_contract_kinds', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_kind_reads', 'WHERE NOT builtin');

-- Contracts whose logs are ingested.
CREATE TABLE @extschema@.watched_contracts (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	address		@extschema@.address NOT NULL,
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	-- A registered kind (ingest_contract_kinds).
	kind		text NOT NULL DEFAULT 'generic' REFERENCES @extschema@.ingest_contract_kinds,
	from_block	bigint NOT NULL DEFAULT 0 CHECK (from_block >= 0),
	read_every	integer NOT NULL DEFAULT 0 CHECK (read_every >= 0),
	-- Registered reads (ingest_state_reads), checked by ingest_reads_check.
	reads		text[],
	holders		@extschema@.address[] NOT NULL DEFAULT '{}',
	enabled		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, address)
);
COMMENT ON TABLE @extschema@.watched_contracts IS 'Contracts whose logs the ingest worker of their chain ingests';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.watched_contracts', '');
CREATE TRIGGER watched_contracts_reads_check BEFORE INSERT OR UPDATE OF reads ON @extschema@.watched_contracts
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_reads_check();

-- Block headers: every block the head follower passed, and the blocks that
-- hold a backfilled log.
CREATE TABLE @extschema@.blocks (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	number		bigint NOT NULL CHECK (number >= 0),
	hash		@extschema@.bytes32 NOT NULL,
	parent_hash	@extschema@.bytes32 NOT NULL,
	timestamp	timestamptz NOT NULL,
	base_fee	@extschema@.uint256,
	PRIMARY KEY (chain_id, number)
) PARTITION BY RANGE (chain_id, number);
COMMENT ON TABLE @extschema@.blocks IS 'Canonical block headers as ingested; deleting one rolls back everything derived from it';
-- A block's hash, looked up.  Not UNIQUE: a unique index of a partitioned
-- table must hold its partition key, and (chain_id, number, hash) would
-- add nothing to the primary key.  Two stored blocks of a chain cannot share
-- a hash anyway: a header commits to its number, and the worker keeps each
-- stored block's parent hash equal to the hash stored below it.
CREATE INDEX blocks_hash_idx ON @extschema@.blocks (chain_id, hash);
-- The block at a time (ingest_block_at).
CREATE INDEX blocks_time_idx ON @extschema@.blocks (chain_id, timestamp, number);

-- Raw logs of watched contracts.
CREATE TABLE @extschema@.logs (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL CHECK (log_index >= 0),
	tx_hash			@extschema@.bytes32 NOT NULL,
	tx_index		integer NOT NULL CHECK (tx_index >= 0),
	address			@extschema@.address NOT NULL,
	topics			@extschema@.bytes32[] NOT NULL CHECK (cardinality(topics) <= 4),
	data			bytea NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.logs IS 'Logs of watched contracts, raw; decoded tables and abi_decode_log() read them';

-- Where each stream of a chain resumes: "head" for the head follower, and one
-- per watched contract while it is backfilled (it joins the head stream when
-- it catches up).
CREATE TABLE @extschema@.ingest_cursors (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	stream		text NOT NULL,
	next_block	bigint NOT NULL CHECK (next_block >= 0),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, stream)
);
COMMENT ON TABLE @extschema@.ingest_cursors IS 'Next block each ingest stream reads; "head" or a contract address';

-- A watched contract gets its own cursor at its from_block, however its row
-- came (watch_contract, an admin's INSERT, a restore): cursors are not
-- dumped, since the history they point past is not, so a restored contract
-- is backfilled again from its from_block instead of never.  A contract
-- watched again after its row was deleted starts over at its from_block.
CREATE FUNCTION @extschema@.ingest_watched_cursor()
RETURNS trigger
LANGUAGE plpgsql
-- The owner writes ingest_cursors, which admins only read.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO @extschema@.ingest_cursors AS k (chain_id, stream, next_block)
	VALUES (NEW.chain_id, lower(NEW.address::text), NEW.from_block)
	ON CONFLICT (chain_id, stream) DO UPDATE SET next_block = excluded.next_block, updated_at = now();
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_watched_cursor() IS
	'trigger of watched_contracts: a new watched contract''s cursor at its from_block';
REVOKE ALL ON FUNCTION @extschema@.ingest_watched_cursor() FROM PUBLIC;
CREATE TRIGGER watched_contracts_cursor AFTER INSERT ON @extschema@.watched_contracts
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_watched_cursor();

-- What each chain's ingest worker last saw and did.
CREATE TABLE @extschema@.ingest_status (
	chain_id		bigint PRIMARY KEY REFERENCES @extschema@.chains ON DELETE CASCADE,
	state			text NOT NULL CHECK (state IN ('starting', 'running', 'synced', 'node_behind', 'error', 'halted')),
	head			bigint,
	last_error		text,
	last_error_at	timestamptz,
	blocks_total	bigint NOT NULL DEFAULT 0,
	logs_total		bigint NOT NULL DEFAULT 0,
	blocks_per_sec	float8,
	logs_per_sec	float8,
	reorgs			bigint NOT NULL DEFAULT 0,
	getlogs_range	integer,
	updated_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ingest_status IS 'Per chain: state, head, last error and rates of its ingest worker';

-- Every reorg the ingest workers rolled back.
CREATE TABLE @extschema@.ingest_reorgs (
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	detected_at		timestamptz NOT NULL DEFAULT now(),
	fork_block		bigint NOT NULL,
	depth			integer NOT NULL,
	orphaned_hashes	@extschema@.bytes32[] NOT NULL
);
CREATE INDEX ingest_reorgs_chain_idx ON @extschema@.ingest_reorgs (chain_id, detected_at);
COMMENT ON TABLE @extschema@.ingest_reorgs IS 'Reorgs rolled back: the last common block and the orphaned block hashes';

-- ---- decoded events: typed rows for the logs protocols read, keyed like
-- their log, in the tables the protocol modules register (the event
-- decoders below).  Like the log, each references its block with ON DELETE
-- CASCADE, so a reorg takes it too (one cascade per block, not per log).  A
-- log whose topic0 matches but whose shape does not (a contract that reuses
-- the name with other types) is not decoded and stays raw.  The ingest worker
-- decodes in C (src/ingest/decode.c) as it stores the logs; ingest_decode()
-- below is the same decoder in SQL, for re-decoding by hand, and the
-- reference the worker is tested against.

-- The ABI word helpers are not STRICT on purpose: a strict SQL function whose
-- body is not strict (CASE) is not inlined, and these run once per decoded
-- row.  They return NULL for NULL input all the same.

-- The address in an ABI word (12 zero bytes, then 20), or NULL.
CREATE FUNCTION @extschema@.abi_word_address(w bytea)
RETURNS @extschema@.address
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN length(w) = 32 AND substring(w FROM 1 FOR 12) = '\x000000000000000000000000'::bytea
			THEN @extschema@.address_from_bytea(substring(w FROM 13 FOR 20)) END;

-- The int24 in an ABI word (sign-extended), or NULL.
CREATE FUNCTION @extschema@.abi_word_int24(w bytea)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN length(w) = 32
			 AND (substring(w FROM 1 FOR 29) = '\x0000000000000000000000000000000000000000000000000000000000'::bytea
				  AND get_byte(w, 29) < 128
				  OR substring(w FROM 1 FOR 29) = '\xffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'::bytea
				  AND get_byte(w, 29) >= 128)
			THEN (@extschema@.int256_from_bytea(w))::integer END;

-- Word i (0-based) of ABI data.
CREATE FUNCTION @extschema@.abi_word(data bytea, i integer)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN substring(data FROM 1 + 32 * i FOR 32);

-- The event decoders: an event (its signature; topic 0 is its keccak-256,
-- computed here, never written by hand), its shape (topics, topic 0
-- included, and bytes of data), the table its logs are decoded into, and
-- where each of that table's columns after (chain_id, block_number,
-- log_index) comes from.  The worker decodes with them in C as it stores
-- the logs (src/ingest/decode.c, read at each step); ingest_decode() below
-- is the same decoder in SQL, built from the same rows.
CREATE TYPE @extschema@.ingest_event_column AS (
	name	text,				-- the target table's column
	source	text,				-- emitter, topic1..topic3, word0, word1, ...
	type	text				-- address, int24, uint256, int256, bytes32
);
COMMENT ON TYPE @extschema@.ingest_event_column IS
	'One column of an event decoder: the target column, where its value comes from, and its ABI type';

CREATE TABLE @extschema@.ingest_event_decoders (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	module		text NOT NULL CHECK (module ~ '^[a-z][a-z0-9_]{0,62}$'),
	signature	text NOT NULL CHECK (signature ~ '^[A-Za-z_$][A-Za-z0-9_$]*\([A-Za-z0-9,\[\]()]*\)$'),
	topic0		@extschema@.bytes32 GENERATED ALWAYS AS (@extschema@.event_topic(signature)) STORED,
	ntopics		smallint NOT NULL CHECK (ntopics BETWEEN 1 AND 4),
	data_len	integer NOT NULL CHECK (data_len BETWEEN 0 AND 32 * 64 AND data_len % 32 = 0),
	target		regclass NOT NULL,
	columns		@extschema@.ingest_event_column[] NOT NULL CHECK (cardinality(columns) BETWEEN 1 AND 16),
	builtin		boolean NOT NULL DEFAULT false,
	-- One decoder per event and shape: a log is decoded at most once.
	UNIQUE (topic0, ntopics, data_len)
);
COMMENT ON TABLE @extschema@.ingest_event_decoders IS
	'Registry: the events the ingest worker decodes, each into its table, and where each column comes from';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_event_decoders', 'WHERE NOT builtin');

-- A decoder's row: its target is a table the extension's owner owns in its
-- schema (ingest_registry_check_table), with the log's key and exactly the
-- decoder's columns besides, each of its type's SQL type (the worker fills
-- no default); each source exists in the event's shape.  The target's
-- constraints are checked where it is written (ingest_event_target_problem):
-- pg_restore adds them after the registry's rows.
CREATE FUNCTION @extschema@.ingest_event_decoders_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c @extschema@.ingest_event_column;
	idx integer;
	want regtype;
	have regtype;
	named text[] := '{}';
	keys text[] := ARRAY['chain_id', 'block_number', 'log_index'];
	extra text;
	tab text := NEW.target::text;
BEGIN
	PERFORM @extschema@.ingest_registry_check_table(NEW.target, 'ingest_event_decoders');
	FOREACH c IN ARRAY NEW.columns LOOP
		IF c.name IS NULL OR c.name = ANY (keys) OR c.name = ANY (named) THEN
			RAISE EXCEPTION 'event decoder %: column "%" is missing, a key column, or named twice', NEW.name, c.name
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		named := named || c.name;
		want := CASE c.type WHEN 'address' THEN '@extschema@.address' WHEN 'int24' THEN 'integer'
							WHEN 'uint256' THEN '@extschema@.uint256' WHEN 'int256' THEN '@extschema@.int256'
							WHEN 'bytes32' THEN '@extschema@.bytes32' END;
		IF want IS NULL THEN
			RAISE EXCEPTION 'event decoder %: column "%" has type "%"', NEW.name, c.name, c.type
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Types are address, int24, uint256, int256 and bytes32.';
		END IF;
		IF c.source = 'emitter' THEN
			IF c.type <> 'address' THEN
				RAISE EXCEPTION 'event decoder %: column "%" comes from the emitter, an address, not %', NEW.name, c.name, c.type
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSIF c.source ~ '^topic[1-3]$' THEN
			idx := substr(c.source, 6)::integer;
			IF idx >= NEW.ntopics THEN
				RAISE EXCEPTION 'event decoder %: column "%" comes from %, but the event has % topics', NEW.name, c.name, c.source, NEW.ntopics
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSIF c.source ~ '^word(0|[1-9][0-9]?)$' THEN
			idx := substr(c.source, 5)::integer;
			IF idx >= NEW.data_len / 32 THEN
				RAISE EXCEPTION 'event decoder %: column "%" comes from %, but the event has % data words', NEW.name, c.name, c.source, NEW.data_len / 32
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSE
			RAISE EXCEPTION 'event decoder %: column "%" comes from "%"', NEW.name, c.name, c.source
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Sources are emitter, topic1 to topic3, and word0, word1, ...';
		END IF;
		SELECT a.atttypid::regtype INTO have FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = NEW.target AND a.attname = c.name AND a.attnum > 0 AND NOT a.attisdropped;
		IF have IS DISTINCT FROM want THEN
			RAISE EXCEPTION 'event decoder %: table % has no column "%" of type %', NEW.name, tab, c.name, want
				USING ERRCODE = 'invalid_table_definition';
		END IF;
	END LOOP;
	IF (SELECT pg_catalog.array_agg(a.atttypid::regtype::text ORDER BY k.o)
		  FROM pg_catalog.unnest(keys) WITH ORDINALITY AS k(n, o)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid = NEW.target AND a.attname = k.n AND NOT a.attisdropped)
	   IS DISTINCT FROM ARRAY['bigint', 'bigint', 'integer'] THEN
		RAISE EXCEPTION 'event decoder %: table % must have chain_id bigint, block_number bigint and log_index integer', NEW.name, tab
			USING ERRCODE = 'invalid_table_definition';
	END IF;
	SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ') INTO extra FROM pg_catalog.pg_attribute a
	 WHERE a.attrelid = NEW.target AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
	   AND NOT a.attname = ANY (keys || named);
	IF extra IS NOT NULL THEN
		RAISE EXCEPTION 'event decoder %: table % has columns the decoder does not fill: %', NEW.name, tab, extra
			USING ERRCODE = 'invalid_table_definition',
				  DETAIL = 'The worker inserts every column of a decoded row itself; it fills no default.';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER ingest_event_decoders_check BEFORE INSERT OR UPDATE ON @extschema@.ingest_event_decoders
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_event_decoders_check();
CREATE TRIGGER ingest_event_decoders_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.ingest_event_decoders
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin();

-- What keeps a decoder's target from being written, or NULL: a unique key on
-- the log's key (decoding again must add nothing twice) and a reference to
-- its block with ON DELETE CASCADE (a reorg must take its rows).  The worker
-- and ingest_decode() ask before writing it.
CREATE FUNCTION @extschema@.ingest_event_target_problem(target regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE
	WHEN NOT EXISTS (
		SELECT 1 FROM pg_catalog.pg_index i
		 WHERE i.indrelid OPERATOR(pg_catalog.=) target AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
		   AND i.indnkeyatts OPERATOR(pg_catalog.=) 3
		   AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname)
				  FROM pg_catalog.pg_attribute a
				 WHERE a.attrelid OPERATOR(pg_catalog.=) target AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey::int2[]))
			   OPERATOR(pg_catalog.=) ARRAY['block_number', 'chain_id', 'log_index'])
	THEN pg_catalog.format('table %s has no unique key on (chain_id, block_number, log_index)', target)
	WHEN NOT EXISTS (
		SELECT 1 FROM pg_catalog.pg_constraint f
		 WHERE f.conrelid OPERATOR(pg_catalog.=) target AND f.contype OPERATOR(pg_catalog.=) 'f'
		   AND f.confrelid OPERATOR(pg_catalog.=) '@extschema@.blocks'::pg_catalog.regclass
		   AND f.confdeltype OPERATOR(pg_catalog.=) 'c'
		   AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.o)
				  FROM pg_catalog.unnest(f.conkey) WITH ORDINALITY AS k(n, o)
				  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) target AND a.attnum OPERATOR(pg_catalog.=) k.n)
			   OPERATOR(pg_catalog.=) ARRAY['chain_id', 'block_number'])
	THEN pg_catalog.format('table %s does not reference @extschema@.blocks (chain_id, block_number) with ON DELETE CASCADE', target)
END;
COMMENT ON FUNCTION @extschema@.ingest_event_target_problem(regclass) IS
	'why an event decoder''s target table cannot be written (no unique key on the log''s key, no cascading reference to blocks), or NULL';

-- Decode the stored logs of blocks from_block..to_block of a chain with the
-- registered decoders; idempotent (rows decoded already are left alone).
-- One INSERT ... SELECT per decoder, built from its row (identifiers
-- quoted), with the rules of the worker's decoder in C: the log's topic 0
-- and shape must be the decoder's, and a value that does not fit its type
-- (an address word with dirty high bytes, a tick outside int24) leaves the
-- log raw.  Returns the number of rows decoded.
CREATE FUNCTION @extschema@.ingest_decode(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
-- The owner writes the event tables, which admins only read.
SECURITY DEFINER
-- The event tables compare amplified types: their operators live in @extschema@.
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	d @extschema@.ingest_event_decoders;
	c @extschema@.ingest_event_column;
	n bigint;
	total bigint := 0;
	i integer;
	src text;
	cols text;
	exprs text;
	outs text;
	conds text;
BEGIN
	FOR d IN SELECT * FROM @extschema@.ingest_event_decoders ORDER BY name LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = d.target) THEN
			RAISE EXCEPTION 'the target table of event decoder "%" was dropped', d.name
				USING ERRCODE = 'undefined_table',
					  HINT = 'Delete the decoder from amplified.ingest_event_decoders, or register it again.';
		END IF;
		src := @extschema@.ingest_event_target_problem(d.target);
		IF src IS NOT NULL THEN
			RAISE EXCEPTION 'event decoder "%" cannot write its table: %', d.name, src
				USING ERRCODE = 'invalid_table_definition';
		END IF;
		cols := '';
		exprs := '';
		outs := '';
		conds := 'true';
		i := 0;
		FOREACH c IN ARRAY d.columns LOOP
			i := i + 1;
			src := CASE WHEN c.source = 'emitter' THEN 'l.address'
						WHEN c.source ~ '^topic[1-3]$' THEN format('l.topics[%s]::bytea', substr(c.source, 6)::integer + 1)
						ELSE format('@extschema@.abi_word(l.data, %s)', substr(c.source, 5)::integer) END;
			cols := cols || ', ' || quote_ident(c.name);
			exprs := exprs || format(', %s AS c%s', CASE
				WHEN c.source = 'emitter' THEN src
				WHEN c.type = 'address' THEN format('@extschema@.abi_word_address(%s)', src)
				WHEN c.type = 'int24' THEN format('@extschema@.abi_word_int24(%s)', src)
				WHEN c.type = 'uint256' THEN format('@extschema@.uint256_from_bytea(%s)', src)
				WHEN c.type = 'int256' THEN format('@extschema@.int256_from_bytea(%s)', src)
				WHEN c.type = 'bytes32' THEN format('@extschema@.bytes32_from_bytea(%s)', src) END, i);
			outs := outs || format(', d.c%s', i);
			conds := conds || format(' AND d.c%s IS NOT NULL', i);
		END LOOP;
		EXECUTE format('INSERT INTO %s (chain_id, block_number, log_index%s) '
					   'SELECT d.chain_id, d.block_number, d.log_index%s FROM ('
					   'SELECT l.chain_id, l.block_number, l.log_index%s FROM @extschema@.logs AS l '
					   'WHERE l.chain_id = $1 AND l.block_number BETWEEN $2 AND $3 '
					   'AND cardinality(l.topics) = %s AND l.topics[1] OPERATOR(@extschema@.=) $4 '
					   'AND length(l.data) = %s) AS d WHERE %s ON CONFLICT DO NOTHING',
					   (SELECT format('%I.%I', n.nspname, r.relname) FROM pg_class r
						  JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = d.target),
					   cols, outs, exprs, d.ntopics, d.data_len, conds)
			USING ingest_decode.chain_id, from_block, to_block, d.topic0;
		GET DIAGNOSTICS n = ROW_COUNT;
		total := total + n;
	END LOOP;
	RETURN total;
END
$$;

-- ---- state reads: contract state every read_every blocks, pinned to the
-- block hash (EIP-1898), raw in state_reads and decoded into typed tables.

-- Every eth_call the ingest worker made for a block: the answer or the error.
CREATE TABLE @extschema@.state_reads (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	address			@extschema@.address NOT NULL,
	read			text NOT NULL,
	arg				text NOT NULL DEFAULT '',
	result			bytea,
	error			text,
	PRIMARY KEY (chain_id, block_number, address, read, arg),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE,
	CHECK ((result IS NULL) <> (error IS NULL))
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.state_reads IS 'Raw eth_call answers at a block hash; the typed tables decode them';

-- The small unsigned integer in an ABI word (uint8 to uint64), or NULL.
CREATE FUNCTION @extschema@.abi_word_uint(w bytea, bits integer)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN length(w) = 32 AND bits BETWEEN 8 AND 63
			 AND @extschema@.uint256_from_bytea(w) OPERATOR(@extschema@.<)
				 (@extschema@.uint256(1::bigint) OPERATOR(@extschema@.<<) bits)
			THEN (@extschema@.uint256_from_bytea(w))::bigint END;

-- What to read for each enabled contract of a chain: one row per call, with
-- its calldata.  Without explicit reads, the contract's kind decides
-- (ingest_kind_reads); each read's argument rule (ingest_state_reads)
-- says which calls it makes: one without argument, one per holder, or one
-- with its fixed argument.
CREATE FUNCTION @extschema@.ingest_read_plan(chain_id bigint)
RETURNS TABLE (address @extschema@.address, read text, arg text, calldata bytea, read_every integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT w.address, r.read, a.arg,
		   CASE s.arg_rule WHEN 'none' THEN selector(r.read)
			 ELSE abi_encode_call(r.read, jsonb_build_array(a.arg)) END,
		   w.read_every
	  FROM watched_contracts AS w
	 CROSS JOIN LATERAL unnest(coalesce(w.reads,
			ARRAY(SELECT kr.read FROM ingest_kind_reads AS kr WHERE kr.kind = w.kind ORDER BY kr.read))) AS r(read)
	  JOIN ingest_state_reads AS s ON s.read = r.read
	 CROSS JOIN LATERAL (
		SELECT h::text AS arg FROM unnest(w.holders) AS h WHERE s.arg_rule = 'holders'
		UNION ALL SELECT s.arg WHERE s.arg_rule = 'fixed'
		UNION ALL SELECT '' WHERE s.arg_rule = 'none') AS a
	 WHERE w.chain_id = ingest_read_plan.chain_id AND w.enabled AND w.read_every > 0
$$;

-- Decode the state reads of blocks from_block..to_block of a chain; idempotent.
-- Each decode function registered in ingest_state_reads is called once, by
-- its schema-qualified name, in the order of those names; returns the
-- number of rows they added.
CREATE FUNCTION @extschema@.ingest_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
-- The owner writes the protocols' state tables, which admins only read.
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	fn text;
	n bigint;
	total bigint := 0;
BEGIN
	FOR fn IN SELECT DISTINCT registry_call_name(s.decode) AS f FROM ingest_state_reads AS s
			   WHERE s.decode IS NOT NULL ORDER BY f LOOP
		EXECUTE format('SELECT %s($1, $2, $3)', fn) INTO n USING chain_id, from_block, to_block;
		total := total + coalesce(n, 0);
	END LOOP;
	RETURN total;
END
$$;

-- Watch a contract: its logs are ingested from from_block on.
CREATE FUNCTION @extschema@.watch_contract(
	chain_id bigint,
	address @extschema@.address,
	label text,
	kind text DEFAULT 'generic',
	from_block bigint DEFAULT 0,
	read_every integer DEFAULT 0,
	holders @extschema@.address[] DEFAULT '{}',
	reads text[] DEFAULT NULL)
RETURNS @extschema@.watched_contracts
LANGUAGE plpgsql
-- The owner writes ingest_cursors, which admins only read.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.watched_contracts;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.chain_id = watch_contract.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', watch_contract.chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	IF from_block IS NULL OR from_block < 0 THEN
		RAISE EXCEPTION 'from_block must not be negative, not %', from_block
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF kind IS NULL OR NOT EXISTS (SELECT 1 FROM @extschema@.ingest_contract_kinds AS k WHERE k.kind = watch_contract.kind) THEN
		RAISE EXCEPTION 'invalid contract kind: "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Kinds are those of amplified.ingest_contract_kinds: '
					  || (SELECT string_agg(k.kind, ', ' ORDER BY k.kind) FROM @extschema@.ingest_contract_kinds AS k) || '.';
	END IF;
	IF read_every IS NULL OR read_every < 0 THEN
		RAISE EXCEPTION 'read_every must not be negative, not %', read_every
			USING ERRCODE = 'invalid_parameter_value', HINT = '0 reads no state; N reads it every N blocks.';
	END IF;
	INSERT INTO @extschema@.watched_contracts AS w (chain_id, address, label, kind, from_block,
		read_every, reads, holders)
	VALUES (watch_contract.chain_id, watch_contract.address, watch_contract.label,
			watch_contract.kind, watch_contract.from_block, watch_contract.read_every,
			watch_contract.reads, coalesce(watch_contract.holders, '{}'))
	RETURNING * INTO r;
	-- Its own cursor until it catches up with the head stream: the
	-- trigger watched_contracts_cursor made it.
	RETURN r;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'contract % is already watched on chain %', watch_contract.address, watch_contract.chain_id
		USING ERRCODE = 'unique_violation';
END
$$;

-- Resume a chain halted because the node's history differs from the ingested
-- one deeper than the finality depth (a deep reorg, a reset node, another
-- chain with the same chain id): forget every block from rewind_to on, and
-- ingest again from there.
CREATE FUNCTION @extschema@.ingest_resume(chain_id bigint, rewind_to bigint)
RETURNS void
LANGUAGE plpgsql
-- The owner deletes blocks and moves cursors, which admins only read.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rewind_to IS NULL OR rewind_to < 0 THEN
		RAISE EXCEPTION 'rewind_to must not be negative, not %', rewind_to
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM 1 FROM @extschema@.chains AS c WHERE c.chain_id = ingest_resume.chain_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'chain % is not configured', ingest_resume.chain_id USING ERRCODE = 'undefined_object';
	END IF;
	DELETE FROM @extschema@.blocks AS b WHERE b.chain_id = ingest_resume.chain_id AND b.number >= rewind_to;
	UPDATE @extschema@.ingest_cursors AS k SET next_block = rewind_to, updated_at = now()
	 WHERE k.chain_id = ingest_resume.chain_id AND k.next_block > rewind_to;
	UPDATE @extschema@.ingest_status AS s SET state = 'running', updated_at = now()
	 WHERE s.chain_id = ingest_resume.chain_id;
END
$$;

-- Per chain: head, indexed block, lag, state, errors, rates, backfill
-- progress.  A node whose head is below the indexed block shows as
-- node_behind, with the gap in node_behind_by; lag is never negative.
CREATE VIEW @extschema@.v_ingest_status AS
	SELECT c.chain_id, c.name, c.enabled,
		   coalesce(CASE WHEN s.state IN ('running', 'synced') AND s.head < h.next_block - 1
						 THEN 'node_behind' ELSE s.state END,
					CASE WHEN c.enabled THEN 'starting' ELSE 'disabled' END) AS state,
		   s.head,
		   h.next_block - 1 AS indexed_block,
		   CASE WHEN s.head IS NOT NULL AND h.next_block IS NOT NULL
				THEN GREATEST(s.head - (h.next_block - 1), 0) END AS lag,
		   CASE WHEN s.head IS NOT NULL AND h.next_block IS NOT NULL
				THEN GREATEST((h.next_block - 1) - s.head, 0) END AS node_behind_by,
		   s.last_error, s.last_error_at,
		   s.blocks_per_sec, s.logs_per_sec, s.blocks_total, s.logs_total, s.reorgs,
		   s.getlogs_range,
		   bf.done AS backfill_done_blocks,
		   bf.total AS backfill_total_blocks,
		   s.updated_at
	  FROM @extschema@.chains AS c
	  LEFT JOIN @extschema@.ingest_status AS s ON s.chain_id = c.chain_id
	  LEFT JOIN @extschema@.ingest_cursors AS h ON h.chain_id = c.chain_id AND h.stream = 'head'
	  LEFT JOIN LATERAL (
		SELECT sum(LEAST(k.next_block, h.next_block) - w.from_block)::bigint AS done,
			   sum(GREATEST(h.next_block - w.from_block, 0))::bigint AS total
		  FROM @extschema@.watched_contracts AS w
		  JOIN @extschema@.ingest_cursors AS k
			ON k.chain_id = w.chain_id AND k.stream = lower(w.address::text)
		 WHERE w.chain_id = c.chain_id) AS bf ON true;
COMMENT ON VIEW @extschema@.v_ingest_status IS 'Ingestion per chain: head, indexed block, lag (or how far the node is behind), state, last error, rates, backfill progress';

-- ---- read models of the chain data: how other modules see blocks ----

-- The newest block of a chain that is stored (NULL when none).
-- The chain's two newest ranges first (ingest_window_from), everything only
-- when they hold no block: the same answer, without one index probe per
-- range of the chain (strategies ask it every cycle).
CREATE FUNCTION @extschema@.ingest_head_block(chain_id bigint)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	lo bigint := @extschema@.ingest_window_from(chain_id, 9223372036854775807);
	head bigint;
BEGIN
	LOOP
		SELECT max(b.number) INTO head FROM @extschema@.blocks AS b
		 WHERE b.chain_id = ingest_head_block.chain_id AND b.number >= lo;
		IF head IS NOT NULL OR lo = -9223372036854775807 - 1 THEN
			RETURN head;
		END IF;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_head_block(bigint) IS 'the newest stored block of a chain (NULL when none)';

-- The timestamp of a stored block (NULL when it is not stored).
CREATE FUNCTION @extschema@.ingest_block_time(chain_id bigint, block bigint)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT b.timestamp FROM @extschema@.blocks AS b
	 WHERE b.chain_id = ingest_block_time.chain_id AND b.number = ingest_block_time.block;
END;
COMMENT ON FUNCTION @extschema@.ingest_block_time(bigint, bigint) IS 'the timestamp of a stored block (NULL when it is not stored)';

-- The newest stored block at or before a time (NULL when none): the block
-- in effect then, as far as the stored headers tell (the head follower
-- stores every block it passes; a backfill only the blocks holding logs, so
-- there it may be an earlier block).  Block times never decrease along a
-- chain, so this is also the greatest such number; blocks_time_idx serves
-- it.  Bucketed series find the block at each bucket end with it.
-- A time cannot prune the block ranges (src/ingest/partitions.sql), so it
-- looks first in the chain's two newest ranges (ingest_window_from), and
-- below them only when they hold no block that old: as times never
-- decrease, a block found there is the answer.  The bound is a variable, so
-- executor startup pruning leaves out the older ranges.
CREATE FUNCTION @extschema@.ingest_block_at(chain_id bigint, at timestamptz)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	lo bigint := @extschema@.ingest_window_from(chain_id, 9223372036854775807);
	found_block bigint;
BEGIN
	LOOP
		SELECT b.number INTO found_block FROM @extschema@.blocks AS b
		 WHERE b.chain_id = ingest_block_at.chain_id AND b.number >= lo AND b.timestamp <= ingest_block_at.at
		 ORDER BY b.timestamp DESC, b.number DESC LIMIT 1;
		IF found_block IS NOT NULL OR lo = -9223372036854775807 - 1 THEN
			RETURN found_block;
		END IF;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_block_at(bigint, timestamptz) IS 'the newest stored block at or before a time (NULL when none)';

-- Whether a chain's node can answer for a block, asked before anything reads
-- chain state pinned to an ingested block (strategy syncs).  reason is:
--   ok              the node has the block, with the hash ingested
--   not_ingested    the node's head is at or above it, but no hash was
--                   ingested to compare with (available all the same)
--   ingest_halted   the chain's ingestion is halted (no RPC is made)
--   node_behind     the node's head is below the block; it is never asked
--                   for the block itself
--   block_mismatch  the node's block there has another hash: a reorg the
--                   ingest worker has not rolled back yet, or another history
-- With ask_node false no RPC is made: the ingest worker's last view decides.
CREATE FUNCTION @extschema@.ingest_node_has_block(chain_id bigint, block bigint, ask_node boolean DEFAULT true,
	OUT available boolean, OUT reason text, OUT node_head bigint, OUT detail text)
RETURNS record
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	v_state text;
	v_error text;
	stored text;
	theirs jsonb;
BEGIN
	SELECT v.state, v.head, v.last_error INTO v_state, node_head, v_error
	  FROM v_ingest_status AS v WHERE v.chain_id = ingest_node_has_block.chain_id;
	IF v_state = 'halted' THEN
		available := false;
		reason := 'ingest_halted';
		detail := v_error;
		RETURN;
	END IF;
	IF NOT coalesce(ask_node, true) THEN
		IF node_head < block THEN
			available := false;
			reason := 'node_behind';
			detail := format('the node''s head %s is below block %s (at the ingest worker''s last step)', node_head, block);
		ELSE
			available := true;
			reason := 'ok';
		END IF;
		RETURN;
	END IF;
	node_head := eth_block_number(ingest_node_has_block.chain_id);
	IF node_head < block THEN
		available := false;
		reason := 'node_behind';
		detail := format('the node''s head %s is below block %s', node_head, block);
		RETURN;
	END IF;
	SELECT b.hash::text INTO stored FROM blocks AS b
	 WHERE b.chain_id = ingest_node_has_block.chain_id AND b.number = block;
	IF stored IS NULL THEN
		available := true;
		reason := 'not_ingested';
		detail := format('block %s is not ingested: its hash was not compared', block);
		RETURN;
	END IF;
	theirs := rpc_call(ingest_node_has_block.chain_id, 'eth_getBlockByNumber',
					   jsonb_build_array('0x' || to_hex(block), false));
	IF jsonb_typeof(theirs) IS DISTINCT FROM 'object' THEN
		available := false;
		reason := 'node_behind';
		detail := format('the node has no block %s (its head was %s)', block, node_head);
	ELSIF lower(theirs ->> 'hash') IS DISTINCT FROM stored THEN
		available := false;
		reason := 'block_mismatch';
		detail := format('the node''s block %s is %s, ingested %s', block, theirs ->> 'hash', stored);
	ELSE
		available := true;
		reason := 'ok';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_node_has_block(bigint, bigint, boolean) IS
	'Whether the chain''s node has a block (with the ingested hash), without asking it for a block above its head';

-- The launcher starts and stops ingest workers as chains change.
CREATE FUNCTION @extschema@.chains_wake_launcher()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF @extschema@.worker_wakeups() IS NOT NULL THEN
		PERFORM @extschema@.worker_wake_launcher();
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER chains_wake_launcher AFTER INSERT OR UPDATE OR DELETE ON @extschema@.chains
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.chains_wake_launcher();

REVOKE ALL ON TABLE @extschema@.watched_contracts, @extschema@.blocks, @extschema@.logs,
	@extschema@.ingest_cursors, @extschema@.ingest_status, @extschema@.ingest_reorgs FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint, integer, @extschema@.address[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_resume(bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_node_has_block(bigint, bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_node_has_block(bigint, bigint, boolean) TO amplified_analyst;
REVOKE ALL ON FUNCTION @extschema@.ingest_head_block(bigint), @extschema@.ingest_block_time(bigint, bigint),
	@extschema@.ingest_block_at(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_head_block(bigint), @extschema@.ingest_block_time(bigint, bigint),
	@extschema@.ingest_block_at(bigint, timestamptz) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.chains_wake_launcher() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_decode(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_decode_reads(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_read_plan(bigint) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.state_reads FROM PUBLIC;
GRANT SELECT ON @extschema@.state_reads TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_decode_reads(bigint, bigint, bigint) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_read_plan(bigint) TO amplified_reader;
-- The registries: readers see them, the admin adds to them (within the
-- rule their triggers enforce); the triggers' functions are nobody's.
REVOKE ALL ON TABLE @extschema@.ingest_event_decoders, @extschema@.ingest_state_reads,
	@extschema@.ingest_contract_kinds, @extschema@.ingest_kind_reads FROM PUBLIC;
GRANT SELECT ON @extschema@.ingest_event_decoders, @extschema@.ingest_state_reads,
	@extschema@.ingest_contract_kinds, @extschema@.ingest_kind_reads TO amplified_reader;
-- Every column but builtin: the rows shipped with the extension are the
-- install script's, and an admin's rows are configuration that pg_dump keeps.
GRANT INSERT (name, module, signature, ntopics, data_len, target, columns),
	UPDATE (name, module, signature, ntopics, data_len, target, columns), DELETE
	ON @extschema@.ingest_event_decoders TO amplified_admin;
GRANT INSERT (read, module, arg_rule, arg, decode), UPDATE (read, module, arg_rule, arg, decode), DELETE
	ON @extschema@.ingest_state_reads TO amplified_admin;
GRANT INSERT (kind, module, description), UPDATE (kind, module, description), DELETE
	ON @extschema@.ingest_contract_kinds TO amplified_admin;
GRANT INSERT (kind, read), UPDATE (kind, read), DELETE ON @extschema@.ingest_kind_reads TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.ingest_event_decoders_check() FROM PUBLIC;
-- ingest_event_target_problem and ingest_registry_check_table read the
-- catalogs only: left executable by PUBLIC, like registry_check_function.
REVOKE ALL ON FUNCTION @extschema@.ingest_state_reads_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_state_reads_keep() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_reads_check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_decode(bigint, bigint, bigint) TO amplified_admin;
GRANT SELECT ON @extschema@.watched_contracts, @extschema@.blocks, @extschema@.logs,
	@extschema@.ingest_cursors, @extschema@.ingest_status, @extschema@.ingest_reorgs,
	@extschema@.v_ingest_status TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.watched_contracts TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint, integer, @extschema@.address[], text[]) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_resume(bigint, bigint) TO amplified_admin;

-- ---- worker kind "ingest" (registered by IngestInit() in src/ingest/worker.c) ----
-- The launcher calls this, as the extension's owner with search_path pinned,
-- to know which ingest workers to run: one per enabled chain.
CREATE FUNCTION @extschema@.ingest_worker_wanted()
RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.chain_id FROM @extschema@.chains AS c WHERE c.enabled
$$;
COMMENT ON FUNCTION @extschema@.ingest_worker_wanted() IS
	'The chains that get an ingest worker (called by the launcher)';
REVOKE ALL ON FUNCTION @extschema@.ingest_worker_wanted() FROM PUBLIC;
-- ---- end of worker kind "ingest" ----
