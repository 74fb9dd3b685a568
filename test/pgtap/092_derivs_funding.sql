-- 092_derivs_funding: perpetual funding carry (src/derivs/funding.sql).
--
-- Generated funding payments: market 'CONST' pays 0.0001 every 8 hours for
-- 30 days (the textbook 0.01 % per 8 h: simple APR 0.0001 * 3 * 365 =
-- 0.1095 and APY 1.0001^1095 - 1 in closed form); market 'GEN' pays
-- pseudo-random rates (from hashint4, deterministic) in [-0.0005, 0.0005]
-- with intervals of 1, 4 or 8 hours.  For GEN the expected figures are
-- computed here independently: the product of (1 + rate) by a plain loop in
-- numeric (not exp/ln of float8 as the module does), raised to year/S by
-- numeric power.  Tolerances: 1e-12 relative for simple sums (float8 sums of
-- a few hundred terms), 1e-10 absolute for the compounded figures (float8
-- exp/ln round-off over a few hundred terms, amplified by year/S <= 365/30).
-- The basis carry is checked against hand arithmetic on CONST.  All of it
-- is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds, mark_price)
SELECT 'testvenue', 'CONST', timestamptz '2026-01-01 00:00+00' + make_interval(hours => 8 * i), 0.0001, 28800, 3000 + i
  FROM generate_series(1, 90) i;
-- GEN: consecutive intervals of 1, 4 or 8 hours, each paid at its end
CREATE TEMP TABLE gen AS
WITH RECURSIVE g(i, at, secs, rate) AS (
	SELECT 0, timestamptz '2026-01-01 00:00+00', 0, 0::float8
	UNION ALL
	SELECT g.i + 1, g.at + make_interval(secs => s.secs), s.secs,
		   ((abs(hashint4(g.i + 1)) % 10001) - 5000) * 1e-7
	  FROM g CROSS JOIN LATERAL (SELECT (ARRAY[3600, 14400, 28800])[1 + abs(hashint4(-g.i - 1)) % 3] AS secs) s
	 WHERE g.at < timestamptz '2026-01-31 00:00+00')
SELECT i, at, secs, rate FROM g WHERE i > 0;
INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds)
SELECT 'testvenue', 'GEN', at, rate, secs FROM gen;

-- The independent figures of GEN over a window: numeric product by a loop.
CREATE FUNCTION pg_temp.expect(from_ts timestamptz, to_ts timestamptz,
	OUT simple numeric, OUT compounded numeric, OUT cumulative numeric, OUT n int, OUT s bigint)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	prod numeric := 1;
	tot numeric := 0;
BEGIN
	n := 0; s := 0;
	FOR r IN SELECT * FROM gen WHERE at > from_ts AND at <= to_ts ORDER BY at LOOP
		prod := prod * (1 + r.rate::numeric);
		tot := tot + r.rate::numeric;
		n := n + 1;
		s := s + r.secs;
	END LOOP;
	IF n > 0 THEN
		simple := tot * 31536000 / s;
		compounded := power(prod, 31536000::numeric / s) - 1;
		cumulative := prod - 1;
	END IF;
END
$$;

