-- 091_derivs_pendle: Pendle v2 fixed-yield functions: bad inputs with their
-- SQLSTATEs, one per line; values worked by hand from MarketMathCore's
-- formulas on a balanced pool (PT share 1/2, so the logit is 0 and the
-- exchange rate is the anchor); and "lock or float" with a tiny ARIMA model
-- of a generated APR series, checked against forecast_predict_horizon's own
-- steps.  The agreement with an integer port of the contracts is in
-- test/t/131_derivs_pendle.pl.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- ---- PT price, implied APY, YT ----
SELECT throws_ok($$SELECT pendle_pt_price(0.05, -1)$$, '22023', NULL, 'PT price after maturity');
SELECT throws_ok($$SELECT pendle_pt_price(-1, 86400)$$, '22023', NULL, 'PT price at an APY of -100 %');
SELECT throws_ok($$SELECT pendle_pt_price('NaN', 86400)$$, '22023', NULL, 'PT price at a NaN APY');
SELECT throws_ok($$SELECT pendle_pt_price('Infinity', 86400)$$, '22023', NULL, 'PT price at an infinite APY');
SELECT throws_ok($$SELECT pendle_implied_apy(-0.5, 86400)$$, '22023', NULL, 'implied APY of a negative price');
SELECT throws_ok($$SELECT pendle_implied_apy(0, 86400)$$, '22023', NULL, 'implied APY of a zero price');
SELECT throws_ok($$SELECT pendle_implied_apy(0.9, 0)$$, '22023', NULL, 'implied APY at maturity');
SELECT throws_ok($$SELECT pendle_implied_apy(0.9, -86400)$$, '22023', NULL, 'implied APY after maturity');
SELECT throws_ok($$SELECT pendle_implied_apy(1e-300, 1)$$, '22003', NULL, 'implied APY too large for float8');
SELECT throws_ok($$SELECT pendle_yt_price(0.05, -1)$$, '22023', NULL, 'YT price after maturity');
SELECT is(pendle_pt_price(0.05, 31536000), 1 / 1.05::float8, 'PT at 5 % for a year: 1 / 1.05');
SELECT is(round(pendle_implied_apy(0.97, 15768000)::numeric, 12), round(0.97::numeric ^ -2 - 1, 12),
	'PT at 0.97 with half a year to go: 0.97^-2 - 1');
SELECT is(round(pendle_yt_price(0.034, 120 * 86400)::numeric, 12), round(1 - 1.034::numeric ^ (-120 / 365.0), 12),
	'YT at 3.4 %, 120 days: 1 - 1.034^(-120/365)');
SELECT is(pendle_implied_apy(1.02, 31536000) < 0, true, 'a PT above par implies a negative APY');
SELECT is(pendle_pt_price(NULL, 1), NULL, 'strict: NULL in, NULL out');

-- ---- the market ----
SELECT throws_ok($$SELECT pendle_rate_scalar(20, 0)$$, '22023', NULL, 'rate scalar at expiry');
SELECT throws_ok($$SELECT pendle_rate_scalar(-1, 86400)$$, '22023', NULL, 'negative scalar root');
SELECT is(pendle_rate_scalar(20, 31536000 / 4), 80::float8, 'rate scalar: scalar_root * year / time to expiry');

CREATE TEMP TABLE mk AS SELECT pendle_market(1000, 1000, 20, ln(1.05), 0.001, 1000 + 31536000, 1, 50) AS m;
SELECT throws_ok($$SELECT pendle_market_quote(m, 1000 + 31536000) FROM mk$$, '22023', 'the market has expired',
	'quote at expiry');
SELECT throws_ok($$SELECT pendle_market_quote(m, 2000000000) FROM mk$$, '22023', NULL, 'quote after expiry');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(0, 1000, 20, 0.05, 0.001, 2000), 1000)$$, '22023',
	'the market has no PT or no asset', 'a market without PT');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(1000, -1, 20, 0.05, 0.001, 2000), 1000)$$, '22023', NULL,
	'negative SY');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(1000, 1000, 20, 0.05, 0.001, 2000, 0), 1000)$$, '22023', NULL,
	'an SY index of 0');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(1000, 1000, 20, 0.05, 0.001, 2000, 1, 101), 1000)$$, '22023', NULL,
	'a reserve fee of 101 %');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(1000, 1000, 20, -0.05, 0.001, 2000), 1000)$$, '22023', NULL,
	'a negative ln implied rate');
