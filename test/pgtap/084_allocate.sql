-- 084_allocate: the allocate kind without a node: validation (22023), the
-- policy's arithmetic on synthetic members' history (target weights equal
-- the solver's on the same inputs, transfers from over- to under-weight
-- members summing to the moves, drift, gain and cost, band and cost gates),
-- the run (intents sent from the members' vaults through the queue, the
-- guard refusing other senders, the kill switch blocking), and the backtest
-- (no look-ahead, equal weights, the best single member in hindsight).
-- Needs the allocator's solvers (src/forecast/alloc.c).
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT lives_ok($$SELECT add_chain(999084, 'allocate-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$,
	'a chain that is never called');
SELECT lives_ok($$SELECT add_chain(999085, 'other-chain', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$,
	'and another');
CREATE FUNCTION pg_temp.h(n bigint) RETURNS amplified.bytes32 LANGUAGE sql AS $$ SELECT ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32 $$;
CREATE FUNCTION pg_temp.a(n int) RETURNS amplified.address LANGUAGE sql AS $$ SELECT ('0x' || lpad(to_hex(n), 40, '0'))::amplified.address $$;
CREATE FUNCTION pg_temp.add_block(n bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO amplified.blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (999084, n, pg_temp.h(n + 1000), pg_temp.h(n + 999), now() - interval '20 hours' + n * interval '30 minutes') $$;
SELECT pg_temp.add_block(n) FROM generate_series(1, 40) n;

-- Three members (stake strategies, disabled: only their vaults and history
-- matter here), one on another chain.
CREATE FUNCTION pg_temp.member(name text, chain bigint, owner int) RETURNS bigint LANGUAGE sql AS $$
	SELECT (amplified.strategy_create(name, 'stake', chain, pg_temp.a(owner), jsonb_build_object(
		'base_token', pg_temp.a(160)::text, 'base_decimals', 18, 'swap_router', pg_temp.a(208)::text,
		'candidates', jsonb_build_array(jsonb_build_object('token', pg_temp.a(161)::text, 'pool', pg_temp.a(224)::text,
			'fee', 100, 'decimals', 18, 'base_is_token0', true))))).id $$;
CREATE TEMP TABLE mem AS SELECT pg_temp.member('m1', 999084, 241) AS m1, pg_temp.member('m2', 999084, 242) AS m2,
	pg_temp.member('m3', 999084, 243) AS m3, pg_temp.member('mx', 999085, 244) AS mx;
SELECT lives_ok($$SELECT add_signer(999084, pg_temp.a(n), 'node') FROM generate_series(241, 244) n$$,
	'signers of the member vaults and of an address that is none');

-- History: each member's value every 30 minutes (one snapshot per block),
-- m2 clearly better: +0.5 % a period against +0.1 % and +0.05 %, each with
-- a small wobble so that the covariance is not singular.
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
SELECT x.sid, n, b.timestamp, pg_temp.a(160),
	   10 * exp(sum(ln(1 + x.mu + x.amp * sin(n * x.f))) OVER (PARTITION BY x.sid ORDER BY n)), 0, '{}', '{}'
  FROM mem, generate_series(1, 40) n
  JOIN blocks b ON b.chain_id = 999084 AND b.number = n
 CROSS JOIN LATERAL (VALUES (mem.m1, 0.001, 0.002, 1.3), (mem.m2, 0.005, 0.003, 0.7), (mem.m3, 0.0005, 0.001, 2.1)) x(sid, mu, amp, f);

CREATE TEMP TABLE ap AS SELECT jsonb_build_object(
	'members', jsonb_build_array((SELECT m1 FROM mem), jsonb_build_object('strategy_id', (SELECT m2 FROM mem), 'cap', 0.7, 'group', 'aave'),
		jsonb_build_object('strategy_id', (SELECT m3 FROM mem), 'group', 'aave')),
	'asset', pg_temp.a(160)::text, 'asset_decimals', 18, 'return_interval', '30 minutes', 'lookback', 30, 'min_history', 10,
	'risk_aversion', 2, 'band', 0.05, 'horizon', 48, 'group_caps', jsonb_build_object('aave', 0.9),
	'deadline_seconds', 604800) AS p;

-- ---- validation ----
CREATE FUNCTION pg_temp.v(patch jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT amplified.strategy_validate_allocate((SELECT p FROM ap) || patch, 999084) $$;
SELECT throws_ok($$SELECT pg_temp.v('{"foo": 1}')$$, '22023', 'unknown allocate parameter "foo"', 'unknown parameter');
SELECT throws_ok($$SELECT pg_temp.v('{"asset": null}')$$, '22023', NULL, 'asset is required');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array((SELECT m1 FROM mem))))$$, '22023',
	'invalid allocate parameter "members": an array of at least two member strategies (ids or {"strategy_id", ...})', 'two members at least');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array((SELECT m1 FROM mem), (SELECT m1 FROM mem))))$$, '22023',
	'invalid allocate parameter "members": each strategy at most once', 'each member once');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array((SELECT m1 FROM mem), 987654321)))$$, '22023',
	'invalid allocate parameter "members[2].strategy_id": strategy 987654321 does not exist', 'a member must exist');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array((SELECT m1 FROM mem), (SELECT mx FROM mem))))$$, '22023',
	NULL, 'a member on another chain is refused');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array((SELECT m1 FROM mem), jsonb_build_object('strategy_id', (SELECT m2 FROM mem), 'weight', 1))))$$,
	'22023', 'unknown allocate member parameter "weight"', 'a member object with an unknown key');
