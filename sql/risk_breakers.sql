-- risk_breakers: the pure circuit-breaker math.  risk_breaker_level's tiers
-- and hysteresis (a level is entered at its threshold and left only below
-- threshold - band), one edge case per line; risk_max_move against a
-- brute-force reference over all ordered pairs run by the test;
-- risk_depeg_bps against hand-checked discounts; bad inputs.
SET search_path = amplified, public;
\pset null '(null)'

-- ---- risk_breaker_level: depeg-like tiers warn 100, reduce_only 300, halt 500, band 25 ----
SELECT risk_breaker_level(99.99, 100, 300, 500, 25, 'ok') AS below_warn;
SELECT risk_breaker_level(100, 100, 300, 500, 25, 'ok') AS at_warn_enters;
SELECT risk_breaker_level(90, 100, 300, 500, 25, 'warn') AS warn_held_in_band;
SELECT risk_breaker_level(75, 100, 300, 500, 25, 'warn') AS warn_held_at_band_edge;
SELECT risk_breaker_level(74.99, 100, 300, 500, 25, 'warn') AS warn_left_below_band;
SELECT risk_breaker_level(90, 100, 300, 500, 25, 'ok') AS band_does_not_enter;
SELECT risk_breaker_level(299.99, 100, 300, 500, 25, 'warn') AS below_reduce_only;
SELECT risk_breaker_level(300, 100, 300, 500, 25, 'warn') AS at_reduce_only_enters;
SELECT risk_breaker_level(280, 100, 300, 500, 25, 'reduce_only') AS reduce_only_held;
SELECT risk_breaker_level(274.99, 100, 300, 500, 25, 'reduce_only') AS reduce_only_left_to_warn;
SELECT risk_breaker_level(600, 100, 300, 500, 25, 'ok') AS jump_to_halt;
SELECT risk_breaker_level(480, 100, 300, 500, 25, 'halt') AS halt_held;
SELECT risk_breaker_level(474.99, 100, 300, 500, 25, 'halt') AS halt_left_to_reduce_only;
SELECT risk_breaker_level(290, 100, 300, 500, 25, 'halt') AS halt_left_holds_reduce_only_band;
SELECT risk_breaker_level(80, 100, 300, 500, 25, 'halt') AS halt_falls_to_warn_band;
SELECT risk_breaker_level(10, 100, 300, 500, 25, 'halt') AS halt_falls_to_ok;
SELECT risk_breaker_level(-50, 100, 300, 500, 25, 'warn') AS premium_is_ok;
SELECT risk_breaker_level(99, 100, 300, 500, 0, 'warn') AS no_band_no_hysteresis;
SELECT risk_breaker_level(99, 100, 300, 500, NULL, 'warn') AS null_band_is_zero;
SELECT risk_breaker_level(90, 100, 300, 500, 25, NULL) AS null_previous_is_ok;
SELECT risk_breaker_level(NULL, 100, 300, 500, 25, 'halt') AS null_value;
SELECT risk_breaker_level(100, 100, 100, 100, 0, 'ok') AS equal_thresholds_highest_wins;
SELECT risk_breaker_level(60, 100, 300, 500, 300, 'halt') AS wide_band_from_halt_holds_reduce_only;
SELECT risk_breaker_level(250, 100, 300, 500, 300, 'halt') AS wide_band_holds_halt;
SELECT risk_breaker_level(220, 100, 300, 500, 300, 'reduce_only') AS wide_band_never_lifts_to_halt;
-- ---- oracle_stale-like: halt only, at the heartbeat (3600 s) ----
SELECT risk_breaker_level(3599, NULL, NULL, 3600) AS fresh;
SELECT risk_breaker_level(3600, NULL, NULL, 3600) AS at_heartbeat_halts;
SELECT risk_breaker_level('Infinity', NULL, NULL, 3600) AS never_answered_halts;
SELECT risk_breaker_level('-Infinity', NULL, NULL, 3600) AS minus_infinity_ok;
SELECT risk_breaker_level(3000, NULL, NULL, 3600, 0, 'reduce_only') AS unused_tier_not_held;
-- ---- warn and halt, no reduce_only ----
SELECT risk_breaker_level(400, 100, NULL, 500, 25, 'ok') AS skips_unused_tier;
SELECT risk_breaker_level(480, 100, NULL, 500, 25, 'halt') AS halt_held_no_middle;
SELECT risk_breaker_level(470, 100, NULL, 500, 25, 'halt') AS halt_to_warn_no_middle;

-- A value hovering around the warn threshold does not flap: the levels of
-- the series 95, 101, 99, 80, 76, 74, 101, 76 evaluated in turn.
WITH RECURSIVE v(x, i) AS (
	SELECT * FROM unnest(ARRAY[95, 101, 99, 80, 76, 74, 101, 76]::float8[]) WITH ORDINALITY AS u(x, i)),
