-- 078_risk_stress_gate: the linear stress of a set of exposures
-- (risk_stress_exposures, src/risk/stress.sql) and the gate's "stress"
-- check against max_stress_loss and max_stress_loss_share.
--
-- Hand-made exposures on a test chain: 200 of an LST, 20 of an LRT and 30 of
-- a USD stablecoin (classed through risk_asset_classes) and 50 of an
-- unclassed asset; value 300.  In ETH terms the June 2022 scenario loses
-- 200 x (1 - 0.935) = 13, April 2024 20 x (1 - 0.8) = 4, ETH -30 % gains
-- 30 x (1/0.7 - 1) on the stablecoin, and borrow rates x3 move no value.
-- All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT lives_ok($$SELECT add_chain(990078, 'stress-gate-test', ARRAY['http://127.0.0.1:9'], enabled => false)$$, 'fixture: a chain');
INSERT INTO risk_asset_classes (chain_id, asset, class) VALUES
	(990078, '0x1111111111111111111111111111111111111111', 'lst'),
	(990078, '0x2222222222222222222222222222222222222222', 'lrt'),
	(990078, '0x3333333333333333333333333333333333333333', 'usd');
CREATE TEMP TABLE x AS SELECT ARRAY[
	ROW('0x1111111111111111111111111111111111111111', NULL, 200, NULL, NULL, NULL, NULL)::risk_exposure,
	ROW('0x2222222222222222222222222222222222222222', NULL, 20, NULL, NULL, NULL, NULL)::risk_exposure,
	ROW('0x3333333333333333333333333333333333333333', NULL, 30, NULL, NULL, NULL, NULL)::risk_exposure,
	ROW('0x4444444444444444444444444444444444444444', NULL, 50, NULL, NULL, NULL, NULL)::risk_exposure] AS e;

-- ---- the linear stress per scenario ----
SELECT is((SELECT array_agg((s.scenario, s.value, round(s.loss, 9), round(s.loss_share, 9))::text ORDER BY s.scenario)
			 FROM x, risk_stress_exposures(990078, x.e) s),
	ARRAY['(borrow_rates_x3,300,0.000000000,0.000000000)',
		  '(eth_minus_30,300,' || round(30 * (1 - 1 / 0.7), 9) || ',' || round(30 * (1 - 1 / 0.7) / 300, 9) || ')',
		  '(lrt_april_2024,300,4.000000000,' || round(4 / 300.0, 9) || ')',
		  '(steth_june_2022,300,13.000000000,' || round(13 / 300.0, 9) || ')'],
	'each scenario: loss = notional x (1 - factor), June 2022 = 200 x (1 - 0.935)');
SELECT is((SELECT round(s.loss, 9) FROM x, risk_stress_exposures(990078, x.e, '0x3333333333333333333333333333333333333333') s
			WHERE s.scenario = 'eth_minus_30'),
	round(270 * (1 - 0.7), 9),
	'against a USD numeraire ETH -30 % loses 30 % of the ETH-priced notionals (LST, LRT, ETH), nothing on the numeraire');
SELECT is((SELECT array_agg((s.scenario, s.value, s.loss, s.loss_share)::text ORDER BY s.scenario)
			 FROM risk_stress_exposures(990078, '{}') s),
	ARRAY['(borrow_rates_x3,0,0,)', '(eth_minus_30,0,0,)', '(lrt_april_2024,0,0,)', '(steth_june_2022,0,0,)'],
	'no exposures: no loss, no share');
SELECT is((SELECT round(s.loss, 9) FROM risk_stress_exposures(990078,
			ARRAY[ROW('0x1111111111111111111111111111111111111111', NULL, -100, NULL, NULL, NULL, NULL)::risk_exposure]) s
			WHERE s.scenario = 'steth_june_2022'),
	-6.5::numeric, 'a short LST gains in June 2022 (a negative loss)');
