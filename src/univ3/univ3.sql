-- src/univ3/univ3.sql: exact Uniswap v3 math, position analytics and the
-- swap simulator (C in src/univ3/).
--
-- Integer results are bit for bit those of v3-core's TickMath,
-- SqrtPriceMath, SwapMath, Tick and Position and v3-periphery's
-- LiquidityAmounts; where the Solidity code reverts, these functions raise
-- an error (22003 out of range, 22023 bad parameter, 22012 empty range).
-- Sqrt prices are Q64.96 uint256 values that must fit uint160, liquidity
-- must fit uint128 and liquidity deltas int128.  Prices as float8 are for
-- display.  All pure: IMMUTABLE STRICT PARALLEL SAFE, EXECUTE left to PUBLIC
-- (schema USAGE gates access).

-- ---- argument checks (errors, not NULL or 0, for input no pool can have) ----

-- price itself when it is positive and finite; an error otherwise.
CREATE FUNCTION @extschema@.univ3_check_price(price numeric)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
	IF price = 'NaN' OR price IN ('Infinity', '-Infinity') OR price <= 0 THEN
		RAISE EXCEPTION 'price must be a positive finite number: %', price USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN price;
END
$$;

-- decimals itself when it lies in 0..77, as the C functions of this module
-- take them (10^77 is the largest power of ten below 2^256); an error otherwise.
CREATE FUNCTION @extschema@.univ3_check_decimals(decimals int)
RETURNS int
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
	IF decimals < 0 OR decimals > 77 THEN
		RAISE EXCEPTION 'token decimals must lie between 0 and 77: %', decimals USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN decimals;
END
$$;

-- ---- constants ----

CREATE FUNCTION @extschema@.univ3_min_tick(tick_spacing int DEFAULT 1)
RETURNS int
AS 'MODULE_PATHNAME', 'univ3_min_tick'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_min_tick(int) IS
	'lowest usable tick for a tick spacing (-887272 for spacing 1); an error for a spacing outside 1..16383';

CREATE FUNCTION @extschema@.univ3_max_tick(tick_spacing int DEFAULT 1)
RETURNS int
AS 'MODULE_PATHNAME', 'univ3_max_tick'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_max_tick(int) IS
	'highest usable tick for a tick spacing (887272 for spacing 1); an error for a spacing outside 1..16383';

CREATE FUNCTION @extschema@.univ3_min_sqrt_price()
RETURNS @extschema@.uint256
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '4295128739'::@extschema@.uint256;
COMMENT ON FUNCTION @extschema@.univ3_min_sqrt_price() IS
	'TickMath.MIN_SQRT_RATIO, the sqrt price at tick -887272';

CREATE FUNCTION @extschema@.univ3_max_sqrt_price()
RETURNS @extschema@.uint256
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '1461446703485210103287273052203988822378723970342'::@extschema@.uint256;
COMMENT ON FUNCTION @extschema@.univ3_max_sqrt_price() IS
	'TickMath.MAX_SQRT_RATIO, the sqrt price at tick 887272';

-- ---- TickMath and prices ----

CREATE FUNCTION @extschema@.univ3_sqrt_price_at_tick(tick int)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_sqrt_price_at_tick'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_sqrt_price_at_tick(int) IS
	'TickMath.getSqrtRatioAtTick: sqrt(1.0001^tick) * 2^96, rounded up';

CREATE FUNCTION @extschema@.univ3_tick_at_sqrt_price(sqrt_price @extschema@.uint256)
RETURNS int
AS 'MODULE_PATHNAME', 'univ3_tick_at_sqrt_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_tick_at_sqrt_price(@extschema@.uint256) IS
	'TickMath.getTickAtSqrtRatio: the greatest tick whose sqrt price is at or below sqrt_price';

CREATE FUNCTION @extschema@.univ3_nearest_usable_tick(tick int, tick_spacing int)
RETURNS int
AS 'MODULE_PATHNAME', 'univ3_nearest_usable_tick'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_nearest_usable_tick(int, int) IS
	'nearest multiple of tick_spacing inside the tick range (v3-sdk nearestUsableTick)';

