-- 083_forecast_regimes: the lp_univ3 kind with a regime model, without a
-- node: a 2-state hmm trained on a simulated return series into a forecast
-- project; a synthetic pool whose price is calm for a while, then volatile;
-- the policy's width, limit order and pause follow the regime the live
-- model reads from the pool's bucketed returns, and the decision records
-- the regime (label, probability, model id) in its inputs and reasons.
-- Without a live model the decision says so and falls back to the
-- parameters as they are.  Validation of the regime parameters (22023).
-- Needs the hmm kind (src/forecast/hmm.c).
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- ---- a regime model: 2 states on simulated returns ----
-- 300 returns: calm (sd 0.0002) and volatile (sd 0.015) in blocks of 50,
-- normal draws by Box-Muller from a seeded random().
SELECT setseed(0.083);
CREATE TABLE public.k_regime_series AS
	SELECT t, CASE WHEN (t / 50) % 2 = 0 THEN 0.0002 ELSE 0.015 END
			  * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS r
	  FROM generate_series(0, 299) t;
CREATE TEMP TABLE m AS SELECT forecast_train('lp_regime', 'hmm', 'SELECT r FROM public.k_regime_series ORDER BY t', 'r',
	'{"states": 2, "seed": 83}') AS id;
SELECT is((SELECT model_id FROM forecast_regime('lp_regime')), (SELECT id FROM m), 'the trained model is the project''s live model');
SELECT is((SELECT labels FROM forecast_regime('lp_regime')), ARRAY['calm', 'volatile'], 'two states: calm and volatile');
SELECT is((SELECT label FROM forecast_regime('lp_regime', ARRAY(SELECT 0.0001 * (-1) ^ g FROM generate_series(1, 20) g))),
	'calm', 'returns of 1e-4 read as calm');
SELECT is((SELECT label FROM forecast_regime('lp_regime', ARRAY(SELECT 0.015 * (-1) ^ g FROM generate_series(1, 20) g))),
	'volatile', 'returns of 1.5e-2 read as volatile');

-- ---- a synthetic chain: a block every 10 minutes; the pool calm for 25
-- blocks (its tick 5, 6, 5, ...), then volatile (±150 ticks a block) ----
SELECT lives_ok($$SELECT add_chain(999083, 'regime-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$,
	'a chain that is never called');
CREATE FUNCTION pg_temp.h(n bigint) RETURNS amplified.bytes32 LANGUAGE sql AS $$ SELECT ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32 $$;
CREATE FUNCTION pg_temp.add_block(n bigint, tick int) RETURNS void LANGUAGE sql AS $$
	INSERT INTO amplified.blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (999083, n, pg_temp.h(n + 1000), pg_temp.h(n + 999), now() - interval '10 hours' + n * interval '10 minutes');
	INSERT INTO amplified.univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
		observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999083, n, '0x00000000000000000000000000000000000000e0', amplified.univ3_sqrt_price_at_tick(tick), tick, 0, 1, 1, 0,
			true, '1000000000000000000000') $$;
SELECT pg_temp.add_block(n, 5 + n % 2) FROM generate_series(1, 25) n;
SELECT pg_temp.add_block(n, 5 + 150 * (n % 2)) FROM generate_series(26, 50) n;
SELECT is(cardinality(strategy_lp_regime_series(999083, '0x00000000000000000000000000000000000000e0',
	(SELECT timestamp FROM blocks WHERE chain_id = 999083 AND number = 25), '10 minutes', 20)), 20,
	'the pool''s series: 20 returns of 10-minute buckets');
SELECT is(strategy_lp_regime_series(999083, '0x00000000000000000000000000000000000000e0',
	(SELECT timestamp FROM blocks WHERE chain_id = 999083 AND number = 25), '10 minutes', 3),
	ARRAY[ln(1.0001::float8), -ln(1.0001::float8), ln(1.0001::float8)],
	'each return is the tick''s change over a bucket times ln(1.0001)');
SELECT is(strategy_lp_regime_series(999083, '0x00000000000000000000000000000000000000e0',
	(SELECT timestamp FROM blocks WHERE chain_id = 999083 AND number = 50), '10 minutes', 2),
	ARRAY[150 * ln(1.0001::float8), -150 * ln(1.0001::float8)], 'and in the volatile stretch ±150 ticks (up at block 49, down at 50)');
SELECT lives_ok($$SELECT add_signer(999083, '0x00000000000000000000000000000000000000f0', 'node')$$, 'signer of the vault');

-- ---- the strategy ----
CREATE TEMP TABLE lp_params AS SELECT '{"pool": "0x00000000000000000000000000000000000000e0",
	"position_manager": "0x00000000000000000000000000000000000000c0",
	"token0": "0x00000000000000000000000000000000000000a0", "token1": "0x00000000000000000000000000000000000000b0",
	"fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2,
	"deadline_seconds": 604800,
	"regime_project": "lp_regime", "regime_bucket": "10 minutes", "regime_lookback": 20,
	"regimes": {"calm": {"k": 1, "limit_order": false}, "volatile": {"width_factor": 3}}}'::jsonb AS p;