SELECT throws_ok($$SELECT pendle_market_quote(pendle_market(1000, 1000, 20, 'NaN', 0.001, 2000), 1000)$$, '22023', NULL,
	'a NaN ln implied rate');
SELECT throws_ok($$SELECT pendle_market_quote(ROW(1000, 1000, 1, 20, NULL, 0.001, 0, 2000)::pendle_market_state, 1000)$$,
	'22004', 'market state field "last_ln_implied_rate" is null', 'a NULL field');
-- A PT share above 96 %: getMarketPreCompute accepts the state (it runs no
-- _getExchangeRate), so the quote gives the precompute and a NULL exchange
-- rate, and a trade that buys PT back under 96 % goes through, as on chain.
SELECT is((SELECT ROW(rate_scalar, total_asset, exchange_rate, ln_implied_rate, implied_apy, pt_price_asset, pt_price_sy)::text
	FROM pendle_market_quote(pendle_market(1000, 1, 20, 0.05, 0.001, 2000), 1000)), '(630720,1,,,,,)',
	'a pool of 99.9 % PT: the precompute, and no exchange rate beyond the 96 % proportion');
SELECT ok((SELECT rate_anchor IS NOT NULL AND fee_rate IS NOT NULL
	FROM pendle_market_quote(pendle_market(970, 30, 20, 0.2, 0.001, 1000 + 31536000), 1000)),
	'a pool of 97 % PT: rate anchor and fee rate quoted');
SELECT is((SELECT new_total_pt FROM pendle_swap_sy_for_exact_pt(pendle_market(970, 30, 20, 0.2, 0.001, 1000 + 31536000), 100, 1000)),
	870::float8, 'a pool of 97 % PT: buying 100 PT (down to 87 %) trades, as the contract does');
SELECT is((SELECT exchange_rate FROM pendle_wei_quote(ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000 + 31536000)::pendle_market_wei, 1000)),
	NULL, 'wei: a pool of 97 % PT quotes no exchange rate');
SELECT is((SELECT rate_anchor FROM pendle_wei_quote(ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000 + 31536000)::pendle_market_wei, 1000)),
	1047597823668406177::numeric, 'wei: but its rate anchor, e^0.2 - ln(97/3) / 20, to the wei');
SELECT is((SELECT round(net_sy_to_market / 1e18, 9) FROM pendle_wei_swap_sy_for_exact_pt(
		ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000 + 31536000)::pendle_market_wei, 100e18, 1000)),
	(SELECT round(net_sy_to_market::numeric, 9) FROM pendle_swap_sy_for_exact_pt(pendle_market(970, 30, 20, 0.2, 0.001, 1000 + 31536000), 100, 1000)),
	'wei: buying 100 PT from it trades too, and costs the SY the float8 version says');
SELECT throws_ok($$SELECT pendle_swap_exact_pt_for_sy(pendle_market(970, 30, 20, 0.2, 0.001, 1000 + 31536000), 1, 1000)$$, '22003',
	'the PT proportion of the market would exceed 96 %', 'a pool of 97 % PT: selling PT still reverts');

-- now is a unix time: negative is refused (expiry - now would overflow int64)
SELECT throws_ok($$SELECT pendle_market_quote(m, -1) FROM mk$$, '22023', 'now must not be negative: -1', 'quote: negative now');
SELECT throws_ok($$SELECT pendle_market_quote(m, -9223372036854775807) FROM mk$$, '22023', NULL, 'quote: now near -2^63');
SELECT throws_ok($$SELECT pendle_swap_exact_pt_for_sy(m, 1, -9223372036854775807) FROM mk$$, '22023', NULL, 'sell: now near -2^63');
SELECT throws_ok($$SELECT pendle_swap_sy_for_exact_pt(m, 1, -1) FROM mk$$, '22023', NULL, 'buy: negative now');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000)::pendle_market_wei, -9223372036854775807)$$,
	'22023', 'now must not be negative: -9223372036854775807', 'wei quote: now near -2^63');
