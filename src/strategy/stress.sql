-- src/strategy/stress.sql: a strategy's synced positions revalued under the
-- stress scenarios of the risk module (risk_scenarios).  It sits on top of
-- both layers: it reads the strategy's positions and latest snapshot (the
-- prices of its assets in its numeraire) and hands each position to the
-- risk module's pure revaluation (risk_stress_univ3, risk_stress_morpho,
-- risk_stress_aave) with the market state the lending and univ3 modules'
-- read models give at the block.
--
-- Prices: each asset's numeraire price is the one of the latest snapshot at
-- or before the block; under a scenario it is multiplied by
-- factor(asset) / factor(numeraire) (risk_scenario_factor, with the class of
-- risk_asset_class).  Rows: one per leg; the legs of one position share its
-- label (position): wallet, account:<address>, univ3:<manager>#<token id>,
-- <protocol>:<market or pool>:<account>.

-- The numeraire price and decimals of each asset in a strategy's latest
-- snapshot at or before a block.
CREATE FUNCTION @extschema@.strategy_stress_prices(strategy_id bigint, block bigint)
RETURNS TABLE (numeraire @extschema@.address, asset @extschema@.address, price numeric, decimals int)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	snap strategy_snapshots;
BEGIN
	SELECT * INTO snap FROM strategy_snapshots n
	 WHERE n.strategy_id = $1 AND n.block_number <= $2 ORDER BY n.block_number DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % has no snapshot at or before block %', $1, $2
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'run_strategies() records one; the stress test takes its prices from it.';
	END IF;
	RETURN QUERY SELECT DISTINCT ON (h.asset) snap.numeraire, h.asset, h.price, h.decimals
	  FROM unnest(snap.holdings) h WHERE h.price IS NOT NULL ORDER BY h.asset;
	-- The numeraire is worth 1 of itself.
	RETURN QUERY SELECT snap.numeraire, snap.numeraire, 1::numeric, NULL::int
	 WHERE NOT EXISTS (SELECT FROM unnest(snap.holdings) h WHERE h.asset = snap.numeraire AND h.price IS NOT NULL);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_stress_prices(bigint, bigint) IS
	'the numeraire prices and decimals of a strategy''s assets in its latest snapshot at or before a block (55000 without one)';

-- An asset's factor in a scenario (risk_scenario_factor with its class).
CREATE FUNCTION @extschema@.strategy_stress_factor(shocks jsonb, chain_id bigint, asset @extschema@.address)
RETURNS float8
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN risk_scenario_factor(shocks, asset, risk_asset_class(shocks, chain_id, asset));
COMMENT ON FUNCTION @extschema@.strategy_stress_factor(jsonb, bigint, @extschema@.address) IS
	'an asset''s price factor in a scenario''s shocks, its class from risk_asset_class';

-- A raw amount of an asset in whole numeraire units at its snapshot price
-- (prices and decimals: objects keyed by lowercase address) times factor.
CREATE FUNCTION @extschema@.strategy_stress_value(amount numeric, asset @extschema@.address, prices jsonb,
	decimals jsonb, factor float8)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF amount = 0 THEN
		RETURN 0;
	END IF;
	IF prices ->> lower(asset::text) IS NULL OR decimals ->> lower(asset::text) IS NULL THEN
		RAISE EXCEPTION 'no price of % in the strategy''s snapshot', asset USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'The stress test values the assets its latest snapshot holds.';
	END IF;
	RETURN amount * strategy_unit((decimals ->> lower(asset::text))::int) * (prices ->> lower(asset::text))::numeric
		* factor::numeric;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_stress_value(numeric, @extschema@.address, jsonb, jsonb, float8) IS
	'raw units of an asset in whole numeraire units at its snapshot price times a factor (55000 when the snapshot has no price)';