-- validation
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": {"calm": {"k": 1, "wide": true}}}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regimes.calm": unknown setting "wide" (settings are k, width_factor, min_width, limit_width, full_range_share, limit_order, pause)',
	'a regime''s settings with an unknown key');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": {"volatile": {"pause": "yes"}}}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regimes.volatile.pause": true or false', 'pause is a boolean');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": {"volatile": {"width_factor": 0}}}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "width_factor": 0 is outside [0.01, 100]', 'width_factor within [0.01, 100]');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": {"calm": {"k": -1}}}', 999083)$$,
	'22023', NULL, 'a regime''s ALM settings are checked by univ3_alm_plan');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": {"calm": 1}}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regimes.calm": an object of settings', 'a regime''s settings are an object');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regimes": []}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regimes": an object of settings per regime label', 'regimes is an object');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regime_feed": "market"}', 999083)$$,
	'22023', NULL, 'regime_feed is pool or model');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regime_project": "Not A Project"}', 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regime_project": a forecast project name', 'regime_project is a project name');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p - 'regime_project' FROM lp_params), 999083)$$,
	'22023', 'invalid lp_univ3 parameter "regime_project": the regime parameters need the forecast project of the regime model',
	'regime settings without a project');
SELECT throws_ok($$SELECT strategy_validate_lp_univ3((SELECT p FROM lp_params) || '{"regime_lookback": 1}', 999083)$$,
	'22023', NULL, 'at least two buckets');
SELECT is((SELECT x ->> 'regime_feed' FROM strategy_validate_lp_univ3((SELECT p FROM lp_params), 999083) x), 'pool',
	'regime_feed defaults to the pool''s returns');
SELECT is((SELECT x ->> 'regime_min_prob' FROM strategy_validate_lp_univ3((SELECT p FROM lp_params), 999083) x), '0',
	'regime_min_prob defaults to 0');

CREATE TEMP TABLE lp AS SELECT * FROM strategy_create('regime lp', 'lp_univ3', 999083,
	'0x00000000000000000000000000000000000000f0', (SELECT p FROM lp_params), enabled => true);
INSERT INTO positions (strategy_id, protocol, asset, amount, block_number) VALUES
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000a0', '10000000000000000000', 25),
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000b0', '10000000000000000000', 25);

-- The policy on what the gather sees at a block (as run_strategies calls them).
CREATE FUNCTION pg_temp.decide(block bigint, OUT state jsonb, OUT result jsonb) LANGUAGE plpgsql AS $$
BEGIN
	state := amplified.strategy_gather_lp_univ3((SELECT x FROM amplified.strategies x WHERE x.id = (SELECT id FROM lp)), block)
			 || jsonb_build_object('decided_at', now());
	result := amplified.strategy_policy_lp_univ3((SELECT x FROM amplified.strategies x WHERE x.id = (SELECT id FROM lp)), state);
END $$;
CREATE FUNCTION pg_temp.base_width(result jsonb) RETURNS int LANGUAGE sql AS $$
	SELECT (r ->> 'tick_upper')::int - (r ->> 'tick_lower')::int FROM jsonb_array_elements(result -> 'plan' -> 'rows') r
	 WHERE r ->> 'role' = 'base' $$;

-- ---- calm (block 25) ----
CREATE TEMP TABLE calm AS SELECT * FROM pg_temp.decide(25);
SELECT is((SELECT state -> 'regime' ->> 'label' FROM calm), 'calm', 'block 25: the model reads the calm pool as calm');
SELECT is((SELECT (state -> 'regime' ->> 'model_id')::bigint FROM calm), (SELECT id FROM m), 'the regime names the live model');
SELECT ok((SELECT (state -> 'regime' ->> 'prob')::float8 > 0.5 FROM calm), 'and its probability');
SELECT is((SELECT (state -> 'regime' ->> 'observations')::int FROM calm), 20, 'conditioned on 20 bucketed returns');
SELECT is((SELECT result -> 'reasons' FROM calm), '["no_position", "regime:calm"]', 'reasons: no position, regime calm');
SELECT is((SELECT result -> 'plan' -> 'alm' ->> 'k' FROM calm), '1', 'calm: k = 1');
SELECT is((SELECT result -> 'plan' -> 'rows' FROM calm),
	(SELECT jsonb_agg(to_jsonb(x)) FROM univ3_alm_plan(univ3_sqrt_price_at_tick(6), 10, 0.01, 1,
		'10000000000000000000', '10000000000000000000', '{"k": 1}') x WHERE x.role <> 'limit'),
	'calm: the plan is univ3_alm_plan with k = 1, without its limit row');
SELECT is((SELECT result -> 'plan' -> 'limit_dropped' ->> 'role' FROM calm), 'limit', 'the dropped limit row is recorded');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM calm, jsonb_array_elements(result -> 'intents') WITH ORDINALITY e(i, o)),
	ARRAY['approve', 'approve', 'mint'], 'calm: one mint (the base), no limit order');

