-- src/lending/data.sql: Morpho Blue and Aave v3 as chain data: the tables
-- their events and state reads are decoded into, the decoders of that
-- state, and their rows in the ingest registry (src/ingest/ingest.sql).
--
-- Morpho Blue is event-sourced: every change of a market's totals and of a
-- position is an event (Supply, Withdraw, Borrow, Repay, SupplyCollateral,
-- WithdrawCollateral, Liquidate, AccrueInterest), so the read models
-- (read.sql) rebuild the exact state at any block from these tables; the
-- AdaptiveCurveIrm's BorrowRateUpdate gives the rate at target, and the
-- oracle's price() is a state read (Morpho oracles emit nothing).
--
-- Aave v3 keeps scaled balances that change at every interaction, so its
-- positions come from state reads pinned to a block: the Pool's
-- getReserveData(asset) (configuration, indexes, rates, token addresses)
-- and getUserAccountData(user), the aTokens' and debt tokens'
-- scaledBalanceOf(user) and scaledTotalSupply(), and the AaveOracle's
-- getAssetPrice(asset), each for the addresses a contract is watched with
-- (its holders: the users, or for the Pool and the oracle the reserves'
-- assets).  The Pool's events (ReserveDataUpdated, Supply, Withdraw,
-- Borrow, Repay, LiquidationCall, UserEModeSet) are decoded too: the index
-- and rate updates at every interaction, and the flows.

-- ---- Morpho Blue events

