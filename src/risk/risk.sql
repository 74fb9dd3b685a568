-- src/risk/risk.sql: the risk gate every strategy decision passes before it
-- may enqueue anything: kill switches, per-strategy limits and circuit
-- breakers measured from ingested data.  The breaker math is C
-- (breakers.c); this piece holds the configuration, the breakers' state, the
-- turnover ledger, the evaluation over ingested tables and risk_gate().
-- docs/risk.md documents every reason code.

-- Breaker levels, least severe first: max() and greatest() order them.
CREATE TYPE @extschema@.risk_level AS ENUM ('ok', 'warn', 'reduce_only', 'halt');

-- ---- the typed contract of the gate ----

-- What a strategy is exposed to in one asset, as its kind computes it:
-- the signed amount (delta, raw units) and its worth (notional, numeraire
-- units), and for a leveraged or borrowing position its loan-to-value,
-- health factor and liquidation price (NULL when not leveraged), and for a
-- liquidity position its gamma: the change of delta per unit of the asset's
-- price in the pool's other token, both raw (univ3_position_greeks; NULL
-- for an exposure whose delta does not move with the price).
CREATE TYPE @extschema@.risk_exposure AS (
	asset				@extschema@.address,
	delta				numeric,
	notional			numeric,
	ltv					float8,
	health_factor		float8,
	liquidation_price	numeric,
	gamma				float8
);
COMMENT ON TYPE @extschema@.risk_exposure IS
	'exposure to one asset: signed delta (raw units), notional, for leverage LTV, health factor and liquidation price, and for a liquidity position gamma (raw units of the asset per unit of its raw price in the pool''s other token)';

-- What a decision proposes, as the gate reads it: the action, its value,
-- turnover and slippage, whether it only reduces risk, the assets it
-- touches and the exposures it leaves.
CREATE TYPE @extschema@.risk_proposal AS (
	action				text,
	value				numeric,
	turnover			numeric,
	slippage_bps		numeric,
	reduces_risk		boolean,
	assets				@extschema@.address[],
	exposures			@extschema@.risk_exposure[]
);
COMMENT ON TYPE @extschema@.risk_proposal IS
	'a decision''s proposal to the risk gate: action, value, turnover, slippage, reduces_risk, assets, exposures after it';

-- What one check of the gate found: a reason code, the level it puts the
-- decision in, and whether it blocks it.
CREATE TYPE @extschema@.risk_finding AS (
	reason				text,
	level				@extschema@.risk_level,
	blocks				boolean
);
COMMENT ON TYPE @extschema@.risk_finding IS 'one finding of a risk check: reason code, level, whether it blocks';

-- ---- pure math (immutable, harmless: PUBLIC may execute) ----

CREATE FUNCTION @extschema@.risk_breaker_level(value float8, warn_at float8, reduce_only_at float8,
	halt_at float8, band float8 DEFAULT 0, previous text DEFAULT 'ok')
RETURNS text
AS 'MODULE_PATHNAME', 'risk_breaker_level'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_breaker_level(float8, float8, float8, float8, float8, text) IS
	'the level a value puts a breaker in: a tier is entered at its threshold and left below threshold - band';

CREATE FUNCTION @extschema@.risk_max_move(prices float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'risk_max_move'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_max_move(float8[]) IS
	'largest |later / earlier - 1| of a price series in order, as a fraction';

CREATE FUNCTION @extschema@.risk_depeg_bps(market_price float8, fair_price float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'risk_depeg_bps'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_depeg_bps(float8, float8) IS
	'discount of a market price to a fair price in basis points, (1 - market / fair) * 10000';

-- ---- configuration ----

-- The risk module's own kill switch.  The gate also stops at the
-- transaction queue's (txq_is_paused()): either one blocks every decision.
CREATE TABLE @extschema@.risk_settings (
	singleton		boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	halted			boolean NOT NULL DEFAULT false,
	reason			text,
	updated_at		timestamptz NOT NULL DEFAULT now(),
	updated_by		text NOT NULL DEFAULT current_user
);
INSERT INTO @extschema@.risk_settings DEFAULT VALUES;
COMMENT ON TABLE @extschema@.risk_settings IS 'The strategy kill switch of the risk gate (risk_halt, risk_resume)';
-- Dumped: a restore keeps the switch as it was (its row replaces the install's).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_settings', '');
CREATE TRIGGER risk_settings_restore BEFORE INSERT ON @extschema@.risk_settings
	FOR EACH ROW EXECUTE FUNCTION @extschema@.dump_replace_singleton();

-- Limits per strategy; the row with strategy_id NULL is the default, and a
-- NULL column of a strategy's row takes the default's value.
CREATE TABLE @extschema@.risk_limits (
	id					bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id			bigint,
	max_position_value	numeric CHECK (max_position_value >= 0),
	max_daily_turnover	numeric CHECK (max_daily_turnover >= 0),
	max_slippage_bps	numeric CHECK (max_slippage_bps BETWEEN 0 AND 10000),
	min_health_factor	numeric CHECK (min_health_factor >= 1),
	max_ltv				numeric CHECK (max_ltv > 0 AND max_ltv < 1),
	max_leverage		numeric CHECK (max_leverage >= 1),
	max_var				numeric CHECK (max_var >= 0),
	max_cvar			numeric CHECK (max_cvar >= 0),
	max_var_share		numeric CHECK (max_var_share > 0 AND max_var_share <= 1),
	max_stress_loss		numeric CHECK (max_stress_loss >= 0),
	max_stress_loss_share	numeric CHECK (max_stress_loss_share > 0 AND max_stress_loss_share <= 1),
	updated_at			timestamptz NOT NULL DEFAULT now(),
	UNIQUE NULLS NOT DISTINCT (strategy_id)
);
COMMENT ON TABLE @extschema@.risk_limits IS
	'Per-strategy limits in the quote unit (strategy_id NULL: the default for all; max_var, max_cvar: 99 % one day in the numeraire, max_var_share: VaR / value; max_stress_loss: the worst scenario''s linear loss in the numeraire, max_stress_loss_share: that loss / value); NULL columns inherit the default';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_limits', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_limits_id_seq', '');

-- The checks the gate runs besides its own (kill switches, breakers, the
-- value, turnover and slippage limits): a registry of functions, so that a
-- module that brings a new risk (leverage, VaR, a model's forecast) adds its
-- check with a row and the gate is not edited.  A check takes the gate's
-- inputs and returns its findings:
--   check(strategy_id bigint, chain bigint, assets address[], proposal risk_proposal) → risk_finding[]
-- Checks run in name order, as the extension's owner (registry_check_function).
CREATE TABLE @extschema@.risk_checks (
	name			text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	check_fn		regproc NOT NULL,
	description		text NOT NULL,
	enabled			boolean NOT NULL DEFAULT true,
	builtin			boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.risk_checks IS
	'Checks the risk gate runs on every proposal beyond its own, one function each (the plug-in point of the gate)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_checks', 'WHERE NOT builtin');

CREATE TRIGGER risk_checks_check BEFORE INSERT OR UPDATE ON @extschema@.risk_checks
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_check_row(
		'check_fn', 'bigint,bigint,@extschema@.address[],@extschema@.risk_proposal', '@extschema@.risk_finding[]');
CREATE TRIGGER risk_checks_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.risk_checks
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin('enabled', 'description');

-- Circuit breakers.  Each measures one value from ingested data and has up
-- to three tiers in that value's unit:
--   oracle_stale  seconds since the oracle's latest round was updated
--   price_move    largest move of the pool's or oracle's price within
--                 move_window, in basis points
--   depeg         the LST's discount of its market price (pool or oracle)
--                 to its exchange rate (token_lst_rate_at_time), in basis
--                 points
-- A breaker gates the decisions that involve its asset, pool or oracle, or
-- every decision on its chain when asset is NULL.
CREATE TABLE @extschema@.circuit_breakers (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name			text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.\-]{0,62}$'),
	kind			text NOT NULL CHECK (kind IN ('oracle_stale', 'price_move', 'depeg')),
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	asset			@extschema@.address,
	oracle			@extschema@.address,
	pool			@extschema@.address,
	lst_is_token0	boolean NOT NULL DEFAULT true,
	price_decimals	integer NOT NULL DEFAULT 18 CHECK (price_decimals BETWEEN 0 AND 77),
	move_window		interval CHECK (move_window > interval '0'),
	warn_at			float8 CHECK (warn_at > '-Infinity' AND warn_at < 'Infinity'),
	reduce_only_at	float8 CHECK (reduce_only_at > '-Infinity' AND reduce_only_at < 'Infinity'),
	halt_at			float8 CHECK (halt_at > '-Infinity' AND halt_at < 'Infinity'),
	band			float8 NOT NULL DEFAULT 0 CHECK (band >= 0 AND band < 'Infinity'),
	enabled			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT now(),
	CHECK (num_nonnulls(warn_at, reduce_only_at, halt_at) > 0),
	CHECK (warn_at <= coalesce(reduce_only_at, halt_at)),
	CHECK (reduce_only_at <= halt_at),
	CHECK (kind <> 'oracle_stale' OR oracle IS NOT NULL),
	CHECK (kind <> 'price_move' OR (move_window IS NOT NULL AND num_nonnulls(pool, oracle) = 1)),
	CHECK (kind <> 'depeg' OR (asset IS NOT NULL AND num_nonnulls(pool, oracle) = 1))
);
COMMENT ON TABLE @extschema@.circuit_breakers IS
	'Circuit breakers: oracle staleness (seconds), price move within a window (bps), LST depeg (bps); tiers warn / reduce_only / halt with a hysteresis band';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.circuit_breakers', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.circuit_breakers_id_seq', '');

