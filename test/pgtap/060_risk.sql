-- 060_risk: circuit breakers over synthetic ingested data, and the risk gate.
--
-- A chain with 289 blocks ten minutes apart ending now.  wstETH's exchange
-- rate is 1.15; its wstETH/WETH pool P (wstETH is token0) drifts off peg and
-- back; another pool Q jumps by more than 10% within the last hour; an
-- ETH/USD oracle answered 30 minutes ago; another oracle never answered.
-- Expected values are computed here from the prices written, in numeric.
-- All of it is rolled back.
BEGIN;
SELECT plan(114);
SET LOCAL search_path = amplified, public;

INSERT INTO chains (chain_id, name, rpc_urls, enabled) VALUES (990060, 'risk-test', '{http://127.0.0.1:1}', false);
-- block n is (288 - n) * 10 minutes before now
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
SELECT 990060, n, ('0x' || lpad(to_hex(n + 1), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n), 64, '0'))::bytes32,
	   now() - (288 - n) * interval '10 minutes'
  FROM generate_series(0, 288) AS n;
CREATE TEMP TABLE t (n int PRIMARY KEY, at timestamptz);
INSERT INTO t SELECT number, timestamp FROM blocks WHERE chain_id = 990060;

-- wstETH 0x7f39..., pool P 0x1111..., pool Q 0x2222..., oracle O 0x5f4e..., silent oracle S 0x3333..., token X 0x4444...
INSERT INTO lst_rates VALUES (990060, 0, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'stEthPerToken()', '1150000000000000000');
CREATE TEMP TABLE px (pool address, n int, price numeric);
INSERT INTO px VALUES
	('0x1111111111111111111111111111111111111111', 100, 1.15),		-- at peg
	('0x1111111111111111111111111111111111111111', 150, 1.127),	-- 200 bps: warn
	('0x1111111111111111111111111111111111111111', 200, 1.08),		-- 608.7 bps: halt
	('0x1111111111111111111111111111111111111111', 250, 1.0948),	-- 480 bps: halt held (band 25)
	('0x1111111111111111111111111111111111111111', 270, 1.1),		-- 434.8 bps: reduce_only
	('0x1111111111111111111111111111111111111111', 288, 1.14),		-- 87 bps: warn held
	('0x2222222222222222222222222222222222222222', 270, 2000),
	('0x2222222222222222222222222222222222222222', 280, 2100),
	('0x2222222222222222222222222222222222222222', 285, 1900);
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked)
SELECT 990060, n, pool, univ3_sqrt_price_at_price(price), univ3_tick_at_price(price), 0, 1, 1, 0, true FROM px;
-- and a swap in Q at block 286 to 2200
INSERT INTO logs VALUES (990060, 286, 0, ('0x' || lpad('abc', 64, '0'))::bytes32, 0,
	'0x2222222222222222222222222222222222222222', '{}', '\x');
INSERT INTO univ3_swaps VALUES (990060, 286, 0, '0x2222222222222222222222222222222222222222',
	'0x0000000000000000000000000000000000000001', '0x0000000000000000000000000000000000000001', 1, -1,
	univ3_sqrt_price_at_price(2200), 1, univ3_tick_at_price(2200));
INSERT INTO oracle_rounds VALUES (990060, 285, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', 7, 300000000000,
	now() - interval '30 minutes', now() - interval '30 minutes', 7);

-- ---- configuration ----
SELECT is((SELECT (kind, warn_at, reduce_only_at, halt_at, band)::text FROM risk_add_breaker('wsteth-depeg', 'depeg', 990060,
			asset => '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', pool => '0x1111111111111111111111111111111111111111')),
	'(depeg,100,300,500,25)', 'depeg breaker with the default tiers');
SELECT is((SELECT (move_window, halt_at, band)::text FROM risk_add_breaker('q-move', 'price_move', 990060,
			asset => '0x2222222222222222222222222222222222222222', pool => '0x2222222222222222222222222222222222222222')),
	'(01:00:00,1000,100)', 'price_move breaker: 10% within an hour by default');
