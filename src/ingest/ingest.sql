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
	read_every	integer NOT NULL DEFAULT 0 CHECK (read_every >= 0),
	reads		text[] CHECK (reads <@ ARRAY['totalSupply()', 'balanceOf(address)', 'stEthPerToken()',
								  'getExchangeRate()', 'convertToAssets(uint256)', 'latestRoundData()',
								  'slot0()', 'liquidity()', 'feeGrowthGlobal0X128()',
								  'feeGrowthGlobal1X128()']),
	holders		@extschema@.address[] NOT NULL DEFAULT '{}',
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

-- ---- decoded events: typed rows for the logs every strategy reads, keyed
-- like their log.  Like the log, each references its block with ON DELETE
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

CREATE TABLE @extschema@.erc20_transfers (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	token			@extschema@.address NOT NULL,
	sender			@extschema@.address NOT NULL,
	recipient		@extschema@.address NOT NULL,
	value			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
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
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
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
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
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
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
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
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.univ3_collects IS 'Uniswap v3 pool Collect logs';

-- Decode the stored logs of blocks from_block..to_block of a chain into the
-- tables above; idempotent (rows decoded already are left alone).  The same
-- rules as the worker's decoder in C.  Returns the number of rows decoded.
CREATE FUNCTION @extschema@.ingest_decode(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
-- The owner writes the event tables, which admins only read.
SECURITY DEFINER
-- The event tables compare amplified types: their operators live in @extschema@.
SET search_path = pg_catalog, @extschema@, pg_temp
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
);
COMMENT ON TABLE @extschema@.state_reads IS 'Raw eth_call answers at a block hash; the typed tables decode them';

-- What to read for each enabled contract of a chain: one row per call, with
-- its calldata.  Without explicit reads, the contract's kind decides.
CREATE FUNCTION @extschema@.ingest_read_plan(chain_id bigint)
RETURNS TABLE (address @extschema@.address, read text, arg text, calldata bytea, read_every integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT w.address, r.read, a.arg,
		   CASE r.read
			 WHEN 'balanceOf(address)' THEN abi_encode_call(r.read, jsonb_build_array(a.arg))
			 WHEN 'convertToAssets(uint256)' THEN abi_encode_call(r.read, jsonb_build_array(a.arg))
			 ELSE selector(r.read) END,
		   w.read_every
	  FROM watched_contracts AS w
	 CROSS JOIN LATERAL unnest(coalesce(w.reads, CASE w.kind
			WHEN 'erc20' THEN ARRAY['totalSupply()', 'balanceOf(address)']
			WHEN 'lst' THEN ARRAY['totalSupply()', 'balanceOf(address)', 'stEthPerToken()',
								  'getExchangeRate()', 'convertToAssets(uint256)']
			WHEN 'erc4626' THEN ARRAY['totalSupply()', 'balanceOf(address)', 'convertToAssets(uint256)']
			WHEN 'oracle' THEN ARRAY['latestRoundData()']
			WHEN 'univ3_pool' THEN ARRAY['slot0()', 'liquidity()', 'feeGrowthGlobal0X128()',
										 'feeGrowthGlobal1X128()']
			ELSE '{}'::text[] END)) AS r(read)
	 CROSS JOIN LATERAL (
		SELECT h::text AS arg FROM unnest(w.holders) AS h WHERE r.read = 'balanceOf(address)'
		UNION ALL SELECT '1000000000000000000' WHERE r.read = 'convertToAssets(uint256)'
		UNION ALL SELECT '' WHERE r.read NOT IN ('balanceOf(address)', 'convertToAssets(uint256)')) AS a
	 WHERE w.chain_id = ingest_read_plan.chain_id AND w.enabled AND w.read_every > 0
$$;

CREATE TABLE @extschema@.token_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	total_supply	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.token_supplies IS 'ERC-20 totalSupply() at a block';

CREATE TABLE @extschema@.token_balances (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	holder			@extschema@.address NOT NULL,
	balance			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, holder, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.token_balances IS 'ERC-20 balanceOf(holder) at a block, for the holders a contract is watched for';

CREATE TABLE @extschema@.lst_rates (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	method			text NOT NULL CHECK (method IN ('stEthPerToken()', 'getExchangeRate()', 'convertToAssets(uint256)')),
	rate			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, method, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.lst_rates IS 'LST/LRT exchange rates at a block (18 decimals; convertToAssets of 1e18 shares)';

CREATE TABLE @extschema@.oracle_rounds (
	chain_id			bigint NOT NULL,
	block_number		bigint NOT NULL,
	oracle				@extschema@.address NOT NULL,
	round_id			@extschema@.uint256 NOT NULL,
	answer				@extschema@.int256 NOT NULL,
	started_at			timestamptz,
	updated_at			timestamptz,
	answered_in_round	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, oracle, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.oracle_rounds IS 'Chainlink-style latestRoundData() at a block';

CREATE TABLE @extschema@.univ3_pool_states (
	chain_id				bigint NOT NULL,
	block_number			bigint NOT NULL,
	pool					@extschema@.address NOT NULL,
	sqrt_price_x96			@extschema@.uint256 NOT NULL,
	tick					integer NOT NULL,
	observation_index		integer NOT NULL,
	observation_cardinality	integer NOT NULL,
	observation_cardinality_next integer NOT NULL,
	fee_protocol			integer NOT NULL,
	unlocked				boolean NOT NULL,
	liquidity				@extschema@.uint256,
	fee_growth_global0_x128	@extschema@.uint256,
	fee_growth_global1_x128	@extschema@.uint256,
	PRIMARY KEY (chain_id, pool, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.univ3_pool_states IS 'Uniswap v3 pool slot0(), liquidity() and fee growth at a block';

-- The small unsigned integer in an ABI word (uint8 to uint64), or NULL.
CREATE FUNCTION @extschema@.abi_word_uint(w bytea, bits integer)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN length(w) = 32 AND bits BETWEEN 8 AND 63
			 AND @extschema@.uint256_from_bytea(w) OPERATOR(@extschema@.<)
				 (@extschema@.uint256(1::bigint) OPERATOR(@extschema@.<<) bits)
			THEN (@extschema@.uint256_from_bytea(w))::bigint END;

-- Decode the state reads of blocks from_block..to_block of a chain; idempotent.
CREATE FUNCTION @extschema@.ingest_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n bigint;
	total bigint := 0;
BEGIN
	INSERT INTO token_supplies
	SELECT r.chain_id, r.block_number, r.address, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = ingest_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'totalSupply()' AND length(r.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO token_balances
	SELECT r.chain_id, r.block_number, r.address, r.arg::address, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = ingest_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'balanceOf(address)' AND length(r.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO lst_rates
	SELECT r.chain_id, r.block_number, r.address, r.read, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = ingest_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read IN ('stEthPerToken()', 'getExchangeRate()', 'convertToAssets(uint256)')
	   AND length(r.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO oracle_rounds
	SELECT r.chain_id, r.block_number, r.address,
		   uint256_from_bytea(abi_word(r.result, 0)),
		   int256_from_bytea(abi_word(r.result, 1)),
		   to_timestamp(abi_word_uint(abi_word(r.result, 2), 40)),
		   to_timestamp(abi_word_uint(abi_word(r.result, 3), 40)),
		   uint256_from_bytea(abi_word(r.result, 4))
	  FROM state_reads AS r
	 WHERE r.chain_id = ingest_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'latestRoundData()' AND length(r.result) = 160
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO univ3_pool_states
	SELECT d.chain_id, d.block_number, d.address, d.p, d.t, d.oi, d.oc, d.ocn, d.fp, d.u = 1, d.l, d.f0, d.f1 FROM (
		SELECT s.chain_id, s.block_number, s.address,
			   uint256_from_bytea(abi_word(s.result, 0)) AS p,
			   abi_word_int24(abi_word(s.result, 1)) AS t,
			   abi_word_uint(abi_word(s.result, 2), 16)::int AS oi,
			   abi_word_uint(abi_word(s.result, 3), 16)::int AS oc,
			   abi_word_uint(abi_word(s.result, 4), 16)::int AS ocn,
			   abi_word_uint(abi_word(s.result, 5), 8)::int AS fp,
			   abi_word_uint(abi_word(s.result, 6), 8) AS u,
			   (SELECT uint256_from_bytea(l.result) FROM state_reads l
				 WHERE (l.chain_id, l.block_number, l.address, l.read) = (s.chain_id, s.block_number, s.address, 'liquidity()')
				   AND length(l.result) = 32) AS l,
			   (SELECT uint256_from_bytea(l.result) FROM state_reads l
				 WHERE (l.chain_id, l.block_number, l.address, l.read) = (s.chain_id, s.block_number, s.address, 'feeGrowthGlobal0X128()')
				   AND length(l.result) = 32) AS f0,
			   (SELECT uint256_from_bytea(l.result) FROM state_reads l
				 WHERE (l.chain_id, l.block_number, l.address, l.read) = (s.chain_id, s.block_number, s.address, 'feeGrowthGlobal1X128()')
				   AND length(l.result) = 32) AS f1
		  FROM state_reads AS s
		 WHERE s.chain_id = ingest_decode_reads.chain_id AND s.block_number BETWEEN from_block AND to_block
		   AND s.read = 'slot0()' AND length(s.result) = 224) AS d
	 WHERE d.t IS NOT NULL AND d.oi IS NOT NULL AND d.oc IS NOT NULL AND d.ocn IS NOT NULL
	   AND d.fp IS NOT NULL AND d.u IN (0, 1)
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
	IF kind IS NULL OR kind NOT IN ('generic', 'erc20', 'erc4626', 'lst', 'oracle', 'univ3_pool',
									'univ3_position_manager') THEN
		RAISE EXCEPTION 'invalid contract kind: "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use generic, erc20, erc4626, lst, oracle, univ3_pool or univ3_position_manager.';
	END IF;
	IF read_every IS NULL OR read_every < 0 THEN
		RAISE EXCEPTION 'read_every must not be negative, not %', read_every
			USING ERRCODE = 'invalid_parameter_value', HINT = '0 reads no state; N reads it every N blocks.';
	END IF;
	IF reads IS NOT NULL AND NOT reads <@ ARRAY['totalSupply()', 'balanceOf(address)', 'stEthPerToken()',
			'getExchangeRate()', 'convertToAssets(uint256)', 'latestRoundData()', 'slot0()', 'liquidity()',
			'feeGrowthGlobal0X128()', 'feeGrowthGlobal1X128()'] THEN
		RAISE EXCEPTION 'unknown state read in %', reads
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Reads are totalSupply(), balanceOf(address), stEthPerToken(), getExchangeRate(), '
					  'convertToAssets(uint256), latestRoundData(), slot0(), liquidity(), '
					  'feeGrowthGlobal0X128() and feeGrowthGlobal1X128().';
	END IF;
	INSERT INTO @extschema@.watched_contracts AS w (chain_id, address, label, kind, from_block,
		read_every, reads, holders)
	VALUES (watch_contract.chain_id, watch_contract.address, watch_contract.label,
			watch_contract.kind, watch_contract.from_block, watch_contract.read_every,
			watch_contract.reads, coalesce(watch_contract.holders, '{}'))
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
REVOKE ALL ON FUNCTION @extschema@.chains_wake_launcher() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_decode(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_decode_reads(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_read_plan(bigint) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.state_reads, @extschema@.token_supplies, @extschema@.token_balances,
	@extschema@.lst_rates, @extschema@.oracle_rounds, @extschema@.univ3_pool_states FROM PUBLIC;
GRANT SELECT ON @extschema@.state_reads, @extschema@.token_supplies, @extschema@.token_balances,
	@extschema@.lst_rates, @extschema@.oracle_rounds, @extschema@.univ3_pool_states TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_decode_reads(bigint, bigint, bigint) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_read_plan(bigint) TO amplified_reader;
REVOKE ALL ON TABLE @extschema@.erc20_transfers, @extschema@.univ3_swaps, @extschema@.univ3_mints,
	@extschema@.univ3_burns, @extschema@.univ3_collects FROM PUBLIC;
GRANT SELECT ON @extschema@.erc20_transfers, @extschema@.univ3_swaps, @extschema@.univ3_mints,
	@extschema@.univ3_burns, @extschema@.univ3_collects TO amplified_reader;
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
