-- 090_derivs_options: option prices, greeks, implied vol and desk analytics:
-- every bad input with its SQLSTATE (one per line), the limits at t = 0 and
-- vol = 0, the documented conventions (vega and rho per unit, theta = -dV/dT
-- per year) checked by differences, and the declarations.  Values against
-- RQuantLib and Hull's examples are in test/t/130_derivs_options.pl.
BEGIN;
SELECT plan(103);
SET LOCAL search_path = amplified, public;

-- ---- bad inputs ----
SELECT throws_ok($$SELECT bs_price(true, -1, 100, 1, 0.05, 0.2)$$, '22023', 'spot must be positive: -1', 'negative spot');
SELECT throws_ok($$SELECT bs_price(true, 0, 100, 1, 0.05, 0.2)$$, '22023', 'spot must be positive: 0', 'zero spot');
SELECT throws_ok($$SELECT bs_price(true, 'NaN', 100, 1, 0.05, 0.2)$$, '22023', 'spot must be a finite number: NaN', 'NaN spot');
SELECT throws_ok($$SELECT bs_price(true, 'Infinity', 100, 1, 0.05, 0.2)$$, '22023', 'spot must be a finite number: Infinity', 'infinite spot');
SELECT throws_ok($$SELECT bs_price(true, 100, -100, 1, 0.05, 0.2)$$, '22023', 'strike must be positive: -100', 'negative strike');
SELECT throws_ok($$SELECT bs_price(true, 100, 0, 1, 0.05, 0.2)$$, '22023', 'strike must be positive: 0', 'zero strike');
SELECT throws_ok($$SELECT bs_price(true, 100, 'NaN', 1, 0.05, 0.2)$$, '22023', NULL, 'NaN strike');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, -0.1, 0.05, 0.2)$$, '22023', 't must not be negative: -0.1', 'negative t');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 'NaN', 0.05, 0.2)$$, '22023', NULL, 'NaN t');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 'Infinity', 0.05, 0.2)$$, '22023', 't must be a finite number: Infinity', 'infinite t');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, 'NaN', 0.2)$$, '22023', 'rate must be a finite number: NaN', 'NaN rate');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, '-Infinity', 0.2)$$, '22023', NULL, 'infinite rate');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, 0.05, -0.2)$$, '22023', 'vol must not be negative: -0.2', 'negative vol');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, 0.05, 'NaN')$$, '22023', NULL, 'NaN vol');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, 0.05, 'Infinity')$$, '22023', NULL, 'infinite vol');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, 0.05, 0.2, 'NaN')$$, '22023', 'div_yield must be a finite number: NaN', 'NaN div_yield');
SELECT throws_ok($$SELECT bs_greeks(false, -5, 100, 1, 0.05, 0.2)$$, '22023', 'spot must be positive: -5', 'greeks: negative spot');
SELECT throws_ok($$SELECT bs_greeks(false, 100, 100, 1, 0.05, -1)$$, '22023', NULL, 'greeks: negative vol');
SELECT throws_ok($$SELECT bs_greeks(false, 100, 100, -1, 0.05, 0.2)$$, '22023', NULL, 'greeks: negative t');
SELECT throws_ok($$SELECT black76_price(true, 0, 100, 1, 0.05, 0.2)$$, '22023', 'forward must be positive: 0', 'Black-76: zero forward');
SELECT throws_ok($$SELECT black76_price(true, -3, 100, 1, 0.05, 0.2)$$, '22023', 'forward must be positive: -3', 'Black-76: negative forward');
SELECT throws_ok($$SELECT black76_price(true, 100, 'NaN', 1, 0.05, 0.2)$$, '22023', NULL, 'Black-76: NaN strike');
SELECT throws_ok($$SELECT black76_greeks(true, 100, 100, 1, 0.05, -0.2)$$, '22023', NULL, 'Black-76 greeks: negative vol');
SELECT throws_ok($$SELECT black76_greeks(true, 100, 100, -1, 0.05, 0.2)$$, '22023', NULL, 'Black-76 greeks: negative t');
SELECT throws_ok($$SELECT implied_vol('heston', true, 5, 100, 100, 1, 0.05)$$, '22023', 'unknown option model: "heston"', 'unknown model');
SELECT throws_ok($$SELECT implied_vol('BS', true, 5, 100, 100, 1, 0.05)$$, '22023', 'unknown option model: "BS"', 'model names are exact');
SELECT throws_ok($$SELECT implied_vol('black76', true, 5, 100, 100, 1, 0.05, 0.02)$$, '22023',
	'div_yield does not apply to model "black76": 0.02', 'Black-76 takes no yield');