SELECT is((SELECT (asset, halt_at)::text FROM risk_add_breaker('eth-usd-stale', 'oracle_stale', 990060,
			oracle => '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', heartbeat => '1 hour')),
	'(,3600)', 'oracle_stale breaker halts at its heartbeat; no asset: the whole chain');
SELECT lives_ok($$SELECT risk_add_breaker('x-oracle-stale', 'oracle_stale', 990060, asset => '0x4444444444444444444444444444444444444444',
			oracle => '0x3333333333333333333333333333333333333333', heartbeat => '1 day')$$, 'a breaker for token X');
SELECT lives_ok($$SELECT risk_add_breaker('disabled-one', 'oracle_stale', 990060, oracle => '0x3333333333333333333333333333333333333333',
			heartbeat => '1 day'); UPDATE circuit_breakers SET enabled = false WHERE name = 'disabled-one'$$, 'a disabled breaker');
SELECT throws_ok($$SELECT risk_add_breaker('bad', 'volatility', 990060)$$, '22023', NULL, 'unknown kind');
SELECT throws_ok($$SELECT risk_add_breaker('bad', 'oracle_stale', 990060, oracle => '0x3333333333333333333333333333333333333333')$$,
	'22023', NULL, 'oracle_stale needs a heartbeat');
SELECT throws_ok($$SELECT risk_add_breaker('bad', 'depeg', 990060, pool => '0x1111111111111111111111111111111111111111')$$,
	'22023', NULL, 'depeg needs its asset');
SELECT throws_ok($$SELECT risk_add_breaker('bad', 'price_move', 990060, pool => '0x1111111111111111111111111111111111111111',
			oracle => '0x3333333333333333333333333333333333333333')$$, '22023', NULL, 'price_move watches one source');
SELECT throws_ok($$SELECT risk_add_breaker('bad', 'depeg', 990060, asset => '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0',
			pool => '0x1111111111111111111111111111111111111111', warn_at => 300, halt_at => 100)$$,
	'22023', 'breaker thresholds must rise with the level', 'thresholds out of order');
SELECT throws_ok($$SELECT risk_add_breaker('q-move', 'price_move', 990060, pool => '0x1111111111111111111111111111111111111111')$$,
	'23505', NULL, 'names are unique');
SELECT throws_ok($$SELECT risk_add_breaker('elsewhere', 'price_move', 424242, pool => '0x1111111111111111111111111111111111111111')$$,
	'42704', NULL, 'the chain must exist');

-- ---- measuring ----
SELECT ok(abs((SELECT value FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'wsteth-depeg'),
			(SELECT at FROM t WHERE n = 200))) - (1 - 1.08 / 1.15) * 10000) < 1e-6, 'depeg: (1 - 1.08 / 1.15) * 10000 bps');
SELECT ok(abs((SELECT value FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'q-move')))
			  - (2200 / 1900.0 - 1) * 10000) < 1e-6, 'price_move: 1900 -> 2200 within the hour, in bps');
SELECT ok(abs((SELECT value FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'q-move'),
			(SELECT at FROM t WHERE n = 285))) - (1 - 1900 / 2100.0) * 10000) < 1e-6,
	'price_move an hour earlier: from the price in effect at the window''s start (2000 -> 2100 -> 1900)');
SELECT is((SELECT array_agg(round(price::numeric, 6) ORDER BY block_number) FROM risk_pool_prices(990060,
			'0x2222222222222222222222222222222222222222', now() - interval '1 hour', now())),
	ARRAY[2100, 1900, 2200]::numeric[], 'risk_pool_prices: the state in effect, then readings and swaps');
SELECT is((SELECT value FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'eth-usd-stale'))),
	1800::float8, 'oracle_stale: seconds since the latest round''s update');
SELECT is((SELECT (value, detail)::text FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'x-oracle-stale'))),
	'(Infinity,"no round")', 'an oracle that never answered is infinitely stale');
SELECT is((SELECT (value, detail)::text FROM risk_breaker_value((SELECT id FROM circuit_breakers WHERE name = 'wsteth-depeg'),
			(SELECT at FROM t WHERE n = 50))), '(,"no data")', 'depeg before the pool''s first reading: no data');
