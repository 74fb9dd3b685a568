-- univ3_alm: ALM decisions.  Every plan is checked by alm_check against the
-- module's own exact functions: the rows sum to the holdings, every
-- liquidity is univ3_liquidity_for_amounts of what was left for it, every
-- amount is what mint takes (getAmountDelta rounded up, never above what was
-- left), and the base width is the formula computed here in SQL.  The plans
-- shown were also reproduced outside the database (the layout rules over
-- @uniswap/v3-sdk's TickMath and SqrtPriceMath with BigInt liquidity).  Each
-- gate is tested on both sides of its threshold; bad inputs one per line.
SET search_path = amplified, public;
\pset null '(null)'

CREATE FUNCTION pg_temp.alm_check(p uint256, s int, sigma float8, h float8, h0 uint256, h1 uint256, params jsonb DEFAULT '{}')
RETURNS TABLE (sums_ok bool, liquidity_ok bool, amounts_ok bool, width_ok bool, base_holds_price bool)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	av0 uint256 := h0;
	av1 uint256 := h1;
	sa uint256;
	sb uint256;
	ppm uint256;
	f0 uint256;
	f1 uint256;
	want uint256;
	k float8 := coalesce((params->>'k')::float8, 2);
	minw int := coalesce((params->>'min_width')::int, 2);
	maxw int := (univ3_max_tick(s) - univ3_min_tick(s)) / s;
	w int;
BEGIN
	sums_ok := (SELECT sum(amount0) = h0 AND sum(amount1) = h1 FROM univ3_alm_plan(p, s, sigma, h, h0, h1, params));
	liquidity_ok := true;
	amounts_ok := true;
	width_ok := NULL;
	base_holds_price := NULL;
	FOR r IN SELECT * FROM univ3_alm_plan(p, s, sigma, h, h0, h1, params) WHERE role <> 'idle' LOOP
		sa := univ3_sqrt_price_at_tick(r.tick_lower);
		sb := univ3_sqrt_price_at_tick(r.tick_upper);
		IF r.role = 'full_range' THEN
			ppm := round((params->>'full_range_share')::numeric * 1000000)::uint256;
			f0 := h0 * ppm / 1000000;
			f1 := h1 * ppm / 1000000;
			want := univ3_liquidity_for_amounts(p, sa, sb, f0, f1);
		ELSIF r.role = 'base' THEN
			want := univ3_liquidity_for_amounts(p, sa, sb, av0, av1);
			w := least(greatest(minw, ceil(2 * k * sigma * sqrt(h) / (ln(1.0001) * s))::int), maxw);
			width_ok := r.tick_upper - r.tick_lower = w * s;
			base_holds_price := sa <= p AND p < sb;
		ELSIF p <= sa THEN
			want := univ3_liquidity_for_amounts(p, sa, sb, av0, 0);
		ELSE
			want := univ3_liquidity_for_amounts(p, sa, sb, 0, av1);
		END IF;
		liquidity_ok := liquidity_ok AND r.liquidity = want;
		amounts_ok := amounts_ok AND r.amount0 <= av0 AND r.amount1 <= av1
			AND r.amount0 = CASE WHEN p < sb THEN univ3_amount0_delta(greatest(p, sa), sb, r.liquidity, true) ELSE 0 END
			AND r.amount1 = CASE WHEN p > sa THEN univ3_amount1_delta(sa, least(p, sb), r.liquidity, true) ELSE 0 END;
		av0 := av0 - r.amount0;
		av1 := av1 - r.amount1;
	END LOOP;
	RETURN NEXT;
END $$;

-- ---- univ3_alm_plan: a wstETH/WETH vault at 1.15 WETH per wstETH (tick 1397, spacing 10) ----
-- sigma 0.5%/sqrt(day), 7 days, k = 2: ceil(2*2*0.005*sqrt(7) / (ln(1.0001)*10)) = 53 spacings
SELECT ceil(2 * 2 * 0.005 * sqrt(7) / (ln(1.0001) * 10)) AS width_spacings, univ3_tick_at_price(1.15) AS tick;
-- base 1130..1660 around 1397 takes all 10 WETH; the 1.478 wstETH left goes into a limit order (ask) just above
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256);
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256);
-- LST-aware: wstETH accrues 3% a year (drift 5.67 ticks over 7 days) and the peg (exchange rate) is tick 1420,
-- half of the 23 ticks to it: centre 1397 + 17 = 1414, base 1150..1680; 10% full range first
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"full_range_share": 0.1, "appreciating": "token0", "apr": 0.03, "peg_tick": 1420}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"full_range_share": 0.1, "appreciating": "token0", "apr": 0.03, "peg_tick": 1420}');
-- token1 appreciating at 50% a year skews the other way: -39 ticks, base 1050..1580
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"appreciating": "token1", "apr": 0.5}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"appreciating": "token1", "apr": 0.5}');
-- "appreciating": "none" is the same as no skew
SELECT (SELECT array_agg(t ORDER BY role) FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1e18::numeric::uint256, 2e18::numeric::uint256, '{"appreciating": "none", "apr": 0.5}') t)::text
     = (SELECT array_agg(t ORDER BY role) FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1e18::numeric::uint256, 2e18::numeric::uint256) t)::text AS none_is_no_skew;