SELECT throws_ok($$SELECT implied_vol('bs', true, 5, 100, 100, 0, 0.05)$$, '22023', 't must be positive: 0', 'implied vol at t = 0');
SELECT throws_ok($$SELECT implied_vol('bs', true, 5, 100, 100, -1, 0.05)$$, '22023', NULL, 'implied vol, negative t');
SELECT throws_ok($$SELECT implied_vol('bs', true, 'NaN', 100, 100, 1, 0.05)$$, '22023', 'price must be a finite number: NaN', 'NaN price');
SELECT throws_ok($$SELECT implied_vol('bs', true, 5, -100, 100, 1, 0.05)$$, '22023', 'spot must be positive: -100', 'implied vol, negative spot');
SELECT throws_ok($$SELECT implied_vol('black76', true, 5, -100, 100, 1, 0.05)$$, '22023', 'forward must be positive: -100', 'implied vol, negative forward');
SELECT throws_ok($$SELECT implied_vol('bs', true, 5, 100, 'NaN', 1, 0.05)$$, '22023', NULL, 'implied vol, NaN strike');
SELECT throws_ok($$SELECT implied_vol('bs', true, 5, 100, 100, 1, 'Infinity')$$, '22023', NULL, 'implied vol, infinite rate');
SELECT throws_ok($$SELECT implied_vol('bs', true, -1, 100, 100, 1, 0)$$, '22023',
	'price -1 is not above the lower no-arbitrage bound 0', 'negative price');
SELECT throws_ok($$SELECT implied_vol('bs', true, 0, 100, 120, 1, 0)$$, '22023',
	'price 0 is not above the lower no-arbitrage bound 0', 'zero price of an out-of-the-money call');
SELECT throws_ok($$SELECT implied_vol('bs', true, 20, 100, 80, 1, 0)$$, '22023',
	'price 20 is not above the lower no-arbitrage bound 20', 'in-the-money call at its intrinsic value');
SELECT throws_ok($$SELECT implied_vol('bs', false, 19.5, 80, 100, 1, 0)$$, '22023',
	'price 19.5 is not above the lower no-arbitrage bound 20', 'put below its intrinsic value');
SELECT throws_ok($$SELECT implied_vol('bs', true, 100, 100, 100, 1, 0)$$, '22023',
	'price 100 is not below the upper no-arbitrage bound 100', 'call at the spot');
SELECT throws_ok($$SELECT implied_vol('bs', true, 101, 100, 100, 1, 0)$$, '22023',
	'price 101 is not below the upper no-arbitrage bound 100', 'call above the spot');
SELECT throws_ok($$SELECT implied_vol('black76', false, 100, 100, 100, 1, 0)$$, '22023',
	'price 100 is not below the upper no-arbitrage bound 100', 'put at the strike');