-- Where each breaker stands, as of its latest evaluation.
CREATE TABLE @extschema@.circuit_breaker_state (
	breaker_id		bigint PRIMARY KEY REFERENCES @extschema@.circuit_breakers ON DELETE CASCADE,
	level			@extschema@.risk_level NOT NULL,
	since			timestamptz NOT NULL,
	value			float8,
	detail			text,
	evaluated_at	timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.circuit_breaker_state IS
	'Current level of each circuit breaker, since when, and the value and time of its latest evaluation';
-- Dumped: a tripped breaker stays tripped in a restored database (and its
-- hysteresis starts from the level it had) until an evaluation moves it.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.circuit_breaker_state', '');

-- The turnover of every proposal the gate allowed, for the daily limit.
CREATE TABLE @extschema@.risk_turnover (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id		bigint,
	chain_id		bigint,
	at				timestamptz NOT NULL DEFAULT now(),
	action			text NOT NULL,
	turnover		numeric NOT NULL CHECK (turnover >= 0),
	decision_id		bigint
);
CREATE INDEX risk_turnover_strategy_idx ON @extschema@.risk_turnover (strategy_id, at);
COMMENT ON TABLE @extschema@.risk_turnover IS
	'Ledger of the turnover risk_gate allowed, per strategy; the daily turnover limit sums it over the UTC day';
-- Dumped: a restore the same day must not give the daily limit back.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_turnover', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_turnover_id_seq', '');

-- Add a circuit breaker; thresholds not given take the kind's defaults
-- (docs/risk.md): oracle_stale halts at the heartbeat, price_move halts at a
-- 1000 bps (10%) move within 1 hour (band 100), depeg warns at 100 bps,
-- reduces only at 300 and halts at 500 (band 25).
CREATE FUNCTION @extschema@.risk_add_breaker(
	name text,
	kind text,
	chain_id bigint,
	asset @extschema@.address DEFAULT NULL,
	oracle @extschema@.address DEFAULT NULL,
	pool @extschema@.address DEFAULT NULL,
	heartbeat interval DEFAULT NULL,
	move_window interval DEFAULT NULL,
	warn_at float8 DEFAULT NULL,
	reduce_only_at float8 DEFAULT NULL,
	halt_at float8 DEFAULT NULL,
	band float8 DEFAULT NULL,
	lst_is_token0 boolean DEFAULT true,
	price_decimals integer DEFAULT 18)
RETURNS @extschema@.circuit_breakers
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r circuit_breakers;
	defaults boolean := num_nonnulls(warn_at, reduce_only_at, halt_at) = 0;
