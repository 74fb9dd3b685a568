-- src/strategy/engine.sql: the strategy engine.  A strategy is a kind (a
-- row of strategy_kinds: how to validate its parameters, sync its positions
-- from the chain, gather its state and decide), an owner address (the vault
-- that holds its assets and signs its transactions) and parameters.
-- run_strategies() takes each enabled strategy through one decision cycle:
--
--   sync positions (eth_call at the latest ingested block) → gather state
--   (read models of the protocol modules, the market layer, the synced
--   positions) → policy → decisions row (action, inputs snapshot, reason
--   codes) → risk gate (a typed risk_proposal with its exposures) →
--   txq_enqueue() of its intents, in the same transaction (outbox)
--
-- The kinds live in src/strategy/kinds/<kind>.sql, one file each: their
-- functions and their strategy_kinds row.  The engine knows a kind only
-- through that row; the contracts between a kind, the engine and the risk
-- gate are the composite types below.  docs/strategies.md lists what a kind
-- provides.

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

-- ---- the contracts between the engine and its kinds ----

-- A position of a strategy's vault in one protocol, as a kind's sync writes
-- it (strategy_put_position) and positions stores it.  amount is signed: a
-- balance, a supply or a liquidity is positive, a debt negative, in the
-- raw units of what the position counts (token units, liquidity, shares).
CREATE TYPE @extschema@.strategy_position AS (
	protocol		text,
	asset			@extschema@.address,
	position_id		numeric,
	amount			@extschema@.int256,
	detail			jsonb
);
COMMENT ON TYPE @extschema@.strategy_position IS
	'a vault''s position: protocol (token, univ3, ...), asset or holding contract, position id (0 if fungible), signed raw amount (debt negative), protocol detail';

-- One leg of a valuation: an amount of one token held through one position
-- (the wallet or a protocol position), valued in the strategy's numeraire.
--   amount     signed raw units of asset, fees owed included (debt negative)
--   price      numeraire per whole unit of asset
--   fees_owed  raw units of asset earned as fees and not collected yet
--   rate       for an accruing leg: with accrual 'staking', the underlying
--              per whole unit at 1e18 scale (an LST's exchange rate; the
--              underlying is valued 1:1 with the numeraire); with
--              'interest', an index whose growth is the leg's (a lending
--              market's supply or borrow index, assets per share)
--   accrual    'staking' or 'interest' when rate grows the holding, else NULL
--   liquidity, tick_lower, tick_upper, sqrt_price
--              for a Uniswap v3 NFT's legs: its liquidity L, its range and
--              the pool's sqrt price (Q64.96) the amounts were computed at
--              (v_pnl_attribution's divergence reprices L exactly); NULL
--              for every other leg
CREATE TYPE @extschema@.strategy_holding AS (
	asset			@extschema@.address,
	position		text,
	amount			numeric,
	decimals		integer,
	price			numeric,
	fees_owed		numeric,
	rate			numeric,
	accrual			text,
	liquidity		numeric,
	tick_lower		integer,
	tick_upper		integer,
	sqrt_price		numeric
);
COMMENT ON TYPE @extschema@.strategy_holding IS
	'one leg of a valuation: asset, position (wallet or protocol:id), signed raw amount, decimals, numeraire price, fees owed, accrual rate and kind';

-- What a strategy is worth at a block: its numeraire, its value in whole
-- numeraire units, and the legs that make it up.
CREATE TYPE @extschema@.strategy_valuation AS (
	numeraire		@extschema@.address,
	value			numeric,
	holdings		@extschema@.strategy_holding[]
);
COMMENT ON TYPE @extschema@.strategy_valuation IS
	'a strategy''s value at a block in whole units of its numeraire, and its holdings (legs)';

-- Where a strategy's return came from between two snapshots, in whole
-- numeraire units (costs positive): strategy_pnl() sums them.
CREATE TYPE @extschema@.strategy_pnl AS (
	fees			numeric,
	il				numeric,
	staking_yield	numeric,
	interest_earned	numeric,
	interest_paid	numeric,
	gas				numeric,
	swap_cost		numeric
);
COMMENT ON TYPE @extschema@.strategy_pnl IS
	'P&L components in numeraire units: fees, divergence loss, staking yield, interest earned and paid, gas, swap cost';

-- One transaction a decision asks for.  sender is NULL for the strategy's
-- own vault (its owner), which sends nearly every intent; a strategy whose
-- parameters name member strategies (the allocate kind) may send from a
-- member's vault (strategy_member_vaults), and names it here.
CREATE TYPE @extschema@.strategy_intent AS (
	step			text,
	target			@extschema@.address,
	value			@extschema@.uint256,
	data			bytea,
	note			text,
	sender			@extschema@.address
);
COMMENT ON TYPE @extschema@.strategy_intent IS
	'a transaction of a decision: step name, target (NULL creates a contract), wei value, calldata, a note for people, the sending vault (NULL: the strategy''s owner)';

-- What a policy decided, typed: the engine turns a policy's result into
-- this (strategy_result) before anything leaves the module.
CREATE TYPE @extschema@.strategy_decision AS (
	action			text,
	reasons			text[],
	plan			jsonb,
	intents			@extschema@.strategy_intent[],
	proposal		@extschema@.risk_proposal
);
COMMENT ON TYPE @extschema@.strategy_decision IS
	'a policy''s result: action, reason codes, plan (free-form, for people), intents, the risk proposal';
-- What a decision's policy expected of it (src/strategy/outcomes.sql fills
-- it from the policy's plan, strategy_expectation_of): the gain over the
-- horizon before costs, in whole numeraire units; the horizon; the costs it
-- expected to pay (gas and swap, numeraire units), and where the figures
-- came from.  v_decision_outcomes sets the realised outcome against it.
CREATE TYPE @extschema@.strategy_expectation AS (
	expected_gain	numeric,
	horizon			interval,
	expected_costs	numeric,
	gas_cost		numeric,
	swap_cost		numeric,
	source			text
);
COMMENT ON TYPE @extschema@.strategy_expectation IS
	'what a decision expected: gross gain over the horizon and costs (gas, swap) in numeraire units, the horizon, the source of the figures';
-- ---- tables ----

-- What a kind of strategy is: four functions, and optionally a fifth, called by name.
--   validate(params jsonb, chain_id bigint) → jsonb   the parameters, checked, defaults filled
--   sync(s strategies, block bigint) → void             positions rows from chain state
--   gather(s strategies, block bigint) → jsonb          the inputs snapshot of a decision,
--                                                     with its "valuation" (strategy_valuation_json)
--   policy(s strategies, state jsonb) → jsonb           {action, reasons, plan, intents, proposal}
--   simulate(s strategies, state jsonb, result jsonb, calls jsonb) → text[]
--                                                     optional: the reasons to refuse a decision
--                                                     whose intents were eth_call'ed at its block
--                                                     (calls: one {step, ok, return | error} each)
-- The kinds shipped with the extension are builtin; the rows an admin adds
-- are configuration, dumped by pg_dump.
CREATE TABLE @extschema@.strategy_kinds (
	kind			text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
	validate		regproc NOT NULL,
	sync			regproc NOT NULL,
	gather			regproc NOT NULL,
	policy			regproc NOT NULL,
	simulate		regproc,
	description		text NOT NULL,
	builtin			boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.strategy_kinds IS
	'Kinds of strategy and the functions that validate, sync, gather and decide for them (one row per kind: the plug-in point)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_kinds', 'WHERE NOT builtin');

-- strategy_kinds is a registry of functions that the engine calls as the
-- extension's owner: only that owner's functions, of exactly the signature
-- of their slot, may be named in it, and the engine calls them by their
-- schema-qualified names (registry_check_function, registry_call_name,
-- src/amplified.sql).  Admins may not set builtin (column privileges).
CREATE TRIGGER strategy_kinds_check BEFORE INSERT OR UPDATE ON @extschema@.strategy_kinds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_check_row(
		'validate', 'jsonb,bigint', 'jsonb',
		'sync', '@extschema@.strategies,bigint', 'void',
		'gather', '@extschema@.strategies,bigint', 'jsonb',
		'policy', '@extschema@.strategies,jsonb', 'jsonb',
		'simulate', '@extschema@.strategies,jsonb,jsonb,jsonb', 'text[]');
CREATE TRIGGER strategy_kinds_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.strategy_kinds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin('description');

-- A kind's grants follow from its row: the four functions are the engine's
-- to call, so nobody else may execute them.  As the owner, who owns them.
CREATE FUNCTION @extschema@.strategy_kinds_grants()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f regprocedure;
BEGIN
	FOREACH f IN ARRAY ARRAY(SELECT x FROM pg_catalog.unnest(ARRAY[NEW.validate::oid, NEW.sync::oid, NEW.gather::oid,
			NEW.policy::oid, NEW.simulate::oid]) x WHERE x IS NOT NULL)::regprocedure[] LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
	END LOOP;
	RETURN NULL;
END
$$;
CREATE TRIGGER strategy_kinds_grants AFTER INSERT OR UPDATE ON @extschema@.strategy_kinds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.strategy_kinds_grants();
REVOKE ALL ON FUNCTION @extschema@.strategy_kinds_grants() FROM PUBLIC;

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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategies_id_seq', '');

-- Every set of parameters a strategy has had, so that a decision can be
-- replayed with the parameters it was made with (strategy_replay).
-- strategy_create and strategy_update write them (not a trigger: a restore
-- by pg_restore loads both tables as they were).
CREATE TABLE @extschema@.strategy_param_versions (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	params			jsonb NOT NULL,
	valid_from		timestamptz NOT NULL DEFAULT clock_timestamp(),
	changed_by		text NOT NULL DEFAULT session_user
);
CREATE INDEX strategy_param_versions_strategy ON @extschema@.strategy_param_versions (strategy_id, id DESC);
COMMENT ON TABLE @extschema@.strategy_param_versions IS
	'Each version of each strategy''s parameters, from when and by whom; decisions name the version they used';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_param_versions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_param_versions_id_seq', '');

-- What the owner holds, as last synced from the chain: one row per
-- strategy_position (a token balance with its allowances in detail, a
-- Uniswap v3 NFT with its range and owed fees, a lending supply or debt).
CREATE TABLE @extschema@.positions (
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	protocol		text NOT NULL CHECK (protocol ~ '^[a-z][a-z0-9_]{0,62}$'),
	asset			@extschema@.address NOT NULL,
	position_id		numeric NOT NULL DEFAULT 0 CHECK (position_id >= 0 AND position_id = trunc(position_id)),
	amount			@extschema@.int256 NOT NULL,
	detail			jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
	block_number	bigint NOT NULL,
	synced_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (strategy_id, protocol, asset, position_id)
);
COMMENT ON TABLE @extschema@.positions IS
	'Positions of each strategy''s owner at block_number: protocol, asset or holding contract, position id, signed raw amount (debt negative), protocol detail';

-- One row per call of run_strategies().
CREATE TABLE @extschema@.strategy_runs (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at		timestamptz,
	run_by			text NOT NULL DEFAULT session_user,
	summary			jsonb
);
COMMENT ON TABLE @extschema@.strategy_runs IS 'Each run of run_strategies() and its summary';
-- Decisions refer to their runs: dumped with them.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_runs_id_seq', '');

-- Every decision: what the policy saw (inputs), what it chose and why, what
-- the risk gate said, and the intents it enqueued.  A decision that repeats
-- the one before (the same action, reasons and status, nothing enqueued) is
-- not written again: the previous row's last_block_number and repeats move.
CREATE TABLE @extschema@.decisions (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	run_id			bigint REFERENCES @extschema@.strategy_runs ON DELETE SET NULL,
	params_version	bigint REFERENCES @extschema@.strategy_param_versions,
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
	-- The eth_call of each intent at the decision's block and what the
	-- kind's simulate function made of them (kinds that have one).
	simulation		jsonb,
	-- What the policy expected of the decision (strategy_expectation_of,
	-- outcomes.sql): NULL for a hold and for a kind whose plan says nothing.
	expected		@extschema@.strategy_expectation,
	error			text,
	error_context	text,
	CHECK (last_block_number >= block_number)
);
COMMENT ON TABLE @extschema@.decisions IS
	'Decisions of the strategies: inputs snapshot, parameters version, action, reason codes, risk gate verdict, intents enqueued';
CREATE INDEX decisions_strategy ON @extschema@.decisions (strategy_id, id DESC);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.decisions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.decisions_id_seq', '');

-- The strategy's worth at each block it was looked at, and the running sums
-- of its P&L components since its first snapshot, for v_strategy_performance.
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
	interest_earned	numeric NOT NULL DEFAULT 0,
	interest_paid	numeric NOT NULL DEFAULT 0,
	holdings		@extschema@.strategy_holding[] NOT NULL,
	hold_basis		@extschema@.strategy_holding[] NOT NULL,
	PRIMARY KEY (strategy_id, block_number)
);
COMMENT ON TABLE @extschema@.strategy_snapshots IS
	'Value of each strategy at the blocks it was run on, in its numeraire (whole units), what holding its first holdings would be worth, and its P&L components so far';
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
	INSERT INTO strategy_param_versions (strategy_id, params) VALUES (r.id, r.params);
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
	IF s.params IS DISTINCT FROM (SELECT v.params FROM strategy_param_versions v WHERE v.strategy_id = s.id
								   ORDER BY v.id DESC LIMIT 1) THEN
		INSERT INTO strategy_param_versions (strategy_id, params) VALUES (s.id, s.params);
	END IF;
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

