-- src/ingest/ingest.sql: what the ingest workers read (watched contracts) and
-- write (blocks, logs, cursors, status).  All chain data is keyed by
-- (chain_id, block_number) and hangs off amplified.blocks with ON DELETE
-- CASCADE, so rolling back a reorg is one DELETE of the orphaned blocks.

-- Contracts whose logs are ingested.
CREATE TABLE @extschema@.watched_contracts (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	address		@extschema@.address NOT NULL,
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	kind		text NOT NULL DEFAULT 'generic'
				CHECK (kind IN ('generic', 'erc20', 'erc4626', 'lst', 'oracle', 'univ3_pool',
								'univ3_position_manager')),
	from_block	bigint NOT NULL DEFAULT 0 CHECK (from_block >= 0),
	enabled		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, address)
);
COMMENT ON TABLE @extschema@.watched_contracts IS 'Contracts whose logs the ingest worker of their chain ingests';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.watched_contracts', '');

-- Block headers: every block the head follower passed, and the blocks that
-- hold a backfilled log.
CREATE TABLE @extschema@.blocks (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	number		bigint NOT NULL CHECK (number >= 0),
	hash		@extschema@.bytes32 NOT NULL,
	parent_hash	@extschema@.bytes32 NOT NULL,
	timestamp	timestamptz NOT NULL,
	base_fee	@extschema@.uint256,
	PRIMARY KEY (chain_id, number),
	UNIQUE (chain_id, hash)
);
COMMENT ON TABLE @extschema@.blocks IS 'Canonical block headers as ingested; deleting one rolls back everything derived from it';

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
);
CREATE INDEX logs_address_idx ON @extschema@.logs (chain_id, address, block_number);
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

-- What each chain's ingest worker last saw and did.
CREATE TABLE @extschema@.ingest_status (
	chain_id		bigint PRIMARY KEY REFERENCES @extschema@.chains ON DELETE CASCADE,
	state			text NOT NULL CHECK (state IN ('starting', 'running', 'synced', 'error', 'halted')),
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

-- ---- decoded events: typed rows for the logs every strategy reads.  Each
-- references its log with ON DELETE CASCADE, so a reorg takes it too.  A log
-- whose topic0 matches but whose shape does not (a contract that reuses the
-- name with other types) is not decoded and stays raw.

-- The address in an ABI word (12 zero bytes, then 20), or NULL.
CREATE FUNCTION @extschema@.abi_word_address(w bytea)
RETURNS @extschema@.address
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN length(w) = 32 AND substring(w FROM 1 FOR 12) = '\x000000000000000000000000'::bytea
			THEN @extschema@.address_from_bytea(substring(w FROM 13 FOR 20)) END;

-- The int24 in an ABI word (sign-extended), or NULL.
CREATE FUNCTION @extschema@.abi_word_int24(w bytea)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN length(w) = 32
			 AND (substring(w FROM 1 FOR 29) = '\x0000000000000000000000000000000000000000000000000000000000'::bytea
				  AND get_byte(w, 29) < 128
				  OR substring(w FROM 1 FOR 29) = '\xffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'::bytea
				  AND get_byte(w, 29) >= 128)
			THEN (@extschema@.int256_from_bytea(w))::integer END;

-- Word i (0-based) of ABI data.
CREATE FUNCTION @extschema@.abi_word(data bytea, i integer)
RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN substring(data FROM 1 + 32 * i FOR 32);

CREATE TABLE @extschema@.erc20_transfers (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	token			@extschema@.address NOT NULL,
	sender			@extschema@.address NOT NULL,
	recipient		@extschema@.address NOT NULL,
	value			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number, log_index) REFERENCES @extschema@.logs ON DELETE CASCADE
);
CREATE INDEX erc20_transfers_token_idx ON @extschema@.erc20_transfers (chain_id, token, block_number);
COMMENT ON TABLE @extschema@.erc20_transfers IS 'ERC-20 Transfer(from, to, value) logs of watched contracts';

CREATE TABLE @extschema@.univ3_swaps (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	sender			@extschema@.address NOT NULL,
	recipient		@extschema@.address NOT NULL,
	amount0			@extschema@.int256 NOT NULL,
	amount1			@extschema@.int256 NOT NULL,
	sqrt_price_x96	@extschema@.uint256 NOT NULL,
	liquidity		@extschema@.uint256 NOT NULL,
	tick			integer NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number, log_index) REFERENCES @extschema@.logs ON DELETE CASCADE
);
CREATE INDEX univ3_swaps_pool_idx ON @extschema@.univ3_swaps (chain_id, pool, block_number);
COMMENT ON TABLE @extschema@.univ3_swaps IS 'Uniswap v3 Swap logs: amounts as the pool saw them, price, liquidity and tick after';

CREATE TABLE @extschema@.univ3_mints (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	sender			@extschema@.address NOT NULL,
	owner			@extschema@.address NOT NULL,
	tick_lower		integer NOT NULL,
	tick_upper		integer NOT NULL,
	liquidity		@extschema@.uint256 NOT NULL,
	amount0			@extschema@.uint256 NOT NULL,
	amount1			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number, log_index) REFERENCES @extschema@.logs ON DELETE CASCADE
);
CREATE INDEX univ3_mints_pool_idx ON @extschema@.univ3_mints (chain_id, pool, block_number);
COMMENT ON TABLE @extschema@.univ3_mints IS 'Uniswap v3 Mint logs';