SELECT throws_ok($$SELECT pg_temp.v(jsonb_build_object('members', jsonb_build_array(jsonb_build_object('strategy_id', (SELECT m1 FROM mem), 'cap', 0.4),
	jsonb_build_object('strategy_id', (SELECT m2 FROM mem), 'cap', 0.5))))$$, '22023',
	'invalid allocate parameter "members": the caps add up to 0.9: they must reach 1', 'caps that cannot hold everything');
SELECT throws_ok($$SELECT pg_temp.v('{"method": "kelly"}')$$, '22023', 'invalid allocate parameter "method": "mv" (mean-variance) or "cvar" (least CVaR)', 'method');
SELECT throws_ok($$SELECT pg_temp.v('{"group_caps": {"lido": 0.5}}')$$, '22023', 'invalid allocate parameter "group_caps.lido": no member is in this group',
	'a group cap of no member''s group');
SELECT throws_ok($$SELECT pg_temp.v('{"band": 2}')$$, '22023', 'invalid allocate parameter "band": 2 is outside [0, 1]', 'band within [0, 1]');
SELECT throws_ok($$SELECT pg_temp.v('{"min_history": 50}')$$, '22023', 'invalid allocate parameter "min_history": at most lookback', 'min_history <= lookback');
SELECT throws_ok($$SELECT pg_temp.v('{"return_interval": "0 s"}')$$, '22023', NULL, 'return_interval within [1 minute, 365 days]');
SELECT is((SELECT pg_temp.v('{}') -> 'members' -> 0), jsonb_build_object('cap', 1, 'owner', pg_temp.a(241)::text, 'strategy_id', (SELECT m1 FROM mem)),
	'a member id becomes an object with its owner and cap 1');
SELECT is((SELECT pg_temp.v('{}') ->> 'method'), 'mv', 'method defaults to mv');

CREATE TEMP TABLE al AS SELECT * FROM strategy_create('allocator', 'allocate', 999084, pg_temp.a(240), (SELECT p FROM ap), enabled => true);
SELECT is(strategy_member_vaults((SELECT x FROM strategies x WHERE x.id = (SELECT id FROM al))), ARRAY[pg_temp.a(241), pg_temp.a(242), pg_temp.a(243)],
	'strategy_member_vaults: the members'' owners');
