-- src/lending/read.sql: the read models of lending data, the one way other
-- modules (the strategy kinds, risk, dashboards) see Morpho Blue and Aave v3
-- (docs/lending.md).  A lending market is named by a bytes32 id: Morpho's
-- own market id, and for an Aave v3 reserve aave_market_id(pool, asset).
--
-- Morpho Blue's state at a block is rebuilt from its events exactly as the
-- contract keeps it (totals, fee, lastUpdate, positions), then, like the
-- SDKs' accrueInterest, accrued to the block's time with the market's
-- AdaptiveCurveIrm (morpho_borrow_rate, morpho_accrue): what Morpho would
-- show after an accrual in that block.  Aave v3's is its latest reads and
-- index updates at or before the block, with the indexes brought to the
-- block's time (aave_normalized_income / aave_normalized_debt), which is
-- what balanceOf() returns at that block.

-- ---- Morpho Blue

-- A running sum that floors at zero: Morpho's zeroFloorSub on the total
-- borrow assets when a repay or a liquidation rounds one wei over it.
CREATE FUNCTION @extschema@.morpho_floor_add(total numeric, delta numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN greatest(total + delta, 0);
COMMENT ON FUNCTION @extschema@.morpho_floor_add(numeric, numeric) IS
	'a running total plus a change, floored at zero (Morpho''s zeroFloorSub)';

CREATE AGGREGATE @extschema@.morpho_floor_sum(numeric) (
	SFUNC = @extschema@.morpho_floor_add,
	STYPE = numeric,
	INITCOND = '0'
);
COMMENT ON AGGREGATE @extschema@.morpho_floor_sum(numeric) IS
	'sum of changes in their order, floored at zero after each (use with ORDER BY)';

-- Every change a Morpho market's events make, in log order: to its totals
-- and to one account's position (NULL account for the totals alone).  The
-- floored total borrow assets change is tba_floor (a repay or liquidation).
CREATE VIEW @extschema@.morpho_ledger AS
	SELECT chain_id, block_number, log_index, 0 AS step, id, on_behalf AS account,
		   assets::numeric AS tsa, shares::numeric AS tss, 0::numeric AS tba, 0::numeric AS tbs,
		   shares::numeric AS supply_shares, 0::numeric AS borrow_shares, 0::numeric AS collateral
	  FROM @extschema@.morpho_supplies
	UNION ALL
	SELECT chain_id, block_number, log_index, 0, id, on_behalf, -assets::numeric, -shares::numeric, 0, 0, -shares::numeric, 0, 0
	  FROM @extschema@.morpho_withdraws
	UNION ALL
	SELECT chain_id, block_number, log_index, 0, id, on_behalf, 0, 0, assets::numeric, shares::numeric, 0, shares::numeric, 0
	  FROM @extschema@.morpho_borrows
	UNION ALL
	SELECT chain_id, block_number, log_index, 0, id, on_behalf, 0, 0, -assets::numeric, -shares::numeric, 0, -shares::numeric, 0
	  FROM @extschema@.morpho_repays
	UNION ALL
	SELECT chain_id, block_number, log_index, 0, id, on_behalf, 0, 0, 0, 0, 0, 0, assets::numeric
	  FROM @extschema@.morpho_collateral_supplies
	UNION ALL
	SELECT chain_id, block_number, log_index, 0, id, on_behalf, 0, 0, 0, 0, 0, 0, -assets::numeric
	  FROM @extschema@.morpho_collateral_withdraws
	UNION ALL
	-- the repayment (floored), then the bad debt (exact)
	SELECT chain_id, block_number, log_index, 0, id, borrower, 0, 0, -repaid_assets::numeric, -repaid_shares::numeric,
		   0, -repaid_shares::numeric, -seized_assets::numeric
	  FROM @extschema@.morpho_liquidations
	UNION ALL
	SELECT chain_id, block_number, log_index, 1, id, borrower, -bad_debt_assets::numeric, 0, -bad_debt_assets::numeric,
		   -bad_debt_shares::numeric, 0, -bad_debt_shares::numeric, 0
	  FROM @extschema@.morpho_liquidations
	UNION ALL
	-- interest to both sides; the fee shares to the fee recipient of the time
	SELECT a.chain_id, a.block_number, a.log_index, 0, a.id,
		   (SELECT r.recipient FROM @extschema@.morpho_fee_recipients r
			 WHERE r.chain_id = a.chain_id AND r.morpho = a.morpho
			   AND (r.block_number, r.log_index) < (a.block_number, a.log_index)
			 ORDER BY r.block_number DESC, r.log_index DESC LIMIT 1),
		   a.interest::numeric, a.fee_shares::numeric, a.interest::numeric, 0, a.fee_shares::numeric, 0, 0
	  FROM @extschema@.morpho_accruals a;
COMMENT ON VIEW @extschema@.morpho_ledger IS
	'every change Morpho Blue''s events make to a market''s totals (tsa, tss, tba, tbs) and to one account''s position, in log order';

-- A Morpho market's state at the end of a block, exactly as the contract
-- holds it: its parameters, fee, totals, lastUpdate (a unix time), the IRM's
-- rate at target and the oracle's latest price read.  No row for a market
-- not created by then.
CREATE FUNCTION @extschema@.morpho_market_state_at(chain_id bigint, id @extschema@.bytes32, block bigint)
RETURNS TABLE (morpho @extschema@.address, loan_token @extschema@.address, collateral_token @extschema@.address,
	oracle @extschema@.address, irm @extschema@.address, lltv @extschema@.uint256, fee @extschema@.uint256,
	total_supply_assets @extschema@.uint256, total_supply_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	last_update bigint, rate_at_target @extschema@.int256, price @extschema@.uint256, price_block bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT m.morpho, m.loan_token, m.collateral_token, m.oracle, m.irm, m.lltv,
		   coalesce((SELECT f.fee FROM morpho_fee_sets f
					  WHERE f.chain_id = $1 AND f.id = $2 AND f.block_number <= $3
					  ORDER BY f.block_number DESC, f.log_index DESC LIMIT 1), uint256(0)),
		   t.tsa::uint256, t.tss::uint256, t.tba::uint256, t.tbs::uint256,
		   extract(epoch FROM ingest_block_time($1, greatest(m.block_number,
			   (SELECT max(a.block_number) FROM morpho_accruals a
				 WHERE a.chain_id = $1 AND a.id = $2 AND a.block_number <= $3))))::bigint,
		   (SELECT int256(u.rate_at_target) FROM morpho_irm_updates u
			 WHERE u.chain_id = $1 AND u.id = $2 AND u.irm = m.irm AND u.block_number <= $3
			 ORDER BY u.block_number DESC, u.log_index DESC LIMIT 1),
		   p.price, p.block_number
	  FROM morpho_markets m
	 CROSS JOIN LATERAL (
		SELECT coalesce(sum(l.tsa), 0) AS tsa, coalesce(sum(l.tss), 0) AS tss,
			   morpho_floor_sum(l.tba ORDER BY l.block_number, l.log_index, l.step) AS tba,
			   coalesce(sum(l.tbs), 0) AS tbs
		  FROM morpho_ledger l WHERE l.chain_id = $1 AND l.id = $2 AND l.block_number <= $3) AS t
	  LEFT JOIN LATERAL (
		SELECT o.price, o.block_number FROM morpho_oracle_prices o
		 WHERE o.chain_id = $1 AND o.oracle = m.oracle AND o.block_number <= $3
		 ORDER BY o.block_number DESC LIMIT 1) AS p ON true
	 WHERE m.chain_id = $1 AND m.id = $2 AND m.block_number <= $3
	 ORDER BY m.block_number, m.log_index LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.morpho_market_state_at(bigint, @extschema@.bytes32, bigint) IS
	'a Morpho Blue market at the end of a block as the contract holds it (rebuilt from its events): parameters, fee, totals, lastUpdate, rate at target, oracle price';

-- An account's Morpho position at the end of a block, as the contract holds
-- it: supply shares, borrow shares and collateral (zeros when it has none).
CREATE FUNCTION @extschema@.morpho_position_state_at(chain_id bigint, id @extschema@.bytes32,
	account @extschema@.address, block bigint)
RETURNS TABLE (supply_shares @extschema@.uint256, borrow_shares @extschema@.uint256, collateral @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(sum(l.supply_shares), 0)::uint256, coalesce(sum(l.borrow_shares), 0)::uint256,
		   coalesce(sum(l.collateral), 0)::uint256
	  FROM morpho_ledger l
	 WHERE l.chain_id = $1 AND l.id = $2 AND l.account = $3 AND l.block_number <= $4
$$;
COMMENT ON FUNCTION @extschema@.morpho_position_state_at(bigint, @extschema@.bytes32, @extschema@.address, bigint) IS
	'an account''s Morpho Blue position at the end of a block (rebuilt from the events): supply shares, borrow shares, collateral';

-- ---- Aave v3

-- The id of an Aave v3 reserve as a lending market: keccak256(abi.encode(pool, asset)).
CREATE FUNCTION @extschema@.aave_market_id(pool @extschema@.address, asset @extschema@.address)
RETURNS @extschema@.bytes32
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.keccak256(@extschema@.to_bytea(pool::@extschema@.bytes32) || @extschema@.to_bytea(asset::@extschema@.bytes32))::@extschema@.bytes32;
COMMENT ON FUNCTION @extschema@.aave_market_id(@extschema@.address, @extschema@.address) IS
	'the lending-market id of an Aave v3 reserve: keccak256(abi.encode(pool, asset))';

-- An Aave v3 reserve at a block: the configuration, tokens and scaled
-- supplies of its latest reads, the rates and indexes of its latest update
-- (a ReserveDataUpdated log or a read, whichever is later) with their time,
-- and the indexes brought to the block's time.
CREATE FUNCTION @extschema@.aave_reserve_at(chain_id bigint, pool @extschema@.address, asset @extschema@.address, block bigint)
RETURNS TABLE (block_number bigint, ltv_bps integer, liquidation_threshold_bps integer, liquidation_bonus_bps integer,
	decimals integer, reserve_factor_bps integer, emode_category integer, active boolean, frozen boolean,
	borrowing_enabled boolean, paused boolean, supply_cap numeric, borrow_cap numeric,
	atoken @extschema@.address, variable_debt_token @extschema@.address,
	liquidity_rate @extschema@.uint256, variable_borrow_rate @extschema@.uint256,
	liquidity_index @extschema@.uint256, variable_borrow_index @extschema@.uint256, last_update bigint,
	normalized_income @extschema@.uint256, normalized_debt @extschema@.uint256,
	total_supply @extschema@.uint256, total_variable_debt @extschema@.uint256, price @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH r AS (
		SELECT * FROM aave_reserve_states r
		 WHERE r.chain_id = $1 AND r.pool = $2 AND r.asset = $3 AND r.block_number <= $4
		 ORDER BY r.block_number DESC LIMIT 1),
	u AS (
		SELECT u.liquidity_rate, u.variable_borrow_rate, u.liquidity_index, u.variable_borrow_index,
			   extract(epoch FROM ingest_block_time($1, u.block_number))::bigint AS last_update, u.block_number
		  FROM aave_reserve_updates u
		 WHERE u.chain_id = $1 AND u.pool = $2 AND u.asset = $3 AND u.block_number <= $4
		 ORDER BY u.block_number DESC, u.log_index DESC LIMIT 1),
	cur AS (
		SELECT CASE WHEN u.last_update IS NOT NULL AND u.last_update >= r.last_update THEN u.liquidity_rate ELSE r.liquidity_rate END AS lr,
			   CASE WHEN u.last_update IS NOT NULL AND u.last_update >= r.last_update THEN u.variable_borrow_rate ELSE r.variable_borrow_rate END AS vr,
			   CASE WHEN u.last_update IS NOT NULL AND u.last_update >= r.last_update THEN u.liquidity_index ELSE r.liquidity_index END AS li,
			   CASE WHEN u.last_update IS NOT NULL AND u.last_update >= r.last_update THEN u.variable_borrow_index ELSE r.variable_borrow_index END AS vi,
			   greatest(u.last_update, r.last_update) AS lu,
			   extract(epoch FROM ingest_block_time($1, $4))::bigint AS now_ts
		  FROM r LEFT JOIN u ON true)
	SELECT r.block_number, r.ltv_bps, r.liquidation_threshold_bps, r.liquidation_bonus_bps, r.decimals,
		   r.reserve_factor_bps, r.emode_category, r.active, r.frozen, r.borrowing_enabled, r.paused,
		   r.supply_cap, r.borrow_cap, r.atoken, r.variable_debt_token,
		   c.lr, c.vr, c.li, c.vi, c.lu,
		   aave_normalized_income(c.li, c.lr, c.lu, greatest(c.now_ts, c.lu)),
		   aave_normalized_debt(c.vi, c.vr, c.lu, greatest(c.now_ts, c.lu)),
		   aave_balance((SELECT s.scaled_supply FROM aave_scaled_supplies s
						  WHERE s.chain_id = $1 AND s.token = r.atoken AND s.block_number <= $4
						  ORDER BY s.block_number DESC LIMIT 1),
						aave_normalized_income(c.li, c.lr, c.lu, greatest(c.now_ts, c.lu))),
		   aave_balance((SELECT s.scaled_supply FROM aave_scaled_supplies s
						  WHERE s.chain_id = $1 AND s.token = r.variable_debt_token AND s.block_number <= $4
						  ORDER BY s.block_number DESC LIMIT 1),
						aave_normalized_debt(c.vi, c.vr, c.lu, greatest(c.now_ts, c.lu))),
		   (SELECT p.price FROM aave_prices p
			 WHERE p.chain_id = $1 AND p.asset = $3 AND p.block_number <= $4
			 ORDER BY p.block_number DESC LIMIT 1)
	  FROM r CROSS JOIN cur AS c
$$;
COMMENT ON FUNCTION @extschema@.aave_reserve_at(bigint, @extschema@.address, @extschema@.address, bigint) IS
	'an Aave v3 reserve at a block: configuration, rates, indexes brought to the block''s time, total supply and variable debt, oracle price';

-- An account's Aave v3 balances in one reserve at a block (its latest
-- scaledBalanceOf reads times the indexes at the block's time) and its
-- account-wide figures (latest getUserAccountData read).
CREATE FUNCTION @extschema@.aave_position_at(chain_id bigint, pool @extschema@.address, asset @extschema@.address,
	account @extschema@.address, block bigint)
RETURNS TABLE (supplied @extschema@.uint256, variable_debt @extschema@.uint256,
	scaled_supplied @extschema@.uint256, scaled_variable_debt @extschema@.uint256,
	total_collateral_base @extschema@.uint256, total_debt_base @extschema@.uint256,
	available_borrows_base @extschema@.uint256, liquidation_threshold_bps integer, ltv_bps integer,
	health_factor @extschema@.uint256, account_block bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT aave_balance(sa.scaled_balance, r.normalized_income), aave_balance(sd.scaled_balance, r.normalized_debt),
		   sa.scaled_balance, sd.scaled_balance,
		   a.total_collateral_base, a.total_debt_base, a.available_borrows_base, a.liquidation_threshold_bps,
		   a.ltv_bps, a.health_factor, a.block_number
	  FROM aave_reserve_at($1, $2, $3, $5) AS r
	  LEFT JOIN LATERAL (SELECT b.scaled_balance FROM aave_scaled_balances b
						  WHERE b.chain_id = $1 AND b.token = r.atoken AND b.holder = $4 AND b.block_number <= $5
						  ORDER BY b.block_number DESC LIMIT 1) AS sa ON true
	  LEFT JOIN LATERAL (SELECT b.scaled_balance FROM aave_scaled_balances b
						  WHERE b.chain_id = $1 AND b.token = r.variable_debt_token AND b.holder = $4 AND b.block_number <= $5
						  ORDER BY b.block_number DESC LIMIT 1) AS sd ON true
	  LEFT JOIN LATERAL (SELECT * FROM aave_account_states s
						  WHERE s.chain_id = $1 AND s.pool = $2 AND s.account = $4 AND s.block_number <= $5
						  ORDER BY s.block_number DESC LIMIT 1) AS a ON true
$$;
COMMENT ON FUNCTION @extschema@.aave_position_at(bigint, @extschema@.address, @extschema@.address, @extschema@.address, bigint) IS
	'an account''s Aave v3 supply and variable debt in a reserve at a block, and its account-wide collateral, debt, thresholds and health factor';

-- The e-mode category an account is in at a block (its latest UserEModeSet; 0: none).
CREATE FUNCTION @extschema@.aave_account_emode_at(chain_id bigint, pool @extschema@.address, account @extschema@.address, block bigint)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce((SELECT e.category::integer FROM aave_emode_sets e
					  WHERE e.chain_id = $1 AND e.pool = $2 AND e.account = $3 AND e.block_number <= $4
					  ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1), 0)
$$;
COMMENT ON FUNCTION @extschema@.aave_account_emode_at(bigint, @extschema@.address, @extschema@.address, bigint) IS
	'the Aave v3 e-mode category of an account at a block (0: none)';

-- ---- both protocols

-- Every lending market the database knows: Morpho markets from their
-- CreateMarket logs, Aave reserves from their reads.
CREATE VIEW @extschema@.lend_markets AS
	SELECT m.chain_id, 'morpho_blue'::text AS protocol, m.id AS market, m.morpho AS pool,
		   m.loan_token, m.collateral_token, m.oracle, m.irm, m.lltv::numeric * 1e-18 AS lltv, m.block_number AS created_block
	  FROM @extschema@.morpho_markets m
	UNION ALL
	SELECT DISTINCT ON (r.chain_id, r.pool, r.asset) r.chain_id, 'aave_v3', @extschema@.aave_market_id(r.pool, r.asset), r.pool,
		   r.asset, NULL, NULL, NULL, r.liquidation_threshold_bps / 1e4, r.block_number
	  FROM @extschema@.aave_reserve_states r
	 ORDER BY 1, 2, 3;
COMMENT ON VIEW @extschema@.lend_markets IS
	'lending markets: Morpho Blue markets (id, loan and collateral token, oracle, IRM, LLTV) and Aave v3 reserves (id = aave_market_id(pool, asset), liquidation threshold as lltv)';

CREATE TYPE @extschema@.lend_market AS (
	protocol			text,
	market				@extschema@.bytes32,
	pool				@extschema@.address,
	loan_token			@extschema@.address,
	collateral_token	@extschema@.address,
	block_number		bigint,
	at					timestamptz,
	total_supply_assets	@extschema@.uint256,
	total_borrow_assets	@extschema@.uint256,
	liquidity			@extschema@.uint256,
	utilization			float8,
	borrow_rate			@extschema@.uint256,
	borrow_apy			float8,
	supply_apy			float8,
	lltv				float8,
	max_ltv				float8,
	price				@extschema@.uint256,
	supply_cap			numeric,
	borrow_cap			numeric
);
COMMENT ON TYPE @extschema@.lend_market IS
	'a lending market at a block: totals in the loan token''s raw units, utilization, borrow rate (Morpho: per second, WAD; Aave: per year, ray), APYs, LLTV (Aave: liquidation threshold), max LTV, oracle price (Morpho: collateral in loan token, 1e36; Aave: in the oracle''s base), caps (whole tokens, 0 = none)';

-- A lending market at a block.
CREATE FUNCTION @extschema@.lend_market_at(chain_id bigint, market @extschema@.bytes32, block bigint)
RETURNS @extschema@.lend_market
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	lm lend_markets;
	m record;
	r record;
	br record;
	ac record;
	now_ts bigint;
	util uint256;
	rate uint256;
	out lend_market;
BEGIN
	SELECT * INTO lm FROM lend_markets l WHERE l.chain_id = lend_market_at.chain_id AND l.market = lend_market_at.market
	   AND l.created_block <= block LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	now_ts := extract(epoch FROM ingest_block_time(chain_id, block))::bigint;
	IF lm.protocol = 'morpho_blue' THEN
		SELECT * INTO m FROM morpho_market_state_at(chain_id, market, block);
		-- accrued to the block's time, as Morpho would at an interaction there
		SELECT * INTO br FROM morpho_borrow_rate(coalesce(m.rate_at_target, int256(0)),
			morpho_utilization(m.total_supply_assets, m.total_borrow_assets), greatest(now_ts - m.last_update, 0));
		SELECT * INTO ac FROM morpho_accrue(m.total_supply_assets, m.total_supply_shares, m.total_borrow_assets,
			m.total_borrow_shares, m.fee, br.avg_rate, greatest(now_ts - m.last_update, 0));
		util := morpho_utilization(ac.total_supply_assets, ac.total_borrow_assets);
		rate := (morpho_borrow_rate(br.end_rate_at_target, util, 0)).avg_rate;
		out := ROW('morpho_blue', market, m.morpho, m.loan_token, m.collateral_token, block, to_timestamp(now_ts),
			ac.total_supply_assets, ac.total_borrow_assets,
			CASE WHEN ac.total_supply_assets > ac.total_borrow_assets THEN ac.total_supply_assets - ac.total_borrow_assets ELSE uint256(0) END,
			util::numeric / 1e18, rate, morpho_rate_to_apy(rate), morpho_rate_to_apy(morpho_supply_rate(rate, util, m.fee)),
			m.lltv::numeric / 1e18, m.lltv::numeric / 1e18, m.price, NULL, NULL)::lend_market;
	ELSE
		SELECT * INTO r FROM aave_reserve_at(chain_id, lm.pool, lm.loan_token, block);
		out := ROW('aave_v3', market, lm.pool, lm.loan_token, NULL, block, to_timestamp(now_ts),
			r.total_supply, r.total_variable_debt,
			CASE WHEN r.total_supply > r.total_variable_debt THEN r.total_supply - r.total_variable_debt ELSE uint256(0) END,
			CASE WHEN r.total_supply::numeric > 0 THEN r.total_variable_debt::numeric / r.total_supply::numeric ELSE 0 END,
			r.variable_borrow_rate,
			exp(r.variable_borrow_rate::numeric / 1e27) - 1, exp(r.liquidity_rate::numeric / 1e27) - 1,
			r.liquidation_threshold_bps / 1e4, r.ltv_bps / 1e4, r.price, r.supply_cap, r.borrow_cap)::lend_market;
	END IF;
	RETURN out;
END
$$;
COMMENT ON FUNCTION @extschema@.lend_market_at(bigint, @extschema@.bytes32, bigint) IS
	'a lending market (Morpho id or aave_market_id) at a block: totals, liquidity, utilization, rates and APYs, LLTV, price, caps';

-- A market's borrow APY averaged over a window ending at a block's time,
-- weighted by time: what a borrower paid over it.  Morpho: each
-- AccrueInterest log's borrow rate over the time since the one before (the
-- IRM's average over that period), clipped to the window, and the market's
-- rate at the block for the time since the last; Aave: each
-- ReserveDataUpdated variable rate until the next, and the block's rate at
-- the end.  NULL when the market has no rate in the window.
CREATE FUNCTION @extschema@.lend_borrow_apy_avg(chain_id bigint, market @extschema@.bytes32, block bigint,
	window_length interval)
RETURNS float8
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	lm lend_markets;
	mk lend_market;
	to_ts bigint := extract(epoch FROM ingest_block_time(chain_id, block))::bigint;
	from_ts bigint;
	acc numeric := 0;
	secs numeric := 0;
	last_ts bigint;
	r record;
BEGIN
	IF window_length IS NULL OR window_length <= interval '0' THEN
		RAISE EXCEPTION 'lend_borrow_apy_avg: window_length must be positive, not %', window_length
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT * INTO lm FROM lend_markets l WHERE l.chain_id = lend_borrow_apy_avg.chain_id AND l.market = lend_borrow_apy_avg.market
	   AND l.created_block <= block LIMIT 1;
	IF NOT FOUND OR to_ts IS NULL THEN
		RETURN NULL;
	END IF;
	from_ts := to_ts - extract(epoch FROM window_length)::bigint;
	mk := lend_market_at(chain_id, market, block);
	IF lm.protocol = 'morpho_blue' THEN
		-- per second, WAD: each accrual's rate over the time since the previous one (or the creation)
		FOR r IN
			SELECT a.t, a.rate, lag(a.t) OVER (ORDER BY a.t) AS prev FROM (
				SELECT extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, m.block_number))::bigint AS t, NULL::numeric AS rate
				  FROM morpho_markets m WHERE m.chain_id = lend_borrow_apy_avg.chain_id AND m.id = lend_borrow_apy_avg.market
				UNION ALL
				SELECT extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, x.block_number))::bigint, x.prev_borrow_rate::numeric
				  FROM morpho_accruals x
				 WHERE x.chain_id = lend_borrow_apy_avg.chain_id AND x.id = lend_borrow_apy_avg.market AND x.block_number <= block) AS a
		LOOP
			CONTINUE WHEN r.rate IS NULL OR r.prev IS NULL OR r.t <= from_ts;
			acc := acc + r.rate * (r.t - greatest(r.prev, from_ts));
			secs := secs + (r.t - greatest(r.prev, from_ts));
			last_ts := r.t;
		END LOOP;
		-- the time since the last accrual (or the creation: not before it) at the block's rate
		last_ts := greatest(coalesce(last_ts, (SELECT extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, max(x.block_number)))::bigint
												 FROM morpho_accruals x WHERE x.chain_id = lend_borrow_apy_avg.chain_id
												  AND x.id = lend_borrow_apy_avg.market AND x.block_number <= block),
									 extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, lm.created_block))::bigint), from_ts);
		IF mk.borrow_rate IS NOT NULL AND to_ts > last_ts THEN
			acc := acc + mk.borrow_rate::numeric * (to_ts - last_ts);
			secs := secs + (to_ts - last_ts);
		END IF;
		RETURN CASE WHEN secs > 0 THEN morpho_rate_to_apy(floor(acc / secs)::uint256) END;
	END IF;
	-- Aave: per year, ray; each update's rate until the next, then the block's
	FOR r IN
		SELECT extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, u.block_number))::bigint AS t,
			   u.variable_borrow_rate::numeric AS rate,
			   lead(extract(epoch FROM ingest_block_time(lend_borrow_apy_avg.chain_id, u.block_number))::bigint)
				 OVER (ORDER BY u.block_number, u.log_index) AS next_t
		  FROM aave_reserve_updates u
		 WHERE u.chain_id = lend_borrow_apy_avg.chain_id AND u.pool = lm.pool AND u.asset = lm.loan_token AND u.block_number <= block
		 ORDER BY u.block_number, u.log_index
	LOOP
		CONTINUE WHEN coalesce(r.next_t, to_ts) <= from_ts;
		acc := acc + r.rate * (least(coalesce(r.next_t, to_ts), to_ts) - greatest(r.t, from_ts));
		secs := secs + (least(coalesce(r.next_t, to_ts), to_ts) - greatest(r.t, from_ts));
	END LOOP;
	-- no update in the window nor before it (only reads): the block's rate
	IF secs = 0 AND mk.borrow_rate IS NOT NULL THEN
		RETURN exp(mk.borrow_rate::numeric / 1e27) - 1;
	END IF;
	RETURN CASE WHEN secs > 0 THEN exp(acc / secs / 1e27) - 1 END;