CREATE TABLE @extschema@.univ3_burns (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	owner			@extschema@.address NOT NULL,
	tick_lower		integer NOT NULL,
	tick_upper		integer NOT NULL,
	liquidity		@extschema@.uint256 NOT NULL,
	amount0			@extschema@.uint256 NOT NULL,
	amount1			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number, log_index) REFERENCES @extschema@.logs ON DELETE CASCADE
);
CREATE INDEX univ3_burns_pool_idx ON @extschema@.univ3_burns (chain_id, pool, block_number);
COMMENT ON TABLE @extschema@.univ3_burns IS 'Uniswap v3 Burn logs';

CREATE TABLE @extschema@.univ3_collects (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	owner			@extschema@.address NOT NULL,
	recipient		@extschema@.address NOT NULL,
	tick_lower		integer NOT NULL,
	tick_upper		integer NOT NULL,
	amount0			@extschema@.uint256 NOT NULL,
	amount1			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number, log_index) REFERENCES @extschema@.logs ON DELETE CASCADE
);
CREATE INDEX univ3_collects_pool_idx ON @extschema@.univ3_collects (chain_id, pool, block_number);
COMMENT ON TABLE @extschema@.univ3_collects IS 'Uniswap v3 pool Collect logs';

-- Decode the logs of blocks from_block..to_block of a chain into the tables
-- above; idempotent.  The ingest worker calls it in the transaction that
-- stores the logs.  Returns the number of rows decoded.
CREATE FUNCTION @extschema@.ingest_decode(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
-- The event tables compare amplified types: their operators live in @extschema@.
SET search_path = @extschema@, pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	total bigint := 0;
	t_transfer @extschema@.bytes32 := @extschema@.event_topic('Transfer(address,address,uint256)');
	t_swap @extschema@.bytes32 := @extschema@.event_topic('Swap(address,address,int256,int256,uint160,uint128,int24)');
	t_mint @extschema@.bytes32 := @extschema@.event_topic('Mint(address,address,int24,int24,uint128,uint256,uint256)');
	t_burn @extschema@.bytes32 := @extschema@.event_topic('Burn(address,int24,int24,uint128,uint256,uint256)');
	t_collect @extschema@.bytes32 := @extschema@.event_topic('Collect(address,address,int24,int24,uint128,uint128)');
BEGIN
	INSERT INTO @extschema@.erc20_transfers
	SELECT * FROM (
		SELECT l.chain_id, l.block_number, l.log_index, l.address,
			   @extschema@.abi_word_address(l.topics[2]::bytea) AS s,
			   @extschema@.abi_word_address(l.topics[3]::bytea) AS r,
			   @extschema@.uint256_from_bytea(l.data)
		  FROM @extschema@.logs AS l
		 WHERE l.chain_id = ingest_decode.chain_id
		   AND l.block_number BETWEEN from_block AND to_block
		   AND cardinality(l.topics) = 3 AND l.topics[1] = t_transfer AND length(l.data) = 32) AS d
	 WHERE d.s IS NOT NULL AND d.r IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO @extschema@.univ3_swaps
	SELECT * FROM (
		SELECT l.chain_id, l.block_number, l.log_index, l.address,
			   @extschema@.abi_word_address(l.topics[2]::bytea) AS s,
			   @extschema@.abi_word_address(l.topics[3]::bytea) AS r,
			   @extschema@.int256_from_bytea(@extschema@.abi_word(l.data, 0)),
			   @extschema@.int256_from_bytea(@extschema@.abi_word(l.data, 1)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 2)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 3)),
			   @extschema@.abi_word_int24(@extschema@.abi_word(l.data, 4)) AS tick
		  FROM @extschema@.logs AS l
		 WHERE l.chain_id = ingest_decode.chain_id
		   AND l.block_number BETWEEN from_block AND to_block
		   AND cardinality(l.topics) = 3 AND l.topics[1] = t_swap AND length(l.data) = 160) AS d
	 WHERE d.s IS NOT NULL AND d.r IS NOT NULL AND d.tick IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO @extschema@.univ3_mints
	SELECT * FROM (
		SELECT l.chain_id, l.block_number, l.log_index, l.address,
			   @extschema@.abi_word_address(@extschema@.abi_word(l.data, 0)) AS s,
			   @extschema@.abi_word_address(l.topics[2]::bytea) AS o,
			   @extschema@.abi_word_int24(l.topics[3]::bytea) AS lo,
			   @extschema@.abi_word_int24(l.topics[4]::bytea) AS hi,
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 1)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 2)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 3))
		  FROM @extschema@.logs AS l
		 WHERE l.chain_id = ingest_decode.chain_id
		   AND l.block_number BETWEEN from_block AND to_block
		   AND cardinality(l.topics) = 4 AND l.topics[1] = t_mint AND length(l.data) = 128) AS d
	 WHERE d.s IS NOT NULL AND d.o IS NOT NULL AND d.lo IS NOT NULL AND d.hi IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO @extschema@.univ3_burns
	SELECT * FROM (
		SELECT l.chain_id, l.block_number, l.log_index, l.address,
			   @extschema@.abi_word_address(l.topics[2]::bytea) AS o,
			   @extschema@.abi_word_int24(l.topics[3]::bytea) AS lo,
			   @extschema@.abi_word_int24(l.topics[4]::bytea) AS hi,
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 0)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 1)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 2))
		  FROM @extschema@.logs AS l
		 WHERE l.chain_id = ingest_decode.chain_id
		   AND l.block_number BETWEEN from_block AND to_block
		   AND cardinality(l.topics) = 4 AND l.topics[1] = t_burn AND length(l.data) = 96) AS d
	 WHERE d.o IS NOT NULL AND d.lo IS NOT NULL AND d.hi IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO @extschema@.univ3_collects
	SELECT * FROM (
		SELECT l.chain_id, l.block_number, l.log_index, l.address,
			   @extschema@.abi_word_address(l.topics[2]::bytea) AS o,
			   @extschema@.abi_word_address(@extschema@.abi_word(l.data, 0)) AS r,
			   @extschema@.abi_word_int24(l.topics[3]::bytea) AS lo,
			   @extschema@.abi_word_int24(l.topics[4]::bytea) AS hi,
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 1)),
			   @extschema@.uint256_from_bytea(@extschema@.abi_word(l.data, 2))
		  FROM @extschema@.logs AS l
		 WHERE l.chain_id = ingest_decode.chain_id
		   AND l.block_number BETWEEN from_block AND to_block
		   AND cardinality(l.topics) = 4 AND l.topics[1] = t_collect AND length(l.data) = 96) AS d
	 WHERE d.o IS NOT NULL AND d.r IS NOT NULL AND d.lo IS NOT NULL AND d.hi IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN total + n;