SELECT throws_ok(format($$SELECT strategy_update(%s, jsonb_build_object('members', jsonb_build_array(%s, %s)))$$,
	(SELECT id FROM al), (SELECT m1 FROM mem), (SELECT m2 FROM mem)), '22023', NULL, 'nor two members without enough caps');
CREATE TEMP TABLE m4 AS SELECT pg_temp.member('m4', 999084, 245) AS id;
SELECT throws_ok(format($$SELECT strategy_update(%s, jsonb_build_object('members', (SELECT p -> 'members' FROM ap) || '[%s]'))$$,
	(SELECT id FROM al), (SELECT id FROM m4)), '42501', NULL,
	'a new member is a new vault: strategy_update refuses it (the admin''s strategy_update_contracts may)');

-- ---- the vaults: m1 holds 6, m2 3, m3 1 WETH at block 30 ----
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, block_number)
SELECT (SELECT id FROM al), 'member', pg_temp.a(160), x.sid, x.amount::numeric::int256, 30
  FROM mem, LATERAL (VALUES (mem.m1, 6e18), (mem.m2, 3e18), (mem.m3, 1e18)) x(sid, amount);

CREATE FUNCTION pg_temp.decide(block bigint, OUT state jsonb, OUT result jsonb) LANGUAGE plpgsql AS $$
BEGIN
	state := amplified.strategy_gather_allocate((SELECT x FROM amplified.strategies x WHERE x.id = (SELECT id FROM al)), block)
			 || jsonb_build_object('decided_at', now());
	result := amplified.strategy_policy_allocate((SELECT x FROM amplified.strategies x WHERE x.id = (SELECT id FROM al)), state);
END $$;
CREATE TEMP TABLE d30 AS SELECT * FROM pg_temp.decide(30);
SELECT is((SELECT jsonb_array_length(state -> 'returns') FROM d30), 29, 'block 30: 29 returns per member (30 snapshots)');
SELECT is((SELECT state -> 'returns' -> 0 -> 1 FROM d30),
	to_jsonb((SELECT (b.value / a.value - 1)::float8 FROM strategy_snapshots a, strategy_snapshots b
			   WHERE a.strategy_id = (SELECT m2 FROM mem) AND b.strategy_id = a.strategy_id AND a.block_number = 1 AND b.block_number = 2)),
	'a return is the value''s growth between snapshots');
