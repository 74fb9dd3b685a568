-- univ3_position: fee growth, tokens owed, position value, impermanent
-- loss, fee APR, price <-> tick with decimals, nearest usable tick and the
-- swap simulator's argument checks.  Known values: the textbook full-range
-- impermanent loss 2*sqrt(k)/(1+k) - 1 (-20% at a 4x move), the USDC/WETH
-- 0.05% pool's tick for ETH at 2000 USDC (decimals 6 and 18), and
-- hand-checkable fee growth arithmetic modulo 2^256.
SET search_path = amplified, public;
\pset null '(null)'

-- ---- fee growth inside, tokens owed (Tick.getFeeGrowthInside, Position) ----
-- in range: global - below - above
SELECT univ3_fee_growth_inside(-60, 60, 0, 1000, 100, 200) AS inside_in_range;
-- below the range: outside_lower - outside_upper
SELECT univ3_fee_growth_inside(-60, 60, -120, 1000, 100, 30) AS inside_below;
-- above the range: outside_upper - outside_lower
SELECT univ3_fee_growth_inside(-60, 60, 60, 1000, 100, 300) AS inside_above;
-- the accumulators wrap modulo 2^256, as in the pool
SELECT univ3_fee_growth_inside(-60, 60, 0, 5, 10, 0) = (~0::uint256) - 4 AS wraps;
-- 2^128 growth per unit of liquidity is one token per unit
SELECT univ3_tokens_owed(1::uint256 << 128, 0, 1000) AS owed_1000,
       univ3_tokens_owed(3, (~0::uint256) - (1::uint256 << 128) + 4, 1e18::numeric::uint256) AS owed_across_wrap;
-- bad inputs
SELECT univ3_fee_growth_inside(60, 60, 0, 1, 1, 1);
SELECT univ3_fee_growth_inside(-887273, 60, 0, 1, 1, 1);
SELECT univ3_tokens_owed(1, 0, '340282366920938463463374607431768211456');

-- ---- position value and impermanent loss ----
-- a wstETH/WETH range position (1.10 .. 1.20 WETH per wstETH) worth 10 + 10
SELECT univ3_tick_at_price(1.10) AS tick_lower_raw, univ3_tick_at_price(1.20) AS tick_upper_raw,
       univ3_nearest_usable_tick(univ3_tick_at_price(1.10), 10) AS tick_lower,
       univ3_nearest_usable_tick(univ3_tick_at_price(1.20), 10) AS tick_upper;
SELECT univ3_liquidity_for_amounts(univ3_sqrt_price_at_price(1.15), univ3_sqrt_price_at_tick(950), univ3_sqrt_price_at_tick(1820),
       10e18::numeric::uint256, 10e18::numeric::uint256) AS liquidity;
SELECT amount0, amount1, value_token1, to_units(value_token1, 18) AS value_weth
  FROM univ3_position_value(univ3_sqrt_price_at_price(1.15), 950, 1820, '421286446074071494633');
SELECT value_position, value_hold, round(impermanent_loss::numeric, 6) AS il
  FROM univ3_position_vs_hold(univ3_sqrt_price_at_price(1.15), univ3_sqrt_price_at_price(1.19), 950, 1820, '421286446074071494633');
-- out of the range above: all WETH
SELECT * FROM univ3_position_value(univ3_sqrt_price_at_price(1.25), 950, 1820, '421286446074071494633');
-- full range, 4x: 2*sqrt(4)/(1+4) - 1 = -0.2
SELECT round(univ3_impermanent_loss(1, 4, 1e-30, 'infinity')::numeric, 9) AS full_range_4x,
       round(univ3_impermanent_loss(1, 1, 0.5, 2)::numeric, 12) AS no_move,
       round(univ3_impermanent_loss(1, 1.5, 0.5, 2)::numeric, 6) AS range_1_5x,
       round(univ3_impermanent_loss(1, 1.5, 1e-30, 'infinity')::numeric, 6) AS full_1_5x;