CREATE FUNCTION @extschema@.strategy_stress(strategy_id bigint, scenario text, block bigint DEFAULT NULL)
RETURNS TABLE ("position" text, asset @extschema@.address, value_before numeric, value_after numeric,
	health_before numeric, health_after numeric, liquidated boolean,
	debt_repaid numeric, collateral_seized numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	sh jsonb;
	blk bigint;
	num address;
	f_num float8;
	mult numeric;
	pr jsonb := '{}';
	dec jsonb := '{}';
	pos record;
	done text[] := '{}';
	lbl text;
	t0 address;
	t1 address;
	ps record;
	u record;
	mk record;
	mp record;
	r record;
	coll record;
	debt record;
	cr record;
	dr record;
	ap record;
	apy float8;
	carry numeric;
	rest numeric;
BEGIN
	SELECT * INTO s FROM strategies x WHERE x.id = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	SELECT c.shocks INTO sh FROM risk_scenarios c WHERE c.name = $2;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'stress scenario "%" does not exist', $2 USING ERRCODE = 'undefined_object',
			HINT = 'The scenarios are the rows of risk_scenarios.';
	END IF;
	blk := coalesce($3, (SELECT max(p.block_number) FROM positions p WHERE p.strategy_id = s.id));
	IF blk IS NULL THEN
		RAISE EXCEPTION 'strategy % has no synced positions', s.id USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'strategy_sync_positions() or run_strategies() syncs them.';
	END IF;
	SELECT min(x.numeraire::text)::address, jsonb_object_agg(lower(x.asset::text), x.price),
		   jsonb_object_agg(lower(x.asset::text), x.decimals)
	  INTO num, pr, dec FROM strategy_stress_prices(s.id, blk) x;
	f_num := risk_scenario_factor(sh, num, risk_asset_class(sh, s.chain_id, num));
	mult := coalesce((sh ->> 'borrow_rate_mult')::numeric, 1);

	FOR pos IN SELECT p.* FROM positions p WHERE p.strategy_id = s.id ORDER BY p.protocol, p.asset, p.position_id LOOP
		IF pos.protocol = 'univ3' THEN
			lbl := format('univ3:%s#%s', lower(pos.asset::text), pos.position_id);
			t0 := (s.params ->> 'token0')::address;
			t1 := (s.params ->> 'token1')::address;
			SELECT * INTO ps FROM univ3_pool_state_at(s.chain_id, (pos.detail ->> 'pool')::address, blk);
			IF t0 IS NULL OR t1 IS NULL OR ps.sqrt_price IS NULL THEN
				RAISE EXCEPTION 'the pool of % has no state at block %', lbl, blk USING ERRCODE = 'object_not_in_prerequisite_state';
			END IF;
			SELECT * INTO u FROM risk_stress_univ3(ps.sqrt_price, (pos.detail ->> 'tick_lower')::int, (pos.detail ->> 'tick_upper')::int,
				pos.amount::numeric::uint256,
				strategy_stress_factor(sh, s.chain_id, t0) / strategy_stress_factor(sh, s.chain_id, t1));
			"position" := lbl; health_before := NULL; health_after := NULL; liquidated := false;
			debt_repaid := 0; collateral_seized := 0;
			asset := t0;
			value_before := strategy_stress_value(u.amount0_before::numeric + coalesce((pos.detail ->> 'owed0')::numeric, 0), t0, pr, dec, 1);
			value_after := strategy_stress_value(u.amount0_after::numeric + coalesce((pos.detail ->> 'owed0')::numeric, 0), t0, pr, dec,
				strategy_stress_factor(sh, s.chain_id, t0) / f_num);
			RETURN NEXT;
			asset := t1;
			value_before := strategy_stress_value(u.amount1_before::numeric + coalesce((pos.detail ->> 'owed1')::numeric, 0), t1, pr, dec, 1);
			value_after := strategy_stress_value(u.amount1_after::numeric + coalesce((pos.detail ->> 'owed1')::numeric, 0), t1, pr, dec,
				strategy_stress_factor(sh, s.chain_id, t1) / f_num);
			RETURN NEXT;
		ELSIF pos.protocol IN ('morpho_blue', 'aave_v3') AND pos.detail ->> 'side' IN ('collateral', 'debt') THEN
			lbl := format('%s:%s:%s', pos.protocol, lower(coalesce(pos.detail ->> 'market', pos.detail ->> 'pool')),
				lower(pos.detail ->> 'account'));
			CONTINUE WHEN lbl = ANY (done);
			done := done || lbl;
			SELECT * INTO coll FROM positions p WHERE p.strategy_id = s.id AND p.protocol = pos.protocol
			   AND p.detail ->> 'side' = 'collateral' AND p.detail ->> 'account' = pos.detail ->> 'account'
			   AND coalesce(p.detail ->> 'market', p.detail ->> 'pool') = coalesce(pos.detail ->> 'market', pos.detail ->> 'pool');
			SELECT * INTO debt FROM positions p WHERE p.strategy_id = s.id AND p.protocol = pos.protocol
			   AND p.detail ->> 'side' = 'debt' AND p.detail ->> 'account' = pos.detail ->> 'account'
			   AND coalesce(p.detail ->> 'market', p.detail ->> 'pool') = coalesce(pos.detail ->> 'market', pos.detail ->> 'pool');
			"position" := lbl;
			-- No market state or oracle price: the legs at the shocked prices, no health.
			SELECT NULL::numeric AS hb, NULL::numeric AS ha, false AS liq, 0::numeric AS repaid, 0::numeric AS seized,
				   0::numeric AS bad INTO r;
			apy := NULL;
			IF coll.asset IS NOT NULL AND debt.asset IS NOT NULL AND pos.protocol = 'morpho_blue' THEN
				SELECT * INTO mk FROM morpho_market_state_at(s.chain_id, (pos.detail ->> 'market')::bytes32, blk);
				SELECT * INTO mp FROM morpho_position_state_at(s.chain_id, (pos.detail ->> 'market')::bytes32,
					(pos.detail ->> 'account')::address, blk);
				IF mk.price IS NOT NULL THEN
					SELECT x.health_before AS hb, x.health_after AS ha, x.liquidated AS liq, x.debt_repaid::numeric AS repaid,
						   x.collateral_seized::numeric AS seized, x.bad_debt::numeric AS bad
					  INTO r
					  FROM risk_stress_morpho(mp.collateral, mp.borrow_shares, mk.total_borrow_assets, mk.total_borrow_shares,
						mk.price, mk.lltv, strategy_stress_factor(sh, s.chain_id, coll.asset) / strategy_stress_factor(sh, s.chain_id, debt.asset)) x;
				END IF;
			ELSIF coll.asset IS NOT NULL AND debt.asset IS NOT NULL THEN
				SELECT * INTO ap FROM aave_position_at(s.chain_id, (pos.detail ->> 'pool')::address, coll.asset,
					(pos.detail ->> 'account')::address, blk);
				SELECT * INTO cr FROM aave_reserve_at(s.chain_id, (pos.detail ->> 'pool')::address, coll.asset, blk);
				SELECT * INTO dr FROM aave_reserve_at(s.chain_id, (pos.detail ->> 'pool')::address, debt.asset, blk);
				IF ap.health_factor IS NOT NULL AND cr.price IS NOT NULL AND dr.price IS NOT NULL THEN
					SELECT ap.health_factor::numeric / 1e18 AS hb, x.health_after::numeric / 1e18 AS ha, x.liquidated AS liq,
						   x.debt_repaid::numeric AS repaid, x.collateral_seized::numeric AS seized, 0::numeric AS bad
					  INTO r
					  FROM risk_stress_aave(ap.health_factor, (-debt.amount::numeric)::uint256, coll.amount::numeric::uint256,
						cr.price, cr.decimals, dr.price, dr.decimals, cr.liquidation_bonus_bps,
						strategy_stress_factor(sh, s.chain_id, coll.asset) / strategy_stress_factor(sh, s.chain_id, debt.asset)) x;
				END IF;
			END IF;
			health_before := r.hb; health_after := r.ha; liquidated := coalesce(r.liq, false);
			debt_repaid := coalesce(r.repaid, 0); collateral_seized := coalesce(r.seized, 0);
			IF coll.asset IS NOT NULL THEN
				asset := coll.asset;
				value_before := strategy_stress_value(coll.amount::numeric, coll.asset, pr, dec, 1);
				value_after := strategy_stress_value(greatest(coll.amount::numeric - collateral_seized, 0), coll.asset, pr, dec,
					strategy_stress_factor(sh, s.chain_id, coll.asset) / f_num);
				RETURN NEXT;
			END IF;
			IF debt.asset IS NOT NULL THEN
				asset := debt.asset;
				value_before := strategy_stress_value(debt.amount::numeric, debt.asset, pr, dec, 1);
				-- Morpho writes off the bad debt of a position left without collateral.
				rest := least(debt.amount::numeric + debt_repaid + coalesce(r.bad, 0), 0);
				value_after := strategy_stress_value(rest, debt.asset, pr, dec, strategy_stress_factor(sh, s.chain_id, debt.asset) / f_num);
				-- Borrow rates times mult: one more day of interest on the debt left.
				IF mult <> 1 AND rest < 0 THEN
					apy := (lend_market_at(s.chain_id, coalesce(pos.detail ->> 'market',
						aave_market_id((pos.detail ->> 'pool')::address, debt.asset)::text)::bytes32, blk)).borrow_apy;
					carry := value_after * coalesce(apy, 0)::numeric * (mult - 1) / 365;
					value_after := value_after + carry;
				END IF;
				RETURN NEXT;
			END IF;
		ELSIF pos.protocol IN ('token', 'account', 'morpho_blue', 'aave_v3') THEN
			-- A balance, an account's balance or a lending supply: its amount at the shocked price.
			"position" := CASE pos.protocol WHEN 'token' THEN 'wallet'
				WHEN 'account' THEN 'account:' || lower(pos.detail ->> 'account')
				ELSE format('%s:%s:%s', pos.protocol, lower(pos.detail ->> 'market'), lower(pos.detail ->> 'account')) END;
			asset := pos.asset;
			value_before := strategy_stress_value(pos.amount::numeric, pos.asset, pr, dec, 1);
			value_after := strategy_stress_value(pos.amount::numeric, pos.asset, pr, dec, strategy_stress_factor(sh, s.chain_id, pos.asset) / f_num);
			health_before := NULL; health_after := NULL; liquidated := false; debt_repaid := 0; collateral_seized := 0;
			RETURN NEXT;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_stress(bigint, text, bigint) IS
	'a strategy''s synced positions revalued under a stress scenario, one row per leg: values before and after in the numeraire, health factors, liquidation (debt repaid, collateral seized in raw units)';

-- Every scenario on a strategy: value before and after, loss (positive when
-- it loses) and its share of the value, the lowest health factor after the
-- shock and the number of positions liquidated.
CREATE FUNCTION @extschema@.strategy_stress_summary(strategy_id bigint, block bigint DEFAULT NULL)
RETURNS TABLE (scenario text, value_before numeric, value_after numeric, loss numeric, loss_share numeric,
	min_health_factor numeric, liquidations int)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT c.name, sum(x.value_before), sum(x.value_after), sum(x.value_before) - sum(x.value_after),
		   CASE WHEN sum(x.value_before) > 0 THEN (sum(x.value_before) - sum(x.value_after)) / sum(x.value_before) END,
		   min(x.health_after), (count(DISTINCT x."position") FILTER (WHERE x.liquidated))::int
	  FROM risk_scenarios c
	 CROSS JOIN LATERAL strategy_stress($1, c.name, $2) x
	 GROUP BY c.name
	 ORDER BY c.name
$$;
COMMENT ON FUNCTION @extschema@.strategy_stress_summary(bigint, bigint) IS
	'every stress scenario on a strategy: value before and after, loss and its share, lowest health factor after, positions liquidated';

-- ---- privileges: readers may run the stress tests ----
REVOKE ALL ON FUNCTION @extschema@.strategy_stress_prices(bigint, bigint),
	@extschema@.strategy_stress_factor(jsonb, bigint, @extschema@.address),
	@extschema@.strategy_stress(bigint, text, bigint),
	@extschema@.strategy_stress_summary(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_stress_prices(bigint, bigint),
	@extschema@.strategy_stress_factor(jsonb, bigint, @extschema@.address),
	@extschema@.strategy_stress(bigint, text, bigint),
	@extschema@.strategy_stress_summary(bigint, bigint) TO amplified_reader;