-- Store one position of a strategy's vault, as synced at a block: how a
-- kind's sync writes positions (it first clears them with
-- strategy_clear_positions).
CREATE FUNCTION @extschema@.strategy_put_position(strategy_id bigint, block bigint, pos @extschema@.strategy_position)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF pos.protocol IS NULL OR pos.asset IS NULL OR pos.amount IS NULL THEN
		RAISE EXCEPTION 'a position needs its protocol, asset and amount: %', pos USING ERRCODE = 'null_value_not_allowed';
	END IF;
	INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number)
	VALUES (strategy_id, pos.protocol, pos.asset, coalesce(pos.position_id, 0), pos.amount,
			coalesce(pos.detail, '{}'), block);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_put_position(bigint, bigint, @extschema@.strategy_position) IS
	'store a strategy_position of a strategy''s vault as synced at a block (kinds'' syncs call it)';

-- Forget a strategy's positions before a sync writes them again.
CREATE FUNCTION @extschema@.strategy_clear_positions(strategy_id bigint)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	DELETE FROM @extschema@.positions AS x WHERE x.strategy_id = strategy_clear_positions.strategy_id;
END;
COMMENT ON FUNCTION @extschema@.strategy_clear_positions(bigint) IS
	'delete a strategy''s synced positions (the start of a kind''s sync)';

-- The positions of a strategy, typed, as last synced.
CREATE FUNCTION @extschema@.strategy_positions(strategy_id bigint, protocol text DEFAULT NULL)
RETURNS SETOF @extschema@.strategy_position
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT p.protocol, p.asset, p.position_id, p.amount, p.detail
	  FROM positions p
	 WHERE p.strategy_id = $1 AND ($2 IS NULL OR p.protocol = $2)
	 ORDER BY p.protocol, p.asset, p.position_id