SELECT is((SELECT array_agg(price ORDER BY block_number) FROM risk_oracle_prices(990060,
			'0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', now() - interval '1 day', now(), 8)),
	ARRAY[3000]::float8[], 'risk_oracle_prices: answers scaled by 10^-decimals');

-- ---- evaluating: the depeg sequence, one evaluation per pool reading, in time order ----
SELECT id AS depeg_id FROM circuit_breakers WHERE name = 'wsteth-depeg' \gset
CREATE TEMP TABLE seq (n int, level text, previous_level text, since timestamptz, value float8);
INSERT INTO seq SELECT 50, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 50), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 100, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 100), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 150, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 150), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 200, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 200), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 250, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 250), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 270, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 270), ARRAY[:depeg_id]::bigint[]);
INSERT INTO seq SELECT 288, level, previous_level, since, value FROM risk_evaluate_breakers((SELECT at FROM t WHERE n = 288), ARRAY[:depeg_id]::bigint[]);
SELECT is((SELECT array_agg(level ORDER BY n) FROM seq),
	ARRAY['warn', 'ok', 'warn', 'halt', 'halt', 'reduce_only', 'warn'],
	'depeg levels over time: no data warns, then ok, warn, halt, halt held in its band, reduce_only, warn held in its band');
SELECT is((SELECT array_agg(coalesce(previous_level, '-') ORDER BY n) FROM seq),
	ARRAY['-', 'warn', 'ok', 'warn', 'halt', 'halt', 'reduce_only'], 'each evaluation starts from the stored level');
SELECT is((SELECT since FROM seq WHERE n = 250), (SELECT at FROM t WHERE n = 200), 'a held level keeps its since');
SELECT is((SELECT since FROM seq WHERE n = 270), (SELECT at FROM t WHERE n = 270), 'a new level starts its since');
SELECT ok(abs((SELECT value FROM seq WHERE n = 250) - (1 - 1.0948 / 1.15) * 10000) < 1e-6, 'the value of each evaluation');
SELECT is((SELECT (level, since, evaluated_at)::text FROM circuit_breaker_state WHERE breaker_id = :depeg_id),
	(SELECT ('warn', at, at)::text FROM t WHERE n = 288), 'circuit_breaker_state holds the latest evaluation');
SELECT is((SELECT level FROM v_risk_breakers WHERE name = 'wsteth-depeg'), 'warn', 'v_risk_breakers shows it');
SELECT is((SELECT level FROM v_risk_breakers WHERE name = 'q-move'), 'unevaluated', 'v_risk_breakers: a breaker never evaluated');

-- all enabled breakers now
CREATE TEMP TABLE now_states AS SELECT * FROM risk_evaluate_breakers();
SELECT is((SELECT array_agg(name || '=' || level ORDER BY name) FROM now_states),
	ARRAY['eth-usd-stale=ok', 'q-move=halt', 'wsteth-depeg=warn', 'x-oracle-stale=halt'],
	'risk_evaluate_breakers(): every enabled breaker, the disabled one left out');
SELECT is((SELECT count(*)::int FROM circuit_breaker_state), 4, 'their states are stored');
-- two hours later the ETH/USD round is older than its heartbeat
SELECT is((SELECT level FROM risk_evaluate_breakers(now() + interval '2 hours',
			ARRAY[(SELECT id FROM circuit_breakers WHERE name = 'eth-usd-stale')])), 'halt',
	'oracle_stale: halts past the heartbeat');
SELECT is((SELECT level FROM risk_evaluate_breakers(now(),
			ARRAY[(SELECT id FROM circuit_breakers WHERE name = 'eth-usd-stale')])), 'ok',
	'oracle_stale: back to ok (no band) when the data is fresh');