-- ---- CONST: closed forms ----
SELECT is(round((SELECT simple_apr FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31'))::numeric, 12),
	0.1095, 'CONST: simple APR = 0.0001 * 3 * 365');
SELECT ok(abs((SELECT compounded_apy FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31'))
	- (power(1.0001::numeric, 1095) - 1)::float8) < 1e-12, 'CONST: compounded APY = 1.0001^1095 - 1');
SELECT ok(abs((SELECT cumulative FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31'))
	- (power(1.0001::numeric, 90) - 1)::float8) < 1e-14, 'CONST: cumulative over 90 payments = 1.0001^90 - 1');
SELECT results_eq($$SELECT payments, covered_seconds, coverage, mean_mark_price FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31')$$,
	$$VALUES (90, 2592000::bigint, 1::float8, 3045.5::float8)$$, 'CONST: 90 payments covering the 30 days, mean mark price');
SELECT results_eq($$SELECT payments, coverage FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01 00:00', '2026-01-01 08:00')$$,
	$$VALUES (1, 1::float8)$$, 'the window is (from_ts, to_ts]: the payment at to_ts counts, one at from_ts does not');
SELECT results_eq($$SELECT payments, coverage FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01 08:00', '2026-01-01 16:00')$$,
	$$VALUES (1, 1::float8)$$, 'a payment at from_ts belongs to the window before');
-- a gap: drop 10 payments; the rate over what is covered is unchanged, coverage falls
SAVEPOINT gap;
DELETE FROM derivs_funding_payments WHERE market = 'CONST' AND at <= '2026-01-04 08:00+00';
SELECT results_eq($$SELECT round(simple_apr::numeric, 12), payments, round(coverage::numeric, 12) FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31')$$,
	$$VALUES (0.1095, 80, round(80 * 28800 / 2592000.0, 12))$$, 'a gap shortens the covered seconds: same APR, coverage 80/90');
ROLLBACK TO SAVEPOINT gap;
SELECT results_eq($$SELECT simple_apr, compounded_apy, cumulative, payments, covered_seconds FROM derivs_funding_annualized('testvenue', 'CONST', '2027-01-01', '2027-02-01')$$,
	$$VALUES (NULL::float8, NULL::float8, NULL::float8, 0, NULL::bigint)$$, 'no payment in the window: NULL rates, 0 payments');
SELECT results_eq($$SELECT payments FROM derivs_funding_annualized('testvenue', 'NOPE', '2026-01-01', '2026-01-31')$$,
	$$VALUES (0)$$, 'an unknown market has no payments');

-- ---- GEN: against the independent loop ----
SELECT ok((SELECT count(*) FROM gen) > 150 AND (SELECT count(DISTINCT secs) FROM gen) = 3
	AND (SELECT min(rate) < 0 AND max(rate) > 0 FROM gen), 'GEN: a few hundred payments, three interval lengths, both signs');
SELECT ok(abs(a.simple_apr - e.simple::float8) <= 1e-12 * abs(e.simple::float8) + 1e-15,
		  format('GEN %s: simple APR %s vs %s', w.label, a.simple_apr, e.simple))
  FROM (VALUES ('whole', timestamptz '2026-01-01', timestamptz '2026-01-31'),
			   ('first week', '2026-01-01', '2026-01-08'),
			   ('odd window', '2026-01-03 05:00', '2026-01-19 13:00')) w(label, f, t)
 CROSS JOIN LATERAL derivs_funding_annualized('testvenue', 'GEN', w.f, w.t) a
 CROSS JOIN LATERAL pg_temp.expect(w.f, w.t) e;
SELECT ok(abs(a.compounded_apy - e.compounded::float8) <= 1e-10 AND abs(a.cumulative - e.cumulative::float8) <= 1e-12
		  AND a.payments = e.n AND a.covered_seconds = e.s,
		  format('GEN %s: APY %s vs %s, cumulative %s vs %s', w.label, a.compounded_apy, e.compounded, a.cumulative, e.cumulative))
  FROM (VALUES ('whole', timestamptz '2026-01-01', timestamptz '2026-01-31'),
			   ('first week', '2026-01-01', '2026-01-08'),
			   ('odd window', '2026-01-03 05:00', '2026-01-19 13:00')) w(label, f, t)
 CROSS JOIN LATERAL derivs_funding_annualized('testvenue', 'GEN', w.f, w.t) a
 CROSS JOIN LATERAL pg_temp.expect(w.f, w.t) e;
-- the series: every daily bucket against the loop over its own window
SELECT is((SELECT count(*)::int FROM derivs_funding_series('testvenue', 'GEN', '2026-01-01', '2026-01-31', '1 day')), 30,
	'GEN: 30 daily buckets, ends from_ts + 1 day .. to_ts');
SELECT is((SELECT count(*)::int
			 FROM derivs_funding_series('testvenue', 'GEN', '2026-01-01', '2026-01-31', '1 day') s
			CROSS JOIN LATERAL pg_temp.expect(s.at - interval '1 day', s.at) e
			WHERE s.payments = e.n AND s.covered_seconds = e.s
			  AND abs(s.simple_apr - e.simple::float8) <= 1e-12 * abs(e.simple::float8) + 1e-15
			  AND abs(s.compounded_apy - e.compounded::float8) <= 1e-10), 30,
	'GEN: each bucket''s simple APR, APY, payments and seconds match the loop over (end - 1 day, end]');
SELECT results_eq($$SELECT at, round(simple_apr::numeric, 12), payments FROM derivs_funding_series('testvenue', 'CONST', '2026-01-30', '2026-02-02', '1 day')$$,
	$$VALUES (timestamptz '2026-01-31 00:00+00', 0.1095, 3), ('2026-02-01 00:00+00', NULL, 0), ('2026-02-02 00:00+00', NULL, 0)$$,
	'CONST series at the end of the data: buckets without payments have NULL rates');

-- ---- basis carry against hand arithmetic (CONST, 30 days) ----
-- staking 3 %, funding 10.95 %: gross 13.95 %; fees 10 bps spread over
-- 30/365 years = 1.216667 %; margin 20 % at 5 % = 1 %; net 11.733333 %
SELECT results_eq(
	$$SELECT round(staking_apr::numeric, 10), round(funding_apr::numeric, 10), round(gross_carry::numeric, 10),
			 round(trading_cost::numeric, 10), round(margin_cost::numeric, 10), round(costs::numeric, 10),
			 round(net_carry::numeric, 10), payments, coverage
		FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST',
			 '2026-01-01', '2026-01-31', trading_fee_bps => 10, margin_fraction => 0.2, margin_rate => 0.05,
			 staking_apr_given => 0.03)$$,
	$$VALUES (0.03, 0.1095, 0.1395, round(0.001 * 365 / 30.0, 10), 0.01, round(0.001 * 365 / 30.0 + 0.01, 10),
			  round(0.1395 - 0.001 * 365 / 30.0 - 0.01, 10), 90, 1::float8)$$,
	'basis carry: 3 % + 10.95 % - 10 bps over 30 days - 20 % margin at 5 %');
SELECT is((SELECT round(net_carry::numeric, 10) FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0',
			'testvenue', 'CONST', '2026-01-01', '2026-01-31', staking_apr_given => 0.03)), 0.1395,
	'basis carry without costs is the gross carry');
-- negative funding: the short pays
SAVEPOINT neg;
UPDATE derivs_funding_payments SET rate = -0.0002 WHERE market = 'CONST';
SELECT is((SELECT round(net_carry::numeric, 10) FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0',
			'testvenue', 'CONST', '2026-01-01', '2026-01-31', staking_apr_given => 0.03)), round(0.03 - 0.0002 * 3 * 365, 10),
	'negative funding: the short pays it, 3 % - 21.9 %');
ROLLBACK TO SAVEPOINT neg;
SELECT results_eq(
	$$SELECT at, round(staking_apr::numeric, 10), round(funding_apr::numeric, 10), round(gross_carry::numeric, 10),
			 round(costs::numeric, 10), round(net_carry::numeric, 10), payments
		FROM derivs_basis_carry_series(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST',
			 '2026-01-01', '2026-01-03', '1 day', trading_fee_bps => 10, margin_fraction => 0.2, margin_rate => 0.05,
			 staking_apr_given => 0.03)$$,
	$$VALUES (timestamptz '2026-01-02 00:00+00', 0.03, 0.1095, 0.1395, round(0.001 * 365 / 2.0 + 0.01, 10), round(0.1395 - 0.001 * 365 / 2.0 - 0.01, 10), 3),
			 ('2026-01-03 00:00+00', 0.03, 0.1095, 0.1395, round(0.001 * 365 / 2.0 + 0.01, 10), round(0.1395 - 0.001 * 365 / 2.0 - 0.01, 10), 3)$$,
	'carry series: per day, fees spread over the 2-day window');

-- ---- privileges ----
SAVEPOINT priv;
SET LOCAL ROLE amplified_reader;
SELECT is((SELECT payments FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-31')), 90, 'a reader reads the annualised funding');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', now(), 0, 1)$$,
	'42501', NULL, 'a reader cannot load payments');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31')$$,
	'42501', NULL, 'the carry (it reads the yield module) is for analysts');