s(i, x, lvl) AS (
	SELECT 1::bigint, (SELECT x FROM v WHERE i = 1), risk_breaker_level((SELECT x FROM v WHERE i = 1), 100, 300, 500, 25, 'ok')
	UNION ALL
	SELECT v.i, v.x, risk_breaker_level(v.x, 100, 300, 500, 25, s.lvl) FROM s JOIN v ON v.i = s.i + 1)
SELECT string_agg(x || ':' || lvl, ' ' ORDER BY i) AS hovering FROM s;

-- bad inputs
SELECT risk_breaker_level('NaN', 100, 300, 500, 25, 'ok');
SELECT risk_breaker_level(1, NULL, NULL, NULL, 25, 'ok');
SELECT risk_breaker_level(1, 300, 100, 500, 25, 'ok');
SELECT risk_breaker_level(1, 100, 300, 200, 25, 'ok');
SELECT risk_breaker_level(1, 100, NULL, 50, 25, 'ok');
SELECT risk_breaker_level(1, 100, 300, 'Infinity', 25, 'ok');
SELECT risk_breaker_level(1, 100, 300, 500, -1, 'ok');
SELECT risk_breaker_level(1, 100, 300, 500, 'NaN', 'ok');
SELECT risk_breaker_level(1, 100, 300, 500, 'Infinity', 'ok');
SELECT risk_breaker_level(1, 100, 300, 500, 25, 'panic');
SELECT risk_breaker_level(1, 100, 300, 500, 25, 'HALT');

-- ---- risk_max_move: largest |later / earlier - 1| ----
SELECT round(risk_max_move('{100, 110}')::numeric, 12) AS rise_10pct;
SELECT round(risk_max_move('{100, 90}')::numeric, 12) AS fall_10pct;
SELECT round(risk_max_move('{100, 95, 105}')::numeric, 12) AS trough_then_rise, round(105 / 95.0 - 1, 12) AS reference;
SELECT risk_max_move('{100, 125, 100}') AS rise_beats_fall;
SELECT risk_max_move('{100, 80, 100}') AS rise_from_trough;
SELECT risk_max_move('{110, 100}') = 1 - 100 / 110.0::float8 AS fall_relative_to_earlier;
SELECT risk_max_move('{100, 100, 100}') AS flat;
SELECT risk_max_move('{100}') AS one_price;
SELECT risk_max_move('{}') AS empty;
SELECT round(risk_max_move('{NULL, 100, NULL, 110}')::numeric, 12) AS nulls_skipped;
SELECT risk_max_move('{NULL, NULL}') AS only_nulls;
SELECT risk_max_move(NULL) AS null_array;
-- against the brute force over all ordered pairs of a pseudo-random walk of 200 prices
WITH p AS (
	SELECT i, 1000 * exp(sum(sin(i * 12.9898) * 0.02) OVER (ORDER BY i)) AS x
	  FROM generate_series(1, 200) AS i)
SELECT abs(risk_max_move((SELECT array_agg(x ORDER BY i) FROM p))
		   - (SELECT max(abs(b.x / a.x - 1)) FROM p a JOIN p b ON b.i > a.i)) < 1e-12 AS matches_brute_force;
-- bad inputs
SELECT risk_max_move('{100, 0}');
SELECT risk_max_move('{100, -1}');
SELECT risk_max_move('{100, Infinity}');
SELECT risk_max_move('{100, NaN}');
SELECT risk_max_move('{{100, 110}, {120, 130}}');

-- ---- risk_depeg_bps: (1 - market / fair) * 10000 ----
SELECT round(risk_depeg_bps(0.98, 1.0)::numeric, 9) AS steth_at_098;
-- wstETH trading at 1.1385 ETH while stEthPerToken is 1.15: a 1% discount
SELECT round(risk_depeg_bps(1.1385, 1.15)::numeric, 9) AS wsteth_discount;
SELECT round(risk_depeg_bps(1.01, 1.0)::numeric, 9) AS premium_negative;
SELECT risk_depeg_bps(1.15, 1.15) AS at_peg;
SELECT risk_depeg_bps(NULL, 1) AS null_market;
-- bad inputs
SELECT risk_depeg_bps(0, 1);
SELECT risk_depeg_bps(1, 0);
SELECT risk_depeg_bps(-1, 1);
SELECT risk_depeg_bps('NaN', 1);
SELECT risk_depeg_bps(1, 'Infinity');

-- the SQLSTATE of every bad input above: invalid_parameter_value
\set VERBOSITY sqlstate
SELECT risk_breaker_level(1, 300, 100, 500, 25, 'ok');
SELECT risk_max_move('{100, 0}');
SELECT risk_depeg_bps(0, 1);
\set VERBOSITY default
