-- src/tokens/tokens.sql: ERC-20 tokens, LST/LRT exchange rates and price
-- oracles as chain data: the tables their events and state reads are decoded
-- into, the decoder of those reads, and their rows in the ingest registry
-- (src/ingest/ingest.sql): the Transfer event decoder, the erc20, lst,
-- erc4626 and oracle contract kinds, and the calls those kinds make.

-- ---- events

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
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.erc20_transfers IS 'ERC-20 Transfer(from, to, value) logs of watched contracts';

-- ---- state: what token_decode_reads() makes of the state reads

CREATE TABLE @extschema@.token_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	total_supply	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.token_supplies IS 'ERC-20 totalSupply() at a block';

CREATE TABLE @extschema@.token_balances (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	holder			@extschema@.address NOT NULL,
	balance			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, holder, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.token_balances IS 'ERC-20 balanceOf(holder) at a block, for the holders a contract is watched for';

CREATE TABLE @extschema@.lst_rates (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	method			text NOT NULL CHECK (method IN ('stEthPerToken()', 'getExchangeRate()', 'convertToAssets(uint256)')),
	rate			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, method, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
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
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.oracle_rounds IS 'Chainlink-style latestRoundData() at a block';

-- Decode the token, rate and oracle state reads of blocks
-- from_block..to_block of a chain into the tables above; idempotent.
-- Registered as the decode function of those reads: ingest_decode_reads()
-- calls it as the extension's owner.  Returns the number of rows added.
CREATE FUNCTION @extschema@.token_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n bigint;
	total bigint := 0;
BEGIN
	INSERT INTO token_supplies
	SELECT r.chain_id, r.block_number, r.address, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = token_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'totalSupply()' AND length(r.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO token_balances
	SELECT r.chain_id, r.block_number, r.address, r.arg::address, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = token_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'balanceOf(address)' AND length(r.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO lst_rates
	SELECT r.chain_id, r.block_number, r.address, r.read, uint256_from_bytea(r.result)
	  FROM state_reads AS r
	 WHERE r.chain_id = token_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
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
	 WHERE r.chain_id = token_decode_reads.chain_id AND r.block_number BETWEEN from_block AND to_block
	   AND r.read = 'latestRoundData()' AND length(r.result) = 160
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;
	RETURN total;
END
$$;
COMMENT ON FUNCTION @extschema@.token_decode_reads(bigint, bigint, bigint) IS
	'decode the totalSupply, balanceOf, LST rate and latestRoundData state reads of a block range (the ingest registry calls it)';

-- ---- the ingest registry: the event, the calls and the kinds of contract.

INSERT INTO @extschema@.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns, builtin)
VALUES ('erc20_transfer', 'tokens', 'Transfer(address,address,uint256)', 3, 32, '@extschema@.erc20_transfers',
		ARRAY[('token', 'emitter', 'address'), ('sender', 'topic1', 'address'), ('recipient', 'topic2', 'address'),
			  ('value', 'word0', 'uint256')]::@extschema@.ingest_event_column[], true);

INSERT INTO @extschema@.ingest_state_reads (read, module, arg_rule, arg, decode, builtin) VALUES
	('totalSupply()', 'tokens', 'none', NULL, '@extschema@.token_decode_reads', true),
	('balanceOf(address)', 'tokens', 'holders', NULL, '@extschema@.token_decode_reads', true),
	('stEthPerToken()', 'tokens', 'none', NULL, '@extschema@.token_decode_reads', true),
	('getExchangeRate()', 'tokens', 'none', NULL, '@extschema@.token_decode_reads', true),
	('convertToAssets(uint256)', 'tokens', 'fixed', '1000000000000000000', '@extschema@.token_decode_reads', true),
	('latestRoundData()', 'tokens', 'none', NULL, '@extschema@.token_decode_reads', true);

INSERT INTO @extschema@.ingest_contract_kinds (kind, module, description, builtin) VALUES
	('erc20', 'tokens', 'an ERC-20 token: its supply and its holders'' balances', true),
	('lst', 'tokens', 'a liquid staking token: an ERC-20 with its exchange rate, as whichever rate method it has', true),
	('erc4626', 'tokens', 'an ERC-4626 vault: an ERC-20 with the assets of one share', true),
	('oracle', 'tokens', 'a Chainlink-style price feed', true);
INSERT INTO @extschema@.ingest_kind_reads (kind, read, builtin)
VALUES
	('erc20', 'totalSupply()', true),
	('erc20', 'balanceOf(address)', true),
	('lst', 'totalSupply()', true),
	('lst', 'balanceOf(address)', true),
	('lst', 'stEthPerToken()', true),
	('lst', 'getExchangeRate()', true),
	('lst', 'convertToAssets(uint256)', true),
	('erc4626', 'totalSupply()', true),
	('erc4626', 'balanceOf(address)', true),
	('erc4626', 'convertToAssets(uint256)', true),
	('oracle', 'latestRoundData()', true);

REVOKE ALL ON TABLE @extschema@.erc20_transfers, @extschema@.token_supplies, @extschema@.token_balances,
	@extschema@.lst_rates, @extschema@.oracle_rounds FROM PUBLIC;
GRANT SELECT ON @extschema@.erc20_transfers, @extschema@.token_supplies, @extschema@.token_balances,
	@extschema@.lst_rates, @extschema@.oracle_rounds TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.token_decode_reads(bigint, bigint, bigint) FROM PUBLIC;

-- Retention floor (src/ingest/partitions.sql): the read models answer with
-- the newest row at or before a block, so each key's latest row stays: every
-- LST rate (token, method), oracle round (oracle), balance (token, holder)
-- and supply (token).
CREATE FUNCTION @extschema@.token_retention_floor(chain_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT least(
		(SELECT min(x.latest) FROM (SELECT max(r.block_number) AS latest FROM @extschema@.lst_rates AS r
									 WHERE r.chain_id = token_retention_floor.chain_id GROUP BY r.token, r.method) AS x),
		(SELECT min(x.latest) FROM (SELECT max(o.block_number) AS latest FROM @extschema@.oracle_rounds AS o
									 WHERE o.chain_id = token_retention_floor.chain_id GROUP BY o.oracle) AS x),
		(SELECT min(x.latest) FROM (SELECT max(b.block_number) AS latest FROM @extschema@.token_balances AS b
									 WHERE b.chain_id = token_retention_floor.chain_id GROUP BY b.token, b.holder) AS x),
		(SELECT min(x.latest) FROM (SELECT max(s.block_number) AS latest FROM @extschema@.token_supplies AS s
									 WHERE s.chain_id = token_retention_floor.chain_id GROUP BY s.token) AS x));
END;
COMMENT ON FUNCTION @extschema@.token_retention_floor(bigint) IS
	'the oldest block token read models still need: the latest LST rate, oracle round, balance and supply of each key';
INSERT INTO @extschema@.ingest_retention_floors (name, module, fn, description)
VALUES ('tokens', 'tokens', '@extschema@.token_retention_floor(bigint)',
		'the latest LST rate, oracle round, balance and supply row of each key');
REVOKE ALL ON FUNCTION @extschema@.token_retention_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.token_retention_floor(bigint) TO amplified_reader;
-- The DEFAULT partitions of this module's history tables.
SELECT @extschema@.ingest_partitions_defaults();