SELECT throws_ok($$SELECT bs_parity_gap('NaN', 1, 100, 100, 1, 0.05)$$, '22023', 'call_price must be a finite number: NaN', 'parity: NaN call');
SELECT throws_ok($$SELECT bs_parity_gap(1, 'Infinity', 100, 100, 1, 0.05)$$, '22023', NULL, 'parity: infinite put');
SELECT throws_ok($$SELECT bs_parity_gap(1, 1, 0, 100, 1, 0.05)$$, '22023', NULL, 'parity: zero spot');
SELECT throws_ok($$SELECT bs_parity_gap(1, 1, 100, 100, -1, 0.05)$$, '22023', NULL, 'parity: negative t');
SELECT throws_ok($$SELECT option_covered_call(3000, 3150, 0.08, 0.04, 0.6, 0, 0)$$, '22023', 'position must be positive: 0', 'covered call: zero position');
SELECT throws_ok($$SELECT option_covered_call(3000, 3150, 0.08, 0.04, 0.6, 0, -2)$$, '22023', NULL, 'covered call: negative position');
SELECT throws_ok($$SELECT option_covered_call(3000, 3150, 0.08, 0.04, 0.6, 0, 'NaN')$$, '22023', NULL, 'covered call: NaN position');
SELECT throws_ok($$SELECT option_covered_call(3000, 3150, 0.08, 0.04, -0.6)$$, '22023', NULL, 'covered call: negative vol');
SELECT throws_ok($$SELECT option_covered_call(0, 3150, 0.08, 0.04, 0.6)$$, '22023', NULL, 'covered call: zero spot');
SELECT throws_ok($$SELECT option_peg_put(1, 0, 0.25, 0.04, 0.1)$$, '22023', 'strike must be positive: 0', 'peg put: zero strike');
SELECT throws_ok($$SELECT option_peg_put(1, 0.97, 'NaN', 0.04, 0.1)$$, '22023', NULL, 'peg put: NaN t');
SELECT throws_ok($$SELECT option_peg_put(1, 0.97, 0.25, 0.04, 0.1, 0, 0)$$, '22023', NULL, 'peg put: zero position');

-- ---- finite inputs whose results overflow float8: 22003, never Infinity or NaN ----
SELECT throws_ok($$SELECT bs_price(true, 1e300, 1, 1, 1000, 0.2)$$, '22003',
	'the option value or a greek is out of range for type double precision', 'forward S e^{rt} overflows');
SELECT throws_ok($$SELECT bs_price(true, 100, 100, 1, -1000, 0.2)$$, '22003', NULL, 'discount factor e^{-rt} overflows');
SELECT throws_ok($$SELECT bs_greeks(true, 1e308, 1e-308, 1, 0.05, 0.2)$$, '22003', NULL, 'greeks: spot / strike overflows');
SELECT throws_ok($$SELECT black76_price(false, 100, 1e308, 10, -100, 0.2)$$, '22003', NULL, 'Black-76: K e^{-rt} overflows');
SELECT throws_ok($$SELECT black76_greeks(false, 100, 1e308, 10, -100, 0.2)$$, '22003', NULL, 'Black-76 greeks: K e^{-rt} overflows');
SELECT throws_ok($$SELECT implied_vol('black76', true, 5, 100, 100, 1, -1000)$$, '22003',
	'discount factor e^(-rate t) = Infinity is out of range', 'implied vol: discount factor overflows');
SELECT throws_ok($$SELECT bs_parity_gap(1, 1, 1e308, 1, 1, -1000)$$, '22003',
	'the parity gap is out of range for type double precision', 'parity: K e^{-rt} overflows');
SELECT throws_ok($$SELECT option_covered_call(3000, 3150, 0.08, 0.04, 0.6, 0, 1e306)$$, '22003',
	'a field of the position''s analytics is out of range for type double precision', 'covered call: position times premium overflows');
SELECT throws_ok($$SELECT option_peg_put(1e300, 1e300, 0.25, 0.04, 0.1, 0, 1e10)$$, '22003', NULL, 'peg put: position times premium overflows');
-- a time value that is a valid price but whose normalised value b underflows
-- the normal distribution function (forward and strike 242 decades apart)
SELECT throws_ok($$SELECT implied_vol('black76', true, 1e-125, 1e-43, 1e199, 225, 0)$$, '22003',
	'no implied volatility found for price 1e-125: beyond the range of double precision', 'implied vol beyond float8: call');
SELECT throws_ok($$SELECT implied_vol('black76', false, 1e-137, 1e190, 1e-55, 0.16, 0)$$, '22003', NULL,
	'implied vol beyond float8: put');

