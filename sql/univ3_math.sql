-- univ3_math: exact Uniswap v3 math against the values published in
-- v3-core's TickMath, SqrtPriceMath and SwapMath spec files
-- (test/TickMath.spec.ts, test/SqrtPriceMath.spec.ts, test/SwapMath.spec.ts)
-- and their snapshots.  Each check prints our value and whether it equals
-- the published one; then edge cases and every bad input, one per line.
SET search_path = amplified, public;
\pset null '(null)'

-- ---- TickMath ----
SELECT univ3_sqrt_price_at_tick(-887272) AS min_tick, univ3_sqrt_price_at_tick(-887272) = 4295128739 AS published;
SELECT univ3_sqrt_price_at_tick(-887271) AS min_tick_plus_1, univ3_sqrt_price_at_tick(-887271) = 4295343490 AS published;
SELECT univ3_sqrt_price_at_tick(887271) AS max_tick_minus_1,
       univ3_sqrt_price_at_tick(887271) = '1461373636630004318706518188784493106690254656249' AS published;
SELECT univ3_sqrt_price_at_tick(887272) AS max_tick,
       univ3_sqrt_price_at_tick(887272) = '1461446703485210103287273052203988822378723970342' AS published;
SELECT univ3_sqrt_price_at_tick(0) AS tick_0, univ3_sqrt_price_at_tick(0) = '79228162514264337593543950336' AS published;
SELECT t, univ3_sqrt_price_at_tick(t) FROM unnest(ARRAY[-500000, -50000, -5000, -50, -1, 1, 50, 5000, 50000, 150000, 500000]) t;
SELECT univ3_tick_at_sqrt_price(4295128739) AS at_min, univ3_tick_at_sqrt_price(4295343490) AS at_min_plus_1,
       univ3_tick_at_sqrt_price('1461373636630004318706518188784493106690254656249') AS at_max_minus_1,
       univ3_tick_at_sqrt_price('1461446703485210103287273052203988822378723970341') AS below_max;
-- the greatest tick at or below: one below a tick's price is the tick before
SELECT t, univ3_tick_at_sqrt_price(univ3_sqrt_price_at_tick(t)) = t AS at,
       univ3_tick_at_sqrt_price(univ3_sqrt_price_at_tick(t) - 1) = t - 1 AS just_below
  FROM unnest(ARRAY[-887271, -200000, -1, 1, 200000, 887271]) t;
SELECT univ3_min_tick(), univ3_max_tick(), univ3_min_tick(60), univ3_max_tick(60), univ3_min_tick(200), univ3_max_tick(16383);
-- spacings no factory accepts, and prices no pool can have: errors, not NULL or 0
SELECT univ3_max_tick(0);
SELECT univ3_min_tick(-1);
SELECT univ3_min_tick(16384);
SELECT univ3_sqrt_price_at_price(0);
SELECT univ3_sqrt_price_at_price(-1);
SELECT univ3_sqrt_price_at_price('NaN');
SELECT univ3_sqrt_price_at_price(1, 0, 78);
SELECT univ3_min_sqrt_price(), univ3_max_sqrt_price();
-- bad inputs
SELECT univ3_sqrt_price_at_tick(-887273);
SELECT univ3_sqrt_price_at_tick(887273);
SELECT univ3_sqrt_price_at_tick(-2147483648);
SELECT univ3_tick_at_sqrt_price(4295128738);
SELECT univ3_tick_at_sqrt_price('1461446703485210103287273052203988822378723970342');
SELECT univ3_tick_at_sqrt_price(0);