RESET ROLE;
SET LOCAL ROLE amplified_operator;
SELECT lives_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', now(), 0, 1)$$,
	'an operator loads payments');
RESET ROLE;
ROLLBACK TO SAVEPOINT priv;

-- ---- bad inputs, one per line ----
SELECT throws_ok($$SELECT * FROM derivs_funding_annualized(NULL, 'CONST', '2026-01-01', '2026-01-31')$$, '22023', NULL, 'NULL venue');
SELECT throws_ok($$SELECT * FROM derivs_funding_annualized('testvenue', ' ', '2026-01-01', '2026-01-31')$$, '22023', NULL, 'blank market');
SELECT throws_ok($$SELECT * FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-31', '2026-01-01')$$, '22023', NULL, 'reversed window');
SELECT throws_ok($$SELECT * FROM derivs_funding_annualized('testvenue', 'CONST', '2026-01-01', '2026-01-01')$$, '22023', NULL, 'empty window');
SELECT throws_ok($$SELECT * FROM derivs_funding_annualized('testvenue', 'CONST', NULL, '2026-01-01')$$, '22023', NULL, 'NULL from_ts');
SELECT throws_ok($$SELECT * FROM derivs_funding_series('testvenue', 'CONST', '2026-01-01', '2026-01-31', '1 month')$$, '22023', NULL, 'bucket of a month');
SELECT throws_ok($$SELECT * FROM derivs_funding_series('testvenue', 'CONST', '2026-01-01', '2026-01-31', '0')$$, '22023', NULL, 'zero bucket');
SELECT throws_ok($$SELECT * FROM derivs_funding_series('testvenue', 'CONST', '2026-01-01', '2026-01-31', NULL)$$, '22023', NULL, 'NULL bucket');
SELECT throws_ok($$SELECT * FROM derivs_funding_series('testvenue', 'CONST', '2000-01-01', '2026-01-31', '1 second')$$, '22023', NULL, 'too many buckets');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', trading_fee_bps => -1, staking_apr_given => 0.03)$$, '22023', NULL, 'negative trading fee');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', trading_fee_bps => 'NaN', staking_apr_given => 0.03)$$, '22023', NULL, 'NaN trading fee');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', margin_fraction => 1.5, staking_apr_given => 0.03)$$, '22023', NULL, 'margin fraction above 1');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', margin_rate => -0.01, staking_apr_given => 0.03)$$, '22023', NULL, 'negative margin rate');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', margin_rate => NULL, staking_apr_given => 0.03)$$, '22023', NULL, 'NULL margin rate');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', staking_apr_given => 'Infinity')$$, '22023', NULL, 'infinite staking APR');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2027-01-01', '2027-01-31', staking_apr_given => 0.03)$$, '55000', NULL, 'no funding payment in the window');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry(990092, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31')$$, '55000', NULL, 'no staking APR to read and none given');
SELECT throws_ok($$SELECT * FROM derivs_basis_carry_series(1, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'testvenue', 'CONST', '2026-01-01', '2026-01-31', '1 day', margin_fraction => -0.1)$$, '22023', NULL, 'carry series: negative margin fraction');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', now(), -1, 28800)$$, '23514', NULL, 'a rate of -1 (or below) is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', now(), 'NaN', 28800)$$, '23514', NULL, 'a NaN rate is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', now(), 0, 0)$$, '23514', NULL, 'a zero interval is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds, mark_price) VALUES ('v', 'm', now(), 0, 1, 0)$$, '23514', NULL, 'a zero mark price is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES (' v', 'm', now(), 0, 1)$$, '23514', NULL, 'a venue with surrounding blanks is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('v', 'm', 'infinity', 0, 1)$$, '23514', NULL, 'an infinite time is refused');
SELECT throws_ok($$INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds) VALUES ('testvenue', 'CONST', '2026-01-01 08:00+00', 0, 1)$$, '23505', NULL, 'one payment per venue, market and time');

SELECT * FROM finish();
ROLLBACK;