-- a peg far above with full pull is clamped: the base still holds the price (spacing 1: 1397..1478)
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 1, 0.002, 1, 1e18::numeric::uint256, 5e18::numeric::uint256,
       '{"peg_tick": 5000, "peg_pull": 1}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 1, 0.002, 1, 1e18::numeric::uint256, 5e18::numeric::uint256,
       '{"peg_tick": 5000, "peg_pull": 1}');
-- k and limit_width: k = 1.5, 2% over 30 days is 329 spacings; the limit order is 3 spacings wide
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.02, 30, 3e18::numeric::uint256, 1e18::numeric::uint256,
       '{"k": 1.5, "limit_width": 3}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.02, 30, 3e18::numeric::uint256, 1e18::numeric::uint256,
       '{"k": 1.5, "limit_width": 3}');
-- the whole holding full range, then the leftover token0 as a limit order
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"full_range_share": 1}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 10e18::numeric::uint256, 10e18::numeric::uint256,
       '{"full_range_share": 1}');

-- ---- edge cases ----
-- sigma 0: the minimum width (4 spacings here)
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0, 7, 3e18::numeric::uint256, 1e18::numeric::uint256, '{"min_width": 4}');
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0, 7, 3e18::numeric::uint256, 1e18::numeric::uint256, '{"min_width": 4}');
-- the default minimum is 2 spacings
SELECT tick_lower, tick_upper FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0, 7, 3e18::numeric::uint256, 1e18::numeric::uint256) WHERE role = 'base';
-- a volatility wider than the tick range: the base is the whole usable range
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 60, 50, 365, 1e18::numeric::uint256, 1e18::numeric::uint256);
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 60, 50, 365, 1e18::numeric::uint256, 1e18::numeric::uint256);
-- no token0: the base cannot mint, all token1 goes into the limit order (bid) just below the price
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 0, 5e18::numeric::uint256);
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 0, 5e18::numeric::uint256);
-- nothing held: only the idle row
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 0, 0);
-- the price exactly at a usable tick (600, spacing 60): the ask starts and the bid ends at 600
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(600), 60, 0.01, 2, 1e18::numeric::uint256, 1e18::numeric::uint256);
SELECT * FROM pg_temp.alm_check(univ3_sqrt_price_at_tick(600), 60, 0.01, 2, 1e18::numeric::uint256, 1e18::numeric::uint256);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(600), 60, 0.01, 2, 1e18::numeric::uint256, 0);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(600), 60, 0.01, 2, 0, 1e18::numeric::uint256);
-- one wei above the tick: the ask moves to the next usable tick, the bid stays
SELECT role, tick_lower, tick_upper FROM univ3_alm_plan(univ3_sqrt_price_at_tick(600) + 1, 60, 0.01, 2, 1e18::numeric::uint256, 0)
UNION ALL
SELECT role, tick_lower, tick_upper FROM univ3_alm_plan(univ3_sqrt_price_at_tick(600) + 1, 60, 0.01, 2, 0, 1e18::numeric::uint256);
-- near MAX_TICK: the base is pushed inside the usable range (886620..887220); token0 is nearly
-- priceless in token1 terms, one unit of liquidity costs 0.5 token1, no room for an ask above
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(887200), 60, 0.01, 2, 1e18::numeric::uint256, 1e18::numeric::uint256);
-- getLiquidityForAmounts itself reverts here (the token0 side overflows uint128), so the plan takes
-- the token1 side alone: getLiquidityForAmount1 over [sqrt(886620), price], and mint's rounded-up amounts
SELECT liquidity = univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(887200), univ3_sqrt_price_at_tick(886620),
                                               univ3_sqrt_price_at_tick(887200), 0, 1e18::numeric::uint256) AS token1_side,
       amount1 = univ3_amount1_delta(univ3_sqrt_price_at_tick(886620), univ3_sqrt_price_at_tick(887200), liquidity, true) AS amount1_ok,
       amount0 = univ3_amount0_delta(univ3_sqrt_price_at_tick(887200), univ3_sqrt_price_at_tick(887220), liquidity, true) AS amount0_ok
  FROM univ3_alm_plan(univ3_sqrt_price_at_tick(887200), 60, 0.01, 2, 1e18::numeric::uint256, 1e18::numeric::uint256) WHERE role = 'base';