-- ---- SqrtPriceMath.getNextSqrtPriceFromInput ----
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e17::numeric::uint256, 0, true) AS zero_amount_z;
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e17::numeric::uint256, 0, false) AS zero_amount_o;
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, false) AS in_01_token1,
       univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, false) = '87150978765690771352898345369' AS published;
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, true) AS in_01_token0,
       univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, true) = '72025602285694852357767227579' AS published;
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e19::numeric::uint256, 1::uint256 << 100, true) AS in_over_uint96,
       univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1e19::numeric::uint256, 1::uint256 << 100, true) = 624999999995069620 AS published;
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', 1, (~0::uint256) / 2, true) AS can_return_1;
-- bad inputs: zero price, zero liquidity, a price pushed past uint160
SELECT univ3_next_sqrt_price_from_input(0, 1, 1e17::numeric::uint256, false);
SELECT univ3_next_sqrt_price_from_input(1, 0, 1e17::numeric::uint256, true);
SELECT univ3_next_sqrt_price_from_input('1461501637330902918203684832716283019655932542975', 1024, 1024, false);
SELECT univ3_next_sqrt_price_from_input('1461501637330902918203684832716283019655932542976', 1024, 1024, false);
SELECT univ3_next_sqrt_price_from_input('79228162514264337593543950336', '340282366920938463463374607431768211456', 1, false);

-- ---- SqrtPriceMath.getNextSqrtPriceFromOutput ----
SELECT univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 262143, true) AS just_less_than_reserves1,
       univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 262143, true) = '77371252455336267181195264' AS published;
SELECT univ3_next_sqrt_price_from_output('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, true) AS out_01_token1,
       univ3_next_sqrt_price_from_output('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, true) = '71305346262837903834189555302' AS published;
SELECT univ3_next_sqrt_price_from_output('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, false) AS out_01_token0,
       univ3_next_sqrt_price_from_output('79228162514264337593543950336', 1e18::numeric::uint256, 1e17::numeric::uint256, false) = '88031291682515930659493278152' AS published;
SELECT univ3_next_sqrt_price_from_output('79228162514264337593543950336', 1e17::numeric::uint256, 0, true) AS zero_amount;
-- bad inputs: output at or above the virtual reserves, zero price or liquidity
SELECT univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 4, false);
SELECT univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 5, false);
SELECT univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 262144, true);
SELECT univ3_next_sqrt_price_from_output('20282409603651670423947251286016', 1024, 262145, true);
SELECT univ3_next_sqrt_price_from_output(0, 1, 1, true);
SELECT univ3_next_sqrt_price_from_output(1, 0, 1, true);

-- ---- SqrtPriceMath amount deltas (price 1 to 1.21, liquidity 1e18) ----
SELECT univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, true) AS a0_up,
       univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, true) = 90909090909090910 AS published,
       univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, false) AS a0_down;
SELECT univ3_amount1_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, true) AS a1_up,
       univ3_amount1_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, true) = 100000000000000000 AS published,
       univ3_amount1_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::uint256, false) AS a1_down;
SELECT univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', 0, true) AS zero_liquidity,
       univ3_amount1_delta('87150978765690771352898345369', '79228162514264337593543950336', 1e18::numeric::uint256, false) AS unordered;
-- signed: adding liquidity rounds up, removing rounds down
SELECT univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::int256) AS add0,
       univ3_amount0_delta('79228162514264337593543950336', '87150978765690771352898345369', -1e18::numeric::int256) AS remove0,
       univ3_amount1_delta('79228162514264337593543950336', '87150978765690771352898345369', 1e18::numeric::int256) AS add1,
       univ3_amount1_delta('79228162514264337593543950336', '87150978765690771352898345369', -1e18::numeric::int256) AS remove1;
-- bad inputs
SELECT univ3_amount0_delta(0, '79228162514264337593543950336', 1, true);
SELECT univ3_amount0_delta(1, '1461501637330902918203684832716283019655932542976', 1, true);
SELECT univ3_amount1_delta(1, 2, '340282366920938463463374607431768211456', true);
SELECT univ3_amount0_delta(1, 2, '170141183460469231731687303715884105728'::int256);

-- ---- SwapMath.computeSwapStep ----
-- exact in capped at the price target (one for zero, fee 0.06%)
SELECT s.*, s.sqrt_next = '79623317895830914510639640423' AND s.amount_in = 9975124224178055
       AND s.fee_amount = 5988667735148 AND s.amount_out = 9925619580021728 AS published
  FROM univ3_swap_step('79228162514264337593543950336', '79623317895830914510639640423', 2e18::numeric::uint256, 1e18::numeric::int256, 600) s;