SELECT is((SELECT (state -> 'members' -> 1 ->> 'mu')::float8 FROM d30),
	(SELECT avg((r -> 1 #>> '{}')::float8) FROM d30, jsonb_array_elements(state -> 'returns') r),
	'no forecast project: the expected return is the mean of the member''s returns');
SELECT is((SELECT state -> 'members' -> 1 ->> 'mu_source' FROM d30), 'history', 'and says so');

-- The target is the solver's, on the same inputs computed here.
CREATE TEMP TABLE inp AS SELECT
	ARRAY(SELECT ARRAY(SELECT (v #>> '{}')::float8 FROM jsonb_array_elements(r) WITH ORDINALITY y(v, q) ORDER BY q)
			FROM d30, jsonb_array_elements(state -> 'returns') WITH ORDINALITY x(r, o) ORDER BY o) AS rets,
	ARRAY(SELECT (m ->> 'mu')::float8 FROM d30, jsonb_array_elements(state -> 'members') WITH ORDINALITY x(m, o) ORDER BY o) AS mu;
CREATE TEMP TABLE sol AS SELECT * FROM inp, forecast_allocate_mv(inp.mu, risk_ewma_covariance(inp.rets, 0.94), 2,
	ARRAY[1, 0.7, 1]::float8[], ARRAY[0, 1, 1], ARRAY[0.9]::float8[], ARRAY[0.6, 0.3, 0.1]::float8[], 0, 1);
SELECT is((SELECT result -> 'plan' -> 'target' FROM d30), (SELECT to_jsonb(weights) FROM sol),
	'target weights = forecast_allocate_mv(mean returns, EWMA covariance, caps, group caps, current weights)');
SELECT is((SELECT result -> 'plan' -> 'current' FROM d30), to_jsonb(ARRAY[0.6, 0.3, 0.1]::float8[]), 'current weights 6 : 3 : 1');
SELECT ok((SELECT (result -> 'plan' -> 'target' ->> 1)::float8 > 0.6 FROM d30), 'm2, clearly the best, gets the most (its cap is 0.7)');
SELECT is((SELECT (result -> 'plan' ->> 'drift')::float8 FROM d30),
	(SELECT max(abs(weights[j] - (ARRAY[0.6, 0.3, 0.1]::float8[])[j])) FROM sol, generate_series(1, 3) j), 'drift = the largest weight change');
SELECT is((SELECT round((result -> 'plan' ->> 'expected_gain')::numeric, 9) FROM d30),
	(SELECT round(((SELECT sum(s.mu[j] * (s.weights[j] - (ARRAY[0.6, 0.3, 0.1]::float8[])[j])) FROM generate_series(1, 3) j)
				  - 1 * (SELECT sum(c[a][b] * (s.weights[a] * s.weights[b] - (ARRAY[0.6, 0.3, 0.1]::float8[])[a] * (ARRAY[0.6, 0.3, 0.1]::float8[])[b]))
						   FROM generate_series(1, 3) a, generate_series(1, 3) b))::numeric * 48 * 10, 9)
	   FROM sol s, LATERAL (SELECT risk_ewma_covariance(s.rets, 0.94) AS c) cv),
	'expected gain = (mu''Δw - ra/2 Δ(w''Σw)) × horizon × total');
SELECT is((SELECT result ->> 'action' FROM d30), 'rebalance', 'drift above the band and a gain above a zero cost: rebalance');
SELECT is((SELECT result -> 'reasons' FROM d30), '["drift_above_band"]', 'reason drift_above_band');
-- Transfers: from m1 (over) to m2 (under) and m3 as the targets say.
CREATE TEMP TABLE moves AS SELECT t.* FROM d30, jsonb_to_recordset(result -> 'plan' -> 'transfers')
	AS t(n int, from_strategy bigint, "from" text, to_strategy bigint, "to" text, amount numeric);
SELECT is((SELECT array_agg(j.net ORDER BY j.o) FROM (
		SELECT x.o, coalesce((SELECT sum(amount) FROM moves WHERE to_strategy = x.sid), 0)
				  - coalesce((SELECT sum(amount) FROM moves WHERE from_strategy = x.sid), 0) AS net
		  FROM mem, LATERAL (VALUES (1, mem.m1), (2, mem.m2), (3, mem.m3)) x(o, sid)) j),
	(SELECT array_agg(floor(weights[j]::numeric * 10e18) - (ARRAY[6e18, 3e18, 1e18])[j] ORDER BY j) FROM sol, generate_series(1, 3) j),
	'each member''s net transfer = floor(target × total) - its balance');
SELECT ok((SELECT bool_and(("from" = pg_temp.a(241)::text) = (from_strategy = (SELECT m1 FROM mem))) FROM moves),
	'each transfer is sent from the owner of the member it leaves');
SELECT is((SELECT array_agg(i ->> 'from' ORDER BY o) FROM d30, jsonb_array_elements(result -> 'intents') WITH ORDINALITY e(i, o)),
	(SELECT array_agg("from" ORDER BY n) FROM moves), 'the intents name the sending vaults');
SELECT is((SELECT array_agg(abi_decode('(address,uint256)', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) ORDER BY o)
			 FROM d30, jsonb_array_elements(result -> 'intents') WITH ORDINALITY e(i, o)),
	(SELECT array_agg(jsonb_build_array("to"::address::text, amount::text) ORDER BY n) FROM moves),
	'transfer(to, amount) calldata on the asset');
SELECT is((SELECT result -> 'proposal' -> 'assets' FROM d30), jsonb_build_array(pg_temp.a(160)::text), 'the proposal names the asset');

-- Gates: a cost that the gain does not beat, a band the drift does not pass.
SELECT lives_ok(format($$SELECT strategy_update(%s, '{"gas_cost": 1000}')$$, (SELECT id FROM al)), 'a dear transfer');
SELECT is((SELECT result -> 'reasons' FROM pg_temp.decide(30)), '["gain_below_cost"]', 'gain below cost × min_gain_factor: hold');
SELECT lives_ok(format($$SELECT strategy_update(%s, '{"gas_cost": 0, "band": 0.99}')$$, (SELECT id FROM al)), 'a wide band');
SELECT is((SELECT result -> 'reasons' FROM pg_temp.decide(30)), '["within_band"]', 'drift within the band: hold');
SELECT lives_ok(format($$SELECT strategy_update(%s, '{"band": 0.05, "min_history": 30}')$$, (SELECT id FROM al)), 'more history asked');
SELECT is((SELECT result -> 'reasons' FROM pg_temp.decide(30)), '["insufficient_history"]', 'too few periods: hold');
SELECT lives_ok(format($$SELECT strategy_update(%s, '{"min_history": 10, "method": "cvar", "beta": 0.9}')$$, (SELECT id FROM al)), 'cvar');
CREATE TEMP TABLE c30 AS SELECT * FROM pg_temp.decide(30);
SELECT is((SELECT result -> 'plan' -> 'target' FROM c30),
	(SELECT to_jsonb(x.weights) FROM inp, forecast_allocate_cvar(inp.rets, 0.9, ARRAY[1, 0.7, 1]::float8[], ARRAY[0, 1, 1],
		ARRAY[0.9]::float8[], NULL, inp.mu, 1) x), 'cvar: target = forecast_allocate_cvar(the returns as scenarios, ...)');
SELECT is((SELECT round((result -> 'plan' ->> 'risk_gain')::numeric, 12) FROM c30),
	(SELECT round((allocate_cvar_of(inp.rets, ARRAY[0.6, 0.3, 0.1]::float8[], 0.9)
				   - allocate_cvar_of(inp.rets, (SELECT array_agg((v #>> '{}')::float8 ORDER BY o) FROM c30,
						jsonb_array_elements(result -> 'plan' -> 'target') WITH ORDINALITY e(v, o)), 0.9))::numeric, 12) FROM inp),
	'cvar: the risk gain is the CVaR reduction');
SELECT is(round(allocate_cvar_of(ARRAY[[-0.1], [0.0], [0.1], [0.2]]::float8[], ARRAY[1]::float8[], 0.75)::numeric, 12), 0.1,
	'allocate_cvar_of: the worst quarter of 4 equally likely losses (0.1)');
SELECT lives_ok(format($$SELECT strategy_update(%s, '{"method": "mv"}')$$, (SELECT id FROM al)), 'back to mv');

-- ---- the run: the kill switch blocks, then the transfers are queued ----
SELECT lives_ok($$SELECT risk_halt('test')$$, 'kill switch on');
CREATE TEMP TABLE r1 AS SELECT run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM al)]) AS r;
CREATE TEMP TABLE db AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM al) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, status, risk_allowed) FROM db), ROW('rebalance'::text, 'blocked'::text, false),
	'halted: the rebalance is blocked by the risk gate');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE strategy_id = (SELECT id FROM al)), 0, 'and nothing is queued');