SELECT throws_ok($$SELECT pendle_wei_swap_sy_for_exact_pt(ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000)::pendle_market_wei, 1e18, -9223372036854775807)$$,
	'22023', NULL, 'wei buy: now near -2^63');
SELECT throws_ok($$SELECT pendle_wei_swap_exact_pt_for_sy(ROW(970e18, 30e18, 1e18, 20e18, 2e17, 1e15, 0, 1000)::pendle_market_wei, 1e18, -1)$$,
	'22023', NULL, 'wei sell: negative now');

SELECT is((SELECT round(exchange_rate::numeric, 12) FROM mk, pendle_market_quote(m, 1000)), round(1.05, 12),
	'balanced pool: the exchange rate is e^lnImpliedRate over a year');
SELECT is((SELECT round(pt_price_asset::numeric, 12) FROM mk, pendle_market_quote(m, 1000)), round(1 / 1.05, 12),
	'and the PT costs 1 / 1.05 asset');
SELECT is((SELECT round(pt_price_sy::numeric, 12)
	FROM pendle_market_quote(pendle_market(1000, 800, 20, ln(1.05), 0.001, 1000 + 31536000, 1.25), 1000)),
	round(1 / 1.05 / 1.25, 12), 'with SY worth 1.25 asset (800 SY = 1000 asset), the PT costs 1 / 1.05 / 1.25 SY');
SELECT is((SELECT round(fee_rate::numeric, 12) FROM mk, pendle_market_quote(m, 1000 + 31536000 / 2)),
	round(exp(0.0005::numeric), 12), 'fee rate decays with time: e^(lnFeeRateRoot * t / year)');
SELECT is((SELECT round(rate_anchor::numeric, 12) FROM mk, pendle_market_quote(m, 1000 + 31536000 / 2)),
	round(sqrt(1.05::numeric), 12), 'half a year on, the anchor is e^(lnImpliedRate / 2)');

-- Sell 100 PT: PT share 1100 / 2000, rate ln(0.55 / 0.45) / 20 + 1.05; the
-- account gets 100 / rate / feeRate, the fee is 100 / rate * (1 - 1 / feeRate),
-- half of it to the reserve.
SELECT is((SELECT round(net_sy_to_account::numeric, 10) FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000)),
	round((100 / (ln(0.55 / 0.45) / 20 + 1.05) / exp(0.001))::numeric, 10), 'sell 100 PT: SY out by hand');
SELECT is((SELECT round(net_sy_fee::numeric, 12) FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000)),
	round((100 / (ln(0.55 / 0.45) / 20 + 1.05) * (1 - exp(-0.001)))::numeric, 12), 'sell 100 PT: the fee');
SELECT is((SELECT round((net_sy_to_reserve / net_sy_fee)::numeric, 12) FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000)),
	0.5, 'half the fee to the reserve');
SELECT is((SELECT round(new_total_sy::numeric, 10) FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000) s),
	(SELECT round((1000 - net_sy_to_account - net_sy_to_reserve)::numeric, 10) FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000)),
	'the pool keeps the LPs'' share of the fee');
SELECT ok((SELECT new_implied_apy > 0.05 FROM mk, pendle_swap_exact_pt_for_sy(m, 100, 1000)),
	'selling PT raises the implied APY');
-- Buy 100 PT: PT share 900 / 2000; the account pays 100 / rate * feeRate.
SELECT is((SELECT round(net_sy_to_market::numeric, 10) FROM mk, pendle_swap_sy_for_exact_pt(m, 100, 1000)),
	round((100 / (ln(0.45 / 0.55) / 20 + 1.05) * exp(0.001))::numeric, 10), 'buy 100 PT: SY in by hand');
SELECT ok((SELECT new_implied_apy < 0.05 FROM mk, pendle_swap_sy_for_exact_pt(m, 100, 1000)),
	'buying PT lowers the implied APY');