-- exact out capped at the price target
SELECT s.*, s.amount_in = 9975124224178055 AND s.amount_out = 9925619580021728 AS published
  FROM univ3_swap_step('79228162514264337593543950336', '79623317895830914510639640423', 2e18::numeric::uint256, -1e18::numeric::int256, 600) s;
-- exact in fully spent before the target
SELECT s.*, s.amount_in = 999400000000000000 AND s.fee_amount = 600000000000000 AND s.amount_out = 666399946655997866
       AND s.sqrt_next < '250541448375047931186413801569' AS published
  FROM univ3_swap_step('79228162514264337593543950336', '250541448375047931186413801569', 2e18::numeric::uint256, 1e18::numeric::int256, 600) s;
-- amount out capped at the desired amount out
SELECT s.*, s.amount_in = 1 AND s.fee_amount = 1 AND s.amount_out = 1 AND s.sqrt_next = '417332158212080721273783715441581' AS published
  FROM univ3_swap_step('417332158212080721273783715441582', '1452870262520218020823638996', '159344665391607089467575320103', -1, 1) s;
-- the entire input taken as fee
SELECT s.*, s.amount_in = 0 AND s.fee_amount = 10 AND s.amount_out = 0 AND s.sqrt_next = 2413 AS published
  FROM univ3_swap_step(2413, '79887613182836312', '1985041575832132834610021537970', 10, 1872) s;
-- zero liquidity moves straight to the target; a step toward the current price does nothing
SELECT * FROM univ3_swap_step('79228162514264337593543950336', '79623317895830914510639640423', 0, 1000, 3000);
SELECT * FROM univ3_swap_step('79228162514264337593543950336', '79228162514264337593543950336', 1e18::numeric::uint256, 1000, 3000);
-- bad inputs
SELECT * FROM univ3_swap_step('79228162514264337593543950336', '79623317895830914510639640423', 1, 1000, 1000000);
SELECT * FROM univ3_swap_step('79228162514264337593543950336', '79623317895830914510639640423', 1, 1000, -1);
SELECT * FROM univ3_swap_step('79228162514264337593543950336', 0, 1, 1000, 3000);

-- ---- LiquidityAmounts ----
-- 1 token0 and 1 token1 over [1/2, 2] around price 1 (ticks -6932 .. 6931)
SELECT univ3_liquidity_for_amounts('79228162514264337593543950336', univ3_sqrt_price_at_tick(-6932), univ3_sqrt_price_at_tick(6931),
       1e18::numeric::uint256, 1e18::numeric::uint256) AS liquidity;
SELECT * FROM univ3_amounts_for_liquidity('79228162514264337593543950336', univ3_sqrt_price_at_tick(-6932), univ3_sqrt_price_at_tick(6931),
       '3414213562373095048');
-- below the range only token0 counts, above it only token1
SELECT univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(-10000), univ3_sqrt_price_at_tick(-6932), univ3_sqrt_price_at_tick(6931), 1e18::numeric::uint256, 0) AS below,
       univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(10000), univ3_sqrt_price_at_tick(-6932), univ3_sqrt_price_at_tick(6931), 0, 1e18::numeric::uint256) AS above;
SELECT * FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(-10000), univ3_sqrt_price_at_tick(6931), univ3_sqrt_price_at_tick(-6932), 1e18::numeric::uint256);
-- bad inputs: empty range, a liquidity that does not fit uint128
SELECT univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(-10000), univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(5), 1, 1);
SELECT univ3_liquidity_for_amounts('79228162514264337593543950336', univ3_sqrt_price_at_tick(-1), univ3_sqrt_price_at_tick(1), ~0::uint256 >> 100, 1);
SELECT * FROM univ3_amounts_for_liquidity(0, 0, 0, 1);
SELECT * FROM univ3_amounts_for_liquidity('79228162514264337593543950336', 1, 2, '340282366920938463463374607431768211456');