$$;
COMMENT ON FUNCTION @extschema@.strategy_positions(bigint, text) IS
	'a strategy''s synced positions as strategy_position values, of one protocol or all';

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
		PERFORM strategy_put_position(s.id, block, ROW('token', t, 0, bal::int256, jsonb_build_object('allowances', al)));
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_tokens(@extschema@.strategies, bigint, @extschema@.address[], @extschema@.address[]) IS
	'positions rows of the owner''s balances of tokens and their allowances to spenders, read at a block';

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
		b := ingest_head_block(s.chain_id);
	END IF;
	IF b IS NULL THEN
		RAISE EXCEPTION 'no block of chain % is ingested yet', s.chain_id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	EXECUTE format('SELECT %s($1, $2)', (SELECT registry_call_name(k.sync) FROM strategy_kinds k WHERE k.kind = s.kind)) USING s, b;
	RETURN QUERY SELECT * FROM positions AS x WHERE x.strategy_id = s.id ORDER BY x.protocol, x.asset, x.position_id;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_positions(bigint, bigint) IS
	'Read a strategy''s positions from the chain at the latest ingested block (or the given one) into positions';

-- ---- gather: the state a decision sees ----

-- What a swap of amount_in (raw) returns (raw) in a pool at a gathered
-- state (swap: sqrt_price, tick, liquidity, ticks, liquidity_net as the
-- kinds' gather functions build it), token0 in or token1 in, across its
-- ticks (univ3_simulate_swap): the one quote the kinds that swap share.
-- Under one raw unit in: 0.
CREATE FUNCTION @extschema@.strategy_swap_quote(swap jsonb, tick_spacing int, fee int, token0_in boolean, amount_in numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT CASE WHEN amount_in < 1 THEN 0
				WHEN token0_in THEN -q.amount1::numeric
				ELSE -q.amount0::numeric END
	  FROM univ3_simulate_swap((swap ->> 'sqrt_price')::uint256, (swap ->> 'tick')::int, (swap ->> 'liquidity')::uint256,
			tick_spacing, fee,
			ARRAY(SELECT t::int FROM jsonb_array_elements_text(swap -> 'ticks') t),
			ARRAY(SELECT n::int256 FROM jsonb_array_elements_text(swap -> 'liquidity_net') n),
			token0_in, int256(greatest(floor(amount_in), 1))) AS q
$$;
COMMENT ON FUNCTION @extschema@.strategy_swap_quote(jsonb, int, int, boolean, numeric) IS
	'the raw output of a swap of amount_in (raw) in a pool at a gathered state, token0 or token1 in, across its ticks';

-- The price of token0 in token1 whole units at a sqrt price, exact.
CREATE FUNCTION @extschema@.strategy_price1per0(sqrt_price @extschema@.uint256, decimals0 int, decimals1 int)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN (sqrt_price::numeric * sqrt_price::numeric) / 6277101735386680763835789423207666416102355444464034512896::numeric
	   * power(10::numeric, decimals0 - decimals1);
COMMENT ON FUNCTION @extschema@.strategy_price1per0(@extschema@.uint256, int, int) IS
	'whole token1 per whole token0 at a Q64.96 sqrt price (sqrt_price^2 / 2^192, scaled by the decimals)';

-- The balances a contract account the strategy's owner controls holds
-- (e.g. its AmpLeverageAccount), pinned to the block: one "account"
-- position per token.
CREATE FUNCTION @extschema@.strategy_sync_account(s @extschema@.strategies, block bigint,
	account @extschema@.address, tokens @extschema@.address[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	t address;
	bal uint256;
BEGIN
	FOREACH t IN ARRAY tokens LOOP
		bal := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, t,
			abi_encode_call('balanceOf(address)', jsonb_build_array(account::text)), block)) ->> 0)::uint256;
		PERFORM strategy_put_position(s.id, block, ROW('account', t, 0, bal::int256,
			jsonb_build_object('account', account::text))::strategy_position);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_account(@extschema@.strategies, bigint, @extschema@.address, @extschema@.address[]) IS
	'the token balances of a contract account the strategy''s owner controls at a block, as "account" positions';

-- 10^-decimals, exactly: raw token units times it are whole units without
-- the rounding of a numeric division (which keeps 16 significant digits).
CREATE FUNCTION @extschema@.strategy_unit(decimals integer)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ('1e' || (-decimals)::text)::numeric;
COMMENT ON FUNCTION @extschema@.strategy_unit(integer) IS
	'10^-decimals as an exact numeric: raw units times it are whole units';

-- Whether a state is too old to act on: its block's time plus the
-- strategy's deadline_seconds is not after the decision's time (decided_at,
-- the engine's, so that a policy reads no clock).
CREATE FUNCTION @extschema@.strategy_state_stale(state jsonb, params jsonb)
RETURNS boolean
LANGUAGE sql STABLE
RETURN (state ->> 'at')::timestamptz + make_interval(secs => (params ->> 'deadline_seconds')::float8)
	   <= (state ->> 'decided_at')::timestamptz;
COMMENT ON FUNCTION @extschema@.strategy_state_stale(jsonb, jsonb) IS
	'whether a decision''s chain data is older than its parameters'' deadline_seconds at the decision''s time';

-- Wallet balance and allowance of one token from the synced positions.
CREATE FUNCTION @extschema@.strategy_wallet(strategy_id bigint, token @extschema@.address, spender @extschema@.address,
	OUT amount @extschema@.uint256, OUT allowance @extschema@.uint256)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce((SELECT p.amount::uint256 FROM positions p
					  WHERE p.strategy_id = $1 AND p.protocol = 'token' AND p.asset = $2 AND p.position_id = 0), '0'),
		   coalesce((SELECT (p.detail -> 'allowances' ->> lower($3::text))::uint256 FROM positions p
					  WHERE p.strategy_id = $1 AND p.protocol = 'token' AND p.asset = $2 AND p.position_id = 0), '0')
$$;
COMMENT ON FUNCTION @extschema@.strategy_wallet(bigint, @extschema@.address, @extschema@.address) IS
	'the synced balance of a token held by a strategy''s owner and its allowance to a spender (0 when unknown)';

-- ---- policies: the decision and the intents that carry it out ----

-- One intent of a decision, as a policy lists it in its result (JSON, kept
-- in decisions.intents as the policy wrote it; strategy_result types it).
CREATE FUNCTION @extschema@.strategy_intent(step text, target @extschema@.address, data bytea, note text,
	value @extschema@.uint256 DEFAULT '0')
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('step', step, 'target', target::text, 'value', value::text,
						  'data', '0x' || encode(data, 'hex'), 'note', note);
COMMENT ON FUNCTION @extschema@.strategy_intent(text, @extschema@.address, bytea, text, @extschema@.uint256) IS
	'an intent as a policy lists it: step name, target, calldata, a note for people, the wei value (0 unless given)';

-- An ERC-20 approve intent.
CREATE FUNCTION @extschema@.strategy_approve_intent(token @extschema@.address, spender @extschema@.address,
	amount @extschema@.uint256)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN @extschema@.strategy_intent('approve', token,
		@extschema@.abi_encode_call('approve(address,uint256)', jsonb_build_array(spender::text, amount::text)),
		format('approve %s of %s to %s', amount, token, spender));

-- The typed decision of a policy's result: every key checked (22023 for
-- an unknown or malformed one, naming the strategy), so that a misspelt
-- key is an error at the seam and not a silently missing intent or limit.
CREATE FUNCTION @extschema@.strategy_result(strategy_id bigint, result jsonb)
RETURNS @extschema@.strategy_decision
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r strategy_decision;
	k text;
	i jsonb;
	it strategy_intent;
BEGIN
	IF result IS NULL OR jsonb_typeof(result) <> 'object' THEN
		RAISE EXCEPTION 'policy of strategy % returned no JSON object', strategy_id USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT min(j.key) INTO k FROM jsonb_object_keys(result) j(key)
	 WHERE j.key NOT IN ('action', 'reasons', 'plan', 'intents', 'proposal');
	IF k IS NOT NULL THEN
		RAISE EXCEPTION 'policy of strategy % returned an unknown key "%"', strategy_id, k
			USING ERRCODE = 'invalid_parameter_value', HINT = 'A result has action, reasons, plan, intents and proposal.';
	END IF;
	r.action := result ->> 'action';
	IF jsonb_typeof(result -> 'action') IS DISTINCT FROM 'string' OR r.action !~ '^[a-z][a-z_]*$' THEN
		RAISE EXCEPTION 'policy of strategy % returned no valid action: %', strategy_id, left(result::text, 200)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF result ? 'reasons' AND (jsonb_typeof(result -> 'reasons') <> 'array'
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(result -> 'reasons') x WHERE jsonb_typeof(x) <> 'string')) THEN
		RAISE EXCEPTION 'policy of strategy % returned reasons that are not an array of strings', strategy_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	r.reasons := ARRAY(SELECT jsonb_array_elements_text(coalesce(result -> 'reasons', '[]')));
	r.plan := result -> 'plan';
	r.intents := '{}';
	IF result ? 'intents' THEN
		IF jsonb_typeof(result -> 'intents') <> 'array' THEN
			RAISE EXCEPTION 'policy of strategy % returned intents that are not an array', strategy_id
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		FOR i IN SELECT x FROM jsonb_array_elements(result -> 'intents') x LOOP
			SELECT min(j.key) INTO k FROM jsonb_object_keys(CASE WHEN jsonb_typeof(i) = 'object' THEN i ELSE '{}' END) j(key)
			 WHERE j.key NOT IN ('step', 'target', 'value', 'data', 'note', 'from');
			IF jsonb_typeof(i) <> 'object' OR k IS NOT NULL OR jsonb_typeof(i -> 'step') IS DISTINCT FROM 'string'
			   OR coalesce(i ->> 'data', '') !~ '^0x([0-9a-f]{2})*$'
			   OR (i ? 'from' AND jsonb_typeof(i -> 'from') NOT IN ('string', 'null')) THEN
				RAISE EXCEPTION 'policy of strategy % returned a malformed intent: %', strategy_id, left(i::text, 200)
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'An intent has step, target, value, data (0x hex), note and optionally from: build it with strategy_intent().';
			END IF;
			it := ROW(i ->> 'step', (i ->> 'target')::address, coalesce(i ->> 'value', '0')::uint256,
					  decode(substr(i ->> 'data', 3), 'hex'), i ->> 'note', (i ->> 'from')::address);
			r.intents := r.intents || it;
		END LOOP;
	END IF;
	IF result -> 'proposal' IS NOT NULL AND jsonb_typeof(result -> 'proposal') <> 'null' THEN
		r.proposal := risk_proposal_of(result -> 'proposal');
	END IF;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_result(bigint, jsonb) IS
	'the typed strategy_decision of a policy''s JSON result, every key checked (22023 otherwise)';