SELECT throws_ok($$SELECT pendle_swap_exact_pt_for_sy(m, 0, 1000) FROM mk$$, '22023', NULL, 'sell 0 PT');
SELECT throws_ok($$SELECT pendle_swap_exact_pt_for_sy(m, -5, 1000) FROM mk$$, '22023', NULL, 'sell a negative amount');
SELECT throws_ok($$SELECT pendle_swap_sy_for_exact_pt(m, 'NaN', 1000) FROM mk$$, '22023', NULL, 'buy NaN PT');
SELECT throws_ok($$SELECT pendle_swap_sy_for_exact_pt(m, 1000, 1000) FROM mk$$, '22023',
	'the market holds too little PT for the trade', 'buy all the PT');
SELECT throws_ok($$SELECT pendle_swap_exact_pt_for_sy(m, 30000, 1000) FROM mk$$, '22003',
	'the PT proportion of the market would exceed 96 %', 'sell PT past 96 %');
SELECT throws_ok($$SELECT pendle_swap_sy_for_exact_pt(m, 900, 1000) FROM mk$$, '22003',
	'the exchange rate would fall below 1', 'buy PT until it would cost more than the asset');
SELECT throws_ok($$SELECT pendle_swap_sy_for_exact_pt(m, 10, 1000 + 31536000) FROM mk$$, '22023', NULL, 'swap at expiry');
SELECT is(pendle_initial_ln_implied_rate(1000, 1000, 20, 1.05, 31536000)::numeric(20, 15), ln(1.05)::numeric(20, 15),
	'a balanced new market quotes ln(initial anchor) over a year');
SELECT throws_ok($$SELECT pendle_initial_ln_implied_rate(1000, 1000, 20, 0.99, 31536000)$$, '22003', NULL,
	'an initial anchor below 1');

-- ---- the contract's integers ----
SELECT is(pendle_wei_exp(1e18), 2718281828459045235::numeric, 'LogExpMath.exp(1): e = 2.718281828459045235|36 truncated');
SELECT is(pendle_wei_ln(2e18), 693147180559945309::numeric, 'LogExpMath.ln(2) = 0.693147180559945309|417 truncated');
SELECT is(pendle_wei_exp(0), 1000000000000000000::numeric, 'exp(0) = 1');
SELECT is(pendle_wei_ln(1e18), 0::numeric, 'ln(1) = 0');
SELECT throws_ok($$SELECT pendle_wei_ln(0)$$, '22023', NULL, 'ln(0)');
SELECT throws_ok($$SELECT pendle_wei_ln(-1)$$, '22023', NULL, 'ln of a negative');
SELECT throws_ok($$SELECT pendle_wei_exp(131e18)$$, '22003', NULL, 'exp beyond 130');
SELECT throws_ok($$SELECT pendle_wei_exp(-42e18)$$, '22003', NULL, 'exp below -41');
SELECT throws_ok($$SELECT pendle_wei_exp(1.5)$$, '22023', NULL, 'a fraction of a wei');
SELECT throws_ok($$SELECT pendle_wei_exp('NaN')$$, '22023', NULL, 'NaN');
CREATE TEMP TABLE mw AS SELECT ROW(1000e18, 1000e18, 1e18, 20e18, 48790164169432003, 1e15, 50, 1000 + 31536000)::pendle_market_wei AS m;
SELECT is((SELECT exchange_rate FROM mw, pendle_wei_quote(m, 1000)), 1049999999999999999::numeric,
	'balanced pool: e^lnImpliedRate through LogExpMath (ln(1.05) truncated, so a wei under 1.05)');
SELECT is((SELECT new_total_pt FROM mw, pendle_wei_swap_exact_pt_for_sy(m, 100e18, 1000)), 1100e18,
	'sell 100 PT: the pool holds 1100 PT');
