-- 093_derivs_lp_greeks: univ3_position_greeks (src/derivs/lp_greeks.c) by
-- hand and its bad inputs.  The finite-difference and random-position
-- checks are in test/t/132_derivs_lp_greeks.pl.
--
-- By hand: at tick 0 the sqrt price is exactly 2^96, so P = 1 and, for
-- liquidity L over [-600, 600), delta = L (1 - 1.0001^-300) and
-- gamma = -L / 2; 1.0001^(t/2) is what TickMath approximates (to far
-- better than the 1e-12 relative allowed here).  The value is
-- amount1 + amount0 at P = 1.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT is(univ3_sqrt_price_at_tick(0)::numeric, 2::numeric ^ 96, 'fixture: the sqrt price at tick 0 is 2^96 (P = 1)');
SELECT ok(abs(delta / (1e18 * (1 - power(1.0001::float8, -300))) - 1) < 1e-12,
	format('in range at P = 1: delta = L (1 - 1.0001^-300), got %s', delta))
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '1000000000000000000');
SELECT is(gamma, -5e17::float8, 'in range at P = 1: gamma = -L / 2')
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '1000000000000000000');
SELECT is(value1, (amount0::numeric + amount1::numeric), 'at P = 1 the value is amount0 + amount1')
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '1000000000000000000');
SELECT results_eq($$SELECT amount0, amount1 FROM univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '1000000000000000000')$$,
	$$SELECT amount0, amount1 FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(0), univ3_sqrt_price_at_tick(-600),
		univ3_sqrt_price_at_tick(600), '1000000000000000000')$$, 'the amounts are univ3_amounts_for_liquidity''s');
-- at 4x the price (tick 13863 is about ln 4 / ln 1.0001): gamma = -L / (2 P^1.5)
SELECT ok(abs(g.gamma / (-1e18 / (2 * power(power(1.0001::float8, 13863), 1.5))) - 1) < 1e-12, 'gamma = -L / (2 P^1.5) at P near 4')
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(13863), 0, 20000, '1000000000000000000') g;
-- the value is exact: amount1 + amount0 * s^2 / 2^192, here with a fraction
SELECT is(value1, amount1::numeric + div(amount0::numeric * univ3_sqrt_price_at_tick(13863)::numeric ^ 2 * 1e30, 2::numeric ^ 192) * 1e-30,
	'value1 = amount1 + amount0 * s^2 / 2^192 (to 30 decimals)')
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(13863), 0, 20000, '1000000000000000000');
SELECT results_eq($$SELECT delta, gamma, in_range, amount1 FROM univ3_position_greeks(univ3_sqrt_price_at_tick(700), -600, 600, '1000000000000000000')$$,
	$$VALUES (0::float8, 0::float8, false, (SELECT amount1 FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(700), univ3_sqrt_price_at_tick(-600), univ3_sqrt_price_at_tick(600), '1000000000000000000')))$$,
	'above the range: all token1, delta and gamma 0');
SELECT ok(gamma = 0 AND NOT in_range AND abs(delta / (1e18 * (power(1.0001::float8, 300) - power(1.0001::float8, -300))) - 1) < 1e-12,
	'below the range: delta = L (1/sqrt Pa - 1/sqrt Pb), gamma 0')
  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(-700), -600, 600, '1000000000000000000');
SELECT results_eq($$SELECT value1, delta, in_range FROM univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '0')$$,
	$$VALUES (0::numeric, 0::float8, true)$$, 'no liquidity: nothing');
SELECT ok(gamma < 0 AND gamma > '-Infinity' AND delta > 0 AND value1 > 0 AND in_range AND amount1 = 0,
	'the full range at MIN_SQRT_RATIO (its lower bound: in range, as the pool counts MIN_TICK) with the largest liquidity is finite')
  FROM univ3_position_greeks('4295128739', -887272, 887272, '340282366920938463463374607431768211455');
SELECT ok(gamma < 0 AND delta > 0 AND value1 > 0, 'and just below MAX_SQRT_RATIO')
  FROM univ3_position_greeks('1461446703485210103287273052203988822378723970341', -887272, 887272, '340282366920938463463374607431768211455');
SELECT is((SELECT univ3_position_greeks(NULL, -600, 600, '1')), NULL, 'STRICT: NULL in, NULL out');

-- bad inputs, one per line
SELECT throws_ok($$SELECT univ3_position_greeks('4295128738', -600, 600, '1')$$, '22003', 'sqrt price out of range', 'sqrt price below MIN_SQRT_RATIO');
SELECT throws_ok($$SELECT univ3_position_greeks('0', -600, 600, '1')$$, '22003', 'sqrt price out of range', 'sqrt price zero');
SELECT throws_ok($$SELECT univ3_position_greeks('1461446703485210103287273052203988822378723970342', -600, 600, '1')$$, '22003', 'sqrt price out of range', 'sqrt price at MAX_SQRT_RATIO');
SELECT throws_ok($$SELECT univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 600, '340282366920938463463374607431768211456')$$, '22003', 'liquidity out of range for uint128', 'liquidity above uint128');
SELECT throws_ok($$SELECT univ3_position_greeks(univ3_sqrt_price_at_tick(0), -887273, 600, '1')$$, '22003', 'tick out of range', 'tick_lower below MIN_TICK');
SELECT throws_ok($$SELECT univ3_position_greeks(univ3_sqrt_price_at_tick(0), -600, 887273, '1')$$, '22003', 'tick out of range', 'tick_upper above MAX_TICK');
SELECT throws_ok($$SELECT univ3_position_greeks(univ3_sqrt_price_at_tick(0), 600, 600, '1')$$, '22023', 'tick_lower must be below tick_upper: 600, 600', 'empty range');
SELECT throws_ok($$SELECT univ3_position_greeks(univ3_sqrt_price_at_tick(0), 600, -600, '1')$$, '22023', 'tick_lower must be below tick_upper: 600, -600', 'reversed range');

SELECT * FROM finish();
ROLLBACK;