-- ---- valuations and P&L ----

-- A valuation as a gather puts it in its state: the typed value as JSON.
CREATE FUNCTION @extschema@.strategy_valuation_json(numeraire @extschema@.address, value numeric,
	holdings @extschema@.strategy_holding[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN to_jsonb(ROW(numeraire, value, holdings)::@extschema@.strategy_valuation);
COMMENT ON FUNCTION @extschema@.strategy_valuation_json(@extschema@.address, numeric, @extschema@.strategy_holding[]) IS
	'the JSON of a strategy_valuation, as a gather puts it under "valuation" in its state';

-- The typed valuation of a state (NULL when the state has none), checked.
CREATE FUNCTION @extschema@.strategy_state_valuation(state jsonb)
RETURNS @extschema@.strategy_valuation
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	v strategy_valuation;
BEGIN
	IF state -> 'valuation' IS NULL OR jsonb_typeof(state -> 'valuation') = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(state -> 'valuation') <> 'object' OR NOT (state -> 'valuation') ?& ARRAY['numeraire', 'value', 'holdings']
	   OR EXISTS (SELECT 1 FROM jsonb_object_keys(state -> 'valuation') k WHERE k NOT IN ('numeraire', 'value', 'holdings')) THEN
		RAISE EXCEPTION 'a state''s valuation has the keys numeraire, value and holdings, not %', left((state -> 'valuation')::text, 200)
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Build it with strategy_valuation_json().';
	END IF;
	v := jsonb_populate_record(NULL::strategy_valuation, state -> 'valuation');
	IF v.numeraire IS NULL OR v.value IS NULL OR v.holdings IS NULL
	   OR EXISTS (SELECT 1 FROM unnest(v.holdings) h
				   WHERE h.asset IS NULL OR h.position IS NULL OR h.amount IS NULL OR h.decimals IS NULL
					  OR h.accrual NOT IN ('staking', 'interest')) THEN
		RAISE EXCEPTION 'a valuation needs its numeraire, value and holdings, each with asset, position, amount and decimals'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = left((state -> 'valuation')::text, 400);
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_state_valuation(jsonb) IS
	'the strategy_valuation a gather''s state holds under "valuation", checked (22023 when malformed)';

-- ---- the decision cycle ----

-- Record a strategy's value at a block (once per block), and its P&L
-- components since its first snapshot, from the typed valuation:
--   value            the mark of its holdings, Σ amount × 10^-decimals ×
--                    price (an unpriced leg counts 0), exactly: the kinds'
--                    own figure agrees but for the rounding of a numeric
--                    division, and v_pnl_attribution splits its changes
--                    exactly (src/strategy/pnl.sql)
--   hold_value       the first snapshot's holdings per asset at today's prices
--   fees_owed        fees owed now (every leg's fees_owed at today's price)
--   fees_collected   fees owed at a snapshot that are owed no more at the
--                    next, per position and token, at that snapshot's price
--   staking_yield    held (long) amount of each staking asset at the
--                    snapshot before × today's price × (1 - rate before /
--                    rate today): the accretion, unit-free (in the
--                    numeraire whatever the underlying)
--   interest_earned  each interest leg held long at the snapshot before ×
--                    its index's relative growth since, at today's price
--   interest_paid    the same for debts (negative legs), as a cost
CREATE FUNCTION @extschema@.strategy_record_snapshot(strategy_id bigint, block bigint, at timestamptz,
	v @extschema@.strategy_valuation)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	prev strategy_snapshots;
	basis strategy_holding[];
	hold numeric;
	collected numeric := 0;
	staked numeric := 0;
	earned numeric := 0;
	paid numeric := 0;
	owed numeric;
BEGIN
	IF v IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO prev FROM strategy_snapshots x
	 WHERE x.strategy_id = strategy_record_snapshot.strategy_id AND x.block_number < block
	 ORDER BY x.block_number DESC LIMIT 1;
	-- The first snapshot's holdings, one leg per asset, each carrying the
	-- asset's latest known price: today's, or the last one seen (an asset
	-- no longer held keeps the price it had when it was).
	basis := ARRAY(
		SELECT ROW(b.asset, 'hold', b.amount, coalesce(n.decimals, b.decimals), coalesce(n.price, b.price),
				   0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding
		  FROM unnest(coalesce(prev.hold_basis, ARRAY(
				SELECT ROW(h.asset, 'hold', sum(h.amount), min(h.decimals), NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding
				  FROM unnest(v.holdings) h GROUP BY h.asset ORDER BY lower(h.asset::text)))) WITH ORDINALITY AS b
		  LEFT JOIN (SELECT DISTINCT ON (h.asset) h.asset, h.decimals, h.price FROM unnest(v.holdings) h
					  WHERE h.price IS NOT NULL ORDER BY h.asset) n ON n.asset = b.asset
		 ORDER BY b.ordinality);
	-- Holding them, at those prices.
	SELECT coalesce(sum(b.amount / 10::numeric ^ b.decimals * b.price), 0) INTO hold FROM unnest(basis) b;
	owed := coalesce((SELECT sum(h.fees_owed / 10::numeric ^ h.decimals * h.price)
						FROM unnest(v.holdings) h WHERE h.fees_owed <> 0), 0);
	IF prev.strategy_id IS NOT NULL THEN
		-- Fees the last snapshot saw owed that are owed no more were collected.
		SELECT prev.fees_collected
			   + coalesce(sum(greatest(p.fees_owed - coalesce(n.fees_owed, 0), 0) / 10::numeric ^ p.decimals * p.price), 0)
		  INTO collected
		  FROM unnest(prev.holdings) p
		  LEFT JOIN unnest(v.holdings) n ON n.position = p.position AND n.asset = p.asset
		 WHERE p.fees_owed > 0;
		-- Accruals: the amount held at the last snapshot times its rate's
		-- growth since, staking per asset, interest per position and sign.
		SELECT prev.staking_yield + coalesce(sum(a.amount * strategy_unit(a.decimals) * a.price_now * (1 - a.rate_was / a.rate_now)), 0)
		  INTO staked
		  FROM (SELECT p.asset, sum(p.amount) FILTER (WHERE p.amount > 0) AS amount, max(p.rate) AS rate_was,
					   (SELECT max(h.rate) FROM unnest(v.holdings) h WHERE h.asset = p.asset AND h.accrual = 'staking') AS rate_now,
					   (SELECT max(h.price) FROM unnest(v.holdings) h WHERE h.asset = p.asset) AS price_now,
					   (SELECT min(h.decimals) FROM unnest(v.holdings) h WHERE h.asset = p.asset) AS decimals
				  FROM unnest(prev.holdings) p
				 WHERE EXISTS (SELECT 1 FROM unnest(prev.holdings) r WHERE r.asset = p.asset AND r.accrual = 'staking')
				 GROUP BY p.asset) a
		 WHERE a.rate_was > 0 AND a.rate_now > 0;
		SELECT prev.interest_earned + coalesce(sum(g) FILTER (WHERE g > 0), 0),
			   prev.interest_paid - coalesce(sum(g) FILTER (WHERE g < 0), 0)
		  INTO earned, paid
		  FROM (SELECT p.amount * strategy_unit(p.decimals) * (h.rate / p.rate - 1) * h.price AS g
				  FROM unnest(prev.holdings) p
				  JOIN unnest(v.holdings) h ON h.position = p.position AND h.asset = p.asset AND h.accrual = 'interest'
				 WHERE p.accrual = 'interest' AND p.rate > 0 AND h.rate IS NOT NULL AND h.price IS NOT NULL) x;
	END IF;
	INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value,
		fees_owed, fees_collected, staking_yield, interest_earned, interest_paid, holdings, hold_basis)
	VALUES (strategy_record_snapshot.strategy_id, block, at, v.numeraire,
			coalesce((SELECT sum(h.amount * strategy_unit(h.decimals) * coalesce(h.price, 0)) FROM unnest(v.holdings) h), 0),
			hold, owed, collected,
			staked, earned, paid, v.holdings, basis)
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_record_snapshot(bigint, bigint, timestamptz, @extschema@.strategy_valuation) IS
	'write a strategy_snapshots row from a valuation: value, holding value, fees owed and collected, staking yield, interest earned and paid';

-- The vaults a strategy may send from besides its own: the owners of the
-- strategies its parameters name as members (the allocate kind's
-- "members", each a strategy id or an object with "strategy_id"), on its
-- chain, itself excluded.  A decision's intent names one of them as its
-- sender; the enqueue guard (strategy_intent_check) accepts no other.
-- Who may change a strategy's members is the admin's: validate writes each
-- member's owner into the parameters, so a new member is a new address
-- (strategy_update refuses it, strategy_update_contracts may).
CREATE FUNCTION @extschema@.strategy_member_vaults(s @extschema@.strategies)
RETURNS @extschema@.address[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(array_agg(m.owner ORDER BY m.id), '{}')
	  FROM strategies m
	 WHERE m.chain_id = s.chain_id AND m.id <> s.id
	   AND m.id IN (SELECT CASE jsonb_typeof(e) WHEN 'number' THEN (e #>> '{}')::bigint
										   WHEN 'object' THEN (e ->> 'strategy_id')::bigint END
					  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.params -> 'members') = 'array'
													 THEN s.params -> 'members' ELSE '[]' END) e)
$$;
COMMENT ON FUNCTION @extschema@.strategy_member_vaults(@extschema@.strategies) IS
	'the owners of the member strategies a strategy''s parameters name (same chain): the vaults its decisions may send from';

-- What the strategy module says about an intent the queue is asked to take
-- (its enqueue guard, registered in txq_enqueue_guards: the queue reads no
-- strategy table and names no strategy function).  Without a
-- decision: the strategy whose vault the sender is, if any, with a refusal,
-- since a vault's funds move only by its strategy's decisions.  With one:
-- its strategy, how many times the decision lists this exact intent
-- (target, value, data), and a refusal unless the decision is of this chain
-- and of the strategy whose vault sends, was allowed by the risk gate and
-- has not recorded its intents yet.  The decision's row is locked, so two
-- sessions cannot both queue its last intent.
CREATE FUNCTION @extschema@.strategy_intent_check(chain_id bigint, sender @extschema@.address,
	decision_id bigint, target @extschema@.address, value @extschema@.uint256, data bytea)
RETURNS @extschema@.txq_guard_verdict
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	d decisions;
	s strategies;
	v txq_guard_verdict;
BEGIN
	v.listed := 0;
	IF decision_id IS NULL THEN
		SELECT * INTO s FROM strategies AS x
		 WHERE x.chain_id = strategy_intent_check.chain_id AND x.owner = strategy_intent_check.sender;
		IF FOUND THEN
			v.strategy_id := s.id;
			v.refusal := format('sender %s is the vault of strategy %s ("%s"): only a decision of that strategy moves its funds',
								sender, s.id, s.name);
			v.hint := 'A strategy''s vault sends only what run_strategies() decides for it.';
		END IF;
		RETURN v;
	END IF;
	SELECT * INTO d FROM decisions AS x WHERE x.id = strategy_intent_check.decision_id FOR UPDATE;
	IF NOT FOUND THEN
		v.refusal := format('decision %s does not exist', decision_id);
		RETURN v;
	END IF;
	v.strategy_id := d.strategy_id;
	SELECT * INTO s FROM strategies AS x WHERE x.id = d.strategy_id;
	IF d.chain_id <> strategy_intent_check.chain_id THEN
		v.refusal := format('decision %s is of chain %s, not %s', d.id, d.chain_id, chain_id);
	ELSIF s.owner <> sender AND NOT sender = ANY (strategy_member_vaults(s)) THEN
		v.refusal := format('decision %s is one of strategy %s, whose vault is %s%s, not %s', d.id, s.id, s.owner,
							CASE WHEN cardinality(strategy_member_vaults(s)) > 0
								 THEN format(' (and its members'' %s)', strategy_member_vaults(s)) ELSE '' END, sender);
	ELSIF d.status <> 'enqueued' OR d.risk_allowed IS NOT TRUE THEN
		v.refusal := format('decision %s is %s: the risk gate did not allow it', d.id, d.status);
	ELSIF cardinality(d.intent_ids) > 0 THEN
		v.refusal := format('decision %s is used up: its intents %s were queued', d.id, d.intent_ids);
	ELSE
		SELECT count(*)::integer INTO v.listed FROM jsonb_array_elements(d.intents) AS e
		 WHERE coalesce((e ->> 'from')::address, s.owner) = sender
		   AND CASE WHEN e ->> 'target' IS NULL THEN strategy_intent_check.target IS NULL
					ELSE (e ->> 'target')::address = strategy_intent_check.target END
		   AND coalesce(e ->> 'value', '0')::uint256 = strategy_intent_check.value
		   AND decode(substr(e ->> 'data', 3), 'hex') = strategy_intent_check.data;
		IF v.listed = 0 THEN
			v.refusal := format('decision %s lists no intent %sto %s with this value and data', d.id,
								CASE WHEN sender <> s.owner THEN format('from %s ', sender) ELSE '' END,
								coalesce(target::text, 'a new contract'));
		END IF;
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_intent_check(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea) IS
	'enqueue guard "strategy_vaults": the strategy whose vault sends, how often the decision lists the intent, and why not when it may not be queued';
INSERT INTO @extschema@.txq_enqueue_guards (name, stage, guard, description, builtin) VALUES
	('strategy_vaults', 'new_intent', '@extschema@.strategy_intent_check',
	 'A strategy''s vault sends only the intents an allowed decision of that strategy lists, each once', true);

-- Write the decision of a policy result: the risk gate for anything that
-- acts, then the intents, all in the caller's transaction.  A result that
-- repeats the previous decision (same action, reasons, status, no intents)
-- extends that row instead.  The result is typed first (strategy_result):
-- the gate reads a risk_proposal, the queue takes strategy_intents.
-- eth_call each intent from the strategy's owner at a block: one
-- {step, target, ok, return | error} per intent, in order.  Each is called
-- alone on the block's state (an intent that needs an earlier one of the
-- same decision mined first reverts here: kinds that simulate send one
-- self-contained call per action).
CREATE FUNCTION @extschema@.strategy_simulate_intents(s @extschema@.strategies, block bigint,
	intents @extschema@.strategy_intent[])
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	i strategy_intent;
	ret bytea;
	out jsonb := '[]';
	msg text;
BEGIN
	FOREACH i IN ARRAY coalesce(intents, '{}') LOOP
		BEGIN
			IF i.value IS NOT NULL AND i.value > 0 THEN
				ret := decode(substr(rpc_call(s.chain_id, 'eth_call',
					jsonb_build_array(jsonb_build_object('from', coalesce(i.sender, s.owner)::text, 'to', i.target::text,
						'value', to_hex(i.value),
						'data', '0x' || encode(i.data, 'hex')), '0x' || to_hex(block))) #>> '{}', 3), 'hex');
			ELSE
				ret := strategy_eth_call(s.chain_id, coalesce(i.sender, s.owner), i.target, i.data, block);
			END IF;
			out := out || jsonb_build_array(jsonb_build_object('step', i.step, 'target', i.target::text, 'ok', true,
				'return', '0x' || encode(ret, 'hex')));
		EXCEPTION WHEN SQLSTATE '58R02' THEN
			-- the node's error answer: a revert, with its reason when it gave one
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
			out := out || jsonb_build_array(jsonb_build_object('step', i.step, 'target', i.target::text, 'ok', false,
				'error', msg));
		END;
	END LOOP;
	RETURN out;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_simulate_intents(@extschema@.strategies, bigint, @extschema@.strategy_intent[]) IS
	'eth_call each intent from the strategy''s owner at a block: its return data, or the node''s revert error';

CREATE FUNCTION @extschema@.strategy_record_decision(s @extschema@.strategies, run_id bigint, block bigint,
	state jsonb, result jsonb)
RETURNS @extschema@.decisions
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r strategy_decision := strategy_result(s.id, result);
	d decisions;
	prev decisions;
	g_allowed boolean;
	g_level text;
	g_reasons text[];
	i strategy_intent;
	n int := 0;
	ids bigint[] := '{}';
	status text;
	valid_until timestamptz;
	version bigint;
	k strategy_kinds;
	calls jsonb;
	sim_reasons text[];
BEGIN
	SELECT * INTO prev FROM decisions x WHERE x.strategy_id = s.id ORDER BY x.id DESC LIMIT 1;
	IF cardinality(r.intents) = 0 THEN
		status := 'noop';
		IF prev.action = r.action AND prev.status = status AND prev.reasons = r.reasons THEN
			UPDATE decisions x SET last_block_number = greatest(x.last_block_number, block),
				   last_decided_at = clock_timestamp(), repeats = x.repeats + 1
			 WHERE x.id = prev.id RETURNING * INTO d;
			RETURN d;
		END IF;
	ELSE
		status := 'blocked';
	END IF;
	-- The parameters the policy decided with, for strategy_replay().
	SELECT v.id INTO version FROM strategy_param_versions v WHERE v.strategy_id = s.id AND v.params = s.params
	 ORDER BY v.id DESC LIMIT 1;
	INSERT INTO decisions (strategy_id, run_id, params_version, chain_id, block_number, last_block_number, chain_time,
						   action, status, reasons, inputs, plan, intents, proposal, expected)
	VALUES (s.id, run_id, version, s.chain_id, block, block, (state ->> 'at')::timestamptz, r.action, status, r.reasons,
			state, result -> 'plan', coalesce(result -> 'intents', '[]'), result -> 'proposal',
			CASE WHEN status <> 'noop' THEN strategy_expectation_of(s.kind, s.params, state, r.action, result -> 'plan') END)
	RETURNING * INTO d;
	IF status = 'noop' THEN
		RETURN d;
	END IF;
	-- Kinds with a simulate function: every intent eth_call'ed at the
	-- decision's block first; a revert or what the kind finds in the
	-- results blocks the decision before the gate counts its turnover.
	SELECT * INTO k FROM strategy_kinds x WHERE x.kind = s.kind;
	IF k.simulate IS NOT NULL THEN
		calls := strategy_simulate_intents(s, block, r.intents);
		EXECUTE format('SELECT %s($1, $2, $3, $4)', registry_call_name(k.simulate)) INTO sim_reasons
			USING s, state, result, calls;
		sim_reasons := coalesce(sim_reasons, '{}')
			|| ARRAY(SELECT 'simulation_reverted:' || (c ->> 'step') FROM jsonb_array_elements(calls) c
					  WHERE NOT (c ->> 'ok')::boolean);
		UPDATE decisions x SET simulation = jsonb_build_object('calls', calls, 'reasons', to_jsonb(sim_reasons))
		 WHERE x.id = d.id RETURNING * INTO d;
		IF cardinality(sim_reasons) > 0 THEN
			UPDATE decisions x SET risk_allowed = false,
				   risk_reasons = ARRAY(SELECT DISTINCT 'simulation:' || regexp_replace(y, '^simulation:', '') FROM unnest(sim_reasons) y)
			 WHERE x.id = d.id RETURNING * INTO d;
			RETURN d;
		END IF;
	END IF;
	-- The risk gate sees the decision's id (its turnover ledger keeps it).
	-- Its chain is the strategy's, its assets every address the strategy's
	-- parameters and the policy's proposal name, whatever the proposal says.
	SELECT x.allowed, x.level, x.reasons INTO g_allowed, g_level, g_reasons
	  FROM risk_gate_eval(s.id, s.chain_id,
						  ARRAY(SELECT DISTINCT a FROM unnest(strategy_param_addresses(s.params)
														|| coalesce((r.proposal).assets, '{}')) a),
						  r.proposal, true, d.id, (state ->> 'at')::timestamptz) x;
	IF NOT coalesce(g_allowed, false) THEN
		-- Blocked again for the same reasons: extend the previous row.
		IF prev.action = r.action AND prev.status = 'blocked' AND prev.reasons = r.reasons
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
	UPDATE decisions x SET status = 'enqueued', risk_allowed = true, risk_level = g_level, risk_reasons = g_reasons
	 WHERE x.id = d.id RETURNING * INTO d;
	valid_until := (state ->> 'at')::timestamptz + make_interval(secs => coalesce((s.params ->> 'deadline_seconds')::float8, 3600));
	FOREACH i IN ARRAY r.intents LOOP
		n := n + 1;
		ids := ids || txq_enqueue(s.chain_id, coalesce(i.sender, s.owner), i.target, i.value, i.data,
			jsonb_build_object('idempotency_key', format('strategy:%s:block:%s:%s:%s', s.id, block, n, i.step),
				'strategy_id', s.id, 'decision_id', d.id, 'valid_until', valid_until));
	END LOOP;
	UPDATE decisions x SET intent_ids = ids WHERE x.id = d.id RETURNING * INTO d;
	RETURN d;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_record_decision(@extschema@.strategies, bigint, bigint, jsonb, jsonb) IS
	'write a decision from a policy result: typed by strategy_result, the risk gate, then txq_enqueue of its intents with deterministic idempotency keys';

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
	block := ingest_head_block(s.chain_id);
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
	IF txq_strategy_busy(s.id, block) THEN
		RETURN jsonb_build_object('strategy_id', s.id, 'outcome', 'waiting', 'reason', 'tx_in_flight',
								  'block_number', block);
	END IF;
	SELECT * INTO k FROM strategy_kinds x WHERE x.kind = s.kind;
	BEGIN
		IF sync THEN
			EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.sync)) USING s, block;
		END IF;
		-- The breakers on the strategy's assets as of its data, so that the
		-- gather's risk levels are those of the block it decides on.
		PERFORM risk_refresh_breakers(s.chain_id, strategy_param_addresses(s.params),
			greatest(now(), ingest_block_time(s.chain_id, block)));
		EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.gather)) INTO state USING s, block;
		-- The time of the decision is one of its inputs, so that a policy
		-- reads no clock and a replay sees the same time.
		state := state || jsonb_build_object('decided_at', now());
		PERFORM strategy_record_snapshot(s.id, block, (state ->> 'at')::timestamptz, strategy_state_valuation(state));
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