-- ---- NULL in, NULL out ----
SELECT is(bs_price(NULL, 100, 100, 1, 0.05, 0.2), NULL, 'NULL is_call: NULL');
SELECT is(implied_vol('bs', true, NULL, 100, 100, 1, 0.05), NULL, 'NULL price: NULL');

-- ---- t = 0: intrinsic value; greeks are the limits, NULL where infinite ----
SELECT is(bs_price(true, 110, 100, 0, 0.05, 0.2), 10::float8, 't = 0: in-the-money call is worth its intrinsic value');
SELECT is(bs_price(false, 110, 100, 0, 0.05, 0.2), 0::float8, 't = 0: out-of-the-money put is worth nothing');
SELECT is(bs_price(true, 100, 100, 0, 0.05, 0.2), 0::float8, 't = 0: at-the-money call is worth nothing');
SELECT is(black76_price(false, 90, 100, 0, 0.05, 0.2), 10::float8, 't = 0: Black-76 put is worth K - F');
SELECT is((SELECT ARRAY[delta, gamma, vega, theta, rho, vanna, volga, div_rho] FROM bs_greeks(true, 110, 100, 0, 0.05, 0.2)),
	ARRAY[1, 0, 0, -5, 0, 0, 0, 0]::float8[], 't = 0, call in the money: delta 1, theta = -rK, the rest 0');
SELECT is((SELECT theta FROM bs_greeks(true, 110, 100, 0, 0.05, 0.2, 0.03)), 0.03 * 110 - 0.05 * 100::float8,
	't = 0, call in the money with a yield: theta = qS - rK');
SELECT ok((SELECT delta = -1 AND abs(theta - (0.05 * 100 - 0.03 * 90)) < 1e-15 FROM bs_greeks(false, 90, 100, 0, 0.05, 0.2, 0.03)),
	't = 0, put in the money: delta -1, theta = rK - qS');
SELECT is((SELECT ARRAY[delta, gamma, vega, theta, rho, vanna, volga] FROM bs_greeks(true, 90, 100, 0, 0.05, 0.2)),
	ARRAY[0, 0, 0, 0, 0, 0, 0]::float8[], 't = 0, call out of the money: every greek 0');
SELECT is((SELECT ROW(delta, gamma, vega, theta)::text FROM bs_greeks(true, 100, 100, 0, 0.05, 0.2)), '(0.5,,0,)',
	't = 0, at the money: delta 1/2, vega 0, gamma and theta NULL (no finite limit)');
SELECT is((SELECT premium_yield FROM option_covered_call(100, 110, 0, 0.05, 0.2)), NULL, 't = 0: no annualised yield');
SELECT is((SELECT cost_bps_per_year FROM option_peg_put(1, 0.97, 0, 0.05, 0.2)), NULL, 't = 0: no annualised cost');

-- ---- vol = 0: the discounted intrinsic value of the forward ----
SELECT ok(abs(bs_price(true, 100, 90, 1, 0.05, 0) - (100 - 90 * exp(-0.05))) < 1e-13, 'vol 0: call = S - K e^{-rt}');
SELECT is(bs_price(false, 100, 90, 1, 0.05, 0), 0::float8, 'vol 0: out-of-the-money put is worth nothing');
SELECT ok((SELECT delta = 1 AND gamma = 0 AND vega = 0 AND abs(rho - 90 * exp(-0.05)) < 1e-13 FROM bs_greeks(true, 100, 90, 1, 0.05, 0)),
	'vol 0, forward above the strike: delta 1, gamma 0, vega 0, rho K t e^{-rt}');
SELECT ok((SELECT gamma IS NULL AND abs(vega - 100 * exp(-0.03) / sqrt(2 * pi())) < 1e-13 AND delta = 0.5 * exp(-0.03)
			  AND abs(vanna - exp(-0.03) / sqrt(2 * pi()) / 2) < 1e-15 AND volga = 0
		   FROM bs_greeks(true, 100, 100, 1, 0.03, 0, 0.03)),
	'vol 0, forward at the strike: gamma NULL, vega S e^{-qt} sqrt(t) n(0), vanna e^{-qt} n(0) sqrt(t) / 2, volga 0');

