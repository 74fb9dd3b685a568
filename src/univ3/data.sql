-- src/univ3/data.sql: Uniswap v3 as chain data: the tables its pool events
-- and pool state are decoded into, the decoder of that state, and its rows
-- in the ingest registry (src/ingest/ingest.sql): the Swap, Mint, Burn and
-- Collect event decoders, the univ3_pool and univ3_position_manager
-- contract kinds, and the calls a pool is read with.

-- ---- events

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
) PARTITION BY RANGE (chain_id, block_number);
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
) PARTITION BY RANGE (chain_id, block_number);
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
) PARTITION BY RANGE (chain_id, block_number);
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
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.univ3_collects IS 'Uniswap v3 pool Collect logs';

-- ---- state: what univ3_decode_reads() makes of the state reads

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
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.univ3_pool_states IS 'Uniswap v3 pool slot0(), liquidity() and fee growth at a block';

-- Decode the pool state reads (slot0() with liquidity() and the fee growth
-- of the same pool and block) of blocks from_block..to_block of a chain into
-- univ3_pool_states; idempotent.  Registered as the decode function of
-- slot0(): ingest_decode_reads() calls it as the extension's owner.  Returns
-- the number of rows added.
CREATE FUNCTION @extschema@.univ3_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
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
		 WHERE s.chain_id = univ3_decode_reads.chain_id AND s.block_number BETWEEN from_block AND to_block
		   AND s.read = 'slot0()' AND length(s.result) = 224) AS d
	 WHERE d.t IS NOT NULL AND d.oi IS NOT NULL AND d.oc IS NOT NULL AND d.ocn IS NOT NULL
	   AND d.fp IS NOT NULL AND d.u IN (0, 1)
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_decode_reads(bigint, bigint, bigint) IS
	'decode the pool state reads (slot0, liquidity, fee growth) of a block range into univ3_pool_states (the ingest registry calls it)';

-- ---- the ingest registry: the pool's events, its calls and the kinds of contract.

INSERT INTO @extschema@.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns, builtin) VALUES
	('univ3_swap', 'univ3', 'Swap(address,address,int256,int256,uint160,uint128,int24)', 3, 160, '@extschema@.univ3_swaps',
	 ARRAY[('pool', 'emitter', 'address'), ('sender', 'topic1', 'address'), ('recipient', 'topic2', 'address'),
		   ('amount0', 'word0', 'int256'), ('amount1', 'word1', 'int256'), ('sqrt_price_x96', 'word2', 'uint256'),
		   ('liquidity', 'word3', 'uint256'), ('tick', 'word4', 'int24')]::@extschema@.ingest_event_column[], true),
	('univ3_mint', 'univ3', 'Mint(address,address,int24,int24,uint128,uint256,uint256)', 4, 128, '@extschema@.univ3_mints',
	 ARRAY[('pool', 'emitter', 'address'), ('sender', 'word0', 'address'), ('owner', 'topic1', 'address'),
		   ('tick_lower', 'topic2', 'int24'), ('tick_upper', 'topic3', 'int24'), ('liquidity', 'word1', 'uint256'),
		   ('amount0', 'word2', 'uint256'), ('amount1', 'word3', 'uint256')]::@extschema@.ingest_event_column[], true),
	('univ3_burn', 'univ3', 'Burn(address,int24,int24,uint128,uint256,uint256)', 4, 96, '@extschema@.univ3_burns',
	 ARRAY[('pool', 'emitter', 'address'), ('owner', 'topic1', 'address'), ('tick_lower', 'topic2', 'int24'),
		   ('tick_upper', 'topic3', 'int24'), ('liquidity', 'word0', 'uint256'), ('amount0', 'word1', 'uint256'),
		   ('amount1', 'word2', 'uint256')]::@extschema@.ingest_event_column[], true),
	('univ3_collect', 'univ3', 'Collect(address,address,int24,int24,uint128,uint128)', 4, 96, '@extschema@.univ3_collects',
	 ARRAY[('pool', 'emitter', 'address'), ('owner', 'topic1', 'address'), ('recipient', 'word0', 'address'),
		   ('tick_lower', 'topic2', 'int24'), ('tick_upper', 'topic3', 'int24'), ('amount0', 'word1', 'uint256'),
		   ('amount1', 'word2', 'uint256')]::@extschema@.ingest_event_column[], true);

INSERT INTO @extschema@.ingest_state_reads (read, module, arg_rule, decode, builtin) VALUES
	('slot0()', 'univ3', 'none', '@extschema@.univ3_decode_reads', true),
	('liquidity()', 'univ3', 'none', NULL, true),
	('feeGrowthGlobal0X128()', 'univ3', 'none', NULL, true),
	('feeGrowthGlobal1X128()', 'univ3', 'none', NULL, true);

INSERT INTO @extschema@.ingest_contract_kinds (kind, module, description, builtin) VALUES
	('univ3_pool', 'univ3', 'a Uniswap v3 pool: its events, and its price, liquidity and fee growth', true),
	('univ3_position_manager', 'univ3', 'the Uniswap v3 NonfungiblePositionManager: its logs', true);
INSERT INTO @extschema@.ingest_kind_reads (kind, read, builtin)
VALUES
	('univ3_pool', 'slot0()', true),
	('univ3_pool', 'liquidity()', true),
	('univ3_pool', 'feeGrowthGlobal0X128()', true),
	('univ3_pool', 'feeGrowthGlobal1X128()', true);

REVOKE ALL ON TABLE @extschema@.univ3_swaps, @extschema@.univ3_mints, @extschema@.univ3_burns,
	@extschema@.univ3_collects, @extschema@.univ3_pool_states FROM PUBLIC;
GRANT SELECT ON @extschema@.univ3_swaps, @extschema@.univ3_mints, @extschema@.univ3_burns,
	@extschema@.univ3_collects, @extschema@.univ3_pool_states TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.univ3_decode_reads(bigint, bigint, bigint) FROM PUBLIC;

-- Retention floor (src/ingest/partitions.sql): the tick map of a pool folds
-- every Mint and Burn stored (univ3_pool_liquidity_net_at), so they all stay;
-- and the latest state row of every pool (univ3_pool_state_at reads the
-- newest row at or before a block).
CREATE FUNCTION @extschema@.univ3_retention_floor(chain_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT least(
		(SELECT min(m.block_number) FROM @extschema@.univ3_mints AS m WHERE m.chain_id = univ3_retention_floor.chain_id),
		(SELECT min(b.block_number) FROM @extschema@.univ3_burns AS b WHERE b.chain_id = univ3_retention_floor.chain_id),
		(SELECT min(x.latest) FROM (SELECT max(s.block_number) AS latest FROM @extschema@.univ3_pool_states AS s
									 WHERE s.chain_id = univ3_retention_floor.chain_id GROUP BY s.pool) AS x));
END;
COMMENT ON FUNCTION @extschema@.univ3_retention_floor(bigint) IS
	'the oldest block Uniswap v3 read models still need: the first stored Mint or Burn, and each pool''s latest state';
INSERT INTO @extschema@.ingest_retention_floors (name, module, fn, description)
VALUES ('univ3', 'univ3', '@extschema@.univ3_retention_floor(bigint)',
		'every Mint and Burn (the tick map folds them all) and each pool''s latest state row');
REVOKE ALL ON FUNCTION @extschema@.univ3_retention_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.univ3_retention_floor(bigint) TO amplified_reader;
-- The DEFAULT partitions of this module's history tables.
SELECT @extschema@.ingest_partitions_defaults();
