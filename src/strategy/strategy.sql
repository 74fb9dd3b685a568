-- src/strategy/strategy.sql: the strategy engine.  A strategy is a kind (a
-- row of strategy_kinds: how to validate its parameters, sync its positions
-- from the chain, gather its state and decide), an owner address (the vault
-- that holds its assets and signs its transactions) and parameters.
-- run_strategies() takes each enabled strategy through one decision cycle:
--
--   sync positions (eth_call at the latest ingested block) → gather state
--   (ingested pool states, swaps, rates, the synced positions) → policy →
--   decisions row (action, inputs snapshot, reason codes) → risk_gate() →
--   txq_enqueue() of its intents, in the same transaction (outbox)
--
-- A new kind (lending, leverage, derivatives) is one more row of
-- strategy_kinds: a validator, a sync, a gather and a policy function whose
-- result lists the intents; the cycle, the decisions, the risk gate, the
-- queue and the dashboards stay as they are.  docs/strategies.md.

-- ---- pure helpers (C, strategy_math.c) ----

CREATE FUNCTION @extschema@.strategy_lp_swap(sqrt_price @extschema@.uint256, liquidity @extschema@.uint256,
	fee_pips int, tick_lower int, tick_upper int,
	holdings0 @extschema@.uint256, holdings1 @extschema@.uint256,
	OUT zero_for_one boolean, OUT amount_in @extschema@.uint256, OUT amount_out @extschema@.uint256,
	OUT sqrt_price_after @extschema@.uint256)
AS 'MODULE_PATHNAME', 'strategy_lp_swap'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.strategy_lp_swap(@extschema@.uint256, @extschema@.uint256, int, int, int, @extschema@.uint256, @extschema@.uint256) IS
	'exact-input swap (SwapMath within the active liquidity) after which the holdings stand in the ratio the range takes at the new price';

CREATE FUNCTION @extschema@.strategy_swap_quote(sqrt_price @extschema@.uint256, liquidity @extschema@.uint256,
	fee_pips int, zero_for_one boolean, amount_in @extschema@.uint256,
	OUT amount_out @extschema@.uint256, OUT sqrt_price_after @extschema@.uint256)
AS 'MODULE_PATHNAME', 'strategy_swap_quote'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.strategy_swap_quote(@extschema@.uint256, @extschema@.uint256, int, boolean, @extschema@.uint256) IS
	'exact-input swap output and price after, priced by SwapMath within the active liquidity (no tick crossed)';

CREATE FUNCTION @extschema@.strategy_amount_min(amount @extschema@.uint256, slippage_bps int)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'strategy_amount_min'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.strategy_amount_min(@extschema@.uint256, int) IS
	'floor(amount * (10000 - slippage_bps) / 10000): the least amount a transaction accepts';

CREATE FUNCTION @extschema@.strategy_tick_stats(at timestamptz[], tick int[], to_ts timestamptz,
	twap_seconds float8, vol_window_seconds float8, OUT twap_tick int, OUT sigma float8)
AS 'MODULE_PATHNAME', 'strategy_tick_stats'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.strategy_tick_stats(timestamptz[], int[], timestamptz, float8, float8) IS
	'time-weighted mean tick over the trailing twap window and realized volatility of ln(price) per sqrt(day) of a tick series';

CREATE FUNCTION @extschema@.strategy_sharpe(returns float8[], periods_per_year float8 DEFAULT 365)
RETURNS float8
AS 'MODULE_PATHNAME', 'strategy_sharpe'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.strategy_sharpe(float8[], float8) IS
	'mean over sample standard deviation of periodic returns, annualised by sqrt(periods_per_year); NULL under two returns';

-- ---- tables ----

-- What a kind of strategy is: four functions, called by name.
--   validate(params jsonb, chain_id bigint) → jsonb   the parameters, checked, defaults filled
--   sync(s strategies, block bigint) → void             positions rows from chain state
--   gather(s strategies, block bigint) → jsonb          the inputs snapshot of a decision
--   policy(s strategies, state jsonb) → jsonb           {action, reasons, plan, intents, proposal}
CREATE TABLE @extschema@.strategy_kinds (
	kind			text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
	validate		regproc NOT NULL,
	sync			regproc NOT NULL,
	gather			regproc NOT NULL,
	policy			regproc NOT NULL,
	description		text NOT NULL
);
COMMENT ON TABLE @extschema@.strategy_kinds IS
	'Kinds of strategy and the functions that validate, sync, gather and decide for them (one row per kind: the plug-in point)';

-- strategy_kinds is a registry of functions that the engine calls as the
-- extension's owner: only that owner's functions, of exactly the signature
-- of their slot, may be named in it, and the engine calls them by their
-- schema-qualified names (registry_check_function, registry_call_name,
-- src/amplified.sql).
CREATE FUNCTION @extschema@.strategy_kinds_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st regtype := '@extschema@.strategies'::regtype;
BEGIN
	PERFORM @extschema@.registry_check_function(NEW.validate, 'strategy_kinds.validate', ARRAY['jsonb', 'bigint']::regtype[], 'jsonb');
	PERFORM @extschema@.registry_check_function(NEW.sync, 'strategy_kinds.sync', ARRAY[st, 'bigint'], 'void');
	PERFORM @extschema@.registry_check_function(NEW.gather, 'strategy_kinds.gather', ARRAY[st, 'bigint'], 'jsonb');
	PERFORM @extschema@.registry_check_function(NEW.policy, 'strategy_kinds.policy', ARRAY[st, 'jsonb'], 'jsonb');
	RETURN NEW;
END
$$;
CREATE TRIGGER strategy_kinds_check BEFORE INSERT OR UPDATE ON @extschema@.strategy_kinds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.strategy_kinds_check();
REVOKE ALL ON FUNCTION @extschema@.strategy_kinds_check() FROM PUBLIC;

CREATE TABLE @extschema@.strategies (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name			text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
	kind			text NOT NULL REFERENCES @extschema@.strategy_kinds ON DELETE RESTRICT,
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE RESTRICT,
	owner			@extschema@.address NOT NULL,
	params			jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object'),
	enabled			boolean NOT NULL DEFAULT false,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	-- One vault, one strategy: two strategies on one address would trade its holdings against each other.
	UNIQUE (chain_id, owner)
);
COMMENT ON TABLE @extschema@.strategies IS
	'Strategies: kind, the owner address whose assets they manage, validated parameters, enabled';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategies', '');

-- What the owner holds, as last synced from the chain: token balances (with
-- allowances to the spenders the strategy uses) and Uniswap v3 position NFTs.
CREATE TABLE @extschema@.positions (
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	kind			text NOT NULL CHECK (kind IN ('token', 'univ3')),
	asset			@extschema@.address NOT NULL,
	token_id		numeric NOT NULL DEFAULT 0 CHECK (token_id >= 0),
	amount			@extschema@.uint256,
	allowances		jsonb NOT NULL DEFAULT '{}',
	pool			@extschema@.address,
	tick_lower		integer,
	tick_upper		integer,
	liquidity		@extschema@.uint256,
	owed0			@extschema@.uint256,
	owed1			@extschema@.uint256,
	block_number	bigint NOT NULL,
	synced_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (strategy_id, kind, asset, token_id),
	CHECK ((kind = 'token') = (amount IS NOT NULL)),
	CHECK ((kind = 'univ3') = (liquidity IS NOT NULL AND tick_lower < tick_upper))
);
COMMENT ON TABLE @extschema@.positions IS
	'Holdings of each strategy''s owner at block_number: token balances and allowances, position NFTs with liquidity and owed fees (asset: the position manager)';

-- One row per call of run_strategies().
CREATE TABLE @extschema@.strategy_runs (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at		timestamptz,
	run_by			text NOT NULL DEFAULT session_user,
	summary			jsonb
);
COMMENT ON TABLE @extschema@.strategy_runs IS 'Each run of run_strategies() and its summary';

-- Every decision: what the policy saw (inputs), what it chose and why, what
-- the risk gate said, and the intents it enqueued.  A decision that repeats
-- the one before (the same action, reasons and status, nothing enqueued) is
-- not written again: the previous row's last_block_number and repeats move.
CREATE TABLE @extschema@.decisions (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	run_id			bigint REFERENCES @extschema@.strategy_runs ON DELETE SET NULL,
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	last_block_number bigint NOT NULL,
	chain_time		timestamptz,
	decided_at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	last_decided_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	repeats			integer NOT NULL DEFAULT 0,
	action			text NOT NULL CHECK (action ~ '^[a-z][a-z_]*$'),
	status			text NOT NULL CHECK (status IN ('noop', 'blocked', 'enqueued', 'error')),
	reasons			text[] NOT NULL DEFAULT '{}',
	inputs			jsonb NOT NULL DEFAULT '{}',
	plan			jsonb,
	intents			jsonb NOT NULL DEFAULT '[]',
	proposal		jsonb,
	risk_allowed	boolean,
	risk_level		text,
	risk_reasons	text[],
	intent_ids		bigint[] NOT NULL DEFAULT '{}',
	error			text,
	error_context	text,
	CHECK (last_block_number >= block_number)
);
COMMENT ON TABLE @extschema@.decisions IS
	'Decisions of the strategies: inputs snapshot, action, reason codes, risk gate verdict, intents enqueued';
CREATE INDEX decisions_strategy ON @extschema@.decisions (strategy_id, id DESC);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.decisions', '');

-- The strategy's worth at each block it was looked at, for v_strategy_performance.
CREATE TABLE @extschema@.strategy_snapshots (
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	block_number	bigint NOT NULL,
	at				timestamptz NOT NULL,
	numeraire		@extschema@.address NOT NULL,
	value			numeric NOT NULL,
	hold_value		numeric NOT NULL,
	fees_owed		numeric NOT NULL DEFAULT 0,
	fees_collected	numeric NOT NULL DEFAULT 0,
	staking_yield	numeric NOT NULL DEFAULT 0,
	holdings		jsonb NOT NULL,
	prices			jsonb NOT NULL,
	rates			jsonb NOT NULL DEFAULT '{}',
	nft_owed		jsonb NOT NULL DEFAULT '{}',
	hold_basis		jsonb NOT NULL,
	PRIMARY KEY (strategy_id, block_number)
);
COMMENT ON TABLE @extschema@.strategy_snapshots IS
	'Value of each strategy at the blocks it was run on, in its numeraire token (whole units), with what holding its first holdings would be worth';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_snapshots', '');

-- ---- chain reads ----

-- eth_call from sender to target at a block; the return data.
CREATE FUNCTION @extschema@.strategy_eth_call(chain_id bigint, sender @extschema@.address,
	target @extschema@.address, data bytea, block bigint)