BEGIN
	IF kind IS NULL OR kind NOT IN ('oracle_stale', 'price_move', 'depeg') THEN
		RAISE EXCEPTION 'invalid breaker kind: "%"', kind USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Use oracle_stale, price_move or depeg.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM chains AS c WHERE c.chain_id = risk_add_breaker.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', risk_add_breaker.chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	CASE kind
	WHEN 'oracle_stale' THEN
		IF oracle IS NULL THEN
			RAISE EXCEPTION 'an oracle_stale breaker needs an oracle' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF defaults THEN
			IF heartbeat IS NULL OR heartbeat <= interval '0' THEN
				RAISE EXCEPTION 'an oracle_stale breaker needs a positive heartbeat or thresholds'
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Pass the oracle''s heartbeat, for example heartbeat => ''1 hour''.';
			END IF;
			halt_at := extract(epoch FROM heartbeat);
		END IF;
		band := coalesce(band, 0);
	WHEN 'price_move' THEN
		IF num_nonnulls(pool, oracle) <> 1 THEN
			RAISE EXCEPTION 'a price_move breaker watches either a pool or an oracle' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		move_window := coalesce(move_window, interval '1 hour');
		IF defaults THEN
			halt_at := 1000;
		END IF;
		band := coalesce(band, 100);
	WHEN 'depeg' THEN
		IF asset IS NULL OR num_nonnulls(pool, oracle) <> 1 THEN
			RAISE EXCEPTION 'a depeg breaker needs its asset and either a pool or an oracle'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF defaults THEN
			warn_at := 100; reduce_only_at := 300; halt_at := 500;
		END IF;
		band := coalesce(band, 25);
	END CASE;
	-- The C evaluation checks the tiers with one clear error each.
	PERFORM risk_breaker_level(0, warn_at, reduce_only_at, halt_at, band);
	INSERT INTO circuit_breakers AS b (name, kind, chain_id, asset, oracle, pool, lst_is_token0,
		price_decimals, move_window, warn_at, reduce_only_at, halt_at, band)
	VALUES (risk_add_breaker.name, kind, risk_add_breaker.chain_id, asset, oracle, pool,
		coalesce(lst_is_token0, true), coalesce(price_decimals, 18),
		CASE WHEN kind = 'price_move' THEN move_window END, warn_at, reduce_only_at, halt_at, band)
	RETURNING * INTO r;
	RETURN r;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'circuit breaker "%" already exists', risk_add_breaker.name USING ERRCODE = 'unique_violation';
END
$$;
COMMENT ON FUNCTION @extschema@.risk_add_breaker(text, text, bigint, @extschema@.address, @extschema@.address,
	@extschema@.address, interval, interval, float8, float8, float8, float8, boolean, integer) IS
	'add a circuit breaker (oracle_stale, price_move or depeg) with the kind''s default tiers unless given';

-- Set the limits of a strategy (NULL: the default row); NULL arguments
-- leave a limit unset (inherited from the default, or none for the default).
CREATE FUNCTION @extschema@.risk_set_limits(strategy_id bigint,
	max_position_value numeric DEFAULT NULL, max_daily_turnover numeric DEFAULT NULL,
	max_slippage_bps numeric DEFAULT NULL, min_health_factor numeric DEFAULT NULL,
	max_ltv numeric DEFAULT NULL, max_leverage numeric DEFAULT NULL,
	max_var numeric DEFAULT NULL, max_cvar numeric DEFAULT NULL, max_var_share numeric DEFAULT NULL,
	max_stress_loss numeric DEFAULT NULL, max_stress_loss_share numeric DEFAULT NULL)
RETURNS @extschema@.risk_limits
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	INSERT INTO @extschema@.risk_limits AS l (strategy_id, max_position_value, max_daily_turnover, max_slippage_bps,
		min_health_factor, max_ltv, max_leverage, max_var, max_cvar, max_var_share,
		max_stress_loss, max_stress_loss_share)
	VALUES (risk_set_limits.strategy_id, risk_set_limits.max_position_value,
			risk_set_limits.max_daily_turnover, risk_set_limits.max_slippage_bps,
			risk_set_limits.min_health_factor, risk_set_limits.max_ltv, risk_set_limits.max_leverage,
			risk_set_limits.max_var, risk_set_limits.max_cvar, risk_set_limits.max_var_share,
			risk_set_limits.max_stress_loss, risk_set_limits.max_stress_loss_share)
	ON CONFLICT (strategy_id) DO UPDATE
	   SET max_position_value = excluded.max_position_value,
		   max_daily_turnover = excluded.max_daily_turnover,
		   max_slippage_bps = excluded.max_slippage_bps,
		   min_health_factor = excluded.min_health_factor,
		   max_ltv = excluded.max_ltv,
		   max_leverage = excluded.max_leverage,
		   max_var = excluded.max_var,
		   max_cvar = excluded.max_cvar,
		   max_var_share = excluded.max_var_share,
		   max_stress_loss = excluded.max_stress_loss,
		   max_stress_loss_share = excluded.max_stress_loss_share,
		   updated_at = now()
	RETURNING *;
END;
COMMENT ON FUNCTION @extschema@.risk_set_limits(bigint, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric) IS
	'set a strategy''s limits (strategy_id NULL: the default for all; max_var, max_cvar, max_var_share: check var; max_stress_loss, max_stress_loss_share: check stress)';