SELECT is((SELECT round(net_sy_to_account / 1e18, 9) FROM mw, pendle_wei_swap_exact_pt_for_sy(m, 100e18, 1000)),
	(SELECT round(net_sy_to_account::numeric, 9) FROM pendle_swap_exact_pt_for_sy(pendle_market(1000, 1000, 20,
		48790164169432003 / 1e18, 0.001, 1000 + 31536000, 1, 50), 100, 1000)),
	'and pays the SY the float8 version pays, to 1e-9');
SELECT throws_ok($$SELECT pendle_wei_swap_exact_pt_for_sy(m, 0, 1000) FROM mw$$, '22023', NULL, 'wei: sell 0 PT');
SELECT throws_ok($$SELECT pendle_wei_swap_exact_pt_for_sy(m, -1, 1000) FROM mw$$, '22023', NULL, 'wei: a negative amount');
SELECT throws_ok($$SELECT pendle_wei_swap_exact_pt_for_sy(m, 30000e18, 1000) FROM mw$$, '22003', NULL, 'wei: past 96 %');
SELECT throws_ok($$SELECT pendle_wei_swap_sy_for_exact_pt(m, 900e18, 1000) FROM mw$$, '22003', NULL, 'wei: rate below 1');
SELECT throws_ok($$SELECT pendle_wei_swap_sy_for_exact_pt(m, 1000e18, 1000) FROM mw$$, '22023', NULL, 'wei: all the PT');
SELECT throws_ok($$SELECT pendle_wei_swap_sy_for_exact_pt(m, 1e18, 1000 + 31536000) FROM mw$$, '22023', NULL, 'wei: expired');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(1000e18, 1000e18, 0, 20e18, 1, 1, 0, 2000)::pendle_market_wei, 1000)$$,
	'22023', NULL, 'wei: a zero index');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(1000e18, 1000e18, 1e18, 20e18, 1, 1, 101, 2000)::pendle_market_wei, 1000)$$,
	'22023', NULL, 'wei: a reserve fee of 101 %');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(1000e18, -1, 1e18, 20e18, 1, 1, 0, 2000)::pendle_market_wei, 1000)$$,
	'22023', NULL, 'wei: negative SY');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(1000e18, 1000e18, 1e18, 20e18, NULL, 1, 0, 2000)::pendle_market_wei, 1000)$$,
	'22004', NULL, 'wei: a NULL field');
SELECT throws_ok($$SELECT pendle_wei_quote(ROW(1000e18, 1000e18, 1e18, 20e18, 0.5, 1, 0, 2000)::pendle_market_wei, 1000)$$,
	'22023', NULL, 'wei: a fractional field');

-- ---- lock or float, given the forecast ----
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 0, 0.03, 0.01)$$, '22023', NULL, 'lock or float at maturity');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 86400, 0.03, -0.01)$$, '22023', NULL, 'a negative sd');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 86400, 0.03, 0.01, -1)$$, '22023', NULL, 'a negative threshold');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(-1, 86400, 0.03, 0.01)$$, '22023', NULL, 'an implied APY of -100 %');
SELECT is((SELECT round(prob_floating_beats_fixed::numeric, 6)
	FROM pendle_fixed_vs_floating(0.034, 120 * 86400, ln(1.034) + 0.004 * 1.959963984540054, 0.004)), 0.975000,
	'floating 1.96 sd above the fixed rate: 97.5 % to beat it');
SELECT is((SELECT recommendation FROM pendle_fixed_vs_floating(0.034, 120 * 86400, ln(1.034) + 0.004 * 1.959963984540054, 0.004)),
	'float', 'and the desk floats');
SELECT is((SELECT row(round(prob_floating_beats_fixed::numeric, 9), recommendation)::text
	FROM pendle_fixed_vs_floating(0.034, 120 * 86400, ln(1.034), 0.004)),
	'(0.500000000,indifferent)', 'expected floating = fixed: even odds, indifferent');
SELECT is((SELECT recommendation FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 0.031, 0.004)), 'lock',
	'floating expected 30 bp under: lock');
SELECT is((SELECT recommendation FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 0.031, 0.004, threshold => 0.005)),
	'indifferent', 'within a 50 bp threshold: indifferent');