END
$$;
COMMENT ON FUNCTION @extschema@.lend_borrow_apy_avg(bigint, @extschema@.bytes32, bigint, interval) IS
	'a lending market''s borrow APY averaged by time over a window ending at a block (Morpho: its accruals'' rates; Aave: its rate updates)';

CREATE TYPE @extschema@.lend_position AS (
	protocol			text,
	market				@extschema@.bytes32,
	account				@extschema@.address,
	block_number		bigint,
	supply_assets		@extschema@.uint256,
	supply_shares		@extschema@.uint256,
	borrow_assets		@extschema@.uint256,
	borrow_shares		@extschema@.uint256,
	collateral			@extschema@.uint256,
	health_factor		numeric,
	ltv					float8,
	liquidation_price	numeric
);
COMMENT ON TYPE @extschema@.lend_position IS
	'an account''s position in a lending market at a block: supply and borrow in loan-token raw units (and shares; Aave: scaled balances), collateral (Morpho), health factor (1 at liquidation; NULL without debt), LTV, liquidation price (Morpho: oracle price scale 1e36)';

-- An account's position in a lending market at a block.  Morpho: assets
-- from the accrued totals (supply rounded down, borrow up, as the SDK and
-- the contract's health check do); health factor, LTV and liquidation price
-- at the oracle's latest price.  Aave: the reserve balances and the
-- account's health factor and LTV from getUserAccountData.
CREATE FUNCTION @extschema@.lend_position_at(chain_id bigint, market @extschema@.bytes32,
	account @extschema@.address, block bigint)
RETURNS @extschema@.lend_position
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	lm lend_markets;
	mk lend_market;
	m record;
	p record;
	a record;
	borrow uint256;
	ltv float8;
BEGIN
	SELECT * INTO lm FROM lend_markets l WHERE l.chain_id = lend_position_at.chain_id AND l.market = lend_position_at.market
	   AND l.created_block <= block LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF lm.protocol = 'morpho_blue' THEN
		mk := lend_market_at(chain_id, market, block);
		SELECT * INTO m FROM morpho_market_state_at(chain_id, market, block);
		SELECT * INTO p FROM morpho_position_state_at(chain_id, market, account, block);
		-- totals accrued to the block (lend_market_at), shares unchanged but the fee recipient's
		SELECT * INTO a FROM morpho_accrue(m.total_supply_assets, m.total_supply_shares, m.total_borrow_assets,
			m.total_borrow_shares, m.fee,
			(morpho_borrow_rate(coalesce(m.rate_at_target, int256(0)), morpho_utilization(m.total_supply_assets, m.total_borrow_assets),
				greatest(extract(epoch FROM mk.at)::bigint - m.last_update, 0))).avg_rate,
			greatest(extract(epoch FROM mk.at)::bigint - m.last_update, 0));
		borrow := morpho_to_assets(p.borrow_shares, a.total_borrow_assets, a.total_borrow_shares, true);
		ltv := CASE WHEN m.price IS NULL OR p.collateral = 0 THEN NULL
					ELSE borrow::numeric / (p.collateral::numeric * m.price::numeric / 1e36) END;
		RETURN ROW('morpho_blue', market, account, block,
			morpho_to_assets(p.supply_shares, a.total_supply_assets, a.total_supply_shares, false), p.supply_shares,
			borrow, p.borrow_shares, p.collateral,
			CASE WHEN m.price IS NOT NULL THEN morpho_health_factor(p.collateral, p.borrow_shares, a.total_borrow_assets,
				a.total_borrow_shares, m.price, m.lltv) END,
			ltv,
			CASE WHEN p.borrow_shares > 0 AND p.collateral > 0
				 THEN morpho_liquidation_price(p.collateral, p.borrow_shares, a.total_borrow_assets, a.total_borrow_shares, m.lltv)::numeric END
			)::lend_position;
	END IF;
	SELECT * INTO p FROM aave_position_at(chain_id, lm.pool, lm.loan_token, account, block);
	RETURN ROW('aave_v3', market, account, block, p.supplied, p.scaled_supplied, p.variable_debt, p.scaled_variable_debt,
		NULL,
		CASE WHEN p.total_debt_base > 0 THEN p.health_factor::numeric * 1e-18 END,
		CASE WHEN p.total_collateral_base > 0 THEN p.total_debt_base::numeric / p.total_collateral_base::numeric END,
		NULL)::lend_position;
END
$$;
COMMENT ON FUNCTION @extschema@.lend_position_at(bigint, @extschema@.bytes32, @extschema@.address, bigint) IS
	'an account''s position in a lending market at a block: supply, borrow, collateral, health factor, LTV, liquidation price';

REVOKE ALL ON @extschema@.morpho_ledger, @extschema@.lend_markets FROM PUBLIC;
GRANT SELECT ON @extschema@.morpho_ledger, @extschema@.lend_markets TO amplified_reader;

-- They read chain data: for readers, as the tables they read.
REVOKE ALL ON FUNCTION @extschema@.morpho_market_state_at(bigint, @extschema@.bytes32, bigint),
	@extschema@.morpho_position_state_at(bigint, @extschema@.bytes32, @extschema@.address, bigint),
	@extschema@.aave_reserve_at(bigint, @extschema@.address, @extschema@.address, bigint),
	@extschema@.aave_position_at(bigint, @extschema@.address, @extschema@.address, @extschema@.address, bigint),
	@extschema@.aave_account_emode_at(bigint, @extschema@.address, @extschema@.address, bigint),
	@extschema@.lend_market_at(bigint, @extschema@.bytes32, bigint),
	@extschema@.lend_borrow_apy_avg(bigint, @extschema@.bytes32, bigint, interval),
	@extschema@.lend_position_at(bigint, @extschema@.bytes32, @extschema@.address, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.morpho_market_state_at(bigint, @extschema@.bytes32, bigint),
	@extschema@.morpho_position_state_at(bigint, @extschema@.bytes32, @extschema@.address, bigint),
	@extschema@.aave_reserve_at(bigint, @extschema@.address, @extschema@.address, bigint),
	@extschema@.aave_position_at(bigint, @extschema@.address, @extschema@.address, @extschema@.address, bigint),
	@extschema@.aave_account_emode_at(bigint, @extschema@.address, @extschema@.address, bigint),
	@extschema@.lend_market_at(bigint, @extschema@.bytes32, bigint),
	@extschema@.lend_borrow_apy_avg(bigint, @extschema@.bytes32, bigint, interval),
	@extschema@.lend_position_at(bigint, @extschema@.bytes32, @extschema@.address, bigint) TO amplified_reader;
