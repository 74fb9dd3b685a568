-- src/strategy/kinds/stake.sql: the stake kind of strategy: hold the LST or
-- LRT with the best APR among configured candidates whose risk level allows
-- it, bought with a base token through a Uniswap v3 router.  One file holds
-- the kind: its validate, sync, gather and policy functions and its row of
-- strategy_kinds (whose trigger takes EXECUTE on them from PUBLIC).

-- Validate stake parameters; each candidate is {token, pool, fee} with the
-- pool pairing the token with base_token.
CREATE FUNCTION @extschema@.strategy_validate_stake(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'stake';
	c jsonb;
	cands jsonb := '[]';
	base address;
	tok address;
	pool address;
	i int := 0;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['base_token', 'base_decimals', 'swap_router', 'candidates',
		'apr_window', 'stake_share', 'min_trade', 'switch_threshold', 'slippage_bps', 'deadline_seconds']);
	base := strategy_param_address(k, p, 'base_token');
	IF base IS NULL THEN
		PERFORM strategy_param_error(k, 'base_token', 'the token to stake from (e.g. WETH) is required');
	END IF;
	IF strategy_param_address(k, p, 'swap_router') IS NULL THEN
		PERFORM strategy_param_error(k, 'swap_router', 'the SwapRouter address is required');
	END IF;
	IF jsonb_typeof(p -> 'candidates') IS DISTINCT FROM 'array' OR jsonb_array_length(p -> 'candidates') = 0 THEN
		PERFORM strategy_param_error(k, 'candidates', 'a non-empty array of {"token", "pool", "fee"}');
	END IF;
	FOR c IN SELECT value FROM jsonb_array_elements(p -> 'candidates') LOOP
		i := i + 1;
		PERFORM strategy_check_keys('stake candidate', c, ARRAY['token', 'pool', 'fee', 'decimals', 'base_is_token0']);
		tok := strategy_param_address(k, c, 'token');
		pool := strategy_param_address(k, c, 'pool');
		IF tok IS NULL OR pool IS NULL THEN
			PERFORM strategy_param_error(k, format('candidates[%s]', i), 'token and pool are required');
		END IF;
		IF tok = base THEN
			PERFORM strategy_param_error(k, format('candidates[%s]', i), 'a candidate cannot be the base token');
		END IF;
		IF NOT c ? 'fee' THEN c := c || jsonb_build_object('fee', (strategy_read_word(chain_id, pool, 'fee()', 'uint24') #>> '{}')::int); END IF;
		IF NOT c ? 'decimals' THEN c := c || jsonb_build_object('decimals', (strategy_read_word(chain_id, tok, 'decimals()', 'uint8') #>> '{}')::int); END IF;
		IF c ? 'base_is_token0' AND jsonb_typeof(c -> 'base_is_token0') <> 'boolean' THEN
			PERFORM strategy_param_error(k, format('candidates[%s].base_is_token0', i), 'true or false');
		END IF;
		IF NOT c ? 'base_is_token0' THEN c := c || jsonb_build_object('base_is_token0', base < tok); END IF;
		PERFORM strategy_param_number(k, c, 'fee', 0, 999999), strategy_param_number(k, c, 'decimals', 0, 77);
		IF (c ->> 'base_is_token0')::boolean <> (base < tok) THEN
			PERFORM strategy_param_error(k, format('candidates[%s].base_is_token0', i), 'disagrees with the token order');
		END IF;
		cands := cands || jsonb_build_array(c);
	END LOOP;
	IF (SELECT count(DISTINCT lower(e ->> 'token')) FROM jsonb_array_elements(cands) e) <> jsonb_array_length(cands) THEN
		PERFORM strategy_param_error(k, 'candidates', 'each token at most once');
	END IF;
	IF NOT p ? 'base_decimals' THEN p := p || jsonb_build_object('base_decimals', (strategy_read_word(chain_id, base, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	PERFORM strategy_param_number(k, p, 'base_decimals', 0, 77);
	p := p || jsonb_build_object(
		'candidates', cands,
		'apr_window', coalesce(p -> 'apr_window', '"7 days"'),
		'stake_share', coalesce(strategy_param_number(k, p, 'stake_share', 0, 1), 1),
		'min_trade', coalesce(strategy_param_number(k, p, 'min_trade', 0, 1e30), 0.001),
		'switch_threshold', coalesce(strategy_param_number(k, p, 'switch_threshold', 0, 100), 0.005),
		'slippage_bps', coalesce(strategy_param_number(k, p, 'slippage_bps', 0, 10000), 50),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600));
	PERFORM strategy_param_interval(k, p, 'apr_window', '1 minute', '3650 days');
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_stake(jsonb, bigint) IS
	'stake parameters checked, candidates'' fee, decimals and token order filled from the chain when absent';

-- stake: the base token and every candidate, with allowances to the router.
CREATE FUNCTION @extschema@.strategy_sync_stake(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	PERFORM strategy_sync_tokens(s, block,
		ARRAY[(s.params ->> 'base_token')::address]
		  || ARRAY(SELECT (c ->> 'token')::address FROM jsonb_array_elements(s.params -> 'candidates') c),
		ARRAY[(s.params ->> 'swap_router')::address]);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_stake(@extschema@.strategies, bigint) IS
	'stake positions at a block: balances of the base token and the candidates, allowances to the router';

-- stake state: wallet, and per candidate its APR, market price, rate and risk level.
CREATE FUNCTION @extschema@.strategy_gather_stake(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	base address := (p ->> 'base_token')::address;
	router address := (p ->> 'swap_router')::address;
	bd int := (p ->> 'base_decimals')::int;
	at timestamptz := ingest_block_time(s.chain_id, block);
	c jsonb;
	tok address;
	ps record;
	w record;
	wb record;
	cands jsonb := '[]';
	price numeric;
	value numeric;
	holdings strategy_holding[];
	rate uint256;
BEGIN
	SELECT * INTO wb FROM strategy_wallet(s.id, base, router);
	value := wb.amount::numeric / 10::numeric ^ bd;
	holdings := ARRAY[ROW(base, 'wallet', wb.amount::numeric, bd, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding];
	FOR c IN SELECT e FROM jsonb_array_elements(p -> 'candidates') e LOOP
		tok := (c ->> 'token')::address;
		SELECT * INTO ps FROM univ3_pool_state_at(s.chain_id, (c ->> 'pool')::address, block);
		SELECT * INTO w FROM strategy_wallet(s.id, tok, router);
		-- Base per candidate, whole units.
		price := CASE WHEN ps.sqrt_price IS NULL THEN NULL
					  WHEN (c ->> 'base_is_token0')::boolean
					  THEN 1 / strategy_price1per0(ps.sqrt_price, bd, (c ->> 'decimals')::int)
					  ELSE strategy_price1per0(ps.sqrt_price, (c ->> 'decimals')::int, bd) END;
		rate := token_lst_rate_at(s.chain_id, tok, block);
		cands := cands || jsonb_build_array(jsonb_build_object(
			'token', tok::text, 'pool', c ->> 'pool', 'fee', (c ->> 'fee')::int,
			'base_is_token0', (c ->> 'base_is_token0')::boolean, 'decimals', (c ->> 'decimals')::int,
			'apr', yield_apr_window(s.chain_id, tok, (p ->> 'apr_window')::interval, at),
			'risk_level', risk_asset_level(s.chain_id, tok),
			'rate', rate::text,
			'sqrt_price', ps.sqrt_price::text, 'liquidity', ps.liquidity::text, 'pool_block', ps.block_number,
			'price', price,
			'balance', w.amount::text, 'allowance', w.allowance::text));
		value := value + coalesce(w.amount::numeric / 10::numeric ^ (c ->> 'decimals')::int * price, 0);
		holdings := holdings || ROW(tok, 'wallet', w.amount::numeric, (c ->> 'decimals')::int, price, 0,
									rate::numeric, CASE WHEN rate IS NOT NULL THEN 'staking' END, NULL, NULL, NULL, NULL)::strategy_holding;
	END LOOP;
	RETURN jsonb_build_object(
		'kind', 'stake', 'block_number', block, 'at', at,
		'wallet', jsonb_build_object('base', wb.amount::text, 'base_allowance', wb.allowance::text),
		'candidates', cands,
		'valuation', strategy_valuation_json(base, value, holdings));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_stake(@extschema@.strategies, bigint) IS
	'inputs of a stake decision at a block: base balance, and per candidate APR, risk level, rate, pool price, balance, allowance';

-- stake: hold the candidate with the best APR among those whose risk level
-- allows it; leave a candidate whose level is reduce_only or halt.
CREATE FUNCTION @extschema@.strategy_policy_stake(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	base address := (p ->> 'base_token')::address;
	router address := (p ->> 'swap_router')::address;
	bd int := (p ->> 'base_decimals')::int;
	slip int := (p ->> 'slippage_bps')::int;
	deadline bigint := extract(epoch FROM (state ->> 'at')::timestamptz)::bigint + (p ->> 'deadline_seconds')::bigint;
	best jsonb;
	c jsonb;
	q record;
	q2 record;
	amount uint256;
	out_min uint256;
	intents jsonb := '[]';
	reasons text[] := '{}';
	actions text[] := '{}';
	trades jsonb := '[]';
	turnover numeric := 0;
	swap_cost numeric := 0;
	reduces boolean := true;
	assets jsonb := jsonb_build_array(base::text);
	base_spent uint256 := 0;
BEGIN
	-- The decision's time comes from its inputs (decided_at): no clock here.
	IF strategy_state_stale(state, p) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["stale_chain_data"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	SELECT x INTO best FROM jsonb_array_elements(state -> 'candidates') WITH ORDINALITY AS e(x, i)
	 WHERE (x ->> 'apr') IS NOT NULL AND x ->> 'risk_level' IN ('ok', 'warn') AND x ->> 'sqrt_price' IS NOT NULL
	   AND (x ->> 'liquidity')::numeric > 0
	 ORDER BY (x ->> 'apr')::float8 DESC, i LIMIT 1;

	-- Leave candidates that are unsafe (to base) or clearly worse than the best (to the best).
	FOR c IN SELECT x FROM jsonb_array_elements(state -> 'candidates') x WHERE (x ->> 'balance')::numeric > 0 LOOP
		CONTINUE WHEN best IS NOT NULL AND lower(c ->> 'token') = lower(best ->> 'token');
		CONTINUE WHEN c ->> 'sqrt_price' IS NULL OR (c ->> 'liquidity')::numeric = 0;
		amount := (c ->> 'balance')::uint256;
		CONTINUE WHEN amount::numeric / 10::numeric ^ (c ->> 'decimals')::int * (c ->> 'price')::numeric < (p ->> 'min_trade')::numeric;
		IF c ->> 'risk_level' IN ('reduce_only', 'halt') OR best IS NULL THEN
			-- Sell it for base.
			SELECT * INTO q FROM strategy_swap_quote((c ->> 'sqrt_price')::uint256, (c ->> 'liquidity')::uint256,
				(c ->> 'fee')::int, NOT (c ->> 'base_is_token0')::boolean, amount);
			out_min := strategy_amount_min(q.amount_out, slip);
			IF (c ->> 'allowance')::uint256 < amount THEN
				intents := intents || jsonb_build_array(strategy_approve_intent((c ->> 'token')::address, router, amount));
			END IF;
			intents := intents || jsonb_build_array(strategy_intent('swap', router,
				abi_encode_call('exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))',
					jsonb_build_array(jsonb_build_array(c ->> 'token', base::text, (c ->> 'fee')::int, s.owner::text,
						deadline, amount::text, out_min::text, '0'))),
				format('sell %s of %s for at least %s of %s', amount, c ->> 'token', out_min, base)));
			actions := actions || 'unstake'::text;
			reasons := reasons || CASE WHEN best IS NULL THEN 'no_eligible_candidate' ELSE 'risk_' || (c ->> 'risk_level') END;
			trades := trades || jsonb_build_array(jsonb_build_object('from', c ->> 'token', 'to', base::text,
				'amount_in', amount::text, 'amount_out', q.amount_out::text, 'amount_out_min', out_min::text));
			turnover := turnover + q.amount_out::numeric / 10::numeric ^ bd;
			swap_cost := swap_cost + amount::numeric / 10::numeric ^ (c ->> 'decimals')::int * (c ->> 'price')::numeric
						 * (c ->> 'fee')::int / 1000000;
		ELSIF (c ->> 'apr') IS NULL OR (c ->> 'apr')::float8 < (best ->> 'apr')::float8 - (p ->> 'switch_threshold')::float8 THEN
			-- Switch through base: candidate → base → best, one exactInput.
			reduces := false;
			SELECT * INTO q FROM strategy_swap_quote((c ->> 'sqrt_price')::uint256, (c ->> 'liquidity')::uint256,
				(c ->> 'fee')::int, NOT (c ->> 'base_is_token0')::boolean, amount);
			SELECT * INTO q2 FROM strategy_swap_quote((best ->> 'sqrt_price')::uint256, (best ->> 'liquidity')::uint256,
				(best ->> 'fee')::int, (best ->> 'base_is_token0')::boolean, q.amount_out);
			out_min := strategy_amount_min(q2.amount_out, slip);
			IF (c ->> 'allowance')::uint256 < amount THEN
				intents := intents || jsonb_build_array(strategy_approve_intent((c ->> 'token')::address, router, amount));
			END IF;
			intents := intents || jsonb_build_array(strategy_intent('swap', router,
				abi_encode_call('exactInput((bytes,address,uint256,uint256,uint256))',
					jsonb_build_array(jsonb_build_array(
						'0x' || encode(to_bytea((c ->> 'token')::address) || substring(int4send((c ->> 'fee')::int) FROM 2)
									   || to_bytea(base) || substring(int4send((best ->> 'fee')::int) FROM 2)
									   || to_bytea((best ->> 'token')::address), 'hex'),
						s.owner::text, deadline, amount::text, out_min::text))),
				format('switch %s of %s to at least %s of %s', amount, c ->> 'token', out_min, best ->> 'token')));
			actions := actions || 'switch'::text;
			reasons := reasons || 'better_apr'::text;
			trades := trades || jsonb_build_array(jsonb_build_object('from', c ->> 'token', 'to', best ->> 'token',
				'amount_in', amount::text, 'amount_out', q2.amount_out::text, 'amount_out_min', out_min::text));
			turnover := turnover + q.amount_out::numeric / 10::numeric ^ bd;
			swap_cost := swap_cost + amount::numeric / 10::numeric ^ (c ->> 'decimals')::int * (c ->> 'price')::numeric
						 * (c ->> 'fee')::int / 1000000
						 + q.amount_out::numeric / 10::numeric ^ bd * (best ->> 'fee')::int / 1000000;
			assets := assets || jsonb_build_array(c ->> 'token', best ->> 'token');
		END IF;
	END LOOP;

	-- Stake idle base into the best candidate.
	IF best IS NOT NULL THEN
		-- Up to stake_share of the vault's value in LSTs (what is staked already counts).
		amount := greatest(0, floor(least((state -> 'wallet' ->> 'base')::numeric,
			((p ->> 'stake_share')::numeric * (state -> 'valuation' ->> 'value')::numeric
			 - coalesce((SELECT sum((x ->> 'balance')::numeric / 10::numeric ^ (x ->> 'decimals')::int * (x ->> 'price')::numeric)
						   FROM jsonb_array_elements(state -> 'candidates') x WHERE x ->> 'price' IS NOT NULL), 0))
			* 10::numeric ^ bd)))::uint256;
		IF amount::numeric / 10::numeric ^ bd >= (p ->> 'min_trade')::numeric AND amount > 0 THEN
			reduces := false;
			SELECT * INTO q FROM strategy_swap_quote((best ->> 'sqrt_price')::uint256, (best ->> 'liquidity')::uint256,
				(best ->> 'fee')::int, (best ->> 'base_is_token0')::boolean, amount);
			out_min := strategy_amount_min(q.amount_out, slip);
			IF (state -> 'wallet' ->> 'base_allowance')::uint256 < amount THEN
				intents := intents || jsonb_build_array(strategy_approve_intent(base, router, amount));
			END IF;
			intents := intents || jsonb_build_array(strategy_intent('swap', router,
				abi_encode_call('exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))',
					jsonb_build_array(jsonb_build_array(base::text, best ->> 'token', (best ->> 'fee')::int, s.owner::text,
						deadline, amount::text, out_min::text, '0'))),
				format('stake %s of %s into at least %s of %s', amount, base, out_min, best ->> 'token')));
			actions := actions || 'stake'::text;
			reasons := reasons || 'idle_base'::text;
			trades := trades || jsonb_build_array(jsonb_build_object('from', base::text, 'to', best ->> 'token',
				'amount_in', amount::text, 'amount_out', q.amount_out::text, 'amount_out_min', out_min::text));
			turnover := turnover + amount::numeric / 10::numeric ^ bd;
			swap_cost := swap_cost + amount::numeric / 10::numeric ^ bd * (best ->> 'fee')::int / 1000000;
			assets := assets || jsonb_build_array(best ->> 'token');
		END IF;
	END IF;

	IF jsonb_array_length(intents) = 0 THEN
		RETURN jsonb_build_object('action', 'hold',
			'reasons', to_jsonb(CASE WHEN best IS NULL THEN ARRAY['no_eligible_candidate']
									 ELSE ARRAY['staked'] END),
			'plan', jsonb_build_object('best', best ->> 'token', 'best_apr', (best ->> 'apr')::float8),
			'intents', '[]'::jsonb);
	END IF;
	RETURN jsonb_build_object(
		'action', CASE WHEN 'switch' = ANY (actions) THEN 'switch'
					   WHEN 'unstake' = ANY (actions) AND NOT 'stake' = ANY (actions) THEN 'unstake'
					   ELSE 'stake' END,
		'reasons', to_jsonb(reasons),
		'plan', jsonb_build_object('best', best ->> 'token', 'best_apr', (best ->> 'apr')::float8, 'trades', trades,
			'swap_cost', swap_cost),
		'intents', intents,
		'proposal', jsonb_build_object('action', CASE WHEN reduces THEN 'unstake' ELSE 'stake' END,
			'reduces_risk', reduces, 'value', (state -> 'valuation' ->> 'value')::numeric,
			'turnover', turnover, 'slippage_bps', slip,
			'assets', (SELECT jsonb_agg(DISTINCT a) FROM jsonb_array_elements(assets) a), 'chain_id', s.chain_id));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_stake(@extschema@.strategies, jsonb) IS
	'stake decision: swap idle base into the best-APR eligible candidate, switch out of clearly worse ones, sell unsafe ones; or hold';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, description, builtin) VALUES
	('stake', '@extschema@.strategy_validate_stake', '@extschema@.strategy_sync_stake',
	 '@extschema@.strategy_gather_stake', '@extschema@.strategy_policy_stake',
	 'Hold the LST/LRT with the best APR among configured candidates whose risk level allows it, bought with a base token',
	 true);