-- ---- conventions, by differences ----
SELECT ok(abs((bs_price(true, 100, 105, 0.5, 0.04, 0.3 + 1e-6, 0.02) - bs_price(true, 100, 105, 0.5, 0.04, 0.3 - 1e-6, 0.02)) / 2e-6
			  - (SELECT vega FROM bs_greeks(true, 100, 105, 0.5, 0.04, 0.3, 0.02))) < 1e-6,
	'vega is per unit of vol (1.00 = 100 %)');
SELECT ok(abs((bs_price(true, 100, 105, 0.5 - 1e-6, 0.04, 0.3, 0.02) - bs_price(true, 100, 105, 0.5 + 1e-6, 0.04, 0.3, 0.02)) / 2e-6
			  - (SELECT theta FROM bs_greeks(true, 100, 105, 0.5, 0.04, 0.3, 0.02))) < 1e-6,
	'theta is -dV/dT per year: value lost as calendar time passes');
SELECT ok((SELECT theta < 0 FROM bs_greeks(true, 100, 100, 0.5, 0.04, 0.3)), 'a long at-the-money call decays: theta < 0');
SELECT ok(abs((bs_price(false, 100, 105, 0.5, 0.04 + 1e-7, 0.3, 0.02) - bs_price(false, 100, 105, 0.5, 0.04 - 1e-7, 0.3, 0.02)) / 2e-7
			  - (SELECT rho FROM bs_greeks(false, 100, 105, 0.5, 0.04, 0.3, 0.02))) < 1e-6,
	'rho is per unit of rate');
SELECT ok(abs((bs_price(false, 100, 105, 0.5, 0.04, 0.3, 0.02 + 1e-7) - bs_price(false, 100, 105, 0.5, 0.04, 0.3, 0.02 - 1e-7)) / 2e-7
			  - (SELECT div_rho FROM bs_greeks(false, 100, 105, 0.5, 0.04, 0.3, 0.02))) < 1e-6,
	'div_rho is per unit of yield');
SELECT ok((SELECT abs(c.delta - p.delta - exp(-0.02 * 0.5)) < 1e-15 AND c.gamma = p.gamma AND c.vega = p.vega
				  AND c.vanna = p.vanna AND c.volga = p.volga
		   FROM bs_greeks(true, 100, 105, 0.5, 0.04, 0.3, 0.02) c, bs_greeks(false, 100, 105, 0.5, 0.04, 0.3, 0.02) p),
	'call delta - put delta = e^{-qt}; gamma, vega, vanna and volga alike');
SELECT ok((SELECT abs(rho + 0.5 * black76_price(true, 100, 105, 0.5, 0.04, 0.3)) < 1e-14
		   FROM black76_greeks(true, 100, 105, 0.5, 0.04, 0.3)), 'Black-76 rho with the forward held is -t V');
SELECT ok(abs(bs_parity_gap(bs_price(true, 100, 100, 1, -0.01, 0.2), bs_price(false, 100, 100, 1, -0.01, 0.2), 100, 100, 1, -0.01)) < 1e-13,
	'negative rates: prices and parity hold');
SELECT ok(bs_price(false, 100, 100, 1, -0.01, 0.2) > bs_price(true, 100, 100, 1, -0.01, 0.2), 'negative rate: the at-the-money put is dearer');

-- ---- extremes ----
SELECT ok(bs_price(true, 100, 1e6, 1, 0, 0.2) >= 0, 'far out-of-the-money call: not negative');
SELECT is(bs_price(true, 100, 1e6, 1, 0, 0.2), 0::float8, 'far out-of-the-money call: underflows to 0');
SELECT ok(abs(bs_price(true, 1e6, 100, 1, 0.05, 0.2) - (1e6 - 100 * exp(-0.05))) < 1e-9, 'deep in-the-money call: S - K e^{-rt}');
SELECT ok(abs(implied_vol('bs', true, bs_price(true, 3000, 3000, 1 / 8760.0, 0.04, 0.6), 3000, 3000, 1 / 8760.0, 0.04) - 0.6) < 1e-12,
	'implied vol of a one-hour at-the-money call');