SELECT is((SELECT row(prob_floating_beats_fixed, recommendation)::text FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 0.04, 0)),
	'(1,float)', 'no uncertainty: floating above fixed beats it surely');
SELECT is((SELECT round(fixed_term_return::numeric, 12) FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 0.04, 0)),
	round(1.034::numeric ^ (120 / 365.0) - 1, 12), 'the fixed leg over 120 days: 1.034^(120/365) - 1');
SELECT is((SELECT round(expected_floating_term_return::numeric, 12) FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 0.04, 0.01)),
	round(exp(0.04 * 120 / 365.0)::numeric - 1, 12), 'the floating leg: e^(apr * 120/365) - 1');

-- With a forecast model: an AR(1) APR series around 3 %.
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 120 * 86400, 'no_such_apr')$$, '55000', NULL,
	'no live model: 55000');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 120 * 86400, 'no_such_apr', step_seconds => 0)$$, '22023', NULL,
	'step_seconds 0');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, -1, 'no_such_apr')$$, '22023', NULL, 'lock or float after maturity');
SELECT throws_ok($$SELECT pendle_fixed_vs_floating(0.034, 86400 * 20000, 'no_such_apr')$$, '22023', NULL,
	'a term of more than 10000 steps');
SELECT setseed(0.31);
CREATE TEMP TABLE apr AS
WITH RECURSIVE s(i, v) AS (
	SELECT 1, 0.03::float8
	UNION ALL
	SELECT i + 1, 0.03 + 0.7 * (v - 0.03) + 0.001 * (random() - 0.5) FROM s WHERE i < 150)
SELECT i, v FROM s;
SELECT lives_ok($$SELECT forecast_train('wsteth_apr', 'arima', 'SELECT v FROM apr ORDER BY i', 'v', '{"order": [1, 0, 0], "seed": 1}')$$,
	'an AR(1) model of the APR series');
CREATE TEMP TABLE steps AS SELECT * FROM forecast_predict_horizon('wsteth_apr', 11);
SELECT is((SELECT round(expected_floating_apr::numeric, 14) FROM pendle_fixed_vs_floating(0.034, 10 * 86400 + 43200, 'wsteth_apr')),
	(SELECT round(((sum(mean) FILTER (WHERE step <= 10) + 0.5 * sum(mean) FILTER (WHERE step = 11)) / 10.5)::numeric, 14) FROM steps),
	'10.5 days: the time-weighted mean of 11 daily steps (the last half)');
SELECT is((SELECT round(floating_apr_sd::numeric, 14) FROM pendle_fixed_vs_floating(0.034, 10 * 86400 + 43200, 'wsteth_apr')),
	(SELECT round(((sum(sd) FILTER (WHERE step <= 10) + 0.5 * sum(sd) FILTER (WHERE step = 11)) / 10.5)::numeric, 14) FROM steps),
	'its sd the time-weighted step sds (perfectly correlated steps)');
SELECT is((SELECT horizon FROM pendle_fixed_vs_floating(0.034, 10 * 86400 + 43200, 'wsteth_apr')), 11, 'horizon 11 steps');
SELECT is((SELECT model_id FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 'wsteth_apr')),
	(SELECT id FROM forecast_models WHERE project = 'wsteth_apr'), 'the live model answered');
SELECT is((SELECT f.recommendation = p.recommendation AND f.prob_floating_beats_fixed = p.prob_floating_beats_fixed
	FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 'wsteth_apr') f,
		 pendle_fixed_vs_floating(0.034, 120 * 86400, f.expected_floating_apr, f.floating_apr_sd) p), true,
	'the model variant decides as the pure one on the same mean and sd');
SELECT is((SELECT recommendation FROM pendle_fixed_vs_floating(0.034, 120 * 86400, 'wsteth_apr')), 'lock',
	'an APR around 3 % against a fixed 3.4 %: lock');
SELECT is((SELECT recommendation FROM pendle_fixed_vs_floating(0.025, 120 * 86400, 'wsteth_apr')), 'float',
	'against a fixed 2.5 %: float');

SELECT * FROM finish();
ROLLBACK;
