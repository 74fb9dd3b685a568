-- 077_risk_portfolio: portfolio VaR from the market layer
-- (src/risk/portfolio.sql), the gate's "var" check and the strategies' risk
-- reports (src/strategy/risk_views.sql), over synthetic prices.
--
-- A test source reads daily prices of A and B in U from a table: 11 prices
-- each, the j-th at now() - (10 - j) days - 1 minute, so that over the
-- default window (30 days to now()) they fall in the last 11 one-day
-- buckets and give 10 daily returns.  The expected portfolio return series
-- is computed below from the same prices with plain SQL, not through the
-- market layer.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT lives_ok($$SELECT add_chain(990077, 'portfolio-test', ARRAY['http://127.0.0.1:9'], enabled => false)$$, 'fixture: a chain');
CREATE TABLE public.amp_t_prices (contract amplified.address, j int, at timestamptz, value numeric);
INSERT INTO public.amp_t_prices
SELECT v.c, j - 1, now() - (11 - j) * interval '1 day' - interval '1 minute', v.p[j]
  FROM (VALUES ('0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'::address,
				ARRAY[100, 102, 99, 101, 104, 100, 98, 101, 103, 99, 100]::numeric[]),
			   ('0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'::address,
				ARRAY[50, 50.5, 49, 50, 51, 50.5, 49.5, 50, 50.5, 49, 49.5]::numeric[])) v(c, p)
 CROSS JOIN generate_series(1, 11) j;
-- the observation in effect at from_ts, then those in (from_ts, to_ts]
CREATE FUNCTION public.amp_t_px(bigint, amplified.address, timestamptz, timestamptz)
RETURNS amplified.market_point[] LANGUAGE sql STABLE
AS $$
	SELECT array_agg(ROW(p.at, p.j, p.value)::amplified.market_point ORDER BY p.at)
	  FROM ((SELECT * FROM public.amp_t_prices x WHERE x.contract = $2 AND x.at <= $3 ORDER BY x.at DESC LIMIT 1)
			UNION ALL
			SELECT * FROM public.amp_t_prices x WHERE x.contract = $2 AND x.at > $3 AND x.at <= $4) p