-- Pull the risk kill switch: the gate allows nothing until risk_resume().
CREATE FUNCTION @extschema@.risk_halt(reason text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.risk_settings SET halted = true, reason = risk_halt.reason,
		updated_at = now(), updated_by = session_user;
END;
COMMENT ON FUNCTION @extschema@.risk_halt(text) IS 'Kill switch of the risk gate: no decision is allowed until risk_resume()';

CREATE FUNCTION @extschema@.risk_resume()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.risk_settings SET halted = false, reason = NULL,
		updated_at = now(), updated_by = session_user;
END;
COMMENT ON FUNCTION @extschema@.risk_resume() IS 'Lift the risk gate''s kill switch';

-- Whether the risk kill switch is on: how other modules read it, never the table.
CREATE FUNCTION @extschema@.risk_is_halted()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT coalesce((SELECT s.halted FROM @extschema@.risk_settings AS s), false);
END;
COMMENT ON FUNCTION @extschema@.risk_is_halted() IS 'Whether the risk kill switch (risk_halt) is on';

-- The queue's guard (registered in txq_enqueue_guards): while the risk kill
-- switch is on, the queue takes no intent.
CREATE FUNCTION @extschema@.risk_enqueue_guard(chain_id bigint, sender @extschema@.address, decision_id bigint,
	target @extschema@.address, value @extschema@.uint256, data bytea)
RETURNS @extschema@.txq_guard_verdict
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT ROW(NULL, NULL,
			   CASE WHEN risk_is_halted() THEN 'the risk kill switch is on: no intent is taken' END,
			   '55000', 'An admin lifts it with amplified.risk_resume().')::txq_guard_verdict
$$;
COMMENT ON FUNCTION @extschema@.risk_enqueue_guard(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea) IS
	'enqueue guard "risk_kill_switch": refuses every intent (55000) while risk_halt is in effect';
INSERT INTO @extschema@.txq_enqueue_guards (name, stage, guard, description, builtin) VALUES
	('risk_kill_switch', 'before', '@extschema@.risk_enqueue_guard', 'No intent is taken while the risk kill switch is on', true);

-- ---- measuring the breakers from ingested data ----

-- A Uniswap v3 pool's price (raw token1 per token0) over (from_ts, to_ts]:
-- first the price in effect at from_ts (the latest swap or pool-state
-- reading at or before it, and before to_ts), then every swap and reading
-- after it, in chain order (a reading after the swaps of its block): the
-- univ3 module's univ3_pool_observations, as prices.
CREATE FUNCTION @extschema@.risk_pool_prices(chain_id bigint, pool @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (at timestamptz, block_number bigint, log_index integer, price float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT o.at, o.block_number, o.log_index, univ3_price_at_sqrt_price(o.sqrt_price)
	  FROM univ3_pool_observations($1, $2, CASE WHEN $4 IS NULL THEN NULL WHEN $3 > $4 THEN $4 ELSE $3 END, $4) o
	 WHERE o.sqrt_price > 0::uint256
	 ORDER BY o.block_number, o.log_index NULLS LAST
$$;
COMMENT ON FUNCTION @extschema@.risk_pool_prices(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'a pool''s raw price (token1 per token0) in effect at from_ts, then at every swap and reading up to to_ts';

-- An oracle's answers over (from_ts, to_ts], scaled by 10^-decimals: first
-- the answer in effect at from_ts (and before to_ts), then every reading
-- after it (positive answers only), from the tokens module's
-- token_oracle_answers.
CREATE FUNCTION @extschema@.risk_oracle_prices(chain_id bigint, oracle @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, decimals integer DEFAULT 18)
RETURNS TABLE (at timestamptz, block_number bigint, updated_at timestamptz, price float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT t.at, t.block_number, t.updated_at, to_units(t.answer, $5)::float8
	  FROM token_oracle_answers($1, $2, CASE WHEN $4 IS NULL THEN NULL WHEN $3 > $4 THEN $4 ELSE $3 END, $4) t
	 WHERE t.answer > 0::int256
	 ORDER BY t.block_number
$$;
COMMENT ON FUNCTION @extschema@.risk_oracle_prices(bigint, @extschema@.address, timestamptz, timestamptz, integer) IS
	'an oracle''s answer in effect at from_ts, then every reading up to to_ts, scaled by 10^-decimals';

-- The value a breaker measures at a time, from the data ingested up to it
-- (value NULL and detail 'no data' when there is none; an oracle that never
-- answered is infinitely stale).
CREATE FUNCTION @extschema@.risk_breaker_value(breaker_id bigint, at timestamptz DEFAULT now(),
	OUT value float8, OUT detail text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	c circuit_breakers;
	updated timestamptz;
	prices float8[];
	market float8;
	fair @extschema@.uint256;
BEGIN
	SELECT * INTO c FROM circuit_breakers AS cb WHERE cb.id = risk_breaker_value.breaker_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'circuit breaker % does not exist', risk_breaker_value.breaker_id USING ERRCODE = 'undefined_object';
	END IF;
	CASE c.kind
	WHEN 'oracle_stale' THEN
		SELECT o.updated_at INTO updated FROM token_oracle_answer_at(c.chain_id, c.oracle, risk_breaker_value.at) o;
		IF updated IS NULL THEN
			value := 'Infinity';
			detail := 'no round';
		ELSE
			value := extract(epoch FROM risk_breaker_value.at - updated);
			detail := format('latest round updated at %s', updated);
		END IF;
	WHEN 'price_move' THEN
		IF c.pool IS NOT NULL THEN
			SELECT array_agg(p.price ORDER BY p.block_number, p.log_index NULLS LAST) INTO prices
			  FROM risk_pool_prices(c.chain_id, c.pool, risk_breaker_value.at - c.move_window, risk_breaker_value.at) p;
		ELSE
			SELECT array_agg(p.price ORDER BY p.block_number) INTO prices
			  FROM risk_oracle_prices(c.chain_id, c.oracle, risk_breaker_value.at - c.move_window,
									  risk_breaker_value.at, c.price_decimals) p;
		END IF;
		value := risk_max_move(prices) * 10000;
		detail := CASE WHEN value IS NULL THEN 'no data'
					   ELSE format('%s prices within %s', cardinality(prices), c.move_window) END;
	WHEN 'depeg' THEN
		IF c.pool IS NOT NULL THEN
			SELECT CASE WHEN c.lst_is_token0 THEN p.price ELSE 1 / p.price END INTO market
			  FROM risk_pool_prices(c.chain_id, c.pool, risk_breaker_value.at, risk_breaker_value.at) p;
		ELSE
			SELECT p.price INTO market
			  FROM risk_oracle_prices(c.chain_id, c.oracle, risk_breaker_value.at, risk_breaker_value.at,
									  c.price_decimals) p;
		END IF;
		SELECT r.rate INTO fair FROM token_lst_rate_at_time(c.chain_id, c.asset, risk_breaker_value.at) r;
		IF market IS NULL OR fair IS NULL OR fair = 0::uint256 THEN
			detail := 'no data';
		ELSE
			value := risk_depeg_bps(market, to_units(fair, 18)::float8);
			detail := format('market %s, exchange rate %s', market, to_units(fair, 18));
		END IF;
	END CASE;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_breaker_value(bigint, timestamptz) IS
	'the value a circuit breaker measures at a time (seconds for oracle_stale, bps otherwise)';

-- Evaluate the enabled breakers (all, or those listed) at a time and store
-- their new levels: the C evaluation with hysteresis from the stored level.
-- A breaker without data keeps its level, at least warn.  Returns the states.
CREATE FUNCTION @extschema@.risk_evaluate_breakers(at timestamptz DEFAULT now(), breaker_ids bigint[] DEFAULT NULL)
RETURNS TABLE (breaker_id bigint, name text, kind text, chain_id bigint, asset @extschema@.address,
	level text, previous_level text, since timestamptz, value float8, detail text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	c circuit_breakers;
	prev risk_level;
	prev_since timestamptz;
	m record;
	lvl risk_level;
BEGIN
	IF at IS NULL THEN
		RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	FOR c IN SELECT * FROM circuit_breakers AS cb
			  WHERE cb.enabled AND (breaker_ids IS NULL OR cb.id = ANY (breaker_ids))
			  ORDER BY cb.id
	LOOP
		SELECT s.level, s.since INTO prev, prev_since
		  FROM circuit_breaker_state AS s WHERE s.breaker_id = c.id FOR UPDATE;
		SELECT * INTO m FROM risk_breaker_value(c.id, risk_evaluate_breakers.at);
		IF m.value IS NULL THEN
			lvl := greatest(coalesce(prev, 'ok'), 'warn');
		ELSE
			lvl := risk_breaker_level(m.value, c.warn_at, c.reduce_only_at, c.halt_at, c.band,
									  coalesce(prev, 'ok')::text)::risk_level;
		END IF;
		INSERT INTO circuit_breaker_state AS s (breaker_id, level, since, value, detail, evaluated_at)
		VALUES (c.id, lvl, risk_evaluate_breakers.at, m.value, m.detail, risk_evaluate_breakers.at)
		ON CONFLICT ON CONSTRAINT circuit_breaker_state_pkey DO UPDATE
		   SET level = excluded.level,
			   since = CASE WHEN s.level = excluded.level THEN s.since ELSE excluded.since END,
			   value = excluded.value, detail = excluded.detail, evaluated_at = excluded.evaluated_at;
		breaker_id := c.id; name := c.name; kind := c.kind; chain_id := c.chain_id; asset := c.asset;
		level := lvl::text; previous_level := prev::text;
		since := CASE WHEN prev = lvl THEN prev_since ELSE risk_evaluate_breakers.at END;
		value := m.value; detail := m.detail;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_evaluate_breakers(timestamptz, bigint[]) IS
	'evaluate the circuit breakers at a time from ingested data, store and return their levels';

-- The turnover the gate allowed a strategy today (UTC day).
CREATE FUNCTION @extschema@.risk_turnover_today(strategy_id bigint)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(sum(t.turnover), 0) FROM risk_turnover t
	 WHERE t.strategy_id IS NOT DISTINCT FROM $1
	   AND t.at >= date_trunc('day', now(), 'UTC')
$$;
COMMENT ON FUNCTION @extschema@.risk_turnover_today(bigint) IS
	'turnover risk_gate allowed a strategy since the start of the UTC day';

-- A numeric field of a proposal: NULL when absent, an error when it is not
-- a non-negative number (or a string holding one).
CREATE FUNCTION @extschema@.risk_proposal_number(proposal jsonb, field text)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	v jsonb := proposal -> field;
	n numeric;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) NOT IN ('number', 'string') THEN
		RAISE EXCEPTION 'proposal field "%" must be a number, not %', field, v USING ERRCODE = 'invalid_parameter_value';
	END IF;
	BEGIN
		n := (v #>> '{}')::numeric;
	EXCEPTION WHEN invalid_text_representation THEN
		RAISE EXCEPTION 'proposal field "%" must be a number, not %', field, v USING ERRCODE = 'invalid_parameter_value';
	END;
	IF n = 'NaN' OR n IN ('Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'proposal field "%" must be a finite number, not %', field, v USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF n < 0 THEN
		RAISE EXCEPTION 'proposal field "%" must not be negative, not %', field, v USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN n;
END
$$;

-- The typed proposal of a JSON one (what an operator previews with, what a
-- policy returns): every field checked, an unknown one refused, so that a
-- misspelt key is an error and not a silently missing limit.  chain_id and
-- decision_id are accepted for the preview and dropped.
CREATE FUNCTION @extschema@.risk_proposal_of(proposal jsonb)
RETURNS @extschema@.risk_proposal
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p risk_proposal;
	k text;
	e jsonb;
	x risk_exposure;
BEGIN
	IF proposal IS NULL OR jsonb_typeof(proposal) <> 'object' THEN
		RAISE EXCEPTION 'proposal must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT min(j.key) INTO k FROM jsonb_object_keys(proposal) j(key)
	 WHERE j.key NOT IN ('action', 'value', 'turnover', 'slippage_bps', 'reduces_risk', 'assets', 'exposures',
						 'chain_id', 'decision_id');
	IF k IS NOT NULL THEN
		RAISE EXCEPTION 'proposal has an unknown field "%"', k USING ERRCODE = 'invalid_parameter_value',
			HINT = 'The fields are action, value, turnover, slippage_bps, reduces_risk, assets and exposures.';
	END IF;
	IF jsonb_typeof(proposal -> 'action') IS DISTINCT FROM 'string' OR proposal ->> 'action' = '' THEN
		RAISE EXCEPTION 'proposal needs an "action" string' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = format('The proposal was %s.', proposal);
	END IF;
	p.action := proposal ->> 'action';
	p.value := risk_proposal_number(proposal, 'value');
	p.turnover := risk_proposal_number(proposal, 'turnover');
	p.slippage_bps := risk_proposal_number(proposal, 'slippage_bps');
	p.reduces_risk := false;
	IF proposal ? 'reduces_risk' THEN
		IF jsonb_typeof(proposal -> 'reduces_risk') <> 'boolean' THEN
			RAISE EXCEPTION 'proposal field "reduces_risk" must be a boolean' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		p.reduces_risk := (proposal ->> 'reduces_risk')::boolean;
	END IF;
	p.assets := risk_proposal_assets(proposal);
	p.exposures := '{}';
	IF proposal ? 'exposures' THEN
		IF jsonb_typeof(proposal -> 'exposures') <> 'array' THEN
			RAISE EXCEPTION 'proposal field "exposures" must be an array' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		FOR e IN SELECT j FROM jsonb_array_elements(proposal -> 'exposures') j LOOP
			IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e -> 'asset') IS DISTINCT FROM 'string' THEN
				RAISE EXCEPTION 'an exposure must be an object with an "asset" address: %', e
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			SELECT min(j.key) INTO k FROM jsonb_object_keys(e) j(key)
			 WHERE j.key NOT IN ('asset', 'delta', 'notional', 'ltv', 'health_factor', 'liquidation_price', 'gamma');
			IF k IS NOT NULL THEN
				RAISE EXCEPTION 'exposure has an unknown field "%"', k USING ERRCODE = 'invalid_parameter_value',
					HINT = 'The fields are asset, delta, notional, ltv, health_factor, liquidation_price and gamma.';
			END IF;
			x := jsonb_populate_record(NULL::risk_exposure, e);
			p.exposures := p.exposures || risk_exposure_check(x);
		END LOOP;
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_proposal_of(jsonb) IS
	'the risk_proposal of a JSON proposal, every field checked (22023 for an unknown or malformed one)';

-- An exposure, checked: finite numbers, LTV in [0, 1), a health factor not
-- negative; returned as is.
CREATE FUNCTION @extschema@.risk_exposure_check(e @extschema@.risk_exposure)
RETURNS @extschema@.risk_exposure
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF e.asset IS NULL THEN
		RAISE EXCEPTION 'an exposure needs its asset' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF e.delta IN ('NaN', 'Infinity', '-Infinity') OR e.notional IN ('NaN', 'Infinity', '-Infinity')
	   OR e.liquidation_price IN ('NaN', 'Infinity', '-Infinity') OR e.liquidation_price < 0
	   OR e.ltv IN ('NaN', 'Infinity', '-Infinity') OR e.ltv < 0
	   OR e.health_factor = 'NaN' OR e.health_factor < 0
	   OR e.gamma IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'exposure of % has an out-of-range number: %', e.asset, e
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'delta, notional, gamma and liquidation_price are finite; ltv is at least 0; health_factor is at least 0 (Infinity without debt).';
	END IF;
	RETURN e;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_exposure_check(@extschema@.risk_exposure) IS
	'an exposure if its numbers are in range (22023 otherwise)';

-- A strategy's limit, column by column over the default row's.
CREATE FUNCTION @extschema@.risk_limit(strategy_id bigint, name text)
RETURNS numeric
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	-- A misspelt limit is an error, never a limit silently unset.
	IF name IS NULL OR name NOT IN ('max_position_value', 'max_daily_turnover', 'max_slippage_bps',
									'min_health_factor', 'max_ltv', 'max_leverage', 'max_var', 'max_cvar',
									'max_var_share', 'max_stress_loss', 'max_stress_loss_share') THEN
		RAISE EXCEPTION 'unknown risk limit "%"', name USING ERRCODE = 'invalid_parameter_value',
			HINT = 'The limits are max_position_value, max_daily_turnover, max_slippage_bps, min_health_factor, max_ltv, max_leverage, max_var, max_cvar, max_var_share, max_stress_loss and max_stress_loss_share.';
	END IF;
	RETURN coalesce((SELECT to_jsonb(s) ->> name FROM risk_limits s WHERE s.strategy_id = risk_limit.strategy_id),
					(SELECT to_jsonb(d) ->> name FROM risk_limits d WHERE d.strategy_id IS NULL))::numeric;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_limit(bigint, text) IS
	'a strategy''s limit by name, its own or the default row''s (NULL when neither sets it; 22023 for an unknown name)';

-- Bring the breakers that watch any of the given assets (or the whole chain)
-- up to date as of at: those not evaluated at that time are evaluated now
-- (risk_evaluate_breakers).  The gate calls it for a proposal's assets; the
-- strategy engine for a strategy's, before its gather reads their levels
-- (risk_asset_level), so a policy acts on the breakers of its own data.
CREATE FUNCTION @extschema@.risk_refresh_breakers(chain bigint, assets @extschema@.address[], at timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	ids bigint[];
BEGIN
	SELECT array_agg(cb.id) INTO ids FROM circuit_breakers cb
	 WHERE cb.enabled AND cb.chain_id = chain
	   AND (cb.asset IS NULL OR cb.asset = ANY (assets) OR cb.pool = ANY (assets) OR cb.oracle = ANY (assets))
	   AND NOT EXISTS (SELECT 1 FROM circuit_breaker_state s WHERE s.breaker_id = cb.id AND s.evaluated_at = at);
	IF ids IS NOT NULL THEN
		PERFORM risk_evaluate_breakers(at, ids);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_refresh_breakers(bigint, @extschema@.address[], timestamptz) IS
	'evaluate, as of a time, the breakers watching any of the given assets (or the whole chain) not yet evaluated at that time';

-- The leverage check (registered in risk_checks as "leverage"): the
-- exposures a proposal leaves against the strategy's minimum health factor,
-- maximum LTV and maximum leverage (1 / (1 - LTV): the collateral a loop
-- holds per unit of equity).  An action that only reduces risk may still
-- leave them outside (a partial deleverage): it is not blocked by them.
-- And the depeg tiers for leverage: a proposal that leaves a leveraged
-- exposure (an LTV) without reducing risk is a leverage increase, blocked
-- once a breaker on an involved asset is at warn or worse; at reduce_only
-- only deleveraging passes (the gate's own rule), and at halt the forced
-- unwind (the gate lets an "unwind" that reduces risk through).
CREATE FUNCTION @extschema@.risk_check_leverage(strategy_id bigint, chain bigint, assets @extschema@.address[],
	proposal @extschema@.risk_proposal)
RETURNS @extschema@.risk_finding[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	min_hf numeric := risk_limit(strategy_id, 'min_health_factor');
	max_ltv numeric := risk_limit(strategy_id, 'max_ltv');
	max_lev numeric := risk_limit(strategy_id, 'max_leverage');
	f risk_finding[] := '{}';
	lvl risk_level;
BEGIN
	IF coalesce(proposal.reduces_risk, false) OR proposal.action = 'hold' THEN
		RETURN f;
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(proposal.exposures) x WHERE x.ltv IS NOT NULL AND x.ltv > 0) THEN
		SELECT max(risk_asset_level(chain, a)::risk_level) INTO lvl FROM unnest(assets) a;
		IF lvl >= 'warn' THEN
			f := f || ROW('depeg:' || lvl || ':no_leverage_increase', lvl, true)::risk_finding;
		END IF;
	END IF;
	-- 1 / (1 - ltv) > max_lev, in numeric (in float8 an LTV of 0.8 is 5.000000000000001x)
	IF max_lev IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(proposal.exposures) x
									   WHERE x.ltv IS NOT NULL AND (x.ltv >= 1 OR x.ltv::numeric > 1 - 1 / max_lev)) THEN
		f := f || ROW('limit:max_leverage', 'ok', true)::risk_finding;
	END IF;
	IF min_hf IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(proposal.exposures) x
									  WHERE x.health_factor IS NOT NULL AND x.health_factor < min_hf) THEN
		f := f || ROW('limit:min_health_factor', 'ok', true)::risk_finding;
	END IF;
	IF max_ltv IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(proposal.exposures) x WHERE x.ltv IS NOT NULL AND x.ltv > max_ltv) THEN
		f := f || ROW('limit:max_ltv', 'ok', true)::risk_finding;
	END IF;
	RETURN f;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_check_leverage(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal) IS
	'risk check "leverage": exposures below the minimum health factor or above the maximum LTV block a proposal that does not reduce risk';
INSERT INTO @extschema@.risk_checks (name, check_fn, description, builtin) VALUES
	('leverage', '@extschema@.risk_check_leverage', 'Health factor and LTV of the exposures a proposal leaves, against the strategy''s limits', true);

-- THE GATE.  Whether a strategy's proposal may go ahead now: the kill
-- switches, the circuit breakers on the assets it involves (evaluated now,
-- unless already evaluated in this transaction) and the strategy's limits,
-- including those on the exposures the proposal leaves (health factor,
-- LTV).  docs/risk.md lists the reason codes.
--
-- The chain and the assets come from the caller, never from the proposal:
-- the strategy engine passes its strategy's chain and the assets the
-- strategy's parameters and its policy name.  With record_turnover, an allowed
-- proposal's turnover goes into the ledger the daily limit reads, in the
-- caller's transaction, under the decision's id.  The breakers are
-- evaluated as of at: the engine passes the chain time of the block its
-- decision was made on, so that the gate judges the data the policy saw
-- (NULL: now).  Only the engine (as the extension's owner) may call this;
-- operators preview with risk_gate(), which writes nothing.
CREATE FUNCTION @extschema@.risk_gate_eval(strategy_id bigint, chain bigint, assets @extschema@.address[],
	proposal @extschema@.risk_proposal, record_turnover boolean, decision_id bigint DEFAULT NULL,
	at timestamptz DEFAULT NULL)
RETURNS TABLE (allowed boolean, level text, reasons text[])
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	reduces boolean := coalesce(proposal.reduces_risk, false);
	-- the forced unwind of a leveraged position (see the breakers and the turnover limit)
	forced_unwind boolean := coalesce(proposal.reduces_risk, false) AND proposal.action = 'unwind';
	-- now, or the decision's chain time when a chain's clock runs ahead (a test chain's)
	ev_at timestamptz := greatest(now(), coalesce(at, now()));
	val numeric := proposal.value;
	turn numeric := proposal.turnover;
	slip numeric := proposal.slippage_bps;
	hold boolean;
	lvl risk_level := 'ok';
	why text[] := '{}';
	blocked boolean := false;
	b record;
	lim record;
	e risk_exposure;
	chk record;
	found risk_finding[];
	fnd risk_finding;
BEGIN
	-- The proposal's shape: a bad one is the caller's bug, not a decision.
	IF proposal IS NULL OR proposal.action IS NULL OR proposal.action = '' THEN
		RAISE EXCEPTION 'proposal needs an action' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF val IN ('NaN', 'Infinity', '-Infinity') OR val < 0 OR turn IN ('NaN', 'Infinity', '-Infinity') OR turn < 0
	   OR slip IN ('NaN', 'Infinity', '-Infinity') OR slip < 0 THEN
		RAISE EXCEPTION 'proposal value, turnover and slippage_bps must be finite and not negative: %', proposal
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH e IN ARRAY coalesce(proposal.exposures, '{}') LOOP
		PERFORM risk_exposure_check(e);
	END LOOP;
	hold := proposal.action = 'hold';
	IF chain IS NULL THEN
		RAISE EXCEPTION 'the risk gate needs the strategy''s chain' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	assets := coalesce(assets, '{}');

	-- One gate at a time per strategy, so that two cannot both spend the
	-- same daily turnover.
	PERFORM pg_advisory_xact_lock(hashtextextended('amplified.risk_gate', coalesce(risk_gate_eval.strategy_id, 0)));

	-- Kill switches: the risk gate's own and the transaction queue's.
	IF (SELECT s.halted FROM risk_settings s) OR txq_is_paused() THEN
		lvl := 'halt';
		why := why || 'kill_switch'::text;
		blocked := true;
	END IF;

	-- Circuit breakers on the chain that watch an involved asset, pool or
	-- oracle, or the whole chain (asset NULL).
	PERFORM risk_refresh_breakers(chain, assets, ev_at);
		FOR b IN SELECT cb.name, s.level, cb.kind FROM circuit_breakers cb
				   JOIN circuit_breaker_state s ON s.breaker_id = cb.id
				  WHERE cb.enabled AND cb.chain_id = chain
					AND (cb.asset IS NULL OR cb.asset = ANY (assets) OR cb.pool = ANY (assets) OR cb.oracle = ANY (assets))
					AND s.level > 'ok'
				  ORDER BY s.level DESC, cb.name
		LOOP
			lvl := greatest(lvl, b.level);
			why := why || format('breaker:%s:%s', b.level, b.name);
			-- At a depeg halt only the forced unwind passes: an "unwind" that
			-- reduces risk (any other halt blocks it too).
			IF (b.level = 'halt' AND NOT (forced_unwind AND b.kind = 'depeg'))
			   OR (b.level = 'reduce_only' AND NOT reduces) THEN
				blocked := true;
			END IF;
		END LOOP;

	-- Limits: the strategy's, column by column over the default's.
	IF NOT hold THEN
		SELECT coalesce(s.max_position_value, d.max_position_value) AS max_position_value,
			   coalesce(s.max_daily_turnover, d.max_daily_turnover) AS max_daily_turnover,
			   coalesce(s.max_slippage_bps, d.max_slippage_bps) AS max_slippage_bps
		  INTO lim
		  FROM (SELECT) AS one
		  LEFT JOIN risk_limits s ON s.strategy_id = risk_gate_eval.strategy_id
		  LEFT JOIN risk_limits d ON d.strategy_id IS NULL;
		IF lim.max_position_value IS NOT NULL AND NOT reduces THEN
			IF val IS NULL THEN
				why := why || 'limit:max_position_value:missing'::text; blocked := true;
			ELSIF val > lim.max_position_value THEN
				why := why || 'limit:max_position_value'::text; blocked := true;
			END IF;
		END IF;
		-- the forced unwind is not held back by the day's turnover (it is still counted)
		IF lim.max_daily_turnover IS NOT NULL AND NOT forced_unwind THEN
			IF turn IS NULL THEN
				why := why || 'limit:max_daily_turnover:missing'::text; blocked := true;
			ELSIF risk_turnover_today(risk_gate_eval.strategy_id) + turn > lim.max_daily_turnover THEN
				why := why || 'limit:max_daily_turnover'::text; blocked := true;
			END IF;
		END IF;
		IF lim.max_slippage_bps IS NOT NULL THEN
			IF slip IS NULL THEN
				why := why || 'limit:max_slippage_bps:missing'::text; blocked := true;
			ELSIF slip > lim.max_slippage_bps THEN
				why := why || 'limit:max_slippage_bps'::text; blocked := true;
			END IF;
		END IF;
	END IF;

	-- The registered checks (risk_checks), in name order.
	FOR chk IN SELECT c.name, c.check_fn FROM risk_checks c WHERE c.enabled ORDER BY c.name LOOP
		EXECUTE format('SELECT %s($1, $2, $3, $4)', registry_call_name(chk.check_fn))
		   INTO found USING risk_gate_eval.strategy_id, chain, assets, proposal;
		FOREACH fnd IN ARRAY coalesce(found, '{}') LOOP
			IF fnd.reason IS NULL OR fnd.level IS NULL OR fnd.blocks IS NULL THEN
				RAISE EXCEPTION 'risk check "%" returned an incomplete finding: %', chk.name, fnd
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			lvl := greatest(lvl, fnd.level);
			why := why || fnd.reason;
			IF fnd.blocks THEN
				blocked := true;
			END IF;
		END LOOP;
	END LOOP;

	allowed := hold OR NOT blocked;
	IF record_turnover AND allowed AND NOT hold AND coalesce(turn, 0) > 0 THEN
		INSERT INTO risk_turnover (strategy_id, chain_id, action, turnover, decision_id)
		VALUES (risk_gate_eval.strategy_id, chain, proposal.action, turn, risk_gate_eval.decision_id);
	END IF;
	level := lvl::text;
	reasons := why;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_gate_eval(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal, boolean, bigint, timestamptz) IS
	'the risk gate as the strategy engine runs it: chain and assets from the strategy, turnover recorded when allowed';

-- The assets of a proposal: its "assets" array of addresses.
CREATE FUNCTION @extschema@.risk_proposal_assets(proposal jsonb)
RETURNS @extschema@.address[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF proposal IS NULL OR NOT proposal ? 'assets' THEN
		RETURN '{}';
	END IF;
	IF jsonb_typeof(proposal -> 'assets') <> 'array' THEN
		RAISE EXCEPTION 'proposal field "assets" must be an array of addresses' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN (SELECT coalesce(array_agg(a::address), '{}') FROM jsonb_array_elements_text(proposal -> 'assets') a);
END
$$;

-- A preview of the gate for operators and analysts: what it would say of a
-- proposal now, with the chain and assets the proposal names.  It writes no
-- turnover, so nothing it is told can spend or skip anything: the engine's
-- own gate (risk_gate_eval) takes the chain and assets from the strategy.
CREATE FUNCTION @extschema@.risk_gate(strategy_id bigint, proposal jsonb)
RETURNS TABLE (allowed boolean, level text, reasons text[])
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p risk_proposal;
BEGIN
	IF proposal IS NULL OR jsonb_typeof(proposal) <> 'object' THEN
		RAISE EXCEPTION 'proposal must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(proposal -> 'chain_id') IS DISTINCT FROM 'number' THEN
		RAISE EXCEPTION 'proposal needs a numeric "chain_id"' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = format('The proposal was %s.', proposal);
	END IF;
	p := risk_proposal_of(proposal);
	RETURN QUERY SELECT * FROM risk_gate_eval(risk_gate.strategy_id, (proposal ->> 'chain_id')::bigint,
											   p.assets, p, false);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_gate(bigint, jsonb) IS
	'preview of the risk gate: whether a strategy''s proposal would go ahead now, its risk level and the reason codes; writes nothing';

-- The circuit-breaker level of an asset (the worst breaker that names it),
-- 'ok' when none does: how strategies read the breakers, never the tables.
CREATE FUNCTION @extschema@.risk_asset_level(chain_id bigint, asset @extschema@.address)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce((SELECT max(st.level)::text
					   FROM circuit_breaker_state st
					   JOIN circuit_breakers b ON b.id = st.breaker_id
					  WHERE b.chain_id = $1 AND b.asset = $2), 'ok')
$$;
COMMENT ON FUNCTION @extschema@.risk_asset_level(bigint, @extschema@.address) IS
	'the worst circuit-breaker level currently set on an asset (ok, warn, reduce_only, halt)';

-- Every circuit breaker with its state, and the kill switches.
CREATE VIEW @extschema@.v_risk_breakers AS
	SELECT cb.id AS breaker_id, cb.name, cb.kind, cb.chain_id, cb.asset, cb.pool, cb.oracle, cb.enabled,
		   coalesce(s.level::text, 'unevaluated') AS level, s.since, s.value, s.detail,
		   cb.warn_at, cb.reduce_only_at, cb.halt_at, cb.band, cb.move_window,
		   (SELECT rs.halted FROM @extschema@.risk_settings rs) AS risk_halted,
		   @extschema@.txq_is_paused() AS queue_paused,
		   s.evaluated_at
	  FROM @extschema@.circuit_breakers cb
	  LEFT JOIN @extschema@.circuit_breaker_state s ON s.breaker_id = cb.id;
COMMENT ON VIEW @extschema@.v_risk_breakers IS
	'Circuit breakers with their level, since when and latest value, and the kill switches; evaluated_at is the time column';

-- ---- privileges ----
REVOKE ALL ON TABLE @extschema@.risk_settings, @extschema@.risk_limits, @extschema@.circuit_breakers,
	@extschema@.circuit_breaker_state, @extschema@.risk_turnover, @extschema@.v_risk_breakers FROM PUBLIC;
GRANT SELECT ON @extschema@.risk_settings, @extschema@.risk_limits, @extschema@.circuit_breakers,
	@extschema@.circuit_breaker_state, @extschema@.risk_turnover, @extschema@.v_risk_breakers TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.risk_limits, @extschema@.circuit_breakers TO amplified_admin;
-- Admins register checks of their own (functions of the extension's owner); builtin is the install script's.
REVOKE ALL ON TABLE @extschema@.risk_checks FROM PUBLIC;
GRANT SELECT ON @extschema@.risk_checks TO amplified_reader;
GRANT INSERT (name, check_fn, description, enabled), UPDATE (name, check_fn, description, enabled), DELETE
	ON @extschema@.risk_checks TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.risk_check_leverage(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal),
	@extschema@.risk_limit(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.risk_limit(bigint, text) TO amplified_reader;
REVOKE ALL ON FUNCTION
	@extschema@.risk_add_breaker(text, text, bigint, @extschema@.address, @extschema@.address,
		@extschema@.address, interval, interval, float8, float8, float8, float8, boolean, integer),
	@extschema@.risk_set_limits(bigint, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric),
	@extschema@.risk_halt(text), @extschema@.risk_resume(),
	@extschema@.risk_pool_prices(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.risk_oracle_prices(bigint, @extschema@.address, timestamptz, timestamptz, integer),
	@extschema@.risk_breaker_value(bigint, timestamptz),
	@extschema@.risk_evaluate_breakers(timestamptz, bigint[]),
	@extschema@.risk_refresh_breakers(bigint, @extschema@.address[], timestamptz),
	@extschema@.risk_turnover_today(bigint), @extschema@.risk_is_halted(),
	@extschema@.risk_asset_level(bigint, @extschema@.address),
	@extschema@.risk_enqueue_guard(bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea),
	@extschema@.risk_gate_eval(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal, boolean, bigint, timestamptz),
	@extschema@.risk_gate(bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	@extschema@.risk_pool_prices(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.risk_oracle_prices(bigint, @extschema@.address, timestamptz, timestamptz, integer),
	@extschema@.risk_breaker_value(bigint, timestamptz),
	@extschema@.risk_turnover_today(bigint), @extschema@.risk_is_halted(),
	@extschema@.risk_asset_level(bigint, @extschema@.address) TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.risk_evaluate_breakers(timestamptz, bigint[]),
	@extschema@.risk_refresh_breakers(bigint, @extschema@.address[], timestamptz),
	@extschema@.risk_gate(bigint, jsonb), @extschema@.risk_halt(text) TO amplified_operator;
GRANT EXECUTE ON FUNCTION
	@extschema@.risk_add_breaker(text, text, bigint, @extschema@.address, @extschema@.address,
		@extschema@.address, interval, interval, float8, float8, float8, float8, boolean, integer),
	@extschema@.risk_set_limits(bigint, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric), @extschema@.risk_resume() TO amplified_admin;