-- ---- the gate: breakers ----
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060,
			"assets": ["0x5555555555555555555555555555555555555555"]}')),
	'(t,ok,{})', 'no breaker on the assets: allowed');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060,
			"assets": ["0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0"]}')),
	'(t,warn,{breaker:warn:wsteth-depeg})', 'warn: allowed with its reason');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "rebalance", "chain_id": 990060,
			"assets": ["0x2222222222222222222222222222222222222222"]}')),
	'(f,halt,{breaker:halt:q-move})', 'halt: not allowed');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "rebalance", "chain_id": 990060, "reduces_risk": true,
			"assets": ["0x2222222222222222222222222222222222222222"]}')),
	'(f,halt,{breaker:halt:q-move})', 'halt: not even a risk-reducing proposal');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "hold", "chain_id": 990060,
			"assets": ["0x2222222222222222222222222222222222222222"]}')),
	'(t,halt,{breaker:halt:q-move})', 'hold is always allowed, with the reasons');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "unstake", "chain_id": 990060,
			"assets": ["0x4444444444444444444444444444444444444444", "0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0"]}')),
	'(f,halt,"{breaker:halt:x-oracle-stale,breaker:warn:wsteth-depeg}")', 'several assets: every breaker, worst first');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 1,
			"assets": ["0x2222222222222222222222222222222222222222"]}')),
	'(t,ok,{})', 'breakers of another chain do not apply');
-- the chain-wide breaker (no asset) applies to every proposal on its chain
UPDATE circuit_breakers SET halt_at = 600 WHERE name = 'eth-usd-stale';
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060}')),
	'(t,ok,{})', 'breakers already evaluated in this transaction are not evaluated again');
SELECT is((SELECT level FROM risk_evaluate_breakers(now(), ARRAY[(SELECT id FROM circuit_breakers WHERE name = 'eth-usd-stale')])),
	'halt', 'evaluated again, the tighter heartbeat halts');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060}')),
	'(f,halt,{breaker:halt:eth-usd-stale})', 'a chain-wide breaker gates every proposal on its chain');
UPDATE circuit_breakers SET enabled = false WHERE name = 'eth-usd-stale';
-- reduce_only: a tighter depeg breaker on wstETH
SELECT lives_ok($$SELECT risk_add_breaker('wsteth-depeg-tight', 'depeg', 990060, asset => '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0',
			pool => '0x1111111111111111111111111111111111111111', warn_at => 10, reduce_only_at => 50, halt_at => 1000)$$,
	'a tighter depeg breaker');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060,
			"assets": ["0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0"]}')),
	'(f,reduce_only,"{breaker:reduce_only:wsteth-depeg-tight,breaker:warn:wsteth-depeg}")',
	'reduce_only: a proposal that does not reduce risk is not allowed (the new breaker evaluated by the gate)');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "unstake", "chain_id": 990060, "reduces_risk": true,
			"assets": ["0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0"]}')),
	'(t,reduce_only,"{breaker:reduce_only:wsteth-depeg-tight,breaker:warn:wsteth-depeg}")',
	'reduce_only: a risk-reducing proposal is allowed');
-- The engine's gate takes the chain and assets from its caller (the
-- strategy), not from the proposal: a proposal that names another chain or
-- no asset does not skip the strategy's breakers.
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate_eval(1, 990060, ARRAY['0x2222222222222222222222222222222222222222']::address[],
			risk_proposal_of('{"action": "rebalance", "chain_id": 1, "assets": []}'), false)),
	'(f,halt,{breaker:halt:q-move})', 'the engine''s gate: chain and assets from the strategy, a halt is not skipped');
DELETE FROM circuit_breakers WHERE chain_id = 990060;

-- ---- the gate: kill switches ----
SELECT lives_ok($$SELECT risk_halt('incident 42')$$, 'risk_halt');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060}')),
	'(f,halt,{kill_switch})', 'risk_halt: nothing allowed');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "unstake", "chain_id": 990060, "reduces_risk": true}')),
	'(f,halt,{kill_switch})', 'risk_halt: not even risk-reducing proposals');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "hold", "chain_id": 990060}')),
	'(t,halt,{kill_switch})', 'risk_halt: hold is allowed');
SELECT is((SELECT (halted, reason) FROM risk_settings), (true, 'incident 42'::text), 'risk_settings records the halt');
SELECT lives_ok($$SELECT risk_resume()$$, 'risk_resume');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060}')),
	'(t,ok,{})', 'risk_resume lifts it');