-- Register the strategy run, the housekeeping and the risk reports
-- (risk_refresh_reports, src/strategy/risk_views.sql) in pg_cron (when installed);
-- calling it again updates the schedules.  As the extension's owner, so that
-- an admin needs no privilege on pg_cron's schema and the jobs are the same
-- whoever schedules them: they run as the owner, the commands are fixed.
CREATE FUNCTION @extschema@.schedule_defaults(run_schedule text DEFAULT '* * * * *',
	housekeeping_schedule text DEFAULT '17 3 * * *', risk_schedule text DEFAULT '7 * * * *')
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
			('amplified-housekeeping', housekeeping_schedule, 'SELECT @extschema@.strategy_housekeeping()'),
			('amplified-risk-reports', risk_schedule, 'SELECT @extschema@.risk_refresh_reports()')) v(n, s, c)
	LOOP
		jobname := j.n;
		schedule := j.s;
		command := j.c;
		EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid USING j.n, j.s, j.c;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.schedule_defaults(text, text, text) IS
	'Schedule run_strategies() (every minute), strategy_housekeeping() (daily) and risk_refresh_reports() (hourly) in pg_cron; again to change the cadence';

-- ---- audit: replaying a decision ----

-- Rerun a decision's policy on the inputs it stored, with the strategy's
-- parameters as they were then (the version the decision names), and say
-- whether the result is the one recorded: the same action, reasons, plan,
-- intents and proposal, compared as JSON values.  A decision that failed
-- (status error) has no policy result to replay.  Policies are functions
-- of (strategy, inputs) only, so a mismatch means the policy's code or a
-- function it calls changed since, or the stored row was altered.
CREATE FUNCTION @extschema@.strategy_replay(decision_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	d decisions;
	s strategies;
	k strategy_kinds;
	version strategy_param_versions;
	result jsonb;
	diffs jsonb := '{}';
	f text;
	stored jsonb;
	replayed jsonb;
BEGIN
	SELECT * INTO d FROM decisions x WHERE x.id = strategy_replay.decision_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'decision % does not exist', decision_id USING ERRCODE = 'undefined_object';
	END IF;
	IF d.status = 'error' THEN
		RAISE EXCEPTION 'decision % is an error (%): there is no policy result to replay', d.id, d.error
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	SELECT * INTO s FROM strategies x WHERE x.id = d.strategy_id;
	SELECT * INTO version FROM strategy_param_versions v WHERE v.id = d.params_version;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'decision % names no version of its strategy''s parameters', d.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Decisions restored without strategy_param_versions cannot be replayed.';
	END IF;
	s.params := version.params;
	SELECT * INTO k FROM strategy_kinds x WHERE x.kind = s.kind;
	EXECUTE format('SELECT %s($1, $2)', registry_call_name(k.policy)) INTO result USING s, d.inputs;
	FOREACH f IN ARRAY ARRAY['action', 'reasons', 'plan', 'intents', 'proposal'] LOOP
		stored := CASE f WHEN 'action' THEN to_jsonb(d.action) WHEN 'reasons' THEN to_jsonb(d.reasons)
						 WHEN 'plan' THEN d.plan WHEN 'intents' THEN d.intents ELSE d.proposal END;
		replayed := CASE f WHEN 'reasons' THEN coalesce(result -> f, '[]') WHEN 'intents' THEN coalesce(result -> f, '[]')
						   ELSE result -> f END;
		IF stored IS DISTINCT FROM replayed THEN
			diffs := diffs || jsonb_build_object(f, jsonb_build_object('stored', stored, 'replayed', replayed));
		END IF;
	END LOOP;
	RETURN jsonb_build_object('decision_id', d.id, 'strategy_id', s.id, 'kind', s.kind,
		'params_version', version.id, 'block_number', d.block_number,
		'matches', diffs = '{}', 'differences', diffs);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_replay(bigint) IS
	'rerun a decision''s policy on its stored inputs and parameters; {matches, differences} against what was recorded';

-- ---- P&L ----

-- A strategy's P&L components from its first snapshot to its snapshot at or
-- before a block (the latest without one), in numeraire units: fees owed
-- and collected; the divergence loss, what value lost against holding the
-- first holdings once fees and swap costs are set apart, so that
--   value - hold_value = fees - il - swap_cost;
-- staking yield and interest earned and paid (what the rates added to the
-- holdings: holding them would have earned the staking yield too, so it is
-- inside both value and hold_value, and shown apart); gas (ETH, paid from
-- outside the valuation, from the queue); and the pool fees paid by the
-- swaps of decisions whose swap intents were mined (their plans' swap_cost;
-- the steps that swap are "swap", or those the plan lists in swap_steps).
CREATE FUNCTION @extschema@.strategy_pnl(strategy_id bigint, block bigint DEFAULT NULL)
RETURNS @extschema@.strategy_pnl
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT ROW(x.fees, -(x.value - x.hold_value - x.fees + x.swap_cost), x.staking_yield, x.interest_earned,
			   x.interest_paid, x.gas, x.swap_cost)::strategy_pnl
	  FROM (SELECT n.value, n.hold_value, n.fees_owed + n.fees_collected AS fees, n.staking_yield,
			   n.interest_earned, n.interest_paid,
			   txq_gas_spent(n.strategy_id, n.block_number) AS gas,
			   coalesce((SELECT sum((d.plan ->> 'swap_cost')::numeric) FROM decisions d
						  WHERE d.strategy_id = n.strategy_id AND d.status = 'enqueued' AND d.block_number <= n.block_number
							AND jsonb_typeof(d.plan -> 'swap_cost') = 'number'
							-- its swaps were mined (the intents and their ids are in the same order);
							-- a plan's swap_steps names the steps that swap (default: "swap")
							AND (txq_intents_state(ARRAY(SELECT d.intent_ids[e.o]
														   FROM jsonb_array_elements(d.intents) WITH ORDINALITY AS e(i, o)
														  WHERE e.i ->> 'step' = ANY (CASE WHEN jsonb_typeof(d.plan -> 'swap_steps') = 'array'
																  THEN ARRAY(SELECT jsonb_array_elements_text(d.plan -> 'swap_steps'))
																  ELSE ARRAY['swap'] END)))).executed), 0) AS swap_cost
			  FROM (SELECT * FROM strategy_snapshots x
					 WHERE x.strategy_id = $1 AND ($2 IS NULL OR x.block_number <= $2)
					 ORDER BY x.block_number DESC LIMIT 1) n) x
$$;
COMMENT ON FUNCTION @extschema@.strategy_pnl(bigint, bigint) IS
	'a strategy''s P&L components since its first snapshot, up to a block: fees, divergence loss, staking yield, interest, gas, swap cost';

-- ---- dashboards ----

-- Every position, whatever its protocol: the protocol's detail is in
-- detail (v_univ3_positions spells out the Uniswap v3 NFTs).
CREATE VIEW @extschema@.v_positions AS
	SELECT p.synced_at AS at, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, s.chain_id, s.owner,
		   p.protocol, p.asset, p.position_id, p.block_number, p.amount, p.amount < 0 AS is_debt, p.detail
	  FROM @extschema@.positions p
	  JOIN @extschema@.strategies s ON s.id = p.strategy_id;
COMMENT ON VIEW @extschema@.v_positions IS
	'What each strategy''s owner holds (as last synced): protocol, asset, position id, signed amount (debt negative), protocol detail';

CREATE VIEW @extschema@.v_decisions AS
	SELECT d.decided_at AS at, d.id AS decision_id, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind,
		   d.chain_id, d.block_number, d.last_block_number, d.chain_time, d.repeats,
		   d.action, d.status, d.reasons, d.risk_allowed, d.risk_level, d.risk_reasons, d.error,
		   cardinality(d.intent_ids) AS intents, q.by_status AS intent_status, q.executed,
		   d.last_decided_at, d.params_version
	  FROM @extschema@.decisions d
	  JOIN @extschema@.strategies s ON s.id = d.strategy_id
	 CROSS JOIN LATERAL @extschema@.txq_intents_state(d.intent_ids) q;
COMMENT ON VIEW @extschema@.v_decisions IS
	'Decisions with their strategy, reasons, risk verdict and the state of the intents they enqueued';

CREATE VIEW @extschema@.v_strategy_performance AS
	SELECT x.at, x.strategy_id, x.strategy, x.strategy_kind, x.block_number, x.numeraire,
		   x.value, x.hold_value, x.fees, x.staking_yield, x.interest_earned, x.interest_paid, x.gas_eth, x.swap_cost,
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
				   n.value, n.hold_value, pnl.fees, pnl.staking_yield, pnl.interest_earned, pnl.interest_paid,
				   pnl.gas AS gas_eth, pnl.swap_cost,
				   first_value(n.value) OVER (PARTITION BY n.strategy_id ORDER BY n.block_number) AS first_value
			  FROM @extschema@.strategy_snapshots n
			  JOIN @extschema@.strategies s ON s.id = n.strategy_id
			 CROSS JOIN LATERAL @extschema@.strategy_pnl(n.strategy_id, n.block_number) pnl) x;