SELECT univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(887200), univ3_sqrt_price_at_tick(886620),
                                   univ3_sqrt_price_at_tick(887220), 1e18::numeric::uint256, 1e18::numeric::uint256);
-- below the lowest usable tick (-887250 < -887220): no range can hold the price; getLiquidityForAmounts gives 0
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(-887250), 60, 0.01, 2, 1e18::numeric::uint256, 1e18::numeric::uint256);
-- at the lowest usable tick with 1000 token0: the base -887200..-881800 has the price at its lower
-- edge (token0 only), and LiquidityAmounts' floor(sqrt_a * sqrt_b / 2^96) is 0 down here, so token0
-- mints nothing, as the periphery computes it: all stays idle
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_tick(-887200), 200, 0.05, 7, 1000e18::numeric::uint256, 1);
SELECT univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(-887200), univ3_sqrt_price_at_tick(-887200),
                                   univ3_sqrt_price_at_tick(-881800), 1000e18::numeric::uint256, 1) AS periphery_liquidity;
-- MIN_SQRT_RATIO itself: nothing can be placed; a huge token1 holding (2^250): the bid's liquidity
-- is capped at the pool's maxLiquidityPerTick (uint128 max / 13863 usable ticks for spacing 128)
SELECT role, tick_lower, tick_upper FROM univ3_alm_plan(univ3_min_sqrt_price(), 1, 0.01, 1, 1, 1);
SELECT role, tick_lower, tick_upper, liquidity,
       liquidity = '340282366920938463463374607431768211455'::uint256 / ((univ3_max_tick(128) - univ3_min_tick(128)) / 128 + 1) AS at_cap
  FROM univ3_alm_plan(univ3_sqrt_price_at_tick(0), 128, 0.01, 1, 0, (1::uint256 << 250)) WHERE role <> 'idle';