CREATE FUNCTION @extschema@.univ3_price_at_tick(tick int, decimals0 int DEFAULT 0, decimals1 int DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'univ3_price_at_tick'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_price_at_tick(int, int, int) IS
	'1.0001^tick as whole token1 per whole token0, for display';

CREATE FUNCTION @extschema@.univ3_price_at_sqrt_price(sqrt_price @extschema@.uint256, decimals0 int DEFAULT 0, decimals1 int DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'univ3_price_at_sqrt_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_price_at_sqrt_price(@extschema@.uint256, int, int) IS
	'(sqrt_price / 2^96)^2 as whole token1 per whole token0, for display';

CREATE FUNCTION @extschema@.univ3_sqrt_price_at_price(price numeric, decimals0 int DEFAULT 0, decimals1 int DEFAULT 0)
RETURNS @extschema@.uint256
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sqrt(@extschema@.uint256(trunc(@extschema@.univ3_check_price(price)
	* power(10::numeric, @extschema@.univ3_check_decimals(decimals1) - @extschema@.univ3_check_decimals(decimals0))
	* power(2::numeric, 192))));
COMMENT ON FUNCTION @extschema@.univ3_sqrt_price_at_price(numeric, int, int) IS
	'exact floor(sqrt(price in raw units) * 2^96) for a price in whole token1 per whole token0';

CREATE FUNCTION @extschema@.univ3_tick_at_price(price numeric, decimals0 int DEFAULT 0, decimals1 int DEFAULT 0)
RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.univ3_tick_at_sqrt_price(@extschema@.univ3_sqrt_price_at_price(price, decimals0, decimals1));
COMMENT ON FUNCTION @extschema@.univ3_tick_at_price(numeric, int, int) IS
	'the greatest tick whose price is at or below price (whole token1 per whole token0), exact';

-- ---- SqrtPriceMath ----

CREATE FUNCTION @extschema@.univ3_amount0_delta(sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256,
	liquidity @extschema@.uint256, round_up bool)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_amount0_delta'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_amount0_delta(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, bool) IS
	'SqrtPriceMath.getAmount0Delta: token0 between two sqrt prices for a liquidity';

CREATE FUNCTION @extschema@.univ3_amount1_delta(sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256,
	liquidity @extschema@.uint256, round_up bool)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_amount1_delta'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_amount1_delta(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, bool) IS
	'SqrtPriceMath.getAmount1Delta: token1 between two sqrt prices for a liquidity';

CREATE FUNCTION @extschema@.univ3_amount0_delta(sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256,
	liquidity_delta @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'univ3_amount0_delta_signed'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_amount0_delta(@extschema@.uint256, @extschema@.uint256, @extschema@.int256) IS
	'signed getAmount0Delta: token0 owed for adding liquidity (rounded up), negative paid out for removing (rounded down)';

CREATE FUNCTION @extschema@.univ3_amount1_delta(sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256,
	liquidity_delta @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'univ3_amount1_delta_signed'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_amount1_delta(@extschema@.uint256, @extschema@.uint256, @extschema@.int256) IS
	'signed getAmount1Delta: token1 owed for adding liquidity (rounded up), negative paid out for removing (rounded down)';

CREATE FUNCTION @extschema@.univ3_next_sqrt_price_from_input(sqrt_price @extschema@.uint256,
	liquidity @extschema@.uint256, amount_in @extschema@.uint256, zero_for_one bool)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_next_sqrt_price_from_input'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_next_sqrt_price_from_input(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, bool) IS
	'SqrtPriceMath.getNextSqrtPriceFromInput: the sqrt price after amount_in of token0 (zero_for_one) or token1';

CREATE FUNCTION @extschema@.univ3_next_sqrt_price_from_output(sqrt_price @extschema@.uint256,
	liquidity @extschema@.uint256, amount_out @extschema@.uint256, zero_for_one bool)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_next_sqrt_price_from_output'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_next_sqrt_price_from_output(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, bool) IS
	'SqrtPriceMath.getNextSqrtPriceFromOutput: the sqrt price after amount_out of token1 (zero_for_one) or token0';

-- ---- SwapMath ----

CREATE FUNCTION @extschema@.univ3_swap_step(sqrt_current @extschema@.uint256, sqrt_target @extschema@.uint256,
	liquidity @extschema@.uint256, amount_remaining @extschema@.int256, fee_pips int,
	OUT sqrt_next @extschema@.uint256, OUT amount_in @extschema@.uint256,
	OUT amount_out @extschema@.uint256, OUT fee_amount @extschema@.uint256)
AS 'MODULE_PATHNAME', 'univ3_swap_step'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_swap_step(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.int256, int) IS
	'SwapMath.computeSwapStep; a negative amount_remaining means exact output';

-- ---- LiquidityAmounts and position value ----

CREATE FUNCTION @extschema@.univ3_liquidity_for_amounts(sqrt_price @extschema@.uint256,
	sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256,
	amount0 @extschema@.uint256, amount1 @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_liquidity_for_amounts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_liquidity_for_amounts(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'LiquidityAmounts.getLiquidityForAmounts: the most liquidity the amounts can mint over [sqrt_a, sqrt_b]';

CREATE FUNCTION @extschema@.univ3_amounts_for_liquidity(sqrt_price @extschema@.uint256,
	sqrt_a @extschema@.uint256, sqrt_b @extschema@.uint256, liquidity @extschema@.uint256,
	OUT amount0 @extschema@.uint256, OUT amount1 @extschema@.uint256)
AS 'MODULE_PATHNAME', 'univ3_amounts_for_liquidity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_amounts_for_liquidity(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'LiquidityAmounts.getAmountsForLiquidity: the token amounts of a liquidity at a price (rounded down)';

CREATE FUNCTION @extschema@.univ3_position_value(sqrt_price @extschema@.uint256,
	tick_lower int, tick_upper int, liquidity @extschema@.uint256,
	OUT amount0 @extschema@.uint256, OUT amount1 @extschema@.uint256,
	OUT value_token1 @extschema@.uint256)
AS 'MODULE_PATHNAME', 'univ3_position_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_position_value(@extschema@.uint256, int, int, @extschema@.uint256) IS
	'amounts of a range position at a sqrt price and their value in token1 units';

-- ---- fees and analytics ----

CREATE FUNCTION @extschema@.univ3_fee_growth_inside(tick_lower int, tick_upper int, tick_current int,
	fee_growth_global @extschema@.uint256, fee_growth_outside_lower @extschema@.uint256,
	fee_growth_outside_upper @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_fee_growth_inside'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_fee_growth_inside(int, int, int, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'Tick.getFeeGrowthInside for one token (X128, modulo 2^256 as in the pool)';

CREATE FUNCTION @extschema@.univ3_tokens_owed(fee_growth_inside @extschema@.uint256,
	fee_growth_inside_last @extschema@.uint256, liquidity @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'univ3_tokens_owed'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_tokens_owed(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'fees earned between two fee-growth-inside readings, as Position.update credits them (uint128)';

CREATE FUNCTION @extschema@.univ3_position_vs_hold(sqrt_price_entry @extschema@.uint256,
	sqrt_price_now @extschema@.uint256, tick_lower int, tick_upper int, liquidity @extschema@.uint256,
	OUT value_position @extschema@.uint256, OUT value_hold @extschema@.uint256,
	OUT impermanent_loss float8)
AS 'MODULE_PATHNAME', 'univ3_position_vs_hold'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_position_vs_hold(@extschema@.uint256, @extschema@.uint256, int, int, @extschema@.uint256) IS
	'token1 value now of a range position and of holding its entry amounts, and position/hold - 1';

CREATE FUNCTION @extschema@.univ3_impermanent_loss(price_entry float8, price_now float8,
	price_lower float8, price_upper float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'univ3_impermanent_loss'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_impermanent_loss(float8, float8, float8, float8) IS
	'impermanent loss of a range position against holding, as a fraction (<= 0); price_upper may be infinity';

CREATE FUNCTION @extschema@.univ3_fee_apr(fees_value float8, position_value float8, seconds float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'univ3_fee_apr'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_fee_apr(float8, float8, float8) IS
	'fees over a period as a simple annual rate of the position value (365-day year)';

-- ---- swap simulator ----

CREATE FUNCTION @extschema@.univ3_simulate_swap(sqrt_price @extschema@.uint256, tick int,
	liquidity @extschema@.uint256, tick_spacing int, fee_pips int,
	ticks int[], liquidity_net @extschema@.int256[],
	zero_for_one bool, amount_specified @extschema@.int256,
	sqrt_price_limit @extschema@.uint256 DEFAULT NULL,
	OUT amount0 @extschema@.int256, OUT amount1 @extschema@.int256,
	OUT sqrt_price_after @extschema@.uint256, OUT tick_after int,
	OUT liquidity_after @extschema@.uint256, OUT fee_growth_global_delta @extschema@.uint256,
	OUT fee_amount @extschema@.uint256, OUT steps int, OUT ticks_crossed int)
AS 'MODULE_PATHNAME', 'univ3_simulate_swap'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_simulate_swap(@extschema@.uint256, int, @extschema@.uint256, int, int, int[], @extschema@.int256[], bool, @extschema@.int256, @extschema@.uint256) IS
	'UniswapV3Pool.swap over given initialized ticks and liquidity net (protocol fee off); amounts are the pool''s balance changes';

-- ---- ALM decisions (src/univ3/alm.c) ----
--
-- What the strategy engine calls to place a vault's liquidity and to decide
-- when to move it.  Liquidity is getLiquidityForAmounts of what the vault
-- still holds, amounts are what mint takes for it (rounded up, never more
-- than the holdings); the 'idle' row makes the rows sum to the holdings.
-- Parameters come as a jsonb object; an unknown key or a value out of range
-- raises 22023 naming it.  Pure, so no row in the privilege matrix.

CREATE FUNCTION @extschema@.univ3_alm_plan(sqrt_price @extschema@.uint256, tick_spacing int,
	sigma float8, horizon_days float8,
	holdings0 @extschema@.uint256, holdings1 @extschema@.uint256, params jsonb DEFAULT '{}')
RETURNS TABLE (role text, tick_lower int, tick_upper int, liquidity @extschema@.uint256,
	amount0 @extschema@.uint256, amount1 @extschema@.uint256)
AS 'MODULE_PATHNAME', 'univ3_alm_plan'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.univ3_alm_plan(@extschema@.uint256, int, float8, float8, @extschema@.uint256, @extschema@.uint256, jsonb) IS
	'target ALM layout: full_range share, base range of ceil(2 k sigma sqrt(horizon) / ln(1.0001)) ticks (in spacings, skewed toward an LST drift or peg), a single-sided limit order for the token left over, and what stays idle; sigma is the volatility of ln(price) per sqrt(day)';

CREATE FUNCTION @extschema@.univ3_alm_should_rebalance(tick_lower int, tick_upper int, tick int,
	twap_tick int, last_tick int, last_rebalance_at timestamptz, at timestamptz,
	expected_fee_gain float8, gas_cost float8, swap_cost float8, params jsonb DEFAULT '{}',
	OUT rebalance bool, OUT reasons text[])
AS 'MODULE_PATHNAME', 'univ3_alm_should_rebalance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_alm_should_rebalance(int, int, int, int, int, timestamptz, timestamptz, float8, float8, float8, jsonb) IS
	'rebalance when out_of_range or near_boundary and no gate says min_period_not_elapsed, no_move, twap_deviation or cost_exceeds_benefit; reasons lists every condition that held';

-- ---- the backtest's replay (analytics.c); univ3_backtest (src/ingest/analytics.sql) is the glue

CREATE FUNCTION @extschema@.univ3_backtest_sigma(h_at timestamptz[], h_tick int[], i int,
	at_ts timestamptz, window_seconds float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'univ3_backtest_sigma'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_backtest_sigma(timestamptz[], int[], int, timestamptz, float8) IS
	'realized volatility of ln(price) per sqrt(day) at event i of a tick history: squared tick returns over the trailing window, over its length in days';

CREATE FUNCTION @extschema@.univ3_backtest_replay(h_at timestamptz[], h_tick int[],
	h_sqrt_price @extschema@.uint256[], h_liquidity @extschema@.uint256[],
	h_amount0 @extschema@.int256[], h_amount1 @extschema@.int256[], first_i int,
	from_ts timestamptz, to_ts timestamptz, tick_spacing int, fee_pips int,
	amount0 @extschema@.uint256, amount1 @extschema@.uint256, plan_params jsonb, gate_params jsonb,
	horizon_days float8, fixed_sigma float8, vol_window_seconds float8, twap_seconds float8,
	check_every int, gas_cost float8, swap_cost float8, rebalance bool,
	OUT fees0 numeric, OUT fees1 numeric, OUT amount0_end numeric, OUT amount1_end numeric,
	OUT sqrt_price_end @extschema@.uint256, OUT rebalances int, OUT seconds_in_range float8,
	OUT seconds float8, OUT swaps int, OUT tick_lower int, OUT tick_upper int, OUT sigma float8)
AS 'MODULE_PATHNAME', 'univ3_backtest_replay'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_backtest_replay(timestamptz[], int[], @extschema@.uint256[], @extschema@.uint256[], @extschema@.int256[], @extschema@.int256[], int, timestamptz, timestamptz, int, int, @extschema@.uint256, @extschema@.uint256, jsonb, jsonb, float8, float8, float8, float8, int, float8, float8, bool) IS
	'the replay loop of univ3_backtest over a tick history (event first_i is the state at from_ts): fees, end holdings, rebalances, seconds in range';