$$;
INSERT INTO market_sources (name, provides, series, description) VALUES ('amp_t_px', 'price', 'public.amp_t_px', 'test prices');
INSERT INTO market_feeds (chain_id, asset, quote, source, contract) VALUES
	(990077, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'amp_t_px',
	 '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
	(990077, '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'amp_t_px',
	 '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');

-- 1000 of A and 500 of B: the portfolio's daily return is
-- (1000 rA + 500 rB) / 1500, by hand from the prices.
CREATE TEMP TABLE x AS SELECT ARRAY[
	ROW('0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', NULL, 1000, NULL, NULL, NULL, NULL)::risk_exposure,
	ROW('0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', NULL, 500, NULL, NULL, NULL, NULL)::risk_exposure] AS e;
CREATE TEMP TABLE hand AS
	SELECT array_agg((1000 * (a.value / pa.value - 1) + 500 * (b.value / pb.value - 1))::float8 / 1500 ORDER BY a.j) AS r
	  FROM public.amp_t_prices a
	  JOIN public.amp_t_prices pa ON pa.contract = a.contract AND pa.j = a.j - 1
	  JOIN public.amp_t_prices b ON b.contract = '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' AND b.j = a.j
	  JOIN public.amp_t_prices pb ON pb.contract = b.contract AND pb.j = b.j - 1
	 WHERE a.contract = '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
SELECT is(cardinality(r), 10, 'fixture: 10 hand-computed daily portfolio returns') FROM hand;

-- ---- risk_portfolio_var ----
SELECT is((SELECT (p.value, p.method, p.observations)::text FROM x, risk_portfolio_var(990077, x.e) p),
	'(1500,historical,10)', 'value is the sum of the notionals; 10 daily returns over the last 30 days');
SELECT ok((SELECT abs(p.var - risk_var(h.r, 0.99) * 1500) < 1e-9 AND abs(p.cvar - risk_cvar(h.r, 0.99) * 1500) < 1e-9
			 FROM x, hand h, risk_portfolio_var(990077, x.e) p),
	'historical VaR and CVaR: risk_var and risk_cvar of the hand-computed series, times the gross notional');
SELECT ok((SELECT abs(p.var - risk_var(h.r, 0.95, 'normal') * 1500) < 1e-9 AND p.var > 0
			 FROM x, hand h, risk_portfolio_var(990077, x.e, 0.95, 'normal') p),
	'normal VaR at 95 %: the same on the same series');
SELECT ok((SELECT abs(p.var - risk_var(h.r, 0.99, 'fhs_ewma') * 1500) < 1e-9
			 FROM x, hand h, risk_portfolio_var(990077, x.e, 0.99, 'fhs_ewma') p),
	'filtered historical simulation (EWMA) on the portfolio series');
SELECT is((SELECT (p.value, abs(p.var - q.var) < 1e-9)::text
			 FROM x, risk_portfolio_var(990077, x.e || ROW('0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', NULL, 200, NULL, NULL, NULL, NULL)::risk_exposure,
										numeraire => '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee') p,
				  risk_portfolio_var(990077, x.e) q),
	'(1700,t)', 'the numeraire held as cash adds to the value and not to the VaR');
SELECT is((SELECT (p.value, p.var, p.cvar, p.observations)::text FROM risk_portfolio_var(990077, '{}') p),
	'(0,0,0,0)', 'no exposure: a VaR of 0');
SELECT throws_ok($$SELECT * FROM risk_portfolio_var(990077,
	ARRAY[ROW('0xdddddddddddddddddddddddddddddddddddddddd', NULL, 10, NULL, NULL, NULL, NULL)::risk_exposure])$$,
	'22023', NULL, 'an asset without a price feed: 22023');
SELECT throws_ok($$SELECT * FROM risk_portfolio_var(990077, (SELECT e FROM x), at => now() - interval '20 days')$$,
	'22023', 'no market data for the portfolio: 0 daily returns common to its assets over '
		|| (now() - interval '50 days')::text || ' to ' || (now() - interval '20 days')::text,
	'a window without prices: 22023 naming the window');

-- ---- contributions ----
SELECT is((SELECT count(*)::int FROM x, risk_portfolio_var_contributions(990077, x.e)), 2, 'one contribution per asset');
SELECT ok((SELECT abs(sum(c.component) - (SELECT p.var FROM risk_portfolio_var(990077, x.e) p)) < 1e-9
			 FROM x, risk_portfolio_var_contributions(990077, x.e) c GROUP BY x.e),
	'the components add up to the historical VaR');
SELECT ok((SELECT abs(sum(c.component) - (SELECT p.var FROM risk_portfolio_var(990077, x.e, 0.95, 'normal') p)) < 1e-9
			 FROM x, risk_portfolio_var_contributions(990077, x.e, 0.95, 'normal') c GROUP BY x.e),
	'and to the normal VaR');
SELECT ok((SELECT bool_and(abs(c.component - c.marginal * c.notional::float8) < 1e-9) FROM x,
			 risk_portfolio_var_contributions(990077, x.e) c),
	'component = marginal x notional');

-- ---- limits and the gate's var check ----
SELECT is((SELECT (l.max_var, l.max_cvar, l.max_var_share)::text FROM risk_set_limits(990077, max_var => 1,
			max_cvar => 1000, max_var_share => 0.5) l),
	'(1,1000,0.5)', 'risk_set_limits sets max_var, max_cvar and max_var_share');
SELECT is(risk_limit(990077, 'max_var'), 1::numeric, 'risk_limit reads max_var');
SELECT is((SELECT count(*)::int FROM risk_checks WHERE name = 'var' AND builtin AND enabled), 1, 'the var check is registered');
CREATE TEMP TABLE prop AS SELECT jsonb_build_object('chain_id', 990077, 'action', 'open', 'value', 1500,
	'exposures', jsonb_build_array(
		jsonb_build_object('asset', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'notional', 1000),
		jsonb_build_object('asset', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'notional', 500))) AS p;
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990077, prop.p) g),
	(SELECT (false, ARRAY['limit:max_var:' || risk_figure(v.var::numeric) || '>1'])::text
	   FROM x, risk_portfolio_var(990077, x.e) v),
	'a proposal above max_var is blocked, the reason naming the limit and the figures');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990077, prop.p || '{"reduces_risk": true}') g),
	'(t,{})', 'one that reduces risk passes');