UPDATE txq_control SET paused = true;
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(1, '{"action": "stake", "chain_id": 990060}')),
	'(f,halt,{kill_switch})', 'the queue''s kill switch stops the gate too');
UPDATE txq_control SET paused = false;

-- ---- the gate: limits ----
SELECT lives_ok($$SELECT risk_set_limits(NULL, 1000, 5000, 50)$$, 'default limits');
SELECT lives_ok($$SELECT risk_set_limits(7, max_position_value => 2000)$$, 'strategy 7 may hold more');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(8, '{"action": "stake", "chain_id": 990060, "value": 1500, "turnover": 0, "slippage_bps": 10}')),
	'(f,{limit:max_position_value})', 'value above the default maximum');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(7, '{"action": "stake", "chain_id": 990060, "value": 1500, "turnover": 0, "slippage_bps": 10}')),
	'(t,{})', 'strategy 7''s own maximum');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(8, '{"action": "unstake", "chain_id": 990060, "value": 1500, "turnover": 0, "slippage_bps": 10, "reduces_risk": true}')),
	'(t,{})', 'a risk-reducing proposal may stay above the maximum');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(7, '{"action": "rebalance", "chain_id": 990060, "value": 100, "turnover": 0, "slippage_bps": 50.5}')),
	'(f,{limit:max_slippage_bps})', 'slippage above the default maximum (inherited by strategy 7)');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate_eval(7, 990060, '{}', risk_proposal_of('{"action": "rebalance", "value": 100, "turnover": 3000, "slippage_bps": 50}'), true)),
	'(t,{})', 'turnover 3000 of 5000 (the engine''s gate records it)');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(7, '{"action": "rebalance", "chain_id": 990060, "value": 100, "turnover": 1000, "slippage_bps": 5}')),
	'(t,{})', 'the preview allows another 1000');
SELECT is(risk_turnover_today(7), 3000::numeric, 'but the preview writes nothing to the ledger');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate_eval(7, 990060, '{}', risk_proposal_of('{"action": "rebalance", "value": 100, "turnover": "2500", "slippage_bps": 5}'), true)),
	'(f,{limit:max_daily_turnover})', '3000 + 2500 is above the daily 5000');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate_eval(7, 990060, '{}', risk_proposal_of('{"action": "rebalance", "value": 100, "turnover": 2000, "slippage_bps": 5}'), true, 99)),
	'(t,{})', '3000 + 2000 reaches it exactly');
SELECT is(risk_turnover_today(7), 5000::numeric, 'the ledger holds the allowed turnover only');
SELECT is((SELECT array_agg((action, turnover, decision_id)::text ORDER BY id) FROM risk_turnover WHERE strategy_id = 7),
	ARRAY['(rebalance,3000,)', '(rebalance,2000,99)'], 'ledger rows');
SELECT is(risk_turnover_today(8), 0::numeric, 'turnover is per strategy');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(8, '{"action": "stake", "chain_id": 990060}')),
	'(f,"{limit:max_position_value:missing,limit:max_daily_turnover:missing,limit:max_slippage_bps:missing}")',
	'a proposal without the numbers a limit needs is not allowed');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(8, '{"action": "hold", "chain_id": 990060}')),
	'(t,{})', 'hold needs no numbers');

-- ---- the gate: leverage limits read the proposal's exposures ----
SELECT lives_ok($$SELECT risk_set_limits(9, min_health_factor => 1.2, max_ltv => 0.8)$$, 'strategy 9: health factor and LTV limits');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.7, "health_factor": 1.35, "liquidation_price": 0.93}]}')),
	'(t,{})', 'a loop that leaves health 1.35 and LTV 0.7 is allowed');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.85, "health_factor": 1.1}]}')),
	'(f,"{limit:min_health_factor,limit:max_ltv}")', 'one that leaves health 1.1 and LTV 0.85 is not');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "health_factor": 1.2}]}')),
	'(t,{})', 'health exactly at the limit is allowed');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(9, '{"action": "deleverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"reduces_risk": true, "exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.85, "health_factor": 1.1}]}')),
	'(t,{})', 'a partial deleverage that still leaves them outside is allowed: it reduces risk');
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(8, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.85, "health_factor": 1.1}]}')),
	'(t,{})', 'strategy 8 has no leverage limits (the default row has none)');