RETURNS bytea
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT decode(substr(r #>> '{}', 3), 'hex')
	  FROM rpc_call($1, 'eth_call',
			jsonb_build_array(jsonb_build_object('from', $2::text, 'to', $3::text,
												 'data', '0x' || encode($4, 'hex')),
							  '0x' || to_hex($5))) AS r
$$;
COMMENT ON FUNCTION @extschema@.strategy_eth_call(bigint, @extschema@.address, @extschema@.address, bytea, bigint) IS
	'eth_call from an address at a block number; the return data';

-- A token's decimals() or a pool's token0()/token1()/fee()/tickSpacing(), read once at creation.
CREATE FUNCTION @extschema@.strategy_read_word(chain_id bigint, target @extschema@.address, signature text, type text)
RETURNS jsonb
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT abi_decode('(' || $4 || ')',
		decode(substr(rpc_call($1, 'eth_call',
			jsonb_build_array(jsonb_build_object('to', $2::text, 'data', '0x' || encode(selector($3), 'hex')),
							  'latest')) #>> '{}', 3), 'hex')) -> 0
$$;
COMMENT ON FUNCTION @extschema@.strategy_read_word(bigint, @extschema@.address, text, text) IS
	'one value returned by a view function without arguments, at the latest block';

-- ---- parameters ----

-- Raise 22023 for a parameter problem, naming the kind and the key.
CREATE FUNCTION @extschema@.strategy_param_error(kind text, key text, problem text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
	RAISE EXCEPTION 'invalid % parameter "%": %', kind, key, problem
		USING ERRCODE = 'invalid_parameter_value',
			  HINT = 'docs/strategies.md lists the parameters of each kind.';
END
$$;

-- Check the keys of a parameter object against the allowed ones.
CREATE FUNCTION @extschema@.strategy_check_keys(kind text, params jsonb, allowed text[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	k text;
BEGIN
	IF params IS NULL OR jsonb_typeof(params) <> 'object' THEN
		RAISE EXCEPTION 'parameters of a % strategy must be a JSON object', kind
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR k IN SELECT jsonb_object_keys(params) ORDER BY 1 LOOP
		IF NOT k = ANY (allowed) THEN
			RAISE EXCEPTION 'unknown % parameter "%"', kind, k
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = format('A %s strategy takes %s.', kind, array_to_string(allowed, ', '));
		END IF;
	END LOOP;
END
$$;

-- A parameter as an address (NULL when absent).
CREATE FUNCTION @extschema@.strategy_param_address(kind text, params jsonb, key text)
RETURNS @extschema@.address
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF NOT params ? key OR jsonb_typeof(params -> key) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(params -> key) <> 'string' THEN
		PERFORM strategy_param_error(kind, key, 'an address is a string');
	END IF;
	RETURN (params ->> key)::address;
EXCEPTION WHEN invalid_text_representation THEN
	PERFORM strategy_param_error(kind, key, format('"%s" is not an address', params ->> key));
	RETURN NULL;
END
$$;

-- A parameter within [lo, hi] as lo's type (NULL when absent): a JSON value
-- of one of the given JSON types that reads as that type, or an error that
-- names the parameter and says what was expected.  NaN and infinities are
-- out of every finite range.
CREATE FUNCTION @extschema@.strategy_param_in_range(kind text, params jsonb, key text, lo anyelement, hi anyelement,
	json_types text[], expected text)
RETURNS anyelement
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
	v ALIAS FOR $0;
BEGIN
	IF NOT params ? key OR jsonb_typeof(params -> key) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(params -> key) <> ALL (json_types) THEN
		PERFORM @extschema@.strategy_param_error(kind, key, format('%s is expected', expected));
	END IF;
	BEGIN
		v := params ->> key;
	EXCEPTION WHEN data_exception THEN
		PERFORM @extschema@.strategy_param_error(kind, key, format('"%s" is not %s', params ->> key, expected));
	END;
	IF v < lo OR v > hi THEN
		PERFORM @extschema@.strategy_param_error(kind, key, format('%s is outside [%s, %s]', v, lo, hi));
	END IF;
	RETURN v;
END
$$;

-- A parameter as a number within [lo, hi] (NULL when absent).
CREATE FUNCTION @extschema@.strategy_param_number(kind text, params jsonb, key text, lo numeric, hi numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN @extschema@.strategy_param_in_range(kind, params, key, lo, hi, '{number,string}', 'a number');

-- An interval parameter within [lo, hi] (NULL when absent): so "-1000
-- years" is refused when the strategy is created, not at its first run.
CREATE FUNCTION @extschema@.strategy_param_interval(kind text, params jsonb, key text, lo interval, hi interval)
RETURNS interval
LANGUAGE sql IMMUTABLE
RETURN @extschema@.strategy_param_in_range(kind, params, key, lo, hi, '{string}', 'an interval such as "7 days"');

-- Every address a strategy's parameters hold, at any depth, with the slot
-- that holds it: the key path with array positions left out, such as
-- "pool" or "candidates.token".  Which contracts a vault's funds may reach
-- is decided by these (routers, position managers, pools, tokens).
CREATE FUNCTION @extschema@.strategy_param_address_slots(params jsonb)
RETURNS TABLE (slot text, address @extschema@.address)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH RECURSIVE walk(slot, v) AS (
		SELECT ''::text, params
		UNION ALL
		SELECT CASE WHEN w.slot = '' THEN c.key WHEN c.key IS NULL THEN w.slot ELSE w.slot || '.' || c.key END, c.value
		  FROM walk w
		 CROSS JOIN LATERAL (SELECT e.key, e.value FROM jsonb_each(CASE WHEN jsonb_typeof(w.v) = 'object' THEN w.v ELSE '{}' END) e
							 UNION ALL
							 SELECT NULL, a.value FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w.v) = 'array' THEN w.v ELSE '[]' END) a) c)
	SELECT DISTINCT w.slot, (w.v #>> '{}')::address
	  FROM walk w
	 WHERE jsonb_typeof(w.v) = 'string' AND (w.v #>> '{}') ~ '^0x[0-9a-fA-F]{40}$'
$$;

-- Every address a strategy's parameters hold: the assets the risk gate's
-- breakers are matched on.
CREATE FUNCTION @extschema@.strategy_param_addresses(params jsonb)
RETURNS @extschema@.address[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN ARRAY(SELECT DISTINCT x.address FROM @extschema@.strategy_param_address_slots(params) x);

-- The ALM parameters (univ3_alm_plan) and gate parameters (univ3_alm_should_rebalance) of an lp_univ3 strategy.
CREATE FUNCTION @extschema@.strategy_lp_alm_params(params jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(params)
		 WHERE key IN ('k', 'min_width', 'limit_width', 'full_range_share', 'peg_tick', 'peg_pull', 'appreciating', 'apr'));

CREATE FUNCTION @extschema@.strategy_lp_gate_params(params jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(params)
		 WHERE key IN ('min_period_seconds', 'min_tick_move', 'max_twap_deviation', 'boundary_threshold', 'cost_factor'));

-- Validate lp_univ3 parameters; token0/token1/fee/tick_spacing and the
-- decimals are read from the chain when not given.
CREATE FUNCTION @extschema@.strategy_validate_lp_univ3(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'lp_univ3';
	pool address;
	d jsonb;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['pool', 'position_manager', 'swap_router', 'token0', 'token1',
		'fee', 'tick_spacing', 'decimals0', 'decimals1', 'numeraire', 'horizon_days', 'sigma',
		'vol_window_seconds', 'twap_seconds', 'gas_cost', 'swap_cost', 'slippage_bps', 'deadline_seconds',
		'swap', 'min_swap_share', 'apr_window',
		'k', 'min_width', 'limit_width', 'full_range_share', 'peg_tick', 'peg_pull', 'appreciating', 'apr',
		'min_period_seconds', 'min_tick_move', 'max_twap_deviation', 'boundary_threshold', 'cost_factor']);
	pool := strategy_param_address(k, p, 'pool');
	IF pool IS NULL THEN
		PERFORM strategy_param_error(k, 'pool', 'the pool address is required');
	END IF;
	IF strategy_param_address(k, p, 'position_manager') IS NULL THEN
		PERFORM strategy_param_error(k, 'position_manager', 'the NonfungiblePositionManager address is required');
	END IF;
	PERFORM strategy_param_address(k, p, 'token0'), strategy_param_address(k, p, 'token1');
	IF p ? 'swap' AND jsonb_typeof(p -> 'swap') <> 'boolean' THEN
		PERFORM strategy_param_error(k, 'swap', 'true or false');
	END IF;
	IF coalesce((p ->> 'swap')::boolean, false) AND strategy_param_address(k, p, 'swap_router') IS NULL THEN
		PERFORM strategy_param_error(k, 'swap_router', 'swap needs the SwapRouter address');
	END IF;
	-- What the pool is, from the chain unless given.
	IF NOT p ? 'token0' THEN p := p || jsonb_build_object('token0', strategy_read_word(chain_id, pool, 'token0()', 'address')); END IF;
	IF NOT p ? 'token1' THEN p := p || jsonb_build_object('token1', strategy_read_word(chain_id, pool, 'token1()', 'address')); END IF;
	IF NOT p ? 'fee' THEN p := p || jsonb_build_object('fee', (strategy_read_word(chain_id, pool, 'fee()', 'uint24') #>> '{}')::int); END IF;
	IF NOT p ? 'tick_spacing' THEN p := p || jsonb_build_object('tick_spacing', (strategy_read_word(chain_id, pool, 'tickSpacing()', 'int24') #>> '{}')::int); END IF;
	IF NOT p ? 'decimals0' THEN p := p || jsonb_build_object('decimals0', (strategy_read_word(chain_id, (p ->> 'token0')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF NOT p ? 'decimals1' THEN p := p || jsonb_build_object('decimals1', (strategy_read_word(chain_id, (p ->> 'token1')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF (p ->> 'token0')::address >= (p ->> 'token1')::address THEN
		PERFORM strategy_param_error(k, 'token0', 'token0 must sort below token1, as in the pool');
	END IF;
	PERFORM strategy_param_number(k, p, 'fee', 0, 999999), strategy_param_number(k, p, 'tick_spacing', 1, 16384),
		strategy_param_number(k, p, 'decimals0', 0, 77), strategy_param_number(k, p, 'decimals1', 0, 77);
	p := p || jsonb_build_object(
		'numeraire', coalesce(p -> 'numeraire', '"token1"'),
		'horizon_days', coalesce(strategy_param_number(k, p, 'horizon_days', 0.001, 365), 1),
		'vol_window_seconds', coalesce(strategy_param_number(k, p, 'vol_window_seconds', 0, 31536000), 86400),
		'twap_seconds', coalesce(strategy_param_number(k, p, 'twap_seconds', 0, 31536000), 0),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e60), 0),
		'swap_cost', coalesce(strategy_param_number(k, p, 'swap_cost', 0, 1e60), 0),
		'slippage_bps', coalesce(strategy_param_number(k, p, 'slippage_bps', 0, 10000), 50),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600),
		'swap', coalesce(p -> 'swap', 'false'),
		'min_swap_share', coalesce(strategy_param_number(k, p, 'min_swap_share', 0, 1), 0.01),
		'apr_window', coalesce(p -> 'apr_window', '"7 days"'));
	PERFORM strategy_param_number(k, p, 'sigma', 0, 100);
	IF p ->> 'numeraire' NOT IN ('token0', 'token1') THEN
		PERFORM strategy_param_error(k, 'numeraire', 'token0 or token1');
	END IF;
	PERFORM strategy_param_interval(k, p, 'apr_window', '1 minute', '3650 days');
	-- The ALM and gate parameters are checked by the functions that take them.
	d := strategy_lp_alm_params(p);
	IF d ->> 'apr' = 'auto' THEN
		d := d || '{"apr": 0}';
	END IF;
	PERFORM univ3_alm_plan('79228162514264337593543950336', (p ->> 'tick_spacing')::int, 0.01, 1, 1, 1, d);
	PERFORM univ3_alm_should_rebalance(-10, 10, 0, 0, 0, now(), now(), 0, 0, 0, strategy_lp_gate_params(p));
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_lp_univ3(jsonb, bigint) IS
	'lp_univ3 parameters checked, with the pool''s tokens, fee, spacing and decimals read from the chain when absent and defaults filled';

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

-- ---- create, update, enable, disable ----

-- Create a strategy (disabled unless enabled => true).
CREATE FUNCTION @extschema@.strategy_create(name text, kind text, chain_id bigint,
	owner @extschema@.address, params jsonb DEFAULT '{}', enabled boolean DEFAULT false)
RETURNS @extschema@.strategies
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	k strategy_kinds;
	p jsonb;
	r strategies;
BEGIN
	IF name IS NULL OR kind IS NULL OR chain_id IS NULL OR owner IS NULL THEN
		RAISE EXCEPTION 'name, kind, chain_id and owner must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO k FROM strategy_kinds AS sk WHERE sk.kind = strategy_create.kind;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown strategy kind "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Kinds are %s.', (SELECT string_agg(sk.kind, ', ' ORDER BY sk.kind) FROM strategy_kinds sk));
	END IF;
	IF NOT EXISTS (SELECT 1 FROM chains AS c WHERE c.chain_id = strategy_create.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	IF EXISTS (SELECT 1 FROM strategies AS s WHERE s.name = strategy_create.name) THEN
		RAISE EXCEPTION 'a strategy named "%" already exists', name USING ERRCODE = 'unique_violation';
	END IF;
	IF EXISTS (SELECT 1 FROM strategies AS s WHERE s.chain_id = strategy_create.chain_id AND s.owner = strategy_create.owner) THEN
		RAISE EXCEPTION 'strategy "%" already manages % on chain %',
			(SELECT s.name FROM strategies AS s WHERE s.chain_id = strategy_create.chain_id AND s.owner = strategy_create.owner),
			owner, chain_id
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'Two strategies on one owner address would trade its holdings against each other.';
	END IF;
	EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.validate)) INTO p USING coalesce(params, '{}'::jsonb), chain_id;
	INSERT INTO strategies (name, kind, chain_id, owner, params, enabled)
	VALUES (strategy_create.name, strategy_create.kind, strategy_create.chain_id, strategy_create.owner,
			p, coalesce(strategy_create.enabled, false))
	RETURNING * INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_create(text, text, bigint, @extschema@.address, jsonb, boolean) IS
	'Create a strategy of a kind for an owner address; its parameters are validated and completed by the kind';

-- Change a strategy's parameters (merged into the old ones; a key set to
-- null is removed) or its name, validated like strategy_create.  With
-- contracts false, the parameters may not name a contract (an address in
-- any slot) that they did not name in that slot before.
CREATE FUNCTION @extschema@.strategy_update_as(id bigint, params jsonb, name text, contracts boolean)
RETURNS @extschema@.strategies
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	p jsonb;
	v text;
BEGIN
	SELECT * INTO s FROM strategies AS x WHERE x.id = strategy_update_as.id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	IF params IS NOT NULL THEN
		IF jsonb_typeof(params) <> 'object' THEN
			RAISE EXCEPTION 'params must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		p := s.params || params;
		FOR v IN SELECT key FROM jsonb_each(params) WHERE jsonb_typeof(value) = 'null' LOOP
			p := p - v;
		END LOOP;
		EXECUTE format('SELECT %s($1, $2)', (SELECT registry_call_name(k.validate) FROM strategy_kinds k WHERE k.kind = s.kind))
			INTO p USING p, s.chain_id;
		-- A contract the strategy did not name before, or in another slot:
		-- where the vault's funds may go is the admin's to choose.
		IF NOT contracts THEN
			SELECT string_agg(format('%s = %s', n.slot, n.address), ', ' ORDER BY n.slot) INTO v
			  FROM (SELECT * FROM strategy_param_address_slots(p)
					EXCEPT SELECT * FROM strategy_param_address_slots(s.params)) n;
			IF v IS NOT NULL THEN
				RAISE EXCEPTION 'strategy_update may not name new contracts for strategy %: %', s.id, v
					USING ERRCODE = 'insufficient_privilege',
						  DETAIL = 'The contracts a strategy names (pools, routers, position managers, tokens) decide where its vault''s funds may go.',
						  HINT = 'An amplified_admin changes them with strategy_update_contracts(); removing one is allowed.';
			END IF;
		END IF;
		s.params := p;
	END IF;
	IF name IS NOT NULL THEN
		IF EXISTS (SELECT 1 FROM strategies AS x WHERE x.name = strategy_update_as.name AND x.id <> s.id) THEN
			RAISE EXCEPTION 'a strategy named "%" already exists', name USING ERRCODE = 'unique_violation';
		END IF;
		s.name := name;
	END IF;
	UPDATE strategies AS x SET params = s.params, name = s.name, updated_at = now()
	 WHERE x.id = s.id RETURNING * INTO s;
	RETURN s;
END
$$;

-- An operator's changes: numbers, intervals, switches, the name; removing a
-- candidate; never a new contract.
CREATE FUNCTION @extschema@.strategy_update(id bigint, params jsonb DEFAULT NULL, name text DEFAULT NULL)
RETURNS @extschema@.strategies
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN @extschema@.strategy_update_as(id, params, name, false);
COMMENT ON FUNCTION @extschema@.strategy_update(bigint, jsonb, text) IS
	'Change a strategy''s parameters (merged; null removes a key) or name, validated; never a new contract address (42501)';

-- An admin's changes, contracts included.
CREATE FUNCTION @extschema@.strategy_update_contracts(id bigint, params jsonb)
RETURNS @extschema@.strategies
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN @extschema@.strategy_update_as(id, params, NULL, true);
COMMENT ON FUNCTION @extschema@.strategy_update_contracts(bigint, jsonb) IS
	'Change a strategy''s parameters, contract addresses included (pools, routers, position managers, tokens)';

-- Enable or disable a strategy; returns whether it was changed.
CREATE FUNCTION @extschema@.strategy_enable(id bigint, enabled boolean DEFAULT true)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM strategies AS s WHERE s.id = strategy_enable.id) THEN
		RAISE EXCEPTION 'strategy % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	UPDATE strategies AS s SET enabled = coalesce(strategy_enable.enabled, true), updated_at = now()
	 WHERE s.id = strategy_enable.id AND s.enabled IS DISTINCT FROM coalesce(strategy_enable.enabled, true);
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_enable(bigint, boolean) IS
	'Enable (or, with false, disable) a strategy for run_strategies(); true when it changed';

CREATE FUNCTION @extschema@.strategy_disable(id bigint)
RETURNS boolean
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN @extschema@.strategy_enable(id, false);
COMMENT ON FUNCTION @extschema@.strategy_disable(bigint) IS
	'Disable a strategy: run_strategies() skips it; its open intents stay in the queue';

-- ---- sync: positions from chain state ----

-- Raise 58R03 unless the chain's node can answer for the block (same hash
-- as ingested; never asking it for a block above its head): the first thing
-- a sync that pins eth_call to the block does.  The message ends with the
-- reason of ingest_node_has_block(), which run_strategies() reports as a
-- waiting outcome rather than an error.
CREATE FUNCTION @extschema@.strategy_require_block(chain_id bigint, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	node record;
BEGIN
	SELECT * INTO node FROM ingest_node_has_block(chain_id, block, true);
	IF NOT node.available THEN
		RAISE EXCEPTION 'the node of chain % cannot answer for block %: %', chain_id, block, node.reason
			USING ERRCODE = '58R03', DETAIL = node.detail,
				  HINT = CASE node.reason WHEN 'node_behind' THEN 'Wait for the node to catch up, or give an older block.'
						 ELSE 'See amplified.v_ingest_status.' END;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_require_block(bigint, bigint) IS
	'raise 58R03 unless the chain''s node has the block with the ingested hash';

-- Balances of tokens and their allowances to spenders, at a block.
CREATE FUNCTION @extschema@.strategy_sync_tokens(s @extschema@.strategies, block bigint,
	tokens @extschema@.address[], spenders @extschema@.address[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	t address;
	sp address;
	al jsonb;
	bal uint256;
BEGIN
	FOREACH t IN ARRAY tokens LOOP
		bal := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, t,
					abi_encode_call('balanceOf(address)', jsonb_build_array(s.owner::text)), block)) ->> 0)::uint256;
		al := '{}';
		FOREACH sp IN ARRAY spenders LOOP
			al := al || jsonb_build_object(lower(sp::text),
				abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, t,
					abi_encode_call('allowance(address,address)', jsonb_build_array(s.owner::text, sp::text)), block)) ->> 0);
		END LOOP;
		INSERT INTO positions (strategy_id, kind, asset, amount, allowances, block_number)
		VALUES (s.id, 'token', t, bal, al, block);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_tokens(@extschema@.strategies, bigint, @extschema@.address[], @extschema@.address[]) IS
	'positions rows of the owner''s balances of tokens and their allowances to spenders, read at a block';

-- lp_univ3: the pool's two tokens and the owner's position NFTs on that pool.
-- Owed fees come from collect() simulated from the owner, so they include the
-- fees earned since the position was last touched.
CREATE FUNCTION @extschema@.strategy_sync_lp_univ3(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	npm address := (p ->> 'position_manager')::address;
	n int;
	i int;
	tid numeric;
	pos jsonb;
	owed jsonb;
	max128 text := '340282366920938463463374607431768211455';
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	DELETE FROM positions AS x WHERE x.strategy_id = s.id;
	PERFORM strategy_sync_tokens(s, block, ARRAY[(p ->> 'token0')::address, (p ->> 'token1')::address],
		ARRAY[npm] || CASE WHEN p ? 'swap_router' THEN ARRAY[(p ->> 'swap_router')::address] ELSE '{}' END);
	n := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
			abi_encode_call('balanceOf(address)', jsonb_build_array(s.owner::text)), block)) ->> 0)::int;
	FOR i IN 0 .. n - 1 LOOP
		tid := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
				abi_encode_call('tokenOfOwnerByIndex(address,uint256)', jsonb_build_array(s.owner::text, i)), block)) ->> 0)::numeric;
		pos := abi_decode('(uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)',
				strategy_eth_call(s.chain_id, s.owner, npm,
					abi_encode_call('positions(uint256)', jsonb_build_array(tid::text)), block));
		CONTINUE WHEN (pos ->> 2)::address <> (p ->> 'token0')::address
			OR (pos ->> 3)::address <> (p ->> 'token1')::address
			OR (pos ->> 4)::int <> (p ->> 'fee')::int;
		owed := abi_decode('(uint256,uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
				abi_encode_call('collect((uint256,address,uint128,uint128))',
					jsonb_build_array(jsonb_build_array(tid::text, s.owner::text, max128, max128))), block));
		INSERT INTO positions (strategy_id, kind, asset, token_id, pool, tick_lower, tick_upper, liquidity,
							   owed0, owed1, block_number)
		VALUES (s.id, 'univ3', npm, tid, (p ->> 'pool')::address, (pos ->> 5)::int, (pos ->> 6)::int,
				(pos ->> 7)::uint256, (owed ->> 0)::uint256, (owed ->> 1)::uint256, block);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_lp_univ3(@extschema@.strategies, bigint) IS
	'lp_univ3 positions at a block: the pool''s token balances and allowances, the owner''s NFTs on the pool with liquidity and owed fees';

-- stake: the base token and every candidate, with allowances to the router.
CREATE FUNCTION @extschema@.strategy_sync_stake(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	DELETE FROM positions AS x WHERE x.strategy_id = s.id;
	PERFORM strategy_sync_tokens(s, block,
		ARRAY[(s.params ->> 'base_token')::address]
		  || ARRAY(SELECT (c ->> 'token')::address FROM jsonb_array_elements(s.params -> 'candidates') c),
		ARRAY[(s.params ->> 'swap_router')::address]);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_stake(@extschema@.strategies, bigint) IS
	'stake positions at a block: balances of the base token and the candidates, allowances to the router';

-- Sync one strategy's positions by hand, at the latest ingested block (or the one given).
CREATE FUNCTION @extschema@.strategy_sync_positions(strategy_id bigint, block bigint DEFAULT NULL)
RETURNS SETOF @extschema@.positions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	b bigint := block;
BEGIN
	SELECT * INTO s FROM strategies AS x WHERE x.id = strategy_sync_positions.strategy_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % does not exist', strategy_id USING ERRCODE = 'undefined_object';
	END IF;
	IF b IS NULL THEN
		b := (SELECT max(number) FROM blocks AS x WHERE x.chain_id = s.chain_id);
	END IF;
	IF b IS NULL THEN
		RAISE EXCEPTION 'no block of chain % is ingested yet', s.chain_id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	EXECUTE format('SELECT %s($1, $2)', (SELECT registry_call_name(k.sync) FROM strategy_kinds k WHERE k.kind = s.kind)) USING s, b;
	RETURN QUERY SELECT * FROM positions AS x WHERE x.strategy_id = s.id ORDER BY x.kind DESC, x.asset, x.token_id;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_positions(bigint, bigint) IS
	'Read a strategy''s positions from the chain at the latest ingested block (or the given one) into positions';

-- ---- gather: the state a decision sees ----

-- The latest known state of a pool at or before a block: a swap (price and
-- liquidity after it) or a pool-state reading (end of its block), the later.
CREATE FUNCTION @extschema@.strategy_pool_state(chain_id bigint, pool @extschema@.address, block bigint,
	OUT block_number bigint, OUT sqrt_price @extschema@.uint256, OUT tick int, OUT liquidity @extschema@.uint256)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT c.block_number, c.sqrt_price, univ3_tick_at_sqrt_price(c.sqrt_price), c.liquidity
	  FROM ((SELECT s.block_number, s.log_index, s.sqrt_price_x96 AS sqrt_price, s.liquidity
			   FROM univ3_swaps s
			  WHERE s.chain_id = $1 AND s.pool = $2 AND s.block_number <= $3
			  ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1)
			UNION ALL
			(SELECT p.block_number, NULL::int, p.sqrt_price_x96, p.liquidity
			   FROM univ3_pool_states p
			  WHERE p.chain_id = $1 AND p.pool = $2 AND p.block_number <= $3 AND p.liquidity IS NOT NULL
			  ORDER BY p.block_number DESC LIMIT 1)) c
	 ORDER BY c.block_number DESC, c.log_index DESC NULLS FIRST
	 LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.strategy_pool_state(bigint, @extschema@.address, bigint) IS
	'a pool''s sqrt price, tick and active liquidity at a block, from its latest ingested swap or state reading';

-- The latest exchange rate of an LST at or before a block (NULL when none is ingested).
CREATE FUNCTION @extschema@.strategy_lst_rate(chain_id bigint, token @extschema@.address, block bigint)
RETURNS @extschema@.uint256
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT r.rate FROM lst_rates r
	 WHERE r.chain_id = $1 AND r.token = $2 AND r.block_number <= $3
	 ORDER BY r.block_number DESC, r.method LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.strategy_lst_rate(bigint, @extschema@.address, bigint) IS
	'an LST''s latest ingested exchange rate (1e18 scale) at or before a block';

-- The price of token0 in token1 whole units at a sqrt price, exact.
CREATE FUNCTION @extschema@.strategy_price1per0(sqrt_price @extschema@.uint256, decimals0 int, decimals1 int)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN (sqrt_price::numeric * sqrt_price::numeric) / 6277101735386680763835789423207666416102355444464034512896::numeric
	   * power(10::numeric, decimals0 - decimals1);
COMMENT ON FUNCTION @extschema@.strategy_price1per0(@extschema@.uint256, int, int) IS
	'whole token1 per whole token0 at a Q64.96 sqrt price (sqrt_price^2 / 2^192, scaled by the decimals)';

-- Wallet balance and allowance of one token from the synced positions.
CREATE FUNCTION @extschema@.strategy_wallet(strategy_id bigint, token @extschema@.address, spender @extschema@.address,
	OUT amount @extschema@.uint256, OUT allowance @extschema@.uint256)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce((SELECT p.amount FROM positions p
					  WHERE p.strategy_id = $1 AND p.kind = 'token' AND p.asset = $2), '0'),
		   coalesce((SELECT (p.allowances ->> lower($3::text))::uint256 FROM positions p
					  WHERE p.strategy_id = $1 AND p.kind = 'token' AND p.asset = $2), '0')
$$;
COMMENT ON FUNCTION @extschema@.strategy_wallet(bigint, @extschema@.address, @extschema@.address) IS
	'the synced balance of a token held by a strategy''s owner and its allowance to a spender (0 when unknown)';

-- The block's timestamp, and the last decision that moved the strategy's assets.
CREATE FUNCTION @extschema@.strategy_block_time(chain_id bigint, block bigint)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN (SELECT b.timestamp FROM @extschema@.blocks b WHERE b.chain_id = $1 AND b.number = $2);
COMMENT ON FUNCTION @extschema@.strategy_block_time(bigint, bigint) IS 'timestamp of an ingested block';

-- lp_univ3 state: pool, TWAP and volatility, holdings, the range being watched.
CREATE FUNCTION @extschema@.strategy_gather_lp_univ3(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	v_pool address := (p ->> 'pool')::address;
	npm address := (p ->> 'position_manager')::address;
	t0 address := (p ->> 'token0')::address;
	t1 address := (p ->> 'token1')::address;
	v_at timestamptz := strategy_block_time(s.chain_id, block);
	ps record;
	st record;
	w0 record;
	w1 record;
	ra0 uint256 := '0';
	ra1 uint256 := '0';
	nfts jsonb;
	last_d decisions;
	apr float8;
	window_s float8 := greatest((p ->> 'twap_seconds')::float8, (p ->> 'vol_window_seconds')::float8);
	h0 numeric;
	h1 numeric;
	price numeric;
	owed0 numeric;
	owed1 numeric;
	num_is_1 boolean := p ->> 'numeraire' = 'token1';
	fees_token1 numeric;
BEGIN
	SELECT * INTO ps FROM strategy_pool_state(s.chain_id, v_pool, block);
	IF ps.sqrt_price IS NULL THEN
		RAISE EXCEPTION 'no ingested state of pool % at or before block %', v_pool, block
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Watch the pool with amplified.watch_contract(..., kind => ''univ3_pool'', read_every => N).';
	END IF;
	SELECT * INTO st FROM strategy_tick_stats(
		coalesce((SELECT array_agg(t.at ORDER BY t.at, t.block_number, t.log_index NULLS FIRST)
					FROM univ3_pool_ticks(s.chain_id, v_pool, v_at - make_interval(secs => window_s), v_at) t), '{}'),
		coalesce((SELECT array_agg(t.tick ORDER BY t.at, t.block_number, t.log_index NULLS FIRST)
					FROM univ3_pool_ticks(s.chain_id, v_pool, v_at - make_interval(secs => window_s), v_at) t), '{}'),
		v_at, (p ->> 'twap_seconds')::float8, (p ->> 'vol_window_seconds')::float8);
	SELECT * INTO w0 FROM strategy_wallet(s.id, t0, npm);
	SELECT * INTO w1 FROM strategy_wallet(s.id, t1, npm);
	IF p ? 'swap_router' THEN
		ra0 := (SELECT x.allowance FROM strategy_wallet(s.id, t0, (p ->> 'swap_router')::address) x);
		ra1 := (SELECT x.allowance FROM strategy_wallet(s.id, t1, (p ->> 'swap_router')::address) x);
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object(
			'token_id', x.token_id::text, 'tick_lower', x.tick_lower, 'tick_upper', x.tick_upper,
			'liquidity', x.liquidity::text, 'owed0', x.owed0::text, 'owed1', x.owed1::text,
			'amount0', a.amount0::text, 'amount1', a.amount1::text) ORDER BY x.token_id), '[]')
	  INTO nfts
	  FROM positions x
	 CROSS JOIN LATERAL univ3_amounts_for_liquidity(ps.sqrt_price, univ3_sqrt_price_at_tick(x.tick_lower),
			univ3_sqrt_price_at_tick(x.tick_upper), x.liquidity) a
	 WHERE x.strategy_id = s.id AND x.kind = 'univ3' AND x.pool = v_pool;
	SELECT * INTO last_d FROM decisions d
	 WHERE d.strategy_id = s.id AND d.status = 'enqueued' AND d.action IN ('open', 'rebalance')
	 ORDER BY d.id DESC LIMIT 1;
	-- The appreciating token's APR, when asked for ("apr": "auto").
	IF p ->> 'apr' = 'auto' AND p ->> 'appreciating' IN ('token0', 'token1') THEN
		apr := yield_apr_window(s.chain_id, CASE WHEN p ->> 'appreciating' = 'token0' THEN t0 ELSE t1 END,
								(p ->> 'apr_window')::interval, v_at);
	END IF;
	-- Expected fee gain for the cost gate: the pool's fees over the volatility
	-- window (in token1 raw units), scaled to the horizon.
	SELECT sum(CASE WHEN sw.amount0::numeric > 0
					THEN sw.amount0::numeric * strategy_price1per0(sw.sqrt_price_x96, 0, 0)
					ELSE sw.amount1::numeric END * (p ->> 'fee')::numeric / 1000000)
	  INTO fees_token1
	  FROM univ3_swaps sw JOIN blocks b ON b.chain_id = sw.chain_id AND b.number = sw.block_number
	 WHERE sw.chain_id = s.chain_id AND sw.pool = v_pool AND sw.block_number <= block
	   AND b.timestamp > v_at - make_interval(secs => (p ->> 'vol_window_seconds')::float8);

	-- Valuation, in the numeraire's whole units.
	owed0 := coalesce((SELECT sum((n ->> 'owed0')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	owed1 := coalesce((SELECT sum((n ->> 'owed1')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	h0 := w0.amount::numeric + owed0 + coalesce((SELECT sum((n ->> 'amount0')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	h1 := w1.amount::numeric + owed1 + coalesce((SELECT sum((n ->> 'amount1')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	price := strategy_price1per0(ps.sqrt_price, (p ->> 'decimals0')::int, (p ->> 'decimals1')::int);
	RETURN jsonb_build_object(
		'kind', 'lp_univ3', 'block_number', block, 'at', v_at,
		'pool', jsonb_build_object('address', v_pool::text, 'block_number', ps.block_number,
			'sqrt_price', ps.sqrt_price::text, 'tick', ps.tick, 'liquidity', ps.liquidity::text,
			'fee', (p ->> 'fee')::int, 'tick_spacing', (p ->> 'tick_spacing')::int),
		'twap_tick', coalesce(st.twap_tick, ps.tick),
		'sigma', coalesce((p ->> 'sigma')::float8, st.sigma),
		'apr', apr,
		'expected_fees_token1', coalesce(fees_token1, 0),
		'wallet', jsonb_build_object('amount0', w0.amount::text, 'amount1', w1.amount::text,
			'allowance0', w0.allowance::text, 'allowance1', w1.allowance::text,
			'router_allowance0', ra0::text, 'router_allowance1', ra1::text),
		'nfts', nfts,
		'last_rebalance', CASE WHEN last_d.id IS NOT NULL THEN jsonb_build_object(
			'decision_id', last_d.id, 'at', last_d.chain_time, 'tick', last_d.inputs -> 'pool' -> 'tick',
			'base', (SELECT r FROM jsonb_array_elements(last_d.plan -> 'rows') r WHERE r ->> 'role' = 'base' LIMIT 1)) END,
		'valuation', jsonb_build_object(
			'numeraire', CASE WHEN num_is_1 THEN t1 ELSE t0 END::text,
			'value', CASE WHEN num_is_1
						  THEN h1 / 10::numeric ^ (p ->> 'decimals1')::int + h0 / 10::numeric ^ (p ->> 'decimals0')::int * price
						  ELSE h0 / 10::numeric ^ (p ->> 'decimals0')::int + h1 / 10::numeric ^ (p ->> 'decimals1')::int / price END,
			'holdings', jsonb_build_object(lower(t0::text), h0::text, lower(t1::text), h1::text),
			'decimals', jsonb_build_object(lower(t0::text), (p ->> 'decimals0')::int, lower(t1::text), (p ->> 'decimals1')::int),
			'prices', jsonb_build_object(lower(t0::text), CASE WHEN num_is_1 THEN price ELSE 1 END,
										 lower(t1::text), CASE WHEN num_is_1 THEN 1 ELSE 1 / price END),
			'rates', jsonb_strip_nulls(jsonb_build_object(
				lower(t0::text), strategy_lst_rate(s.chain_id, t0, block)::text,
				lower(t1::text), strategy_lst_rate(s.chain_id, t1, block)::text)),
			'nft_owed', coalesce((SELECT jsonb_object_agg(n ->> 'token_id',
					CASE WHEN num_is_1
						 THEN (n ->> 'owed1')::numeric / 10::numeric ^ (p ->> 'decimals1')::int + (n ->> 'owed0')::numeric / 10::numeric ^ (p ->> 'decimals0')::int * price
						 ELSE (n ->> 'owed0')::numeric / 10::numeric ^ (p ->> 'decimals0')::int + (n ->> 'owed1')::numeric / 10::numeric ^ (p ->> 'decimals1')::int / price END)
				  FROM jsonb_array_elements(nfts) n), '{}')));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_lp_univ3(@extschema@.strategies, bigint) IS
	'inputs of an lp_univ3 decision at a block: pool state, TWAP tick and volatility, wallet, NFTs, last rebalance, valuation';

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
	at timestamptz := strategy_block_time(s.chain_id, block);
	c jsonb;
	tok address;
	ps record;
	w record;
	wb record;
	cands jsonb := '[]';
	price numeric;
	value numeric;
	holdings jsonb;
	decs jsonb;
	prices jsonb;
	rates jsonb := '{}';
	rate uint256;
BEGIN
	SELECT * INTO wb FROM strategy_wallet(s.id, base, router);
	value := wb.amount::numeric / 10::numeric ^ bd;
	holdings := jsonb_build_object(lower(base::text), wb.amount::text);
	decs := jsonb_build_object(lower(base::text), bd);
	prices := jsonb_build_object(lower(base::text), 1);
	FOR c IN SELECT e FROM jsonb_array_elements(p -> 'candidates') e LOOP
		tok := (c ->> 'token')::address;
		SELECT * INTO ps FROM strategy_pool_state(s.chain_id, (c ->> 'pool')::address, block);
		SELECT * INTO w FROM strategy_wallet(s.id, tok, router);
		-- Base per candidate, whole units.
		price := CASE WHEN ps.sqrt_price IS NULL THEN NULL
					  WHEN (c ->> 'base_is_token0')::boolean
					  THEN 1 / strategy_price1per0(ps.sqrt_price, bd, (c ->> 'decimals')::int)
					  ELSE strategy_price1per0(ps.sqrt_price, (c ->> 'decimals')::int, bd) END;
		rate := strategy_lst_rate(s.chain_id, tok, block);
		cands := cands || jsonb_build_array(jsonb_build_object(
			'token', tok::text, 'pool', c ->> 'pool', 'fee', (c ->> 'fee')::int,
			'base_is_token0', (c ->> 'base_is_token0')::boolean, 'decimals', (c ->> 'decimals')::int,
			'apr', yield_apr_window(s.chain_id, tok, (p ->> 'apr_window')::interval, at),
			'risk_level', strategy_asset_risk_level(s.chain_id, tok),
			'rate', rate::text,
			'sqrt_price', ps.sqrt_price::text, 'liquidity', ps.liquidity::text, 'pool_block', ps.block_number,
			'price', price,
			'balance', w.amount::text, 'allowance', w.allowance::text));
		value := value + coalesce(w.amount::numeric / 10::numeric ^ (c ->> 'decimals')::int * price, 0);
		holdings := holdings || jsonb_build_object(lower(tok::text), w.amount::text);
		decs := decs || jsonb_build_object(lower(tok::text), (c ->> 'decimals')::int);
		prices := prices || jsonb_build_object(lower(tok::text), price);
		IF rate IS NOT NULL THEN
			rates := rates || jsonb_build_object(lower(tok::text), rate::text);
		END IF;
	END LOOP;
	RETURN jsonb_build_object(
		'kind', 'stake', 'block_number', block, 'at', at,
		'wallet', jsonb_build_object('base', wb.amount::text, 'base_allowance', wb.allowance::text),
		'candidates', cands,
		'valuation', jsonb_build_object('numeraire', base::text, 'value', value, 'holdings', holdings,
			'decimals', decs, 'prices', prices, 'rates', rates, 'nft_owed', '{}'::jsonb));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_stake(@extschema@.strategies, bigint) IS
	'inputs of a stake decision at a block: base balance, and per candidate APR, risk level, rate, pool price, balance, allowance';

-- The circuit-breaker level of an asset (the worst breaker that names it), 'ok' when none does.
CREATE FUNCTION @extschema@.strategy_asset_risk_level(chain_id bigint, token @extschema@.address)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	RETURN coalesce((SELECT max(st.level)::text
					   FROM circuit_breaker_state st
					   JOIN circuit_breakers b ON b.id = st.breaker_id
					  WHERE b.chain_id = strategy_asset_risk_level.chain_id
						AND b.asset = strategy_asset_risk_level.token), 'ok');
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_asset_risk_level(bigint, @extschema@.address) IS
	'the worst circuit-breaker level currently set on an asset (ok, warn, reduce_only, halt)';

-- ---- policies: the decision and the intents that carry it out ----

-- One intent of a decision, as the policy lists it.
CREATE FUNCTION @extschema@.strategy_intent(step text, target @extschema@.address, data bytea, note text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('step', step, 'target', target::text, 'value', '0',
						  'data', '0x' || encode(data, 'hex'), 'note', note);
COMMENT ON FUNCTION @extschema@.strategy_intent(text, @extschema@.address, bytea, text) IS
	'an intent as a policy lists it: step name, target, calldata, a note for people';

-- An ERC-20 approve intent.
CREATE FUNCTION @extschema@.strategy_approve_intent(token @extschema@.address, spender @extschema@.address,
	amount @extschema@.uint256)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN @extschema@.strategy_intent('approve', token,
		@extschema@.abi_encode_call('approve(address,uint256)', jsonb_build_array(spender::text, amount::text)),
		format('approve %s of %s to %s', amount, token, spender));

-- lp_univ3: place the vault's liquidity with univ3_alm_plan; move it when
-- univ3_alm_should_rebalance says so.
CREATE FUNCTION @extschema@.strategy_policy_lp_univ3(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	npm address := (p ->> 'position_manager')::address;
	t0 address := (p ->> 'token0')::address;
	t1 address := (p ->> 'token1')::address;
	fee int := (p ->> 'fee')::int;
	spacing int := (p ->> 'tick_spacing')::int;
	slip int := (p ->> 'slippage_bps')::int;
	sqrt_p uint256 := (state -> 'pool' ->> 'sqrt_price')::uint256;
	tick int := (state -> 'pool' ->> 'tick')::int;
	at timestamptz := (state ->> 'at')::timestamptz;
	deadline bigint := extract(epoch FROM (state ->> 'at')::timestamptz)::bigint + (p ->> 'deadline_seconds')::bigint;
	alm jsonb := strategy_lp_alm_params(p);
	n jsonb;
	base jsonb;
	gate record;
	action text;
	reasons text[];
	intents jsonb := '[]';
	h0 uint256 := (state -> 'wallet' ->> 'amount0')::uint256;
	h1 uint256 := (state -> 'wallet' ->> 'amount1')::uint256;
	active_l uint256 := (state -> 'pool' ->> 'liquidity')::uint256;
	plan_price uint256;
	plan jsonb;
	sw record;
	swap_info jsonb;
	need0 uint256;
	need1 uint256;
	r jsonb;
	last_tick int;
	last_at timestamptz;
	has_liquidity boolean;
	expected_gain float8;
	turnover numeric;
	price numeric;
	max128 text := '340282366920938463463374607431768211455';
BEGIN
	IF p ->> 'apr' = 'auto' THEN
		alm := alm || jsonb_build_object('apr', coalesce(greatest((state ->> 'apr')::float8, 0), 0));
	END IF;
	has_liquidity := EXISTS (SELECT 1 FROM jsonb_array_elements(state -> 'nfts') x WHERE (x ->> 'liquidity')::numeric > 0);
	IF at + make_interval(secs => (p ->> 'deadline_seconds')::float8) <= now() THEN
		action := 'hold';
		reasons := ARRAY['stale_chain_data'];
	ELSIF NOT has_liquidity THEN
		IF h0 = 0 AND h1 = 0 AND jsonb_array_length(state -> 'nfts') = 0 THEN
			action := 'hold';
			reasons := ARRAY['empty_vault'];
		ELSE
			action := 'open';
			reasons := ARRAY['no_position'];
		END IF;
	ELSE
		-- The range watched: the base of the last plan while its NFT holds
		-- liquidity, else the NFT with the most liquidity.
		base := state -> 'last_rebalance' -> 'base';
		IF base IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(state -> 'nfts') x
										WHERE (x ->> 'tick_lower')::int = (base ->> 'tick_lower')::int
										  AND (x ->> 'tick_upper')::int = (base ->> 'tick_upper')::int
										  AND (x ->> 'liquidity')::numeric > 0) THEN
			SELECT x INTO base FROM jsonb_array_elements(state -> 'nfts') x
			 ORDER BY (x ->> 'liquidity')::numeric DESC, (x ->> 'token_id')::numeric LIMIT 1;
		END IF;
		last_tick := coalesce((state -> 'last_rebalance' ->> 'tick')::int,
							  ((base ->> 'tick_lower')::int + (base ->> 'tick_upper')::int) / 2);
		last_at := coalesce((state -> 'last_rebalance' ->> 'at')::timestamptz, '1970-01-01Z');
		-- Fees the new range would earn: its share of the pool's recent fees.
		-- (The cost gate applies only when a cost is set, as in univ3_backtest.)
		expected_gain := (state ->> 'expected_fees_token1')::float8
			* (base ->> 'liquidity')::float8 / greatest(active_l::numeric::float8, 1)
			* (p ->> 'horizon_days')::float8 * 86400 / greatest((p ->> 'vol_window_seconds')::float8, 1);
		IF (p ->> 'gas_cost')::float8 + (p ->> 'swap_cost')::float8 = 0 THEN
			expected_gain := greatest(expected_gain, 1);
		END IF;
		SELECT * INTO gate FROM univ3_alm_should_rebalance((base ->> 'tick_lower')::int, (base ->> 'tick_upper')::int,
			tick, (state ->> 'twap_tick')::int, last_tick, last_at, at, expected_gain,
			(p ->> 'gas_cost')::float8, (p ->> 'swap_cost')::float8, strategy_lp_gate_params(p));
		action := CASE WHEN gate.rebalance THEN 'rebalance' ELSE 'hold' END;
		reasons := gate.reasons;
	END IF;

	IF action = 'hold' THEN
		RETURN jsonb_build_object('action', action, 'reasons', to_jsonb(reasons), 'intents', '[]'::jsonb);
	END IF;

	-- Withdraw everything: decreaseLiquidity, collect, burn per NFT.
	FOR n IN SELECT x FROM jsonb_array_elements(state -> 'nfts') x ORDER BY (x ->> 'token_id')::numeric LOOP
		IF (n ->> 'liquidity')::numeric > 0 THEN
			intents := intents || jsonb_build_array(strategy_intent('decrease_liquidity', npm,
				abi_encode_call('decreaseLiquidity((uint256,uint128,uint256,uint256,uint256))',
					jsonb_build_array(jsonb_build_array(n ->> 'token_id', n ->> 'liquidity',
						strategy_amount_min((n ->> 'amount0')::uint256, slip)::text,
						strategy_amount_min((n ->> 'amount1')::uint256, slip)::text, deadline))),
				format('withdraw liquidity %s of position %s [%s, %s)', n ->> 'liquidity', n ->> 'token_id',
					   n ->> 'tick_lower', n ->> 'tick_upper')));
			IF tick >= (n ->> 'tick_lower')::int AND tick < (n ->> 'tick_upper')::int THEN
				active_l := active_l - least((n ->> 'liquidity')::numeric, active_l::numeric)::uint256;
			END IF;
		END IF;
		intents := intents || jsonb_build_array(
			strategy_intent('collect', npm,
				abi_encode_call('collect((uint256,address,uint128,uint128))',
					jsonb_build_array(jsonb_build_array(n ->> 'token_id', s.owner::text, max128, max128))),
				format('collect tokens and fees of position %s', n ->> 'token_id')),
			strategy_intent('burn', npm, abi_encode_call('burn(uint256)', jsonb_build_array(n ->> 'token_id')),
				format('burn position %s', n ->> 'token_id')));
		h0 := h0 + (n ->> 'amount0')::uint256 + (n ->> 'owed0')::uint256;
		h1 := h1 + (n ->> 'amount1')::uint256 + (n ->> 'owed1')::uint256;
	END LOOP;

	plan_price := sqrt_p;
	SELECT jsonb_agg(to_jsonb(x)) INTO plan
	  FROM univ3_alm_plan(plan_price, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8, h0, h1, alm) x;

	-- Optionally swap toward the base range's ratio first, so that less waits in a limit order.
	IF (p ->> 'swap')::boolean AND active_l > 0 THEN
		-- The base range does not depend on the amounts, but a one-sided vault
		-- gets none: ask the plan of the same value held on both sides.
		price := strategy_price1per0(sqrt_p, 0, 0);
		SELECT to_jsonb(x) INTO r
		  FROM univ3_alm_plan(sqrt_p, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8,
				floor(h0::numeric + h1::numeric / price)::uint256, floor(h1::numeric + h0::numeric * price)::uint256, alm) x
		 WHERE x.role IN ('base', 'full_range')
		 ORDER BY x.role = 'base' DESC LIMIT 1;
		IF r IS NOT NULL THEN
			SELECT * INTO sw FROM strategy_lp_swap(sqrt_p, active_l, fee, (r ->> 'tick_lower')::int,
				(r ->> 'tick_upper')::int, h0, h1);
			IF sw.amount_in > 0 AND
			   (CASE WHEN sw.zero_for_one THEN sw.amount_in::numeric * price ELSE sw.amount_in::numeric END)
				 >= (p ->> 'min_swap_share')::numeric * (h1::numeric + h0::numeric * price) THEN
				need0 := strategy_amount_min(sw.amount_out, slip);
				IF ((state -> 'wallet' ->> CASE WHEN sw.zero_for_one THEN 'router_allowance0' ELSE 'router_allowance1' END)::uint256) < sw.amount_in THEN
					intents := intents || jsonb_build_array(strategy_approve_intent(
						CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END, (p ->> 'swap_router')::address, sw.amount_in));
				END IF;
				intents := intents || jsonb_build_array(strategy_intent('swap', (p ->> 'swap_router')::address,
					abi_encode_call('exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))',
						jsonb_build_array(jsonb_build_array(
							CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END::text,
							CASE WHEN sw.zero_for_one THEN t1 ELSE t0 END::text,
							fee, s.owner::text, deadline, sw.amount_in::text, need0::text, '0'))),
					format('swap %s of %s for at least %s', sw.amount_in, CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END, need0)));
				swap_info := jsonb_build_object('zero_for_one', sw.zero_for_one, 'amount_in', sw.amount_in::text,
					'amount_out', sw.amount_out::text, 'amount_out_min', need0::text,
					'sqrt_price_after', sw.sqrt_price_after::text);
				IF sw.zero_for_one THEN
					h0 := h0 - sw.amount_in;
					h1 := h1 + need0;
				ELSE
					h1 := h1 - sw.amount_in;
					h0 := h0 + need0;
				END IF;
				plan_price := sw.sqrt_price_after;
				SELECT jsonb_agg(to_jsonb(x)) INTO plan
				  FROM univ3_alm_plan(plan_price, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8, h0, h1, alm) x;
			END IF;
		END IF;
	END IF;

	-- Approvals for what the mints take, then the mints.
	SELECT coalesce(sum((x ->> 'amount0')::numeric), 0)::uint256, coalesce(sum((x ->> 'amount1')::numeric), 0)::uint256
	  INTO need0, need1
	  FROM jsonb_array_elements(plan) x WHERE x ->> 'role' <> 'idle';
	IF need0 > 0 AND (state -> 'wallet' ->> 'allowance0')::uint256 < need0 THEN
		intents := intents || jsonb_build_array(strategy_approve_intent(t0, npm, need0));
	END IF;
	IF need1 > 0 AND (state -> 'wallet' ->> 'allowance1')::uint256 < need1 THEN
		intents := intents || jsonb_build_array(strategy_approve_intent(t1, npm, need1));
	END IF;
	FOR r IN SELECT x FROM jsonb_array_elements(plan) x WHERE x ->> 'role' <> 'idle' ORDER BY
			 array_position(ARRAY['full_range', 'base', 'limit'], x ->> 'role') LOOP
		intents := intents || jsonb_build_array(strategy_intent('mint', npm,
			abi_encode_call('mint((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,uint256))',
				jsonb_build_array(jsonb_build_array(t0::text, t1::text, fee, (r ->> 'tick_lower')::int, (r ->> 'tick_upper')::int,
					r ->> 'amount0', r ->> 'amount1',
					strategy_amount_min((r ->> 'amount0')::uint256, slip)::text,
					strategy_amount_min((r ->> 'amount1')::uint256, slip)::text,
					s.owner::text, deadline))),
			format('mint %s [%s, %s) liquidity %s', r ->> 'role', r ->> 'tick_lower', r ->> 'tick_upper', r ->> 'liquidity')));
	END LOOP;

	price := strategy_price1per0(plan_price, (p ->> 'decimals0')::int, (p ->> 'decimals1')::int);
	turnover := need0::numeric / 10::numeric ^ (p ->> 'decimals0')::int * CASE WHEN p ->> 'numeraire' = 'token1' THEN price ELSE 1 END
			  + need1::numeric / 10::numeric ^ (p ->> 'decimals1')::int * CASE WHEN p ->> 'numeraire' = 'token1' THEN 1 ELSE 1 / price END;
	RETURN jsonb_build_object(
		'action', action, 'reasons', to_jsonb(reasons),
		'plan', jsonb_build_object('sqrt_price', plan_price::text, 'holdings0', h0::text, 'holdings1', h1::text,
			'sigma', (state ->> 'sigma')::float8, 'alm', alm, 'swap', swap_info, 'rows', plan),
		'intents', intents,
		'proposal', jsonb_build_object('action', action, 'reduces_risk', false,
			'value', (state -> 'valuation' ->> 'value')::numeric, 'turnover', turnover,
			'slippage_bps', slip, 'assets', jsonb_build_array(t0::text, t1::text), 'chain_id', s.chain_id));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_lp_univ3(@extschema@.strategies, jsonb) IS
	'lp_univ3 decision: open, rebalance (withdraw, collect, burn, optional swap, approve, mint the ALM plan) or hold, with reasons';

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
	reduces boolean := true;
	assets jsonb := jsonb_build_array(base::text);
	base_spent uint256 := 0;
BEGIN
	IF (state ->> 'at')::timestamptz + make_interval(secs => (p ->> 'deadline_seconds')::float8) <= now() THEN
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
		'plan', jsonb_build_object('best', best ->> 'token', 'best_apr', (best ->> 'apr')::float8, 'trades', trades),
		'intents', intents,
		'proposal', jsonb_build_object('action', CASE WHEN reduces THEN 'unstake' ELSE 'stake' END,
			'reduces_risk', reduces, 'value', (state -> 'valuation' ->> 'value')::numeric,
			'turnover', turnover, 'slippage_bps', slip,
			'assets', (SELECT jsonb_agg(DISTINCT a) FROM jsonb_array_elements(assets) a), 'chain_id', s.chain_id));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_stake(@extschema@.strategies, jsonb) IS
	'stake decision: swap idle base into the best-APR eligible candidate, switch out of clearly worse ones, sell unsafe ones; or hold';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, description) VALUES
	('lp_univ3', '@extschema@.strategy_validate_lp_univ3', '@extschema@.strategy_sync_lp_univ3',
	 '@extschema@.strategy_gather_lp_univ3', '@extschema@.strategy_policy_lp_univ3',
	 'Liquidity of a vault on one Uniswap v3 pool, placed by univ3_alm_plan and moved when univ3_alm_should_rebalance says so'),
	('stake', '@extschema@.strategy_validate_stake', '@extschema@.strategy_sync_stake',
	 '@extschema@.strategy_gather_stake', '@extschema@.strategy_policy_stake',
	 'Hold the LST/LRT with the best APR among configured candidates whose risk level allows it, bought with a base token');

-- ---- the decision cycle ----

-- Record a strategy's value at a block (once per block).
CREATE FUNCTION @extschema@.strategy_record_snapshot(strategy_id bigint, block bigint, state jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	v jsonb := state -> 'valuation';
	prev strategy_snapshots;
	basis jsonb;
	hold numeric;
	collected numeric := 0;
	staked numeric := 0;
	owed numeric;
BEGIN
	IF v IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO prev FROM strategy_snapshots x
	 WHERE x.strategy_id = strategy_record_snapshot.strategy_id AND x.block_number < block
	 ORDER BY x.block_number DESC LIMIT 1;
	basis := coalesce(prev.hold_basis, v -> 'holdings');
	-- Holding the first snapshot's tokens, at today's prices.
	SELECT coalesce(sum((b.value #>> '{}')::numeric / 10::numeric ^ (v -> 'decimals' ->> b.key)::int
						* (v -> 'prices' ->> b.key)::numeric), 0)
	  INTO hold FROM jsonb_each(basis) b;
	owed := coalesce((SELECT sum((o.value #>> '{}')::numeric) FROM jsonb_each(v -> 'nft_owed') o), 0);
	IF prev.strategy_id IS NOT NULL THEN
		-- Fees the last snapshot saw owed that are owed no more were collected.
		SELECT prev.fees_collected + coalesce(sum(greatest((o.value #>> '{}')::numeric
				- coalesce((v -> 'nft_owed' ->> o.key)::numeric, 0), 0)), 0)
		  INTO collected FROM jsonb_each(prev.nft_owed) o;
		-- Staking yield: what the held LSTs' rate growth added since then
		-- (underlying valued 1:1 with the numeraire, e.g. ETH and WETH).
		SELECT prev.staking_yield + coalesce(sum((prev.holdings ->> r.key)::numeric / 10::numeric ^ (v -> 'decimals' ->> r.key)::int
				* ((r.value #>> '{}')::numeric - (prev.rates ->> r.key)::numeric) / 1e18), 0)
		  INTO staked FROM jsonb_each(v -> 'rates') r
		 WHERE prev.rates ? r.key AND prev.holdings ? r.key;
	END IF;
	INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value,
		fees_owed, fees_collected, staking_yield, holdings, prices, rates, nft_owed, hold_basis)
	VALUES (strategy_record_snapshot.strategy_id, block, (state ->> 'at')::timestamptz, (v ->> 'numeraire')::address,
			(v ->> 'value')::numeric, hold, owed, collected, staked, v -> 'holdings', v -> 'prices',
			coalesce(v -> 'rates', '{}'), coalesce(v -> 'nft_owed', '{}'), basis)
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_record_snapshot(bigint, bigint, jsonb) IS
	'write a strategy_snapshots row from a state''s valuation: value, holding value, fees owed and collected, staking yield';

-- What the strategy module says about an intent the queue is asked to take
-- (txq_enqueue calls it; the queue reads no strategy table).  Without a
-- decision: the strategy whose vault the sender is, if any, with a refusal,
-- since a vault's funds move only by its strategy's decisions.  With one:
-- its strategy, how many times the decision lists this exact intent
-- (target, value, data), and a refusal unless the decision is of this chain
-- and of the strategy whose vault sends, was allowed by the risk gate and
-- has not recorded its intents yet.  The decision's row is locked, so two
-- sessions cannot both queue its last intent.
CREATE FUNCTION @extschema@.strategy_intent_check(chain_id bigint, sender @extschema@.address,
	decision_id bigint, target @extschema@.address, value @extschema@.uint256, data bytea)
RETURNS TABLE (strategy_id bigint, listed integer, refusal text)
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	d decisions;
	s strategies;
BEGIN
	listed := 0;
	IF decision_id IS NULL THEN
		SELECT * INTO s FROM strategies AS x
		 WHERE x.chain_id = strategy_intent_check.chain_id AND x.owner = strategy_intent_check.sender;
		IF FOUND THEN
			strategy_id := s.id;
			refusal := format('sender %s is the vault of strategy %s ("%s"): only a decision of that strategy moves its funds',
							  sender, s.id, s.name);
		END IF;
		RETURN NEXT;
		RETURN;
	END IF;
	SELECT * INTO d FROM decisions AS x WHERE x.id = strategy_intent_check.decision_id FOR UPDATE;
	IF NOT FOUND THEN
		refusal := format('decision %s does not exist', decision_id);
		RETURN NEXT;
		RETURN;
	END IF;
	strategy_id := d.strategy_id;
	SELECT * INTO s FROM strategies AS x WHERE x.id = d.strategy_id;
	IF d.chain_id <> strategy_intent_check.chain_id THEN
		refusal := format('decision %s is of chain %s, not %s', d.id, d.chain_id, chain_id);
	ELSIF s.owner <> sender THEN
		refusal := format('decision %s is one of strategy %s, whose vault is %s, not %s', d.id, s.id, s.owner, sender);
	ELSIF d.status <> 'enqueued' OR d.risk_allowed IS NOT TRUE THEN
		refusal := format('decision %s is %s: the risk gate did not allow it', d.id, d.status);
	ELSIF cardinality(d.intent_ids) > 0 THEN
		refusal := format('decision %s is used up: its intents %s were queued', d.id, d.intent_ids);
	ELSE
		SELECT count(*)::integer INTO listed FROM jsonb_array_elements(d.intents) AS e
		 WHERE CASE WHEN e ->> 'target' IS NULL THEN strategy_intent_check.target IS NULL
					ELSE (e ->> 'target')::address = strategy_intent_check.target END
		   AND coalesce(e ->> 'value', '0')::uint256 = strategy_intent_check.value
		   AND decode(substr(e ->> 'data', 3), 'hex') = strategy_intent_check.data;
		IF listed = 0 THEN
			refusal := format('decision %s lists no intent to %s with this value and data',
							  d.id, coalesce(target::text, 'a new contract'));
		END IF;
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_intent_check(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea) IS
	'for txq_enqueue: the strategy whose vault sends, how often the decision lists the intent, and why not when it may not be queued';

-- Write the decision of a policy result: the risk gate for anything that
-- acts, then the intents, all in the caller's transaction.  A result that
-- repeats the previous decision (same action, reasons, status, no intents)
-- extends that row instead.
CREATE FUNCTION @extschema@.strategy_record_decision(s @extschema@.strategies, run_id bigint, block bigint,
	state jsonb, result jsonb)
RETURNS @extschema@.decisions
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	d decisions;
	prev decisions;
	g_allowed boolean;
	g_level text;
	g_reasons text[];
	i jsonb;
	n int;
	ids bigint[] := '{}';
	status text;
	reasons text[] := ARRAY(SELECT jsonb_array_elements_text(coalesce(result -> 'reasons', '[]')));
	valid_until timestamptz;
	action text := result ->> 'action';
BEGIN
	IF action IS NULL OR action !~ '^[a-z][a-z_]*$' THEN
		RAISE EXCEPTION 'policy of strategy % returned no valid action: %', s.id, left(result::text, 200)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT * INTO prev FROM decisions x WHERE x.strategy_id = s.id ORDER BY x.id DESC LIMIT 1;
	IF jsonb_array_length(coalesce(result -> 'intents', '[]')) = 0 THEN
		status := 'noop';
		IF prev.action = action AND prev.status = status AND prev.reasons = reasons THEN
			UPDATE decisions x SET last_block_number = greatest(x.last_block_number, block),
				   last_decided_at = clock_timestamp(), repeats = x.repeats + 1
			 WHERE x.id = prev.id RETURNING * INTO d;
			RETURN d;
		END IF;
	ELSE
		status := 'blocked';
	END IF;
	INSERT INTO decisions (strategy_id, run_id, chain_id, block_number, last_block_number, chain_time, action, status,
						   reasons, inputs, plan, intents, proposal)
	VALUES (s.id, run_id, s.chain_id, block, block, (state ->> 'at')::timestamptz, action, status, reasons, state,
			result -> 'plan', coalesce(result -> 'intents', '[]'), result -> 'proposal')
	RETURNING * INTO d;
	IF status = 'noop' THEN
		RETURN d;
	END IF;
	-- The risk gate sees the decision's id (its turnover ledger keeps it).
	-- Its chain is the strategy's, its assets every address the strategy's
	-- parameters and the policy's proposal name, whatever the proposal says.
	SELECT x.allowed, x.level, x.reasons INTO g_allowed, g_level, g_reasons
	  FROM risk_gate_eval(s.id, s.chain_id,
						  ARRAY(SELECT DISTINCT a FROM unnest(strategy_param_addresses(s.params)
														|| risk_proposal_assets(result -> 'proposal')) a),
						  result -> 'proposal' || jsonb_build_object('decision_id', d.id), true) x;
	IF NOT coalesce(g_allowed, false) THEN
		-- Blocked again for the same reasons: extend the previous row.
		IF prev.action = action AND prev.status = 'blocked' AND prev.reasons = reasons
		   AND prev.risk_reasons IS NOT DISTINCT FROM g_reasons THEN
			DELETE FROM decisions x WHERE x.id = d.id;
			UPDATE decisions x SET last_block_number = greatest(x.last_block_number, block),
				   last_decided_at = clock_timestamp(), repeats = x.repeats + 1
			 WHERE x.id = prev.id RETURNING * INTO d;
			RETURN d;
		END IF;
		UPDATE decisions x SET risk_allowed = false, risk_level = g_level, risk_reasons = g_reasons
		 WHERE x.id = d.id RETURNING * INTO d;
		RETURN d;
	END IF;
	status := 'enqueued';
	UPDATE decisions x SET status = 'enqueued', risk_allowed = true, risk_level = g_level, risk_reasons = g_reasons
	 WHERE x.id = d.id RETURNING * INTO d;
	IF status = 'enqueued' THEN
		valid_until := (state ->> 'at')::timestamptz + make_interval(secs => coalesce((s.params ->> 'deadline_seconds')::float8, 3600));
		FOR i, n IN SELECT x, o FROM jsonb_array_elements(result -> 'intents') WITH ORDINALITY AS e(x, o) LOOP
			ids := ids || txq_enqueue(s.chain_id, s.owner, (i ->> 'target')::address,
				coalesce(i ->> 'value', '0')::uint256, decode(substr(i ->> 'data', 3), 'hex'),
				jsonb_build_object('idempotency_key', format('strategy:%s:block:%s:%s:%s', s.id, block, n, i ->> 'step'),
					'strategy_id', s.id, 'decision_id', d.id, 'valid_until', valid_until));
		END LOOP;
		UPDATE decisions x SET intent_ids = ids WHERE x.id = d.id RETURNING * INTO d;
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_record_decision(@extschema@.strategies, bigint, bigint, jsonb, jsonb) IS
	'write a decision from a policy result: risk_gate, then txq_enqueue of its intents with deterministic idempotency keys';

-- One strategy's cycle; returns what happened as JSON.  Failures are caught
-- and recorded as an error decision: one broken strategy does not stop a run.
CREATE FUNCTION @extschema@.strategy_run_one(s @extschema@.strategies, run_id bigint, sync boolean)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	k strategy_kinds;
	block bigint;
	node record;
	state jsonb;
	result jsonb;
	d decisions;
	msg text;
	st text;
	ctx text;
BEGIN
	block := (SELECT max(b.number) FROM blocks b WHERE b.chain_id = s.chain_id);
	IF block IS NULL THEN
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'no_chain_data', 'reason', 'nothing_ingested');
	END IF;
	-- What the ingest worker last saw: a halted chain's data is not to be
	-- trusted, a node behind it cannot answer for it.  No RPC here.
	SELECT * INTO node FROM ingest_node_has_block(s.chain_id, block, false);
	IF NOT node.available THEN
		RETURN jsonb_build_object('strategy_id', s.id,
			'outcome', CASE WHEN node.reason = 'ingest_halted' THEN 'no_chain_data' ELSE 'waiting' END,
			'reason', node.reason, 'block_number', block, 'node_head', node.node_head, 'detail', node.detail);
	END IF;
	-- Idempotent: a strategy decides at most once per block of chain data.
	IF EXISTS (SELECT 1 FROM decisions x WHERE x.strategy_id = s.id AND x.status <> 'error'
				AND x.last_block_number >= block) THEN
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'unchanged', 'block_number', block);
	END IF;
	-- Its transactions in flight, or mined past what is ingested: wait.
	IF EXISTS (SELECT 1 FROM tx_intents t WHERE t.strategy_id = s.id
				AND (t.status IN ('pending', 'reserved', 'signed', 'sent', 'mined') OR t.block_number > block)) THEN
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'waiting', 'reason', 'tx_in_flight',
								  'block_number', block);
	END IF;
	SELECT * INTO k FROM strategy_kinds x WHERE x.kind = s.kind;
	BEGIN
		IF sync THEN
			EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.sync)) USING s, block;
		END IF;
		EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.gather)) INTO state USING s, block;
		PERFORM strategy_record_snapshot(s.id, block, state);
		EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.policy)) INTO result USING s, state;
		d := strategy_record_decision(s, run_id, block, state, result);
	EXCEPTION WHEN SQLSTATE '58R03' THEN
		-- The node cannot answer for the block (the sync asked it first, see
		-- strategy_require_block()): wait for it, nothing is written.
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, ctx = PG_EXCEPTION_DETAIL;
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'waiting',
			'reason', coalesce(substring(msg FROM ': ([a-z_]+)$'), 'node_behind'),
			'block_number', block, 'detail', coalesce(nullif(ctx, ''), msg));
	WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE, ctx = PG_EXCEPTION_CONTEXT;
		SELECT * INTO d FROM decisions x WHERE x.strategy_id = s.id ORDER BY x.id DESC LIMIT 1;
		IF d.status = 'error' AND d.error = msg THEN
			UPDATE decisions x SET last_block_number = greatest(x.last_block_number, block),
				   last_decided_at = clock_timestamp(), repeats = x.repeats + 1
			 WHERE x.id = d.id RETURNING * INTO d;
		ELSE
			INSERT INTO decisions (strategy_id, run_id, chain_id, block_number, last_block_number, action, status,
								   reasons, error, error_context)
			VALUES (s.id, run_id, s.chain_id, block, block, 'error', 'error', ARRAY['sqlstate_' || st], msg, ctx)
			RETURNING * INTO d;
		END IF;
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'error', 'decision_id', d.id,
								  'block_number', block, 'error', msg);
	END;
	RETURN jsonb_build_object('strategy_id', s.id,
		'outcome', CASE WHEN d.repeats > 0 AND d.block_number < block THEN 'repeated' ELSE d.status END,
		'decision_id', d.id, 'block_number', block, 'action', d.action, 'reasons', to_jsonb(d.reasons),
		'intents', cardinality(d.intent_ids));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_run_one(@extschema@.strategies, bigint, boolean) IS
	'one strategy''s decision cycle (sync, gather, snapshot, policy, decision, risk gate, enqueue); errors become error decisions';

-- Run every enabled strategy once.  One run at a time (a transaction-level
-- advisory lock: a concurrent call returns at once, skipped); idempotent per
-- block of chain data.  Returns a summary.
CREATE FUNCTION @extschema@.run_strategies(sync boolean DEFAULT true, strategy_ids bigint[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	run bigint;
	r jsonb;
	results jsonb := '[]';
	v_summary jsonb;
BEGIN
	-- Under a snapshot taken before the lock, a run could miss what the
	-- previous run decided and decide again at the same block.
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'run_strategies() must run at isolation level READ COMMITTED, not %',
			upper(current_setting('transaction_isolation'))
			USING ERRCODE = 'active_sql_transaction',
				  HINT = 'Call it outside an explicit REPEATABLE READ or SERIALIZABLE transaction (pg_cron does).';
	END IF;
	IF NOT pg_try_advisory_xact_lock(hashtext('amplified.run_strategies')) THEN
		RETURN jsonb_build_object('skipped', true, 'reason', 'another run_strategies() is in progress');
	END IF;
	INSERT INTO strategy_runs DEFAULT VALUES RETURNING id INTO run;
	FOR s IN SELECT * FROM strategies x WHERE x.enabled AND (strategy_ids IS NULL OR x.id = ANY (strategy_ids))
			 ORDER BY x.id LOOP
		r := strategy_run_one(s, run, coalesce(sync, true));
		results := results || jsonb_build_array(r);
	END LOOP;
	v_summary := jsonb_build_object(
		'run_id', run, 'strategies', jsonb_array_length(results),
		'decided', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' IN ('noop', 'blocked', 'enqueued')),
		'enqueued', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'enqueued'),
		'intents', (SELECT coalesce(sum((e ->> 'intents')::int), 0) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'enqueued'),
		'blocked', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'blocked'),
		'unchanged', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' IN ('unchanged', 'repeated')),
		'waiting', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'waiting'),
		'no_chain_data', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'no_chain_data'),
		'errors', (SELECT count(*) FROM jsonb_array_elements(results) e WHERE e ->> 'outcome' = 'error'),
		'results', results);
	UPDATE strategy_runs x SET finished_at = clock_timestamp(), summary = v_summary WHERE x.id = run;
	RETURN v_summary;
END
$$;
COMMENT ON FUNCTION @extschema@.run_strategies(boolean, bigint[]) IS
	'Run every enabled strategy (or those listed) once: sync, gather, decide, risk gate, enqueue; one run at a time; returns a summary';

-- ---- housekeeping and pg_cron ----

-- Prune old runs and thin old snapshots to one per day (the last).
CREATE FUNCTION @extschema@.strategy_housekeeping(keep_runs interval DEFAULT '7 days',
	keep_snapshots interval DEFAULT '30 days')
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	runs bigint;
	snaps bigint;
BEGIN
	DELETE FROM strategy_runs x WHERE x.started_at < now() - keep_runs;
	GET DIAGNOSTICS runs = ROW_COUNT;
	DELETE FROM strategy_snapshots x
	 WHERE x.at < now() - keep_snapshots
	   AND EXISTS (SELECT 1 FROM strategy_snapshots y
				    WHERE y.strategy_id = x.strategy_id AND date_trunc('day', y.at) = date_trunc('day', x.at)
					  AND y.block_number > x.block_number);
	GET DIAGNOSTICS snaps = ROW_COUNT;
	RETURN jsonb_build_object('runs_pruned', runs, 'snapshots_thinned', snaps);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_housekeeping(interval, interval) IS
	'Delete strategy_runs older than keep_runs; keep only each day''s last snapshot older than keep_snapshots';

-- Register the strategy run and the housekeeping in pg_cron (when installed);
-- calling it again updates the schedules.  As the extension's owner, so that
-- an admin needs no privilege on pg_cron's schema and the jobs are the same
-- whoever schedules them: they run as the owner, the commands are fixed.
CREATE FUNCTION @extschema@.schedule_defaults(run_schedule text DEFAULT '* * * * *',
	housekeeping_schedule text DEFAULT '17 3 * * *')
RETURNS TABLE (jobname text, schedule text, command text, jobid bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name to this database, and CREATE EXTENSION pg_cron.';
	END IF;
	FOR j IN SELECT * FROM (VALUES
			('amplified-run-strategies', run_schedule, 'SELECT @extschema@.run_strategies()'),
			('amplified-housekeeping', housekeeping_schedule, 'SELECT @extschema@.strategy_housekeeping()')) v(n, s, c)
	LOOP
		jobname := j.n;
		schedule := j.s;
		command := j.c;
		EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid USING j.n, j.s, j.c;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.schedule_defaults(text, text) IS
	'Schedule run_strategies() (every minute) and strategy_housekeeping() (daily) in pg_cron; again to change the cadence';

-- ---- dashboards ----

CREATE VIEW @extschema@.v_positions AS
	SELECT p.synced_at AS at, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, s.chain_id, s.owner,
		   p.kind, p.asset, p.token_id, p.block_number,
		   p.amount, p.allowances,
		   p.pool, p.tick_lower, p.tick_upper, p.liquidity, p.owed0, p.owed1,
		   ps.tick AS pool_tick,
		   CASE WHEN p.kind = 'univ3' THEN ps.tick >= p.tick_lower AND ps.tick < p.tick_upper END AS in_range,
		   a.amount0, a.amount1
	  FROM @extschema@.positions p
	  JOIN @extschema@.strategies s ON s.id = p.strategy_id
	  LEFT JOIN LATERAL @extschema@.strategy_pool_state(s.chain_id, p.pool, p.block_number) ps ON p.kind = 'univ3'
	  LEFT JOIN LATERAL @extschema@.univ3_amounts_for_liquidity(ps.sqrt_price,
			@extschema@.univ3_sqrt_price_at_tick(p.tick_lower), @extschema@.univ3_sqrt_price_at_tick(p.tick_upper),
			p.liquidity) a ON p.kind = 'univ3' AND ps.sqrt_price IS NOT NULL;
COMMENT ON VIEW @extschema@.v_positions IS
	'What each strategy''s owner holds (as last synced): balances, allowances, NFTs with range, liquidity, owed fees, amounts and whether in range';

CREATE VIEW @extschema@.v_decisions AS
	SELECT d.decided_at AS at, d.id AS decision_id, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind,
		   d.chain_id, d.block_number, d.last_block_number, d.chain_time, d.repeats,
		   d.action, d.status, d.reasons, d.risk_allowed, d.risk_level, d.risk_reasons, d.error,
		   cardinality(d.intent_ids) AS intents,
		   (SELECT jsonb_object_agg(x.status, x.n) FROM (SELECT t.status, count(*) AS n FROM @extschema@.tx_intents t
			  WHERE t.id = ANY (d.intent_ids) GROUP BY t.status) x) AS intent_status,
		   cardinality(d.intent_ids) > 0 AND NOT EXISTS (SELECT 1 FROM @extschema@.tx_intents t
			  WHERE t.id = ANY (d.intent_ids) AND t.status NOT IN ('mined', 'confirmed')) AS executed,
		   d.last_decided_at
	  FROM @extschema@.decisions d
	  JOIN @extschema@.strategies s ON s.id = d.strategy_id;
COMMENT ON VIEW @extschema@.v_decisions IS
	'Decisions with their strategy, reasons, risk verdict and the state of the intents they enqueued';

CREATE VIEW @extschema@.v_strategy_performance AS
	SELECT x.at, x.strategy_id, x.strategy, x.strategy_kind, x.block_number, x.numeraire,
		   x.value, x.hold_value, x.fees, x.staking_yield, x.gas_eth,
		   CASE WHEN x.hold_value > 0 THEN ((x.value - x.fees) / x.hold_value - 1)::float8 END AS il,
		   CASE WHEN x.first_value > 0 THEN ((x.value - x.gas_eth) / x.first_value - 1)::float8 END AS net_return,
		   CASE WHEN x.hold_value > 0 THEN ((x.value - x.gas_eth) / x.hold_value - 1)::float8 END AS net_vs_hold,
		   (SELECT @extschema@.strategy_sharpe(array_agg(dd.r ORDER BY dd.day))
			  FROM (SELECT d.day, (d.v / lag(d.v) OVER (ORDER BY d.day) - 1)::float8 AS r
					  FROM (SELECT DISTINCT ON (date_trunc('day', y.at)) date_trunc('day', y.at) AS day, y.value AS v
							  FROM @extschema@.strategy_snapshots y
							 WHERE y.strategy_id = x.strategy_id AND y.at <= x.at
							 ORDER BY date_trunc('day', y.at), y.block_number DESC) d) dd
			 WHERE dd.r IS NOT NULL) AS sharpe
	  FROM (SELECT n.at, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, n.block_number, n.numeraire,
				   n.value, n.hold_value, n.fees_owed + n.fees_collected AS fees, n.staking_yield,
				   coalesce((SELECT sum(a.gas_used::numeric * a.effective_gas_price::numeric) / 1e18
							   FROM @extschema@.tx_attempts a JOIN @extschema@.tx_intents t ON t.id = a.intent_id
							  WHERE t.strategy_id = s.id AND a.gas_used IS NOT NULL AND a.block_number <= n.block_number), 0)
					 AS gas_eth,
				   first_value(n.value) OVER (PARTITION BY n.strategy_id ORDER BY n.block_number) AS first_value
			  FROM @extschema@.strategy_snapshots n
			  JOIN @extschema@.strategies s ON s.id = n.strategy_id) x;
COMMENT ON VIEW @extschema@.v_strategy_performance IS
	'Per strategy and snapshot: value, holding value, fees, IL, staking yield, gas, net return and against holding, Sharpe of daily returns';

-- ---- privileges ----

REVOKE ALL ON TABLE @extschema@.strategy_kinds, @extschema@.strategies, @extschema@.positions,
	@extschema@.strategy_runs, @extschema@.decisions, @extschema@.strategy_snapshots,
	@extschema@.v_positions, @extschema@.v_decisions, @extschema@.v_strategy_performance FROM PUBLIC;
GRANT SELECT ON @extschema@.strategy_kinds, @extschema@.strategies, @extschema@.positions,
	@extschema@.strategy_runs, @extschema@.decisions, @extschema@.strategy_snapshots,
	@extschema@.v_positions, @extschema@.v_decisions, @extschema@.v_strategy_performance TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.strategy_kinds TO amplified_admin;

DO $grants$
DECLARE
	f text;
BEGIN
	-- Internal steps of the cycle: only the extension's own functions call them.
	FOREACH f IN ARRAY ARRAY[
		'strategy_eth_call(bigint, @extschema@.address, @extschema@.address, bytea, bigint)',
		'strategy_read_word(bigint, @extschema@.address, text, text)',
		'strategy_validate_lp_univ3(jsonb, bigint)', 'strategy_validate_stake(jsonb, bigint)',
		'strategy_sync_tokens(@extschema@.strategies, bigint, @extschema@.address[], @extschema@.address[])',
		'strategy_sync_lp_univ3(@extschema@.strategies, bigint)', 'strategy_sync_stake(@extschema@.strategies, bigint)',
		'strategy_gather_lp_univ3(@extschema@.strategies, bigint)', 'strategy_gather_stake(@extschema@.strategies, bigint)',
		'strategy_policy_lp_univ3(@extschema@.strategies, jsonb)', 'strategy_policy_stake(@extschema@.strategies, jsonb)',
		'strategy_record_snapshot(bigint, bigint, jsonb)',
		'strategy_update_as(bigint, jsonb, text, boolean)',
		'strategy_intent_check(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea)',
		'strategy_record_decision(@extschema@.strategies, bigint, bigint, jsonb, jsonb)',
		'strategy_run_one(@extschema@.strategies, bigint, boolean)',
		'strategy_require_block(bigint, bigint)']
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
	END LOOP;
	-- Readers: what the views and dashboards use.
	FOREACH f IN ARRAY ARRAY[
		'strategy_pool_state(bigint, @extschema@.address, bigint)',
		'strategy_lst_rate(bigint, @extschema@.address, bigint)',
		'strategy_wallet(bigint, @extschema@.address, @extschema@.address)',
		'strategy_block_time(bigint, bigint)',
		'strategy_asset_risk_level(bigint, @extschema@.address)']
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO amplified_reader', f);
	END LOOP;
	-- Operators: strategies and their runs.
	FOREACH f IN ARRAY ARRAY[
		'strategy_update(bigint, jsonb, text)', 'strategy_enable(bigint, boolean)', 'strategy_disable(bigint)',
		'strategy_sync_positions(bigint, bigint)', 'run_strategies(boolean, bigint[])']
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO amplified_operator', f);
	END LOOP;
	-- Admins: schedules and housekeeping.
	-- Which vault a strategy runs and which contracts it may send the vault's
	-- funds to are configuration, as signers are: strategy_create and
	-- strategy_update_contracts are the admin's.
	FOREACH f IN ARRAY ARRAY['strategy_housekeeping(interval, interval)', 'schedule_defaults(text, text)',
		'strategy_create(text, text, bigint, @extschema@.address, jsonb, boolean)',
		'strategy_update_contracts(bigint, jsonb)'] LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO amplified_admin', f);
	END LOOP;
END
$grants$;