SELECT lives_ok($$SELECT risk_set_limits(990077, max_var => 1000, max_var_share => 0.001)$$, 'a share limit');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990077, prop.p) g),
	(SELECT (false, ARRAY['limit:max_var_share:' || risk_figure(v.var::numeric / 1500) || '>0.001'])::text
	   FROM x, risk_portfolio_var(990077, x.e) v),
	'max_var_share: VaR / value against the share');
SELECT lives_ok($$SELECT risk_set_limits(990077, max_var => 1000)$$, 'the share limit lifted');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990077, prop.p) g), '(t,{})', 'within the limits: allowed');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM risk_gate(990077, jsonb_build_object('chain_id', 990077, 'action', 'open',
			'exposures', jsonb_build_array(jsonb_build_object('asset', '0xdddddddddddddddddddddddddddddddddddddddd', 'notional', 5)))) g),
	'(f,{limit:var:unmeasured})', 'exposures the market layer cannot measure are blocked under a VaR limit');
SELECT throws_ok($$SELECT risk_limit(990077, 'max_vars')$$, '22023', NULL, 'a misspelt limit is an error');

-- ---- risk reports and v_risk ----
INSERT INTO strategies (name, kind, chain_id, owner, params)
	VALUES ('risk-report', 'lp_univ3', 990077, '0x00000000000000000000000000000000000000f1', '{}');
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
SELECT s.id, 1, now(), '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 1700, 1700, h.h, h.h
  FROM strategies s, (SELECT ARRAY[
		ROW('0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'wallet', 10e18, 18, 100, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW('0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'wallet', 10e6, 6, 50, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW('0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'wallet', 200e6, 6, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding] AS h) h
 WHERE s.name = 'risk-report';
SELECT is((SELECT array_agg((lower(e.asset::text), trim_scale(e.notional))::text) FROM strategies s, strategy_snapshots sn,
			 unnest(strategy_exposures(sn.holdings)) e WHERE s.name = 'risk-report' AND sn.strategy_id = s.id),
	ARRAY['(0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1000)', '(0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,500)',
		  '(0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee,200)'],
	'a snapshot''s holdings as exposures: amount / 10^decimals x price');
SELECT is(risk_refresh_reports(), 2, 'the refresh writes the strategy''s report and the total');
SELECT is(risk_refresh_reports(), 2, 'again for the same snapshot: replaced');
SELECT is((SELECT count(*)::int FROM risk_reports), 2, 'still two reports');
SELECT is((SELECT array_agg((v.strategy, v.value, v.method, v.stress IS NULL, v.error IS NULL, v.at = now(),
							 abs(v.var99 - p99.var) < 1e-9, abs(v.cvar95 - p95.cvar) < 1e-9)::text ORDER BY v.strategy)
			 FROM v_risk v, x,
				  risk_portfolio_var(990077, x.e, 0.99) p99, risk_portfolio_var(990077, x.e, 0.95) p95),
	ARRAY['(risk-report,1700,historical,t,t,t,t,t)', '(total,1700,historical,t,t,t,t,t)'],
	'v_risk: the strategy and the total, VaR/CVaR 95 and 99 as risk_portfolio_var gives them');

-- ---- the schedule ----
SELECT ok(pg_get_function_arguments('schedule_defaults(text, text, text)'::regprocedure) LIKE '%risk_schedule text DEFAULT ''7 * * * *''%',
	'schedule_defaults takes the risk reports'' schedule (hourly)');
SELECT ok(prosrc LIKE '%amplified-risk-reports%risk_refresh_reports()%', 'schedule_defaults schedules risk_refresh_reports')
  FROM pg_proc WHERE oid = 'schedule_defaults(text, text, text)'::regprocedure;

SELECT * FROM finish();
ROLLBACK;