SELECT throws_ok($$SELECT * FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "healthfactor": 1.1}]}')$$, '22023',
	'exposure has an unknown field "healthfactor"', 'a misspelt exposure field is an error, not a limit skipped');
SELECT throws_ok($$SELECT * FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "exposures": [{"ltv": 0.5}]}')$$, '22023',
	NULL, 'an exposure without its asset');
SELECT throws_ok($$SELECT * FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": "NaN"}]}')$$, '22023', NULL, 'a NaN LTV');
SELECT throws_ok($$SELECT * FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "exposures": {"asset": "0x00"}}')$$, '22023',
	NULL, 'exposures not an array');
-- The leverage limits are a registered check: disabled, they are not applied.
SELECT is((SELECT array_agg(name || ':' || builtin ORDER BY name) FROM risk_checks), ARRAY['leverage:true', 'stress:true', 'var:true'], 'the builtin risk checks');
UPDATE risk_checks SET enabled = false WHERE name = 'leverage';
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1, "slippage_bps": 5,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.85, "health_factor": 1.1}]}')),
	'(t,{})', 'with the leverage check disabled the gate does not apply its limits');
UPDATE risk_checks SET enabled = true WHERE name = 'leverage';
-- A module adds a check with a row, and the gate runs it: here one that
-- warns on any proposal touching a watched asset, and blocks above a value.
CREATE FUNCTION public.check_watch(strategy_id bigint, chain bigint, assets amplified.address[], proposal amplified.risk_proposal)
RETURNS amplified.risk_finding[] LANGUAGE sql AS $f$
	SELECT CASE WHEN proposal.value > 50 THEN ARRAY[ROW('watch:too_big', 'reduce_only', true)::amplified.risk_finding]
				WHEN '0x00000000000000000000000000000000000000a9' = ANY (proposal.assets)
				THEN ARRAY[ROW('watch:asset', 'warn', false)::amplified.risk_finding]
				ELSE '{}' END
$f$;
INSERT INTO risk_checks (name, check_fn, description) VALUES ('watch', 'public.check_watch', 'a test check');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 10, "turnover": 1,
			"slippage_bps": 5, "assets": ["0x00000000000000000000000000000000000000a9"]}')),
	'(t,warn,{watch:asset})', 'a registered check''s finding that does not block: allowed, with its level and reason');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(9, '{"action": "leverage", "chain_id": 990060, "value": 60, "turnover": 1,
			"slippage_bps": 5}')),
	'(f,reduce_only,{watch:too_big})', 'a blocking finding blocks');
SELECT is((SELECT (allowed, level, reasons)::text FROM risk_gate(9, '{"action": "hold", "chain_id": 990060, "value": 60}')),
	'(t,reduce_only,{watch:too_big})', 'a hold is allowed whatever a check finds');
DELETE FROM risk_checks WHERE name = 'watch';
CREATE ROLE amp_risk_admin NOLOGIN;
GRANT amplified_admin TO amp_risk_admin;
GRANT CREATE ON SCHEMA public TO amp_risk_admin;
SET LOCAL ROLE amp_risk_admin;
CREATE FUNCTION public.check_mine(strategy_id bigint, chain bigint, assets amplified.address[], proposal amplified.risk_proposal)
RETURNS amplified.risk_finding[] LANGUAGE sql AS $f$ SELECT '{}'::amplified.risk_finding[] $f$;
SELECT throws_ok($$INSERT INTO risk_checks (name, check_fn, description) VALUES ('mine', 'public.check_mine', 'x')$$, '42501', NULL,
	'an admin cannot register a check of their own: the gate runs it as the extension''s owner');
SELECT throws_ok($$INSERT INTO risk_checks (name, check_fn, description) VALUES ('mine', 'amplified.risk_limit', 'x')$$, '42P13', NULL,
	'nor a function of another signature');