-- a narrow range loses more for the same move
SELECT univ3_impermanent_loss(1, 1.05, 0.9, 1.1) < univ3_impermanent_loss(1, 1.05, 0.5, 2) AS narrower_loses_more;
-- bad inputs
SELECT univ3_impermanent_loss(0, 1, 0.5, 2);
SELECT univ3_impermanent_loss(1, 1, 2, 0.5);
SELECT * FROM univ3_position_value(univ3_sqrt_price_at_price(1.15), 1820, 950, 1);

-- ---- fee APR ----
SELECT univ3_fee_apr(1, 100, 86400 * 365) AS one_percent_year, round(univ3_fee_apr(0.05, 20, 7 * 86400)::numeric, 6) AS week;
SELECT univ3_fee_apr(1, 0, 1);
SELECT univ3_fee_apr(1, 1, 0);

-- ---- price <-> tick with decimals ----
-- USDC (6) / WETH (18) at 2000 USDC per ETH: token0 = USDC, price = 1/2000 WETH per USDC
SELECT univ3_tick_at_price(1 / 2000.0, 6, 18) AS usdc_weth_tick,
       round(univ3_price_at_tick(univ3_tick_at_price(1 / 2000.0, 6, 18), 6, 18)::numeric, 10) AS price,
       round((1 / univ3_price_at_tick(univ3_tick_at_price(1 / 2000.0, 6, 18), 6, 18))::numeric, 2) AS eth_in_usdc;
SELECT univ3_price_at_tick(0) AS p0, round(univ3_price_at_tick(6932)::numeric, 4) AS p_6932,
       round(univ3_price_at_sqrt_price('79228162514264337593543950336', 18, 6)::numeric, 0) AS scaled;
SELECT univ3_sqrt_price_at_price(1) AS at_1, univ3_sqrt_price_at_price(4) AS at_4, univ3_tick_at_price(1.0001) AS tick_1;
SELECT univ3_nearest_usable_tick(-887272, 60) AS low_end, univ3_nearest_usable_tick(887272, 60) AS high_end,
       univ3_nearest_usable_tick(30, 60) AS half_up, univ3_nearest_usable_tick(-30, 60) AS neg_half, univ3_nearest_usable_tick(-31, 60) AS neg_more;
-- bad inputs
SELECT univ3_tick_at_price(0);
SELECT univ3_price_at_tick(1, -1, 18);
SELECT univ3_nearest_usable_tick(0, 0);
SELECT univ3_nearest_usable_tick(887273, 60);

-- ---- swap simulator ----
-- 1 token0 into the high-fee 1:1 pool of v3-core's swap spec (full-range 2e18)
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 2e18::numeric::uint256, 200, 10000,
       ARRAY[-887200, 887200], ARRAY[2e18::numeric::int256, -2e18::numeric::int256], true, 1e18::numeric::int256);
-- crossing an initialized tick: the range [-600, 600] on top of the full range
SELECT amount0, amount1, tick_after, liquidity_after, steps, ticks_crossed
  FROM univ3_simulate_swap('79228162514264337593543950336', 0, 4e18::numeric::uint256, 60, 3000,
       ARRAY[600, -887220, -600, 887220], ARRAY[-2e18::numeric::int256, 2e18::numeric::int256, 2e18::numeric::int256, -2e18::numeric::int256],
       true, 1e18::numeric::int256);
SELECT * FROM univ3_simulate_swap(NULL, 0, 1, 60, 3000, ARRAY[0], ARRAY[0::int256], true, 1);
-- bad inputs
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[]::int[], ARRAY[]::int256[], true, 0);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[]::int[], ARRAY[]::int256[], true, 1, '79228162514264337593543950336');
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[]::int[], ARRAY[]::int256[], false, 1, '1461446703485210103287273052203988822378723970342');
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[30], ARRAY[0::int256], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[60, 60], ARRAY[0, 0]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[60], ARRAY[]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 3000, ARRAY[60], ARRAY[NULL]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 0, 3000, ARRAY[60], ARRAY[1]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 1, 60, 1000000, ARRAY[60], ARRAY[1]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap(1, 0, 1, 60, 3000, ARRAY[60], ARRAY[1]::int256[], true, 1);
SELECT * FROM univ3_simulate_swap('79228162514264337593543950336', 0, 0, 60, 3000, ARRAY[-60], ARRAY[5]::int256[], true, 1e18::numeric::int256);