SELECT ok(abs(implied_vol('bs', false, bs_price(false, 1, 0.97, 0.25, 0.04, 0.05, 0.03), 1, 0.97, 0.25, 0.04, 0.03) / 0.05 - 1) < 1e-10,
	'implied vol of a far out-of-the-money peg put at 5 % vol');
SELECT ok(abs(implied_vol('bs', true, bs_price(true, 100, 100, 1, 0, 8), 100, 100, 1, 0) / 8 - 1) < 1e-10,
	'implied vol of 800 %: the call is worth 99.994 of a spot of 100');
SELECT throws_ok($$SELECT implied_vol('bs', true, bs_price(true, 100, 100, 1, 0, 25), 100, 100, 1, 0)$$, '22023',
	'price 100 is not below the upper no-arbitrage bound 100', 'at 2500 % vol the call rounds to the spot: no implied vol');
SELECT ok(implied_vol('bs', true, 1e-300, 100, 100, 1, 0) > 0, 'a price of 1e-300 still has an implied vol');
SELECT ok(implied_vol('black76', true, black76_price(true, 100, 120, 2, 0.05, 0.4), 100, 120, 2, 0.05) - 0.4 < 1e-12,
	'Black-76 implied vol round trip');

-- ---- desk analytics: definitions ----
SELECT ok((SELECT abs(premium - 10 * bs_price(true, 3000, 3150, 30 / 365.0, 0.04, 0.6, 0.03)) < 1e-10
				  AND abs(breakeven - (3000 - premium / 10)) < 1e-10
				  AND abs(max_gain - (150 * 10 + premium)) < 1e-10
				  AND abs(net_delta - 10 * (1 - (SELECT delta FROM bs_greeks(true, 3000, 3150, 30 / 365.0, 0.04, 0.6, 0.03)))) < 1e-12
		   FROM option_covered_call(3000, 3150, 30 / 365.0, 0.04, 0.6, 0.03, 10)),
	'covered call: premium, breakeven, max_gain and net_delta per the whole position');
SELECT ok((SELECT abs(premium - 1000 * bs_price(false, 1, 0.97, 0.25, 0.04, 0.1, 0.03)) < 1e-12
				  AND protected_floor = 970 AND abs(max_loss - (30 + premium)) < 1e-12
				  AND abs(net_delta - 1000 * (1 + (SELECT delta FROM bs_greeks(false, 1, 0.97, 0.25, 0.04, 0.1, 0.03)))) < 1e-9
		   FROM option_peg_put(1, 0.97, 0.25, 0.04, 0.1, 0.03, 1000)),
	'peg put: premium, floor, max_loss and net_delta per the whole position');

-- ---- declarations: pure math, PUBLIC may execute ----
SELECT is(count(*), 8::bigint, 'eight option functions')
  FROM pg_proc p
 WHERE p.pronamespace = 'amplified'::regnamespace
   AND p.proname IN ('bs_price', 'bs_greeks', 'black76_price', 'black76_greeks', 'implied_vol',
					 'bs_parity_gap', 'option_covered_call', 'option_peg_put');
SELECT is(count(*), 0::bigint, 'every one IMMUTABLE, STRICT, PARALLEL SAFE and executable by PUBLIC')
  FROM pg_proc p
 WHERE p.pronamespace = 'amplified'::regnamespace
   AND p.proname IN ('bs_price', 'bs_greeks', 'black76_price', 'black76_greeks', 'implied_vol',
					 'bs_parity_gap', 'option_covered_call', 'option_peg_put')
   AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's'
			AND has_function_privilege('public', p.oid, 'EXECUTE'));

SELECT * FROM finish();
ROLLBACK;