SELECT throws_ok($$UPDATE risk_checks SET builtin = false$$, '42501', NULL, 'nor unmark a builtin check');
SELECT throws_ok($$DELETE FROM risk_checks WHERE name = 'leverage'$$, '42501', NULL, 'nor delete a builtin check');
SELECT throws_ok($$UPDATE risk_checks SET check_fn = 'amplified.risk_check_leverage', name = 'lev' WHERE name = 'leverage'$$,
	'42501', NULL, 'nor rename it');
SELECT lives_ok($$UPDATE risk_checks SET enabled = false WHERE name = 'leverage'$$, 'but may disable it');
SELECT lives_ok($$UPDATE risk_checks SET enabled = true WHERE name = 'leverage'$$, 'and enable it again');
RESET ROLE;
SELECT is(risk_limit(9, 'max_ltv'), 0.8, 'risk_limit reads a strategy''s limit');
SELECT is(risk_limit(9, 'max_slippage_bps'), 50::numeric, 'and the default''s when the strategy sets none');
SELECT throws_ok($$SELECT risk_limit(9, 'max_ltvv')$$, '22023', 'unknown risk limit "max_ltvv"', 'a misspelt limit is an error');
SELECT throws_ok($$SELECT * FROM risk_gate_eval(1, 1, '{}', ROW('stake', NULL, 'Infinity', NULL, false, '{}', '{}')::risk_proposal, true)$$,
	'22023', NULL, 'the engine''s gate refuses an infinite turnover itself');
SELECT throws_ok($$SELECT risk_set_limits(9, min_health_factor => 0.9)$$, '23514', NULL, 'a minimum health factor below 1 is refused');
SELECT throws_ok($$SELECT risk_set_limits(9, max_ltv => 1)$$, '23514', NULL, 'a maximum LTV of 1 is refused');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "turnovr": 1}')$$, '22023',
	'proposal has an unknown field "turnovr"', 'a misspelt proposal field is an error');

-- ---- the gate: bad proposals are errors, not decisions ----
SELECT throws_ok($$SELECT * FROM risk_gate(1, '[1]')$$, '22023', NULL, 'proposal not an object');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"chain_id": 1}')$$, '22023', NULL, 'no action');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake"}')$$, '22023', NULL, 'no chain_id');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "value": -1}')$$, '22023', NULL, 'negative value');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "turnover": "lots"}')$$, '22023', NULL, 'turnover not a number');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "value": "Infinity"}')$$, '22023',
	'proposal field "value" must be a finite number, not "Infinity"', 'an infinite value');
SELECT throws_ok($$SELECT * FROM risk_gate_eval(1, 1, '{}', risk_proposal_of('{"action": "stake", "turnover": "Infinity"}'), true)$$, '22023',
	'proposal field "turnover" must be a finite number, not "Infinity"', 'an infinite turnover, even from the engine');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "slippage_bps": "-Infinity"}')$$, '22023',
	NULL, 'a negative infinite slippage');
SELECT is(risk_turnover_today(1), 0::numeric, 'the ledger kept no infinite turnover');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "assets": "0x00"}')$$, '22023', NULL, 'assets not an array');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "assets": ["0xzz"]}')$$, '22P02', NULL, 'not an address');
SELECT throws_ok($$SELECT * FROM risk_gate(1, '{"action": "stake", "chain_id": 1, "reduces_risk": "yes"}')$$, '22023', NULL, 'reduces_risk not a boolean');

-- ---- an operator calls the gate (SECURITY DEFINER) ----
SET LOCAL ROLE amplified_operator;
SELECT is((SELECT (allowed, reasons)::text FROM risk_gate(7, '{"action": "stake", "chain_id": 990060, "value": 1, "turnover": 0, "slippage_bps": 0}')),
	'(t,{})', 'amplified_operator may call risk_gate');
SELECT throws_ok($$SELECT risk_set_limits(7, 1)$$, '42501', NULL, 'but not set limits');
SELECT throws_ok($$SELECT * FROM risk_gate_eval(7, 990060, '{}', risk_proposal_of('{"action": "stake", "turnover": 1}'), true)$$, '42501', NULL,
	'nor write the turnover ledger through the engine''s gate');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