END
$$;

-- Watch a contract: its logs are ingested from from_block on.
CREATE FUNCTION @extschema@.watch_contract(
	chain_id bigint,
	address @extschema@.address,
	label text,
	kind text DEFAULT 'generic',
	from_block bigint DEFAULT 0)
RETURNS @extschema@.watched_contracts
LANGUAGE plpgsql
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
	IF kind IS NULL OR kind NOT IN ('generic', 'erc20', 'erc4626', 'lst', 'oracle', 'univ3_pool',
									'univ3_position_manager') THEN
		RAISE EXCEPTION 'invalid contract kind: "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use generic, erc20, erc4626, lst, oracle, univ3_pool or univ3_position_manager.';
	END IF;
	INSERT INTO @extschema@.watched_contracts AS w (chain_id, address, label, kind, from_block)
	VALUES (watch_contract.chain_id, watch_contract.address, watch_contract.label,
			watch_contract.kind, watch_contract.from_block)
	RETURNING * INTO r;
	-- Its own cursor until it catches up with the head stream.
	INSERT INTO @extschema@.ingest_cursors (chain_id, stream, next_block)
	VALUES (watch_contract.chain_id, lower(watch_contract.address::text), watch_contract.from_block);
	RETURN r;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'contract % is already watched on chain %', watch_contract.address, watch_contract.chain_id
		USING ERRCODE = 'unique_violation';
END
$$;

-- Resume a chain halted by a reorg deeper than its finality depth: forget
-- every block from rewind_to on, and ingest again from there.
CREATE FUNCTION @extschema@.ingest_resume(chain_id bigint, rewind_to bigint)
RETURNS void
LANGUAGE plpgsql
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

-- Per chain: head, indexed block, lag, state, errors, rates, backfill progress.
CREATE VIEW @extschema@.v_ingest_status AS
	SELECT c.chain_id, c.name, c.enabled,
		   coalesce(s.state, CASE WHEN c.enabled THEN 'starting' ELSE 'disabled' END) AS state,
		   s.head,
		   h.next_block - 1 AS indexed_block,
		   s.head - (h.next_block - 1) AS lag,
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
COMMENT ON VIEW @extschema@.v_ingest_status IS 'Ingestion per chain: head, indexed block, lag, state, last error, rates, backfill progress';

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
REVOKE ALL ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_resume(bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.chains_wake_launcher() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_decode(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.erc20_transfers, @extschema@.univ3_swaps, @extschema@.univ3_mints,
	@extschema@.univ3_burns, @extschema@.univ3_collects FROM PUBLIC;
GRANT SELECT ON @extschema@.erc20_transfers, @extschema@.univ3_swaps, @extschema@.univ3_mints,
	@extschema@.univ3_burns, @extschema@.univ3_collects TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_decode(bigint, bigint, bigint) TO amplified_admin;
GRANT SELECT ON @extschema@.watched_contracts, @extschema@.blocks, @extschema@.logs,
	@extschema@.ingest_cursors, @extschema@.ingest_status, @extschema@.ingest_reorgs,
	@extschema@.v_ingest_status TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.watched_contracts TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_resume(bigint, bigint) TO amplified_admin;