-- ---- univ3_alm_plan: bad inputs ----
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 0, 0.005, 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 16384, 0.005, 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, -0.005, 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 'NaN', 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 'infinity', 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 0, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, -1, 1, 1);
SELECT * FROM univ3_alm_plan(4295128738, 10, 0.005, 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_max_sqrt_price(), 10, 0.005, 7, 1, 1);
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '[]');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"K": 2}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"k": 0}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"k": "2"}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"min_width": 1}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"min_width": 2.5}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"limit_width": 0}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"full_range_share": 1.5}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"full_range_share": null}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"peg_tick": 887273}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"peg_pull": -0.1}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"apr": -0.01}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"appreciating": "wsteth"}');
SELECT * FROM univ3_alm_plan(univ3_sqrt_price_at_price(1.15), 10, 0.005, 7, 1, 1, '{"appreciating": 0}');
-- NULL arguments: STRICT, no rows
SELECT count(*) FROM univ3_alm_plan(NULL, 10, 0.005, 7, 1, 1);

-- ---- univ3_alm_should_rebalance: a base range 950..1820 ----
-- out of range (the pool's rule: tick >= tick_upper is out), every gate open
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1820, 1815, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 949, 955, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
-- tick_lower itself is in range: 0 from the edge, so near the boundary
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 950, 955, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
-- near the boundary: 10% of 870 ticks is 87; 1733 is 87 from 1820, 1732 is 88
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1733, 1733, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1732, 1732, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
-- boundary_threshold 0.5: anywhere in the range is near; 0: only the lower tick itself
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1385, 1385, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"boundary_threshold": 0.5}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 951, 951, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"boundary_threshold": 0}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 950, 950, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"boundary_threshold": 0}');
-- minimum period: 1 day elapsed against 86400 s (open) and 86401 s (closed)
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_period_seconds": 86400}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_period_seconds": 86401}');
-- minimum tick move: 430 ticks since the last rebalance against 430 (open) and 431 (closed), both directions
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_tick_move": 430}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_tick_move": 431}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 940, 940, 1370, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_tick_move": 431}');
-- TWAP guard: default 100 ticks; 100 away is open, 101 (either side) is closed
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1730, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1729, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1931, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1729, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"max_twap_deviation": 101}');
-- cost/benefit: gain must exceed (gas + swap) * cost_factor
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 3, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 3.0001, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 5, 1, 2, '{"cost_factor": 2}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 6.5, 1, 2, '{"cost_factor": 2}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1830, 1830, 1400, '2026-01-01', '2026-01-02', 0, 0, 0);
-- in range, and every gate closed at once: all reasons, in their fixed order
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1600, 1400, '2026-01-01', '2026-01-01', 0, 1, 2,
       '{"min_period_seconds": 3600, "min_tick_move": 10}');
-- extreme ticks
SELECT * FROM univ3_alm_should_rebalance(-887272, 887272, 887272, 887272, -887272, '2026-01-01', '2026-01-02', 1, 0, 0);
SELECT * FROM univ3_alm_should_rebalance(-887272, 887272, -887272, -887272, 887272, '2026-01-01', '2026-01-02', 1, 0, 0,
       '{"max_twap_deviation": 1774544, "min_tick_move": 1774544}');

-- ---- univ3_alm_should_rebalance: bad inputs ----
SELECT * FROM univ3_alm_should_rebalance(1820, 950, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 950, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(-887273, 950, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 887273, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 887273, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, -887273, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 887273, '2026-01-01', '2026-01-02', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-02', '2026-01-01', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '-infinity', '2026-01-01', 10, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', -1, 1, 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 'NaN', 2);
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 'infinity');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '"x"');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_period": 60}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_period_seconds": -1}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"min_tick_move": -1}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"max_twap_deviation": 1.5}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"boundary_threshold": 0.6}');
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, 1400, 1400, '2026-01-01', '2026-01-02', 10, 1, 2, '{"cost_factor": "1"}');
-- NULL arguments: STRICT
SELECT * FROM univ3_alm_should_rebalance(950, 1820, 1400, NULL, 1400, '2026-01-01', '2026-01-02', 10, 1, 2);