SELECT lives_ok($$SELECT risk_resume()$$, 'kill switch off');
SELECT pg_temp.add_block(41);
UPDATE positions SET block_number = 41 WHERE strategy_id = (SELECT id FROM al);
CREATE TEMP TABLE r2 AS SELECT run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM al)]) AS r;
CREATE TEMP TABLE de AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM al) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, status, risk_allowed) FROM de), ROW('rebalance'::text, 'enqueued'::text, true), 'resumed: enqueued');
SELECT is((SELECT array_agg(t.sender::text ORDER BY t.id) FROM tx_intents t WHERE t.decision_id = (SELECT id FROM de)),
	(SELECT array_agg(i ->> 'from' ORDER BY o) FROM de, jsonb_array_elements(de.intents) WITH ORDINALITY e(i, o)),
	'the queue sends each transfer from the member''s vault');
SELECT ok((SELECT bool_and(t.strategy_id = (SELECT id FROM al) AND t.target = pg_temp.a(160)) FROM tx_intents t WHERE t.decision_id = (SELECT id FROM de)),
	'as intents of the allocate strategy, on the asset');
-- The guard: a decision of the allocate strategy sends from its members only, each listed intent once.
SELECT throws_ilike(format($$SELECT txq_enqueue(999084, '%s', '%s', '0', '\x00', jsonb_build_object('decision_id', %s))$$,
	pg_temp.a(244), pg_temp.a(160), (SELECT id FROM de)), '%whose vault is%members%not 0x00000000000000000000000000000000000000f4', 'no intent from a vault that is not a member');