-- ---- volatile (block 50) ----
CREATE TEMP TABLE vol AS SELECT * FROM pg_temp.decide(50);
SELECT is((SELECT state -> 'regime' ->> 'label' FROM vol), 'volatile', 'block 50: the model reads the pool as volatile');
SELECT is((SELECT result -> 'reasons' FROM vol), '["no_position", "regime:volatile"]', 'reasons: regime volatile');
SELECT is((SELECT (result -> 'plan' -> 'alm' ->> 'k')::float8 FROM vol), 6::float8, 'volatile: k = 2 x width_factor 3');
SELECT is((SELECT result -> 'plan' -> 'rows' FROM vol),
	(SELECT jsonb_agg(to_jsonb(x)) FROM univ3_alm_plan(univ3_sqrt_price_at_tick(5), 10, 0.01, 1,
		'10000000000000000000', '10000000000000000000', '{"k": 6}') x),
	'volatile: the plan is univ3_alm_plan with k = 6, limit order included');
SELECT cmp_ok((SELECT pg_temp.base_width(result) FROM vol), '>', (SELECT 2 * pg_temp.base_width(result) FROM calm),
	'the volatile base range is more than twice as wide as the calm one');
SELECT is((SELECT count(*)::int FROM vol, jsonb_array_elements(result -> 'intents') i WHERE i ->> 'step' = 'mint'), 2,
	'volatile: base and limit minted');

-- ---- volatile paused ----
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"regimes": {"calm": {"k": 1, "limit_order": false}, "volatile": {"pause": true}}}')$$,
	'the regimes are an operator''s to change (no contract in them)');
CREATE TEMP TABLE paused AS SELECT * FROM pg_temp.decide(50);
SELECT is((SELECT result ->> 'action' FROM paused), 'hold', 'volatile paused: hold instead of open');
SELECT is((SELECT result -> 'reasons' FROM paused), '["no_position", "regime:volatile", "regime_pause:open"]',
	'reasons: what it would have done and why not');
SELECT is((SELECT result -> 'plan' -> 'regime' ->> 'label' FROM paused), 'volatile', 'the hold''s plan records the regime');
SELECT is((SELECT jsonb_array_length(result -> 'intents') FROM paused), 0, 'nothing to send');

-- ---- the engine's run records it ----
CREATE TEMP TABLE run AS SELECT run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM lp)]) AS r;
CREATE TEMP TABLE d AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM lp) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, status, reasons) FROM d), ROW('hold'::text, 'noop'::text, ARRAY['no_position', 'regime:volatile', 'regime_pause:open']),
	'run_strategies at block 50: hold, regime volatile, paused');
SELECT is((SELECT (inputs -> 'regime' ->> 'model_id')::bigint FROM d), (SELECT id FROM m), 'the decision''s inputs name the model');
SELECT ok((SELECT inputs -> 'regime' ? 'probs' AND inputs -> 'regime' ? 'prob' FROM d), 'and the probabilities');
SELECT is((SELECT (strategy_replay(id) ->> 'matches')::boolean FROM d), true, 'the decision replays on its inputs');

-- ---- no live model: the decision says so, the parameters decide ----
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"regime_project": "lp_nothing"}')$$, 'a project without models');
CREATE TEMP TABLE none AS SELECT * FROM pg_temp.decide(50);
SELECT ok((SELECT state -> 'regime' ? 'error' FROM none), 'the regime''s error is in the inputs');
SELECT is((SELECT state -> 'regime' ->> 'project' FROM none), 'lp_nothing', 'with the project asked');
SELECT is((SELECT result -> 'reasons' FROM none), '["no_position", "regime_unavailable"]', 'reason regime_unavailable');
SELECT is((SELECT result -> 'plan' -> 'rows' FROM none),
	(SELECT jsonb_agg(to_jsonb(x)) FROM univ3_alm_plan(univ3_sqrt_price_at_tick(5), 10, 0.01, 1,
		'10000000000000000000', '10000000000000000000', '{"k": 2}') x),
	'and the plan is the one without regimes (k = 2, limit included)');

-- ---- an uncertain regime decides nothing ----
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"regime_project": "lp_regime", "regime_min_prob": 1}')$$, 'min prob 1');
CREATE TEMP TABLE unsure AS SELECT * FROM pg_temp.decide(25);
SELECT is((SELECT result -> 'reasons' FROM unsure),
	CASE WHEN (SELECT (state -> 'regime' ->> 'prob')::float8 FROM unsure) < 1 THEN '["no_position", "regime_uncertain:calm"]'::jsonb
		 ELSE '["no_position", "regime:calm"]' END,
	'below regime_min_prob the regime is recorded as uncertain');

-- ---- a strategy without regimes reads none ----
SELECT is((SELECT x ? 'regime_project' FROM strategy_validate_lp_univ3((SELECT p - 'regime_project' - 'regime_bucket' - 'regime_lookback' - 'regimes' FROM lp_params), 999083) x),
	false, 'without a regime project there is no regime parameter');

SELECT * FROM finish();
ROLLBACK;