SELECT is((SELECT array_agg((s.scenario, s.value, s.loss, s.loss_share)::text ORDER BY s.scenario)
			 FROM risk_stress_exposures(990078, ARRAY[
				ROW('0x1111111111111111111111111111111111111111', NULL, 200, NULL, NULL, NULL, NULL)::risk_exposure,
				ROW('0x2222222222222222222222222222222222222222', NULL, 20, NULL, NULL, NULL, NULL)::risk_exposure,
				ROW('0x4444444444444444444444444444444444444444', NULL, 80, NULL, NULL, NULL, NULL)::risk_exposure]) s),
	ARRAY['(borrow_rates_x3,300,0,0)', '(eth_minus_30,300,0,0)', '(lrt_april_2024,300,4,0.013333333333333333)',
		  '(steth_june_2022,300,13,0.043333333333333333)'],
	'the example of docs/risk.md: losses and shares as shown');

-- ---- limits ----
SELECT is((SELECT (l.max_stress_loss, l.max_stress_loss_share)::text FROM risk_set_limits(990078, max_stress_loss => 10,
			max_stress_loss_share => 0.5) l),
	'(10,0.5)', 'risk_set_limits sets max_stress_loss and max_stress_loss_share');
SELECT is(risk_limit(990078, 'max_stress_loss'), 10::numeric, 'risk_limit reads max_stress_loss');
SELECT is(risk_limit(990078, 'max_stress_loss_share'), 0.5, 'and max_stress_loss_share');
SELECT throws_ok($$SELECT risk_set_limits(990078, max_stress_loss_share => 1.5)$$, '23514', NULL, 'a share is at most 1');
SELECT is((SELECT count(*)::int FROM risk_checks WHERE name = 'stress' AND builtin AND enabled
			AND check_fn = 'amplified.risk_check_stress'::regproc), 1, 'the stress check is registered');

-- ---- the gate's stress check ----
CREATE TEMP TABLE prop AS SELECT jsonb_build_object('chain_id', 990078, 'action', 'open', 'value', 300,
	'exposures', jsonb_build_array(
		jsonb_build_object('asset', '0x1111111111111111111111111111111111111111', 'notional', 200),
		jsonb_build_object('asset', '0x2222222222222222222222222222222222222222', 'notional', 20),
		jsonb_build_object('asset', '0x3333333333333333333333333333333333333333', 'notional', 30),
		jsonb_build_object('asset', '0x4444444444444444444444444444444444444444', 'notional', 50))) AS p;
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p) g),
	'(f,{limit:max_stress_loss:steth_june_2022:13>10})',
	'above max_stress_loss: blocked, the reason naming the worst scenario and the figures');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p || '{"reduces_risk": true}') g),
	'(t,{})', 'a proposal that reduces risk passes');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p || '{"action": "hold"}') g),
	'(t,{})', 'a hold passes');
SELECT lives_ok($$SELECT risk_set_limits(990078, max_stress_loss => 13)$$, 'a loss limit at the loss');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p) g), '(t,{})',
	'a loss at the limit passes');
SELECT lives_ok($$SELECT risk_set_limits(990078, max_stress_loss => 20, max_stress_loss_share => 0.04)$$, 'a share limit');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p) g),
	'(f,{limit:max_stress_loss_share:steth_june_2022:0.043333>0.04})',
	'above max_stress_loss_share: loss / value against the share');
SELECT lives_ok($$SELECT risk_set_limits(990078, max_stress_loss => 10, max_stress_loss_share => 0.04)$$, 'both limits');
SELECT is((SELECT g.reasons FROM prop, risk_gate(990078, prop.p) g),
	ARRAY['limit:max_stress_loss:steth_june_2022:13>10', 'limit:max_stress_loss_share:steth_june_2022:0.043333>0.04'],
	'both limits exceeded: both reasons');
SELECT lives_ok($$SELECT risk_set_limits(990078, max_stress_loss => 20, max_stress_loss_share => 0.05)$$, 'limits above');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p) g), '(t,{})', 'below both limits: allowed');
SELECT lives_ok($$SELECT risk_set_limits(990078, max_stress_loss => 1)$$, 'a tight limit');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM risk_gate(990078, jsonb_build_object('chain_id', 990078, 'action', 'open',
			'exposures', jsonb_build_array(jsonb_build_object('asset', '0x3333333333333333333333333333333333333333', 'notional', 30)))) g),
	'(t,{})', 'exposures no scenario loses on pass');
SELECT is((SELECT (g.allowed, g.reasons)::text FROM prop, risk_gate(990078, prop.p) g),
	'(f,{limit:max_stress_loss:steth_june_2022:13>1})', 'the strategy''s own limit applies');

SELECT * FROM finish();
ROLLBACK;