CREATE TABLE @extschema@.morpho_markets (
	chain_id			bigint NOT NULL,
	block_number		bigint NOT NULL,
	log_index			integer NOT NULL,
	morpho				@extschema@.address NOT NULL,
	id					@extschema@.bytes32 NOT NULL,
	loan_token			@extschema@.address NOT NULL,
	collateral_token	@extschema@.address NOT NULL,
	oracle				@extschema@.address NOT NULL,
	irm					@extschema@.address NOT NULL,
	lltv				@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_markets_id_idx ON @extschema@.morpho_markets (chain_id, id);
COMMENT ON TABLE @extschema@.morpho_markets IS 'Morpho Blue CreateMarket logs: a market''s id and its parameters';

-- Supply and Repay have the same shape; so have Withdraw and Borrow.
CREATE TABLE @extschema@.morpho_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	assets			@extschema@.uint256 NOT NULL,
	shares			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_supplies_id_idx ON @extschema@.morpho_supplies (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_supplies IS 'Morpho Blue Supply logs: loan assets supplied and supply shares minted';

CREATE TABLE @extschema@.morpho_repays (LIKE @extschema@.morpho_supplies INCLUDING INDEXES,
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.morpho_repays IS 'Morpho Blue Repay logs: loan assets repaid and borrow shares burned';

CREATE TABLE @extschema@.morpho_withdraws (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	receiver		@extschema@.address NOT NULL,
	assets			@extschema@.uint256 NOT NULL,
	shares			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_withdraws_id_idx ON @extschema@.morpho_withdraws (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_withdraws IS 'Morpho Blue Withdraw logs: loan assets withdrawn and supply shares burned';

CREATE TABLE @extschema@.morpho_borrows (LIKE @extschema@.morpho_withdraws INCLUDING INDEXES,
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.morpho_borrows IS 'Morpho Blue Borrow logs: loan assets borrowed and borrow shares minted';

CREATE TABLE @extschema@.morpho_collateral_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	assets			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_collateral_supplies_id_idx ON @extschema@.morpho_collateral_supplies (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_collateral_supplies IS 'Morpho Blue SupplyCollateral logs';

CREATE TABLE @extschema@.morpho_collateral_withdraws (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	receiver		@extschema@.address NOT NULL,
	assets			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_collateral_withdraws_id_idx ON @extschema@.morpho_collateral_withdraws (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_collateral_withdraws IS 'Morpho Blue WithdrawCollateral logs';

CREATE TABLE @extschema@.morpho_liquidations (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	caller			@extschema@.address NOT NULL,
	borrower		@extschema@.address NOT NULL,
	repaid_assets	@extschema@.uint256 NOT NULL,
	repaid_shares	@extschema@.uint256 NOT NULL,
	seized_assets	@extschema@.uint256 NOT NULL,
	bad_debt_assets	@extschema@.uint256 NOT NULL,
	bad_debt_shares	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_liquidations_id_idx ON @extschema@.morpho_liquidations (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_liquidations IS 'Morpho Blue Liquidate logs: debt repaid, collateral seized, bad debt realized';

CREATE TABLE @extschema@.morpho_accruals (
	chain_id			bigint NOT NULL,
	block_number		bigint NOT NULL,
	log_index			integer NOT NULL,
	morpho				@extschema@.address NOT NULL,
	id					@extschema@.bytes32 NOT NULL,
	prev_borrow_rate	@extschema@.uint256 NOT NULL,
	interest			@extschema@.uint256 NOT NULL,
	fee_shares			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_accruals_id_idx ON @extschema@.morpho_accruals (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_accruals IS 'Morpho Blue AccrueInterest logs: the borrow rate applied, interest and fee shares';

CREATE TABLE @extschema@.morpho_fee_sets (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	id				@extschema@.bytes32 NOT NULL,
	fee				@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.morpho_fee_sets IS 'Morpho Blue SetFee logs: a market''s fee (WAD fraction of interest)';

CREATE TABLE @extschema@.morpho_fee_recipients (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	morpho			@extschema@.address NOT NULL,
	recipient		@extschema@.address NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.morpho_fee_recipients IS 'Morpho Blue SetFeeRecipient logs: who receives the fee shares';

CREATE TABLE @extschema@.morpho_irm_updates (
	chain_id			bigint NOT NULL,
	block_number		bigint NOT NULL,
	log_index			integer NOT NULL,
	irm					@extschema@.address NOT NULL,
	id					@extschema@.bytes32 NOT NULL,
	avg_borrow_rate		@extschema@.uint256 NOT NULL,
	rate_at_target		@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX morpho_irm_updates_id_idx ON @extschema@.morpho_irm_updates (chain_id, id, block_number);
COMMENT ON TABLE @extschema@.morpho_irm_updates IS 'AdaptiveCurveIrm BorrowRateUpdate logs: average borrow rate and rate at target (per second, WAD)';

-- ---- Morpho oracle prices: what morpho_decode_reads() makes of price()

CREATE TABLE @extschema@.morpho_oracle_prices (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	oracle			@extschema@.address NOT NULL,
	price			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, oracle, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.morpho_oracle_prices IS 'Morpho oracle price() at a block: collateral in loan token, scaled 1e36';

-- Decode the price() reads of contracts watched as morpho_oracle; idempotent.
CREATE FUNCTION @extschema@.morpho_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	INSERT INTO morpho_oracle_prices (chain_id, block_number, oracle, price)
	SELECT s.chain_id, s.block_number, s.address, uint256_from_bytea(s.result)
	  FROM state_reads AS s
	  JOIN watched_contracts AS w ON w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'morpho_oracle'
	 WHERE s.chain_id = morpho_decode_reads.chain_id
	   AND s.block_number BETWEEN morpho_decode_reads.from_block AND morpho_decode_reads.to_block
	   AND s.read = 'price()' AND length(s.result) = 32
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.morpho_decode_reads(bigint, bigint, bigint) IS
	'decode the Morpho oracles'' price() reads of a block range into morpho_oracle_prices (the ingest registry calls it)';

-- ---- Aave v3 events

CREATE TABLE @extschema@.aave_reserve_updates (
	chain_id				bigint NOT NULL,
	block_number			bigint NOT NULL,
	log_index				integer NOT NULL,
	pool					@extschema@.address NOT NULL,
	asset					@extschema@.address NOT NULL,
	liquidity_rate			@extschema@.uint256 NOT NULL,
	stable_borrow_rate		@extschema@.uint256 NOT NULL,
	variable_borrow_rate	@extschema@.uint256 NOT NULL,
	liquidity_index			@extschema@.uint256 NOT NULL,
	variable_borrow_index	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
CREATE INDEX aave_reserve_updates_asset_idx ON @extschema@.aave_reserve_updates (chain_id, pool, asset, block_number);
COMMENT ON TABLE @extschema@.aave_reserve_updates IS
	'Aave v3 ReserveDataUpdated logs: a reserve''s rates (ray, per year) and indexes (ray) after an interaction, as of its block''s time';

CREATE TABLE @extschema@.aave_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	asset			@extschema@.address NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	amount			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_supplies IS 'Aave v3 Supply logs';

CREATE TABLE @extschema@.aave_withdraws (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	asset			@extschema@.address NOT NULL,
	owner			@extschema@.address NOT NULL,
	receiver		@extschema@.address NOT NULL,
	amount			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_withdraws IS 'Aave v3 Withdraw logs';

CREATE TABLE @extschema@.aave_borrows (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	asset			@extschema@.address NOT NULL,
	caller			@extschema@.address NOT NULL,
	on_behalf		@extschema@.address NOT NULL,
	amount			@extschema@.uint256 NOT NULL,
	rate_mode		@extschema@.uint256 NOT NULL,
	borrow_rate		@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_borrows IS 'Aave v3 Borrow logs (rate_mode 2 is variable)';

CREATE TABLE @extschema@.aave_repays (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	asset			@extschema@.address NOT NULL,
	owner			@extschema@.address NOT NULL,
	repayer			@extschema@.address NOT NULL,
	amount			@extschema@.uint256 NOT NULL,
	use_atokens		@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_repays IS 'Aave v3 Repay logs (use_atokens 1 when repaid with aTokens)';

CREATE TABLE @extschema@.aave_liquidations (
	chain_id				bigint NOT NULL,
	block_number			bigint NOT NULL,
	log_index				integer NOT NULL,
	pool					@extschema@.address NOT NULL,
	collateral_asset		@extschema@.address NOT NULL,
	debt_asset				@extschema@.address NOT NULL,
	borrower				@extschema@.address NOT NULL,
	debt_to_cover			@extschema@.uint256 NOT NULL,
	collateral_liquidated	@extschema@.uint256 NOT NULL,
	liquidator				@extschema@.address NOT NULL,
	receive_atoken			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_liquidations IS 'Aave v3 LiquidationCall logs';

CREATE TABLE @extschema@.aave_emode_sets (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL,
	pool			@extschema@.address NOT NULL,
	account			@extschema@.address NOT NULL,
	category		@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_emode_sets IS 'Aave v3 UserEModeSet logs: the e-mode category an account chose (0: none)';

-- ---- Aave v3 state: what aave_decode_reads() makes of the reads

CREATE TABLE @extschema@.aave_reserve_states (
	chain_id				bigint NOT NULL,
	block_number			bigint NOT NULL,
	pool					@extschema@.address NOT NULL,
	asset					@extschema@.address NOT NULL,
	configuration			@extschema@.uint256 NOT NULL,
	ltv_bps					integer NOT NULL,
	liquidation_threshold_bps integer NOT NULL,
	liquidation_bonus_bps	integer NOT NULL,
	decimals				integer NOT NULL,
	active					boolean NOT NULL,
	frozen					boolean NOT NULL,
	borrowing_enabled		boolean NOT NULL,
	paused					boolean NOT NULL,
	reserve_factor_bps		integer NOT NULL,
	borrow_cap				numeric NOT NULL,
	supply_cap				numeric NOT NULL,
	emode_category			integer NOT NULL,
	liquidity_index			@extschema@.uint256 NOT NULL,
	liquidity_rate			@extschema@.uint256 NOT NULL,
	variable_borrow_index	@extschema@.uint256 NOT NULL,
	variable_borrow_rate	@extschema@.uint256 NOT NULL,
	stable_borrow_rate		@extschema@.uint256 NOT NULL,
	last_update				bigint NOT NULL,
	atoken					@extschema@.address NOT NULL,
	stable_debt_token		@extschema@.address NOT NULL,
	variable_debt_token		@extschema@.address NOT NULL,
	rate_strategy			@extschema@.address NOT NULL,
	accrued_to_treasury		@extschema@.uint256 NOT NULL,
	unbacked				@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, pool, asset, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_reserve_states IS
	'Aave v3 Pool.getReserveData(asset) at a block: the configuration decoded (LTV, liquidation threshold and bonus, reserve factor, caps, e-mode), indexes, rates and tokens';

CREATE TABLE @extschema@.aave_account_states (
	chain_id				bigint NOT NULL,
	block_number			bigint NOT NULL,
	pool					@extschema@.address NOT NULL,
	account					@extschema@.address NOT NULL,
	total_collateral_base	@extschema@.uint256 NOT NULL,
	total_debt_base			@extschema@.uint256 NOT NULL,
	available_borrows_base	@extschema@.uint256 NOT NULL,
	liquidation_threshold_bps integer NOT NULL,
	ltv_bps					integer NOT NULL,
	health_factor			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, pool, account, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_account_states IS
	'Aave v3 Pool.getUserAccountData(account) at a block: collateral and debt in the oracle''s base currency, weighted thresholds (bps), health factor (WAD)';

CREATE TABLE @extschema@.aave_scaled_balances (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	holder			@extschema@.address NOT NULL,
	scaled_balance	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, holder, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_scaled_balances IS
	'Aave v3 aToken or debt token scaledBalanceOf(holder) at a block: the balance divided by the index';

CREATE TABLE @extschema@.aave_scaled_supplies (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	token			@extschema@.address NOT NULL,
	scaled_supply	@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, token, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_scaled_supplies IS 'Aave v3 aToken or debt token scaledTotalSupply() at a block';

CREATE TABLE @extschema@.aave_prices (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	oracle			@extschema@.address NOT NULL,
	asset			@extschema@.address NOT NULL,
	price			@extschema@.uint256 NOT NULL,
	PRIMARY KEY (chain_id, oracle, asset, block_number),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
) PARTITION BY RANGE (chain_id, block_number);
COMMENT ON TABLE @extschema@.aave_prices IS 'AaveOracle getAssetPrice(asset) at a block, in the base currency (its BASE_CURRENCY_UNIT)';

-- The bits [lo, lo + n) of a uint256 as a bigint (n <= 62).
CREATE FUNCTION @extschema@.aave_config_bits(config @extschema@.uint256, lo integer, n integer)
RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ((config OPERATOR(@extschema@.>>) lo) OPERATOR(@extschema@.&)
		((@extschema@.uint256(1::bigint) OPERATOR(@extschema@.<<) n) OPERATOR(@extschema@.-) @extschema@.uint256(1::bigint)))::bigint;
COMMENT ON FUNCTION @extschema@.aave_config_bits(@extschema@.uint256, integer, integer) IS
	'bits [lo, lo + n) of an Aave ReserveConfigurationMap as an integer (ReserveConfiguration''s masks)';

-- Decode the Aave reads of a block range (getReserveData, getUserAccountData,
-- scaledBalanceOf, scaledTotalSupply, getAssetPrice) into their tables;
-- idempotent.  Each read's argument is the holder it was made for; only the
-- reads of contracts watched as the kind that makes them are decoded (the
-- names are common: another contract's getAssetPrice is not the AaveOracle's).
CREATE FUNCTION @extschema@.aave_decode_reads(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n bigint;
	total bigint := 0;
BEGIN
	-- getReserveData(asset): ReserveData, 15 words; the configuration map's
	-- fields at ReserveConfiguration's bit positions.
	INSERT INTO aave_reserve_states
	SELECT s.chain_id, s.block_number, s.address, s.arg::address, c.cfg,
		   aave_config_bits(c.cfg, 0, 16)::int, aave_config_bits(c.cfg, 16, 16)::int, aave_config_bits(c.cfg, 32, 16)::int,
		   aave_config_bits(c.cfg, 48, 8)::int, aave_config_bits(c.cfg, 56, 1) = 1, aave_config_bits(c.cfg, 57, 1) = 1,
		   aave_config_bits(c.cfg, 58, 1) = 1, aave_config_bits(c.cfg, 60, 1) = 1, aave_config_bits(c.cfg, 64, 16)::int,
		   aave_config_bits(c.cfg, 80, 36), aave_config_bits(c.cfg, 116, 36), aave_config_bits(c.cfg, 168, 8)::int,
		   uint256_from_bytea(abi_word(s.result, 1)), uint256_from_bytea(abi_word(s.result, 2)),
		   uint256_from_bytea(abi_word(s.result, 3)), uint256_from_bytea(abi_word(s.result, 4)),
		   uint256_from_bytea(abi_word(s.result, 5)), abi_word_uint(abi_word(s.result, 6), 40),
		   abi_word_address(abi_word(s.result, 8)), abi_word_address(abi_word(s.result, 9)),
		   abi_word_address(abi_word(s.result, 10)), abi_word_address(abi_word(s.result, 11)),
		   uint256_from_bytea(abi_word(s.result, 12)), uint256_from_bytea(abi_word(s.result, 13))
	  FROM state_reads AS s
	 CROSS JOIN LATERAL (SELECT uint256_from_bytea(abi_word(s.result, 0)) AS cfg) AS c
	 WHERE s.chain_id = aave_decode_reads.chain_id
	   AND s.block_number BETWEEN aave_decode_reads.from_block AND aave_decode_reads.to_block
	   AND s.read = 'getReserveData(address)' AND length(s.result) = 480
	   AND EXISTS (SELECT 1 FROM watched_contracts w WHERE w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'aave_pool')
	   AND abi_word_uint(abi_word(s.result, 6), 40) IS NOT NULL
	   AND abi_word_address(abi_word(s.result, 8)) IS NOT NULL AND abi_word_address(abi_word(s.result, 9)) IS NOT NULL
	   AND abi_word_address(abi_word(s.result, 10)) IS NOT NULL AND abi_word_address(abi_word(s.result, 11)) IS NOT NULL
	   -- an address that is no reserve (the Pool is read for its accounts too) has no aToken
	   AND abi_word_address(abi_word(s.result, 8)) <> '0x0000000000000000000000000000000000000000'::address
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO aave_account_states
	SELECT s.chain_id, s.block_number, s.address, s.arg::address,
		   uint256_from_bytea(abi_word(s.result, 0)), uint256_from_bytea(abi_word(s.result, 1)),
		   uint256_from_bytea(abi_word(s.result, 2)), abi_word_uint(abi_word(s.result, 3), 16)::int,
		   abi_word_uint(abi_word(s.result, 4), 16)::int, uint256_from_bytea(abi_word(s.result, 5))
	  FROM state_reads AS s
	 WHERE s.chain_id = aave_decode_reads.chain_id
	   AND s.block_number BETWEEN aave_decode_reads.from_block AND aave_decode_reads.to_block
	   AND s.read = 'getUserAccountData(address)' AND length(s.result) = 192
	   AND EXISTS (SELECT 1 FROM watched_contracts w WHERE w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'aave_pool')
	   AND abi_word_uint(abi_word(s.result, 3), 16) IS NOT NULL AND abi_word_uint(abi_word(s.result, 4), 16) IS NOT NULL
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO aave_scaled_balances
	SELECT s.chain_id, s.block_number, s.address, s.arg::address, uint256_from_bytea(s.result)
	  FROM state_reads AS s
	 WHERE s.chain_id = aave_decode_reads.chain_id
	   AND s.block_number BETWEEN aave_decode_reads.from_block AND aave_decode_reads.to_block
	   AND s.read = 'scaledBalanceOf(address)' AND length(s.result) = 32
	   AND EXISTS (SELECT 1 FROM watched_contracts w WHERE w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'aave_token')
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO aave_scaled_supplies
	SELECT s.chain_id, s.block_number, s.address, uint256_from_bytea(s.result)
	  FROM state_reads AS s
	 WHERE s.chain_id = aave_decode_reads.chain_id
	   AND s.block_number BETWEEN aave_decode_reads.from_block AND aave_decode_reads.to_block
	   AND s.read = 'scaledTotalSupply()' AND length(s.result) = 32
	   AND EXISTS (SELECT 1 FROM watched_contracts w WHERE w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'aave_token')
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;

	INSERT INTO aave_prices
	SELECT s.chain_id, s.block_number, s.address, s.arg::address, uint256_from_bytea(s.result)
	  FROM state_reads AS s
	 WHERE s.chain_id = aave_decode_reads.chain_id
	   AND s.block_number BETWEEN aave_decode_reads.from_block AND aave_decode_reads.to_block
	   AND s.read = 'getAssetPrice(address)' AND length(s.result) = 32
	   AND EXISTS (SELECT 1 FROM watched_contracts w WHERE w.chain_id = s.chain_id AND w.address = s.address AND w.kind = 'aave_oracle')
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN total + n;
END
$$;
COMMENT ON FUNCTION @extschema@.aave_decode_reads(bigint, bigint, bigint) IS
	'decode the Aave v3 reads of a block range (reserve data, account data, scaled balances and supplies, oracle prices) into their tables (the ingest registry calls it)';

-- ---- the ingest registry

INSERT INTO @extschema@.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns, builtin) VALUES
	('morpho_create_market', 'lending', 'CreateMarket(bytes32,(address,address,address,address,uint256))', 2, 160,
	 '@extschema@.morpho_markets',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('loan_token', 'word0', 'address'),
		   ('collateral_token', 'word1', 'address'), ('oracle', 'word2', 'address'), ('irm', 'word3', 'address'),
		   ('lltv', 'word4', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_supply', 'lending', 'Supply(bytes32,address,address,uint256,uint256)', 4, 64, '@extschema@.morpho_supplies',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'topic2', 'address'),
		   ('on_behalf', 'topic3', 'address'), ('assets', 'word0', 'uint256'), ('shares', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_repay', 'lending', 'Repay(bytes32,address,address,uint256,uint256)', 4, 64, '@extschema@.morpho_repays',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'topic2', 'address'),
		   ('on_behalf', 'topic3', 'address'), ('assets', 'word0', 'uint256'), ('shares', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_withdraw', 'lending', 'Withdraw(bytes32,address,address,address,uint256,uint256)', 4, 96, '@extschema@.morpho_withdraws',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'word0', 'address'),
		   ('on_behalf', 'topic2', 'address'), ('receiver', 'topic3', 'address'), ('assets', 'word1', 'uint256'),
		   ('shares', 'word2', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_borrow', 'lending', 'Borrow(bytes32,address,address,address,uint256,uint256)', 4, 96, '@extschema@.morpho_borrows',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'word0', 'address'),
		   ('on_behalf', 'topic2', 'address'), ('receiver', 'topic3', 'address'), ('assets', 'word1', 'uint256'),
		   ('shares', 'word2', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_supply_collateral', 'lending', 'SupplyCollateral(bytes32,address,address,uint256)', 4, 32,
	 '@extschema@.morpho_collateral_supplies',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'topic2', 'address'),
		   ('on_behalf', 'topic3', 'address'), ('assets', 'word0', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_withdraw_collateral', 'lending', 'WithdrawCollateral(bytes32,address,address,address,uint256)', 4, 64,
	 '@extschema@.morpho_collateral_withdraws',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'word0', 'address'),
		   ('on_behalf', 'topic2', 'address'), ('receiver', 'topic3', 'address'),
		   ('assets', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_liquidate', 'lending', 'Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)', 4, 160,
	 '@extschema@.morpho_liquidations',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('caller', 'topic2', 'address'),
		   ('borrower', 'topic3', 'address'), ('repaid_assets', 'word0', 'uint256'), ('repaid_shares', 'word1', 'uint256'),
		   ('seized_assets', 'word2', 'uint256'), ('bad_debt_assets', 'word3', 'uint256'),
		   ('bad_debt_shares', 'word4', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_accrue_interest', 'lending', 'AccrueInterest(bytes32,uint256,uint256,uint256)', 2, 96, '@extschema@.morpho_accruals',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('prev_borrow_rate', 'word0', 'uint256'),
		   ('interest', 'word1', 'uint256'), ('fee_shares', 'word2', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_set_fee', 'lending', 'SetFee(bytes32,uint256)', 2, 32, '@extschema@.morpho_fee_sets',
	 ARRAY[('morpho', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('fee', 'word0', 'uint256')]::@extschema@.ingest_event_column[], true),
	('morpho_set_fee_recipient', 'lending', 'SetFeeRecipient(address)', 2, 0, '@extschema@.morpho_fee_recipients',
	 ARRAY[('morpho', 'emitter', 'address'), ('recipient', 'topic1', 'address')]::@extschema@.ingest_event_column[], true),
	('morpho_irm_borrow_rate_update', 'lending', 'BorrowRateUpdate(bytes32,uint256,uint256)', 2, 64, '@extschema@.morpho_irm_updates',
	 ARRAY[('irm', 'emitter', 'address'), ('id', 'topic1', 'bytes32'), ('avg_borrow_rate', 'word0', 'uint256'),
		   ('rate_at_target', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_reserve_data_updated', 'lending', 'ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)', 2, 160,
	 '@extschema@.aave_reserve_updates',
	 ARRAY[('pool', 'emitter', 'address'), ('asset', 'topic1', 'address'), ('liquidity_rate', 'word0', 'uint256'),
		   ('stable_borrow_rate', 'word1', 'uint256'), ('variable_borrow_rate', 'word2', 'uint256'),
		   ('liquidity_index', 'word3', 'uint256'), ('variable_borrow_index', 'word4', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_supply', 'lending', 'Supply(address,address,address,uint256,uint16)', 4, 64, '@extschema@.aave_supplies',
	 ARRAY[('pool', 'emitter', 'address'), ('asset', 'topic1', 'address'), ('caller', 'word0', 'address'),
		   ('on_behalf', 'topic2', 'address'), ('amount', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_withdraw', 'lending', 'Withdraw(address,address,address,uint256)', 4, 32, '@extschema@.aave_withdraws',
	 ARRAY[('pool', 'emitter', 'address'), ('asset', 'topic1', 'address'), ('owner', 'topic2', 'address'),
		   ('receiver', 'topic3', 'address'), ('amount', 'word0', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_borrow', 'lending', 'Borrow(address,address,address,uint256,uint8,uint256,uint16)', 4, 128, '@extschema@.aave_borrows',
	 ARRAY[('pool', 'emitter', 'address'), ('asset', 'topic1', 'address'), ('caller', 'word0', 'address'),
		   ('on_behalf', 'topic2', 'address'), ('amount', 'word1', 'uint256'), ('rate_mode', 'word2', 'uint256'),
		   ('borrow_rate', 'word3', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_repay', 'lending', 'Repay(address,address,address,uint256,bool)', 4, 64, '@extschema@.aave_repays',
	 ARRAY[('pool', 'emitter', 'address'), ('asset', 'topic1', 'address'), ('owner', 'topic2', 'address'),
		   ('repayer', 'topic3', 'address'), ('amount', 'word0', 'uint256'), ('use_atokens', 'word1', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_liquidation_call', 'lending', 'LiquidationCall(address,address,address,uint256,uint256,address,bool)', 4, 128,
	 '@extschema@.aave_liquidations',
	 ARRAY[('pool', 'emitter', 'address'), ('collateral_asset', 'topic1', 'address'), ('debt_asset', 'topic2', 'address'),
		   ('borrower', 'topic3', 'address'), ('debt_to_cover', 'word0', 'uint256'), ('collateral_liquidated', 'word1', 'uint256'),
		   ('liquidator', 'word2', 'address'), ('receive_atoken', 'word3', 'uint256')]::@extschema@.ingest_event_column[], true),
	('aave_user_emode_set', 'lending', 'UserEModeSet(address,uint8)', 2, 32, '@extschema@.aave_emode_sets',
	 ARRAY[('pool', 'emitter', 'address'), ('account', 'topic1', 'address'), ('category', 'word0', 'uint256')]::@extschema@.ingest_event_column[], true);

INSERT INTO @extschema@.ingest_state_reads (read, module, arg_rule, decode, builtin) VALUES
	('price()', 'lending', 'none', '@extschema@.morpho_decode_reads', true),
	('getReserveData(address)', 'lending', 'holders', '@extschema@.aave_decode_reads', true),
	('getUserAccountData(address)', 'lending', 'holders', '@extschema@.aave_decode_reads', true),
	('scaledBalanceOf(address)', 'lending', 'holders', '@extschema@.aave_decode_reads', true),
	('scaledTotalSupply()', 'lending', 'none', '@extschema@.aave_decode_reads', true),
	('getAssetPrice(address)', 'lending', 'holders', '@extschema@.aave_decode_reads', true);

INSERT INTO @extschema@.ingest_contract_kinds (kind, module, description, builtin) VALUES
	('morpho_blue', 'lending', 'Morpho Blue: its markets, positions, accruals and liquidations (events)', true),
	('morpho_irm', 'lending', 'a Morpho interest rate model (AdaptiveCurveIrm): its rate at target (events)', true),
	('morpho_oracle', 'lending', 'a Morpho oracle: its price() (reads)', true),
	('aave_pool', 'lending', 'the Aave v3 Pool: its events, and getReserveData and getUserAccountData for each address it is watched with (holders: the reserves'' assets and the accounts)', true),
	('aave_token', 'lending', 'an Aave v3 aToken or variable debt token: scaledBalanceOf for its holders, scaledTotalSupply', true),
	('aave_oracle', 'lending', 'the AaveOracle: getAssetPrice for the assets it is watched with (holders)', true);
INSERT INTO @extschema@.ingest_kind_reads (kind, read, builtin) VALUES
	('morpho_oracle', 'price()', true),
	('aave_pool', 'getReserveData(address)', true),
	('aave_pool', 'getUserAccountData(address)', true),
	('aave_token', 'scaledBalanceOf(address)', true),
	('aave_token', 'scaledTotalSupply()', true),
	('aave_oracle', 'getAssetPrice(address)', true);

REVOKE ALL ON TABLE @extschema@.morpho_markets, @extschema@.morpho_supplies, @extschema@.morpho_repays,
	@extschema@.morpho_withdraws, @extschema@.morpho_borrows, @extschema@.morpho_collateral_supplies,
	@extschema@.morpho_collateral_withdraws, @extschema@.morpho_liquidations, @extschema@.morpho_accruals,
	@extschema@.morpho_fee_sets, @extschema@.morpho_fee_recipients, @extschema@.morpho_irm_updates,
	@extschema@.morpho_oracle_prices, @extschema@.aave_reserve_updates, @extschema@.aave_supplies,
	@extschema@.aave_withdraws, @extschema@.aave_borrows, @extschema@.aave_repays, @extschema@.aave_liquidations,
	@extschema@.aave_emode_sets, @extschema@.aave_reserve_states, @extschema@.aave_account_states,
	@extschema@.aave_scaled_balances, @extschema@.aave_scaled_supplies, @extschema@.aave_prices FROM PUBLIC;
GRANT SELECT ON @extschema@.morpho_markets, @extschema@.morpho_supplies, @extschema@.morpho_repays,
	@extschema@.morpho_withdraws, @extschema@.morpho_borrows, @extschema@.morpho_collateral_supplies,
	@extschema@.morpho_collateral_withdraws, @extschema@.morpho_liquidations, @extschema@.morpho_accruals,
	@extschema@.morpho_fee_sets, @extschema@.morpho_fee_recipients, @extschema@.morpho_irm_updates,
	@extschema@.morpho_oracle_prices, @extschema@.aave_reserve_updates, @extschema@.aave_supplies,
	@extschema@.aave_withdraws, @extschema@.aave_borrows, @extschema@.aave_repays, @extschema@.aave_liquidations,
	@extschema@.aave_emode_sets, @extschema@.aave_reserve_states, @extschema@.aave_account_states,
	@extschema@.aave_scaled_balances, @extschema@.aave_scaled_supplies, @extschema@.aave_prices TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.morpho_decode_reads(bigint, bigint, bigint), @extschema@.aave_decode_reads(bigint, bigint, bigint) FROM PUBLIC;

-- Retention floor (src/ingest/partitions.sql): a Morpho market's state is
-- rebuilt from every event since its CreateMarket (morpho_ledger), so all of
-- it stays from the first market's creation; Aave's read models take the
-- newest row at or before a block, so each key's latest reserve state,
-- reserve update, account state, scaled balance and supply, and price stay,
-- as does each Morpho oracle's latest price.
CREATE FUNCTION @extschema@.lend_retention_floor(chain_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT least(
		(SELECT min(m.block_number) FROM @extschema@.morpho_markets AS m WHERE m.chain_id = lend_retention_floor.chain_id),
		(SELECT min(x.latest) FROM (SELECT max(o.block_number) AS latest FROM @extschema@.morpho_oracle_prices AS o
									 WHERE o.chain_id = lend_retention_floor.chain_id GROUP BY o.oracle) AS x),
		(SELECT min(x.latest) FROM (SELECT max(r.block_number) AS latest FROM @extschema@.aave_reserve_states AS r
									 WHERE r.chain_id = lend_retention_floor.chain_id GROUP BY r.pool, r.asset) AS x),
		(SELECT min(x.latest) FROM (SELECT max(u.block_number) AS latest FROM @extschema@.aave_reserve_updates AS u
									 WHERE u.chain_id = lend_retention_floor.chain_id GROUP BY u.pool, u.asset) AS x),
		(SELECT min(x.latest) FROM (SELECT max(a.block_number) AS latest FROM @extschema@.aave_account_states AS a
									 WHERE a.chain_id = lend_retention_floor.chain_id GROUP BY a.pool, a.account) AS x),
		(SELECT min(x.latest) FROM (SELECT max(b.block_number) AS latest FROM @extschema@.aave_scaled_balances AS b
									 WHERE b.chain_id = lend_retention_floor.chain_id GROUP BY b.token, b.holder) AS x),
		(SELECT min(x.latest) FROM (SELECT max(s.block_number) AS latest FROM @extschema@.aave_scaled_supplies AS s
									 WHERE s.chain_id = lend_retention_floor.chain_id GROUP BY s.token) AS x),
		(SELECT min(x.latest) FROM (SELECT max(p.block_number) AS latest FROM @extschema@.aave_prices AS p
									 WHERE p.chain_id = lend_retention_floor.chain_id GROUP BY p.oracle, p.asset) AS x));
END;
COMMENT ON FUNCTION @extschema@.lend_retention_floor(bigint) IS
	'the oldest block lending read models still need: all Morpho events since the first market''s creation, each Aave key''s latest row';
INSERT INTO @extschema@.ingest_retention_floors (name, module, fn, description)
VALUES ('lending', 'lending', '@extschema@.lend_retention_floor(bigint)',
		'every Morpho event since the first CreateMarket (states are folded from them) and each Aave key''s latest row');
REVOKE ALL ON FUNCTION @extschema@.lend_retention_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.lend_retention_floor(bigint) TO amplified_reader;
-- The DEFAULT partitions of this module's history tables.
SELECT @extschema@.ingest_partitions_defaults();
