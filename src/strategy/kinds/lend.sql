-- src/strategy/kinds/lend.sql: the lend kind of strategy: keep an asset
-- (WETH, an LST) supplied to the best of its configured lending markets
-- (Morpho Blue markets that lend it, Aave v3 reserves of it) by net supply
-- APY, through the owner's AmpLeverageAccount.  One action per decision,
-- each one self-contained call of the account (eth_call'ed at the decision's
-- block before it is enqueued):
--   withdraw from the current market when its collateral's risk level is
--     reduce_only or halt (a lender's bad-debt risk), or when the best
--     market's APY advantage over the horizon, on what can be withdrawn now
--     (the current market's liquidity), beats gas_cost twice (withdraw and
--     supply) plus the advantage floor min_advantage;
--   supply the account's idle asset to the best market, up to its room
--     under the supply cap;
--   else hold.

-- The supply APY a candidate market would pay after delta (raw, signed) more
-- of the asset is supplied to it: Morpho exactly, by its AdaptiveCurveIrm at
-- the new utilization (rate at target as of the block) and its fee; Aave
-- approximately, its default strategy's variable rate taken as linear in
-- utilization below the optimal usage (base rate 0): the supply APY scales
-- with the square of the utilization.
CREATE FUNCTION @extschema@.strategy_lend_apy_after(cand jsonb, delta numeric)
RETURNS float8
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s numeric := (cand ->> 'total_supply')::numeric;
	b numeric := (cand ->> 'total_borrow')::numeric;
	s2 numeric := s + delta;
	u uint256;
	r uint256;
BEGIN
	IF s2 <= 0 OR s2 < b THEN
		RETURN NULL;
	END IF;
	IF cand ->> 'protocol' = 'morpho_blue' THEN
		u := morpho_utilization(floor(s2)::uint256, floor(b)::uint256);
		r := (morpho_borrow_rate((cand ->> 'rate_at_target')::int256, u, 0)).avg_rate;
		RETURN morpho_rate_to_apy(morpho_supply_rate(r, u, (cand ->> 'fee')::uint256));
	END IF;
	RETURN (cand ->> 'supply_apy')::float8 * ((s / s2) ^ 2)::float8;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_lend_apy_after(jsonb, numeric) IS
	'lend: a candidate market''s supply APY after delta more supplied (Morpho exact through its IRM; Aave with a rate linear in utilization)';

-- Validate lend parameters; each candidate is a Morpho market of the asset
-- {protocol "morpho_blue", morpho, collateral_token, oracle, irm, lltv} or
-- an Aave reserve {protocol "aave_v3", pool}.
CREATE FUNCTION @extschema@.strategy_validate_lend(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'lend';
	c jsonb;
	given jsonb;
	cands jsonb := '[]';
	i int := 0;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['account', 'asset', 'decimals', 'candidates', 'horizon', 'min_trade',
		'min_advantage', 'switch_threshold', 'gas_cost', 'deadline_seconds']);
	IF strategy_param_address(k, p, 'account') IS NULL OR strategy_param_address(k, p, 'asset') IS NULL THEN
		PERFORM strategy_param_error(k, 'account', 'account (the owner''s AmpLeverageAccount) and asset are required');
	END IF;
	IF jsonb_typeof(p -> 'candidates') IS DISTINCT FROM 'array' OR jsonb_array_length(p -> 'candidates') = 0 THEN
		PERFORM strategy_param_error(k, 'candidates', 'a non-empty array of markets');
	END IF;
	FOR c IN SELECT value FROM jsonb_array_elements(p -> 'candidates') LOOP
		i := i + 1;
		given := c;
		IF jsonb_typeof(c) <> 'object' OR c ->> 'protocol' IS NULL OR c ->> 'protocol' NOT IN ('morpho_blue', 'aave_v3') THEN
			PERFORM strategy_param_error(k, format('candidates[%s].protocol', i), '"morpho_blue" or "aave_v3"');
		END IF;
		IF c ->> 'protocol' = 'morpho_blue' THEN
			PERFORM strategy_check_keys('lend candidate', c, ARRAY['protocol', 'morpho', 'collateral_token', 'oracle', 'irm', 'lltv', 'market']);
			IF strategy_param_address(k, c, 'morpho') IS NULL OR strategy_param_address(k, c, 'collateral_token') IS NULL
			   OR strategy_param_address(k, c, 'oracle') IS NULL OR strategy_param_address(k, c, 'irm') IS NULL OR NOT c ? 'lltv' THEN
				PERFORM strategy_param_error(k, format('candidates[%s]', i), 'a Morpho market needs morpho, collateral_token, oracle, irm and lltv');
			END IF;
			PERFORM strategy_param_number(k, c, 'lltv', 1, 999999999999999999);
			c := c || jsonb_build_object('lltv', (c ->> 'lltv')::numeric::text,
				'market', morpho_market_id((p ->> 'asset')::address, (c ->> 'collateral_token')::address,
					(c ->> 'oracle')::address, (c ->> 'irm')::address, (c ->> 'lltv')::numeric::uint256)::text);
		ELSE
			PERFORM strategy_check_keys('lend candidate', c, ARRAY['protocol', 'pool', 'market']);
			IF strategy_param_address(k, c, 'pool') IS NULL THEN
				PERFORM strategy_param_error(k, format('candidates[%s].pool', i), 'the Aave Pool''s address is required');
			END IF;
			c := c || jsonb_build_object('market', aave_market_id((c ->> 'pool')::address, (p ->> 'asset')::address)::text);
		END IF;
		-- the id it had (validated parameters are validated again on update) is the one computed
		IF given ? 'market' AND lower(given ->> 'market') <> c ->> 'market' THEN
			PERFORM strategy_param_error(k, format('candidates[%s].market', i),
				format('is not the id of the market''s parameters (%s)', c ->> 'market'));
		END IF;
		cands := cands || jsonb_build_array(c);
	END LOOP;
	IF (SELECT count(DISTINCT e ->> 'market') FROM jsonb_array_elements(cands) e) <> jsonb_array_length(cands) THEN
		PERFORM strategy_param_error(k, 'candidates', 'each market at most once');
	END IF;
	IF NOT p ? 'decimals' THEN p := p || jsonb_build_object('decimals', (strategy_read_word(chain_id, (p ->> 'asset')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	PERFORM strategy_param_number(k, p, 'decimals', 0, 36);
	p := p || jsonb_build_object('candidates', cands,
		'horizon', coalesce(p -> 'horizon', '"30 days"'),
		'min_trade', coalesce(strategy_param_number(k, p, 'min_trade', 0, 1e30), 0.01),
		'min_advantage', coalesce(strategy_param_number(k, p, 'min_advantage', 0, 1e30), 0),
		'switch_threshold', coalesce(strategy_param_number(k, p, 'switch_threshold', 0, 1), 0.002),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e30), 0),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600));
	PERFORM strategy_param_interval(k, p, 'horizon', '1 hour', '3650 days');
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_lend(jsonb, bigint) IS
	'lend parameters checked: account, asset, candidate markets (their ids computed), horizon, thresholds';

-- lend: the account's supply in each candidate market and its idle asset.
CREATE FUNCTION @extschema@.strategy_sync_lend(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	acct address := (p ->> 'account')::address;
	tok address := (p ->> 'asset')::address;
	c jsonb;
	lp lend_position;
	i int := 0;
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	FOR c IN SELECT e FROM jsonb_array_elements(p -> 'candidates') e LOOP
		i := i + 1;
		lp := lend_position_at(s.chain_id, (c ->> 'market')::bytes32, acct, block);
		PERFORM strategy_put_position(s.id, block, ROW(c ->> 'protocol', tok, i,
			coalesce(lp.supply_assets, '0')::numeric::int256,
			jsonb_build_object('market', c ->> 'market', 'account', acct::text, 'side', 'supply',
				'shares', coalesce(lp.supply_shares, '0')::text))::strategy_position);
	END LOOP;
	PERFORM strategy_sync_account(s, block, acct, ARRAY[tok]);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_lend(@extschema@.strategies, bigint) IS
	'lend positions at a block: the account''s supply in each candidate market (lend_position_at) and its idle balance';

-- lend state: per candidate its supply APY, liquidity, cap room, collateral
-- risk level and the account's supply; the idle balance.
CREATE FUNCTION @extschema@.strategy_gather_lend(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	tok address := (p ->> 'asset')::address;
	dec int := (p ->> 'decimals')::int;
	at timestamptz := ingest_block_time(s.chain_id, block);
	c jsonb;
	mk lend_market;
	ms record;
	br record;
	rat text;
	mfee text;
	i int := 0;
	sup numeric;
	cands jsonb := '[]';
	idle numeric := coalesce((SELECT x.amount::numeric FROM positions x WHERE x.strategy_id = s.id AND x.protocol = 'account' AND x.asset = tok), 0);
	holdings strategy_holding[];
	value numeric;
BEGIN
	value := idle * strategy_unit(dec);
	holdings := ARRAY[ROW(tok, 'account', idle, dec, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding];
	FOR c IN SELECT e FROM jsonb_array_elements(p -> 'candidates') e LOOP
		i := i + 1;
		mk := lend_market_at(s.chain_id, (c ->> 'market')::bytes32, block);
		rat := NULL;
		mfee := NULL;
		IF c ->> 'protocol' = 'morpho_blue' THEN
			-- the IRM's rate at target as of the block, and the fee, for what a move would do to the rate
			SELECT * INTO ms FROM morpho_market_state_at(s.chain_id, (c ->> 'market')::bytes32, block);
			SELECT * INTO br FROM morpho_borrow_rate(coalesce(ms.rate_at_target, int256(0)),
				morpho_utilization(ms.total_supply_assets, ms.total_borrow_assets),
				greatest(extract(epoch FROM at)::bigint - ms.last_update, 0));
			rat := br.end_rate_at_target::text;
			mfee := ms.fee::text;
		END IF;
		sup := coalesce((SELECT x.amount::numeric FROM positions x WHERE x.strategy_id = s.id AND x.protocol = c ->> 'protocol'
						  AND x.asset = tok AND x.position_id = i), 0);
		cands := cands || jsonb_build_array(jsonb_build_object(
			'market', c ->> 'market', 'protocol', c ->> 'protocol',
			'supply_apy', mk.supply_apy, 'borrow_apy', mk.borrow_apy, 'utilization', mk.utilization,
			'liquidity', mk.liquidity::text,
			'total_supply', mk.total_supply_assets::text, 'total_borrow', mk.total_borrow_assets::text,
			'rate_at_target', rat, 'fee', mfee,
			'cap_room', CASE WHEN mk.supply_cap > 0
							 THEN greatest(mk.supply_cap * 10::numeric ^ dec - mk.total_supply_assets::numeric, 0)::text END,
			'risk_level', CASE WHEN c ->> 'collateral_token' IS NOT NULL
							   THEN risk_asset_level(s.chain_id, (c ->> 'collateral_token')::address) ELSE 'ok' END,
			'supplied', sup::text, 'known', mk.market IS NOT NULL));
		value := value + sup * strategy_unit(dec);
		-- interest leg: the supply grows with the market's supply index
		holdings := holdings || ROW(tok, (c ->> 'protocol') || ':' || (c ->> 'market'), sup, dec, 1, 0,
			CASE WHEN (SELECT x.detail ->> 'shares' FROM positions x WHERE x.strategy_id = s.id AND x.protocol = c ->> 'protocol'
						AND x.asset = tok AND x.position_id = i)::numeric > 0
				 THEN sup / (SELECT (x.detail ->> 'shares')::numeric FROM positions x WHERE x.strategy_id = s.id
							  AND x.protocol = c ->> 'protocol' AND x.asset = tok AND x.position_id = i) END,
			'interest', NULL, NULL, NULL, NULL)::strategy_holding;
	END LOOP;
	RETURN jsonb_build_object('kind', 'lend', 'block_number', block, 'at', at, 'idle', idle::text,
		'candidates', cands, 'valuation', strategy_valuation_json(tok, value, holdings));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_lend(@extschema@.strategies, bigint) IS
	'inputs of a lend decision at a block: idle balance, and per candidate market its supply APY, liquidity, cap room, risk level and the account''s supply';

-- lend: withdraw from an unsafe or clearly worse market, or supply idle
-- funds to the best one; one action per decision.
CREATE FUNCTION @extschema@.strategy_policy_lend(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	acct address := (p ->> 'account')::address;
	tok address := (p ->> 'asset')::address;
	dec int := (p ->> 'decimals')::int;
	years numeric := extract(epoch FROM (p ->> 'horizon')::interval) / 31557600;
	best jsonb;
	cur jsonb;
	cand jsonb;
	amt numeric;
	gain numeric;
	idle numeric := (state ->> 'idle')::numeric;
	to_place numeric;
	data bytea;
	action text;
	reasons text[];
	target jsonb;
BEGIN
	IF strategy_state_stale(state, p) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["stale_chain_data"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	-- The best market for what there is to place (the idle funds, else the
	-- supply): by the APY it would pay with that added (its own supply
	-- already counts in it).
	to_place := greatest(idle, coalesce((SELECT max((x ->> 'supplied')::numeric) FROM jsonb_array_elements(state -> 'candidates') x), 0));
	SELECT x || jsonb_build_object('apy_after', a.apy) INTO best
	  FROM jsonb_array_elements(state -> 'candidates') WITH ORDINALITY AS e(x, i)
	 CROSS JOIN LATERAL (SELECT CASE WHEN (x ->> 'supplied')::numeric > 0 THEN (x ->> 'supply_apy')::float8
									 ELSE strategy_lend_apy_after(x, to_place) END AS apy) AS a
	 WHERE (x ->> 'known')::boolean AND x ->> 'risk_level' IN ('ok', 'warn') AND (x ->> 'supply_apy') IS NOT NULL
	   AND (x ->> 'cap_room' IS NULL OR (x ->> 'cap_room')::numeric > 0) AND a.apy IS NOT NULL
	 ORDER BY a.apy DESC, i LIMIT 1;
	-- The market holding the most of the supply.
	SELECT x INTO cur FROM jsonb_array_elements(state -> 'candidates') WITH ORDINALITY AS e(x, i)
	 WHERE (x ->> 'supplied')::numeric > 0 ORDER BY (x ->> 'supplied')::numeric DESC, i LIMIT 1;

	FOR cand IN SELECT x FROM jsonb_array_elements(state -> 'candidates') x WHERE (x ->> 'supplied')::numeric > 0 LOOP
		amt := least((cand ->> 'supplied')::numeric, (cand ->> 'liquidity')::numeric);
		CONTINUE WHEN amt * strategy_unit(dec) < (p ->> 'min_trade')::numeric;
		IF cand ->> 'risk_level' IN ('reduce_only', 'halt') THEN
			action := 'withdraw';
			reasons := ARRAY['risk_' || (cand ->> 'risk_level')];
		ELSIF best IS NOT NULL AND cand ->> 'market' <> best ->> 'market' THEN
			-- what the best would pay with this added, against what this pays now
			gain := (strategy_lend_apy_after(best, amt)::numeric - (cand ->> 'supply_apy')::numeric);
			CONTINUE WHEN gain IS NULL OR gain <= (p ->> 'switch_threshold')::numeric;
			gain := gain * years * amt * strategy_unit(dec);
			CONTINUE WHEN gain <= 2 * (p ->> 'gas_cost')::numeric + (p ->> 'min_advantage')::numeric;
			action := 'withdraw';
			reasons := ARRAY['better_apy'];
		ELSE
			CONTINUE;
		END IF;
		target := cand;
		-- all of it when the market can pay it all, else what it can
		data := CASE WHEN cand ->> 'protocol' = 'morpho_blue'
			THEN abi_encode_call('morphoWithdraw((address,address,address,address,uint256),uint256)',
				jsonb_build_array((SELECT jsonb_build_array(tok::text, e ->> 'collateral_token', e ->> 'oracle', e ->> 'irm', e ->> 'lltv')
									 FROM jsonb_array_elements(p -> 'candidates') e WHERE e ->> 'market' = cand ->> 'market'),
					CASE WHEN amt = (cand ->> 'supplied')::numeric THEN '115792089237316195423570985008687907853269984665640564039457584007913129639935'
						 ELSE amt::text END))
			ELSE abi_encode_call('aaveWithdraw(address,uint256)',
				jsonb_build_array(tok::text,
					CASE WHEN amt = (cand ->> 'supplied')::numeric THEN '115792089237316195423570985008687907853269984665640564039457584007913129639935'
						 ELSE amt::text END)) END;
		EXIT;
	END LOOP;

	IF action IS NULL AND best IS NOT NULL AND idle * strategy_unit(dec) >= (p ->> 'min_trade')::numeric THEN
		amt := CASE WHEN best ->> 'cap_room' IS NOT NULL THEN least(idle, (best ->> 'cap_room')::numeric) ELSE idle END;
		action := 'supply';
		reasons := ARRAY['idle_funds'];
		target := best;
		data := CASE WHEN best ->> 'protocol' = 'morpho_blue'
			THEN abi_encode_call('morphoSupply((address,address,address,address,uint256),uint256)',
				jsonb_build_array((SELECT jsonb_build_array(tok::text, e ->> 'collateral_token', e ->> 'oracle', e ->> 'irm', e ->> 'lltv')
									 FROM jsonb_array_elements(p -> 'candidates') e WHERE e ->> 'market' = best ->> 'market'),
					amt::text))
			ELSE abi_encode_call('aaveSupply(address,uint256)', jsonb_build_array(tok::text, amt::text)) END;
	END IF;

	IF action IS NULL THEN
		RETURN jsonb_build_object('action', 'hold',
			'reasons', to_jsonb(CASE WHEN best IS NULL THEN ARRAY['no_eligible_market']
									 WHEN cur IS NULL THEN ARRAY['nothing_to_place']
									 WHEN cur ->> 'market' = best ->> 'market' THEN ARRAY['supplied_best']
									 ELSE ARRAY['move_not_worth'] END),
			'plan', jsonb_build_object('best', best ->> 'market', 'best_apy', (best ->> 'supply_apy')::float8,
				'current', cur ->> 'market'),
			'intents', '[]'::jsonb);
	END IF;
	RETURN jsonb_build_object('action', action, 'reasons', to_jsonb(reasons),
		'plan', jsonb_build_object('market', target ->> 'market', 'protocol', target ->> 'protocol', 'amount', amt::text,
			'best', best ->> 'market', 'best_apy', (best ->> 'supply_apy')::float8, 'best_apy_after', (best ->> 'apy_after')::float8,
			'apy', (target ->> 'supply_apy')::float8,
			'gain_over_horizon', gain),
		'intents', jsonb_build_array(strategy_intent(action, acct, data,
			format('%s %s of %s %s %s market %s', action, amt, tok, CASE WHEN action = 'supply' THEN 'to' ELSE 'from' END,
				target ->> 'protocol', target ->> 'market'))),
		'proposal', jsonb_build_object('action', action, 'reduces_risk', action = 'withdraw',
			'value', (state -> 'valuation' ->> 'value')::numeric, 'turnover', amt * strategy_unit(dec),
			'slippage_bps', 0, 'chain_id', s.chain_id, 'assets', jsonb_build_array(tok::text)));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_lend(@extschema@.strategies, jsonb) IS
	'lend decision: withdraw from an unsafe or clearly worse market, supply idle funds to the best one, or hold';

-- lend: the simulated call must move what the policy asked: the account's
-- actions return (supplied after, 0, idle after) in raw units.
CREATE FUNCTION @extschema@.strategy_simulate_lend(s @extschema@.strategies, state jsonb, result jsonb, calls jsonb)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r jsonb;
	idle_after numeric;
	why text[] := '{}';
	amt numeric := (result -> 'plan' ->> 'amount')::numeric;
BEGIN
	FOR r IN SELECT e FROM jsonb_array_elements(calls) e WHERE (e ->> 'ok')::boolean LOOP
		IF length(r ->> 'return') < 2 + 64 * 3 THEN
			why := why || 'no_result'::text;
			CONTINUE;
		END IF;
		idle_after := (abi_decode('(uint256,uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 2)::numeric;
		IF result ->> 'action' = 'supply' AND idle_after <> (state ->> 'idle')::numeric - amt THEN
			why := why || 'supply_amount_differs'::text;
		ELSIF result ->> 'action' = 'withdraw' AND idle_after < (state ->> 'idle')::numeric + amt THEN
			why := why || 'withdraw_amount_short'::text;
		END IF;
	END LOOP;
	RETURN why;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_simulate_lend(@extschema@.strategies, jsonb, jsonb, jsonb) IS
	'lend simulation check: the simulated supply or withdrawal moves exactly (supply) or at least (withdraw) the amount planned';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, simulate, description, builtin) VALUES
	('lend', '@extschema@.strategy_validate_lend', '@extschema@.strategy_sync_lend',
	 '@extschema@.strategy_gather_lend', '@extschema@.strategy_policy_lend', '@extschema@.strategy_simulate_lend',
	 'Supply an asset to the best of its configured Morpho Blue markets and Aave v3 reserves by net supply APY, through the owner''s leverage account',
	 true);