COMMENT ON VIEW @extschema@.v_strategy_performance IS
	'Per strategy and snapshot: value, holding value, fees, IL, staking yield, interest, gas, swap cost, net return and against holding, Sharpe of daily returns';

-- ---- retention of history ----
-- The oldest block the strategies still need (a floor of the ingest
-- module's retention, src/ingest/partitions.sql): each strategy's latest
-- decision, snapshot and positions (the next cycle compares against them;
-- the P&L attribution goes on from the latest snapshot).
CREATE FUNCTION @extschema@.strategy_retention_floor(chain_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT min(least(
			(SELECT max(d.block_number) FROM @extschema@.decisions AS d WHERE d.strategy_id = s.id),
			(SELECT max(n.block_number) FROM @extschema@.strategy_snapshots AS n WHERE n.strategy_id = s.id),
			(SELECT max(p.block_number) FROM @extschema@.positions AS p WHERE p.strategy_id = s.id)))
	  FROM @extschema@.strategies AS s WHERE s.chain_id = strategy_retention_floor.chain_id;
END;
COMMENT ON FUNCTION @extschema@.strategy_retention_floor(bigint) IS
	'the oldest block the strategies still need: each strategy''s latest decision, snapshot and positions';
INSERT INTO @extschema@.ingest_retention_floors (name, module, fn, description)
VALUES ('strategies', 'strategy', '@extschema@.strategy_retention_floor(bigint)',
		'each strategy''s latest decision, snapshot and positions');
REVOKE ALL ON FUNCTION @extschema@.strategy_retention_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_retention_floor(bigint) TO amplified_reader;

-- ---- privileges ----
-- The engine's own functions are listed here; a kind's four functions lose
-- PUBLIC's EXECUTE when its row is registered (strategy_kinds_grants).

REVOKE ALL ON TABLE @extschema@.strategy_kinds, @extschema@.strategies, @extschema@.positions,
	@extschema@.strategy_param_versions,
	@extschema@.strategy_runs, @extschema@.decisions, @extschema@.strategy_snapshots,
	@extschema@.v_positions, @extschema@.v_decisions, @extschema@.v_strategy_performance FROM PUBLIC;
GRANT SELECT ON @extschema@.strategy_kinds, @extschema@.strategies, @extschema@.positions,
	@extschema@.strategy_param_versions,
	@extschema@.strategy_runs, @extschema@.decisions, @extschema@.strategy_snapshots,
	@extschema@.v_positions, @extschema@.v_decisions, @extschema@.v_strategy_performance TO amplified_reader;
-- Admins register kinds of their own; builtin is the install script's.
GRANT INSERT (kind, validate, sync, gather, policy, simulate, description),
	UPDATE (kind, validate, sync, gather, policy, simulate, description), DELETE ON @extschema@.strategy_kinds TO amplified_admin;

DO $grants$
DECLARE
	f text;
BEGIN
	-- Internal steps of the cycle: only the extension's own functions call them.
	FOREACH f IN ARRAY ARRAY[
		'strategy_eth_call(bigint, @extschema@.address, @extschema@.address, bytea, bigint)',
		'strategy_read_word(bigint, @extschema@.address, text, text)',
		'strategy_sync_tokens(@extschema@.strategies, bigint, @extschema@.address[], @extschema@.address[])',
		'strategy_sync_account(@extschema@.strategies, bigint, @extschema@.address, @extschema@.address[])',
		'strategy_put_position(bigint, bigint, @extschema@.strategy_position)',
		'strategy_clear_positions(bigint)',
		'strategy_record_snapshot(bigint, bigint, timestamptz, @extschema@.strategy_valuation)',
		'strategy_update_as(bigint, jsonb, text, boolean)',
		'strategy_intent_check(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea)',
		'strategy_member_vaults(@extschema@.strategies)',
		'strategy_record_decision(@extschema@.strategies, bigint, bigint, jsonb, jsonb)',
		'strategy_simulate_intents(@extschema@.strategies, bigint, @extschema@.strategy_intent[])',
		'strategy_run_one(@extschema@.strategies, bigint, boolean)',
		'strategy_require_block(bigint, bigint)']
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
	END LOOP;
	-- Readers: what the views and dashboards use.
	FOREACH f IN ARRAY ARRAY[
		'strategy_wallet(bigint, @extschema@.address, @extschema@.address)',
		'strategy_positions(bigint, text)',
		'strategy_pnl(bigint, bigint)']
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO amplified_reader', f);
	END LOOP;
	-- Analysts: the audit tool, which runs a kind's policy as the owner.
	REVOKE ALL ON FUNCTION @extschema@.strategy_replay(bigint) FROM PUBLIC;
	GRANT EXECUTE ON FUNCTION @extschema@.strategy_replay(bigint) TO amplified_analyst;
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
	FOREACH f IN ARRAY ARRAY['strategy_housekeeping(interval, interval)', 'schedule_defaults(text, text, text)',
		'strategy_create(text, text, bigint, @extschema@.address, jsonb, boolean)',
		'strategy_update_contracts(bigint, jsonb)'] LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO amplified_admin', f);
	END LOOP;
END
$grants$;