SELECT throws_like(format($$SELECT txq_enqueue(999084, '%s', '%s', '0', '%s', jsonb_build_object('decision_id', %s))$$,
	(SELECT i ->> 'from' FROM de, jsonb_array_elements(de.intents) i LIMIT 1), pg_temp.a(160),
	(SELECT i ->> 'data' FROM de, jsonb_array_elements(de.intents) i LIMIT 1), (SELECT id FROM de)), '%is used up%',
	'nor a listed one again');
SELECT throws_like(format($$SELECT txq_enqueue(999084, '%s', '%s', '0', '\x00')$$, pg_temp.a(241), pg_temp.a(160)),
	'%is the vault of strategy%', 'nor any from a member''s vault without a decision');

-- After the moves: no drift, nothing to do.
UPDATE positions p SET amount = (floor((SELECT weights[x.o] FROM sol)::numeric * 10e18)
		+ CASE WHEN x.o = 1 THEN 10e18 - (SELECT sum(floor(weights[j]::numeric * 10e18)) FROM sol, generate_series(1, 3) j) ELSE 0 END)::int256
  FROM mem, LATERAL (VALUES (1, mem.m1), (2, mem.m2), (3, mem.m3)) x(o, sid)
 WHERE p.strategy_id = (SELECT id FROM al) AND p.position_id = x.sid;
SELECT is((SELECT result -> 'reasons' FROM pg_temp.decide(30)), '["within_band"]', 'at the targets: within the band, hold');
SELECT is((SELECT jsonb_array_length(result -> 'intents') FROM pg_temp.decide(30)), 0, 'nothing to send');

-- ---- backtest ----
-- Constant returns: every method's figures are known in closed form.
CREATE TEMP TABLE bt AS SELECT * FROM allocate_backtest_returns((SELECT p FROM ap) || '{"method": "mv", "lookback": 30, "min_history": 10, "members": [1, 2, 3]}'::jsonb
	|| jsonb_build_object('members', jsonb_build_array(jsonb_build_object('cap', 1), jsonb_build_object('cap', 0.7, 'group', 'aave'), jsonb_build_object('cap', 1, 'group', 'aave'))),
	(SELECT array_agg(ARRAY[0.001 + 0.002 * sin(n * 1.3), 0.005 + 0.003 * sin(n * 0.7), 0.0005 + 0.001 * sin(n * 2.1)] ORDER BY n)
	   FROM generate_series(1, 60) n), 5, 365);
SELECT is((SELECT array_agg(method ORDER BY method) FROM bt), ARRAY['allocator_mv', 'best_single_hindsight', 'equal_weight'],
	'three methods: the allocator, equal weights, the best single member in hindsight');
SELECT is((SELECT member FROM bt WHERE method = 'best_single_hindsight'), 2, 'the best single member is the second');
SELECT is((SELECT periods FROM bt WHERE method = 'equal_weight'), 50, '50 periods after the 10 of history');
SELECT ok((SELECT (SELECT annual_return FROM bt WHERE method = 'allocator_mv') > (SELECT annual_return FROM bt WHERE method = 'equal_weight')),
	'the allocator beats equal weights when one member is clearly better');
SELECT is((SELECT round(annual_return::numeric, 9) FROM bt WHERE method = 'best_single_hindsight'),
	(SELECT round((exp(sum(ln(1 + 0.005 + 0.003 * sin(n * 0.7))) * 365 / 50) - 1)::numeric, 9) FROM generate_series(11, 60) n),
	'the best single member''s annualised return, compounded');
SELECT is((SELECT round(volatility::numeric, 12) FROM bt WHERE method = 'best_single_hindsight'),
	(SELECT round((stddev_samp(0.005 + 0.003 * sin(n * 0.7)) * sqrt(365))::numeric, 12) FROM generate_series(11, 60) n),
	'its volatility');
SELECT ok((SELECT bool_and(max_drawdown >= 0 AND max_drawdown < 1 AND turnover >= 0) FROM bt), 'drawdowns and turnovers in range');
-- No look-ahead: the weights at t come from the rows before t, so the last
-- row's returns change nothing but the last period's result (the
-- allocator's turnover, decided before each period, stays the same).
SELECT is((SELECT turnover FROM allocate_backtest_returns((SELECT p FROM ap) || jsonb_build_object('members', jsonb_build_array(jsonb_build_object('cap', 1), jsonb_build_object('cap', 0.7, 'group', 'aave'), jsonb_build_object('cap', 1, 'group', 'aave'))),
		(SELECT array_agg(CASE WHEN n = 60 THEN ARRAY[0.5, -0.5, 0.9] ELSE ARRAY[0.001 + 0.002 * sin(n * 1.3), 0.005 + 0.003 * sin(n * 0.7), 0.0005 + 0.001 * sin(n * 2.1)] END ORDER BY n)
		   FROM generate_series(1, 60) n), 1, 365) WHERE method = 'allocator_mv'),
	(SELECT turnover FROM allocate_backtest_returns((SELECT p FROM ap) || jsonb_build_object('members', jsonb_build_array(jsonb_build_object('cap', 1), jsonb_build_object('cap', 0.7, 'group', 'aave'), jsonb_build_object('cap', 1, 'group', 'aave'))),
		(SELECT array_agg(ARRAY[0.001 + 0.002 * sin(n * 1.3), 0.005 + 0.003 * sin(n * 0.7), 0.0005 + 0.001 * sin(n * 2.1)] ORDER BY n)
		   FROM generate_series(1, 60) n), 1, 365) WHERE method = 'allocator_mv'),
	'no look-ahead: a different last row leaves every rebalance (and so the turnover) unchanged');
SELECT throws_ok($$SELECT * FROM allocate_backtest_returns((SELECT p FROM ap), ARRAY[[0.1, 0.2, 0.3]]::float8[])$$, '22023', NULL,
	'a backtest needs more than min_history periods');
-- On the strategy's members' snapshots.
SELECT is((SELECT array_agg(method || ':' || coalesce(member::text, '') ORDER BY method) FROM allocate_backtest((SELECT id FROM al), 5)),
	ARRAY['allocator_mv:', 'best_single_hindsight:' || (SELECT m2 FROM mem), 'equal_weight:'],
	'allocate_backtest over the snapshots: the best single member is m2');
SELECT is((SELECT periods FROM allocate_backtest((SELECT id FROM al), 5) WHERE method = 'equal_weight'), 29,
	'39 returns of 40 snapshots, less the 10 of history');

SELECT * FROM finish();
ROLLBACK;
