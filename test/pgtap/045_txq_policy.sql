-- 045_txq_policy: who can move funds through txq_enqueue (docs/txq.md, "Who
-- can move funds").  It replays the attack of issue 13: an operator emptying
-- a strategy's vault with direct enqueues (five ETH and one WETH, forged
-- strategy and decision ids, a value of 2^256-1, 10 MB of data, with the
-- risk kill switch on), and sees each refused; then the signer policies an
-- admin sets, the rate limit, the kill switches, and the signed bytes that
-- only admins may read.
--
-- Chain 999301 (disabled, no worker): the vault f1 of strategy "vault-1"
-- (no policy: only its decisions move its funds), the vault f2 of
-- "vault-2", the operator's hot wallet d1 (a policy), and b1 (a signer
-- without a policy).  Everything is rolled back.
BEGIN;
SELECT plan(58);
SET LOCAL search_path = amplified, public;

-- An address from a short tag: addr('a1') = 0x00…00a1.
CREATE FUNCTION pg_temp.addr(tag text) RETURNS address
LANGUAGE sql IMMUTABLE AS $$ SELECT ('0x' || lpad(tag, 40, '0'))::address $$;
-- The calldata of the approve every decision below lists.
CREATE FUNCTION pg_temp.approve_data() RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
	SELECT decode(substr(strategy_approve_intent(pg_temp.addr('e0'), pg_temp.addr('c0'), '1000') ->> 'data', 3), 'hex')
$$;
-- ERC-20 transfer(to, amount) calldata.
CREATE FUNCTION pg_temp.transfer(to_tag text, amount text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
	SELECT abi_encode_call('transfer(address,uint256)', jsonb_build_array(pg_temp.addr(to_tag)::text, amount))
$$;

SELECT add_chain(999301, 'txq-policy', ARRAY['http://127.0.0.1:9'], enabled => false);
SELECT add_signer(999301, pg_temp.addr(s), 'node') FROM unnest(ARRAY['f1', 'f2', 'd1', 'b1']) AS s;
SELECT txq_step_reconcile(999301, ARRAY[pg_temp.addr('f1'), pg_temp.addr('f2'), pg_temp.addr('d1'), pg_temp.addr('b1')],
						  ARRAY[0, 0, 0, 0]::bigint[], ARRAY[0, 0, 0, 0]::bigint[]);

-- Two strategies and their decisions, as the engine writes them (e0 is
-- WETH, c0 a router): d_ok was allowed and lists one approve; d_blocked was
-- not allowed; d_other is of the other strategy.
INSERT INTO strategies (name, kind, chain_id, owner, params)
	VALUES ('vault-1', 'lp_univ3', 999301, pg_temp.addr('f1'), '{}'),
		   ('vault-2', 'lp_univ3', 999301, pg_temp.addr('f2'), '{}');
CREATE TEMP TABLE st AS
	SELECT (SELECT id FROM strategies WHERE name = 'vault-1') AS s1,
		   (SELECT id FROM strategies WHERE name = 'vault-2') AS s2;
CREATE TEMP TABLE dec (name text PRIMARY KEY, id bigint);
WITH d AS (
	INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, intents, risk_allowed)
	VALUES ((SELECT s1 FROM st), 999301, 10, 10, 'open', 'enqueued',
			jsonb_build_array(strategy_approve_intent(pg_temp.addr('e0'), pg_temp.addr('c0'), '1000')), true),
		   ((SELECT s1 FROM st), 999301, 11, 11, 'open', 'blocked',
			jsonb_build_array(strategy_approve_intent(pg_temp.addr('e0'), pg_temp.addr('c0'), '1000')), false),
		   ((SELECT s2 FROM st), 999301, 12, 12, 'open', 'enqueued',
			jsonb_build_array(strategy_approve_intent(pg_temp.addr('e0'), pg_temp.addr('c0'), '1000')), true)
	RETURNING id, block_number)
INSERT INTO dec SELECT CASE block_number WHEN 10 THEN 'ok' WHEN 11 THEN 'blocked' ELSE 'other' END, id FROM d;
GRANT SELECT ON dec, st TO amplified_operator;

-- The operator's hot wallet: 1 wei to 0x…77 or WETH transfers, up to 1 ETH,
-- 1 kB of data, three intents an hour.
SELECT txq_set_signer_policy(999301, pg_temp.addr('d1'),
	allowed_targets => ARRAY[pg_temp.addr('77'), pg_temp.addr('e0')],
	allowed_selectors => ARRAY['\x'::bytea, '\xa9059cbb'::bytea],
	max_value => '1000000000000000000', max_data_bytes => 1024, max_intents_per_hour => 3);

-- ---- the attack: an operator empties a vault ----

SET LOCAL ROLE amplified_operator;
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('ba'), '5000000000000000000', '\x',
										'{"simulate": false, "gas_limit": 21000}')$$,
	'42501', format('sender %s is the vault of strategy %s ("vault-1"): only a decision of that strategy moves its funds',
					pg_temp.addr('f1'), (SELECT s1 FROM st)),
	'attack: five ETH out of a strategy''s vault is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.transfer('ba', '1000000000000000000'))$$,
	'42501', NULL, 'attack: one WETH out of a strategy''s vault is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('ba'), '5000000000000000000', '\x',
										jsonb_build_object('strategy_id', (SELECT s1 FROM st)))$$,
	'22023', 'option strategy_id needs a decision_id', 'attack: a strategy_id without a decision is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('ba'), '5000000000000000000', '\x',
										'{"decision_id": 987654321}')$$,
	'42501', 'decision 987654321 does not exist', 'attack: a forged decision_id is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('ba'), '5000000000000000000', '\x',
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'ok')))$$,
	'42501', format('decision %s lists no intent to %s with this value and data',
					(SELECT id FROM dec WHERE name = 'ok'), pg_temp.addr('ba')),
	'attack: a real decision does not carry a transfer it does not list');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'blocked')))$$,
	'42501', format('decision %s is blocked: the risk gate did not allow it', (SELECT id FROM dec WHERE name = 'blocked')),
	'attack: a decision the risk gate blocked carries nothing');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'other')))$$,
	'42501', format('decision %s is one of strategy %s, whose vault is %s, not %s', (SELECT id FROM dec WHERE name = 'other'),
					(SELECT s2 FROM st), pg_temp.addr('f2'), pg_temp.addr('f1')),
	'attack: another strategy''s decision does not move this vault');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'ok'),
														   'strategy_id', (SELECT s2 FROM st)))$$,
	'42501', format('decision %s is one of strategy %s, not of strategy %s', (SELECT id FROM dec WHERE name = 'ok'),
					(SELECT s1 FROM st), (SELECT s2 FROM st)),
	'attack: a strategy_id that is not the decision''s is refused');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE chain_id = 999301), 0, 'attack: nothing was queued');

-- ---- a decision's own intent passes, once ----

SELECT ok(txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
					  pg_temp.approve_data(),
					  jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'ok'), 'idempotency_key', 'd-ok-1',
										 'simulate', false)) > 0,
	'decision: the intent it lists is queued (the vault needs no policy)');
SELECT is((SELECT row(strategy_id = (SELECT s1 FROM st), decision_id = (SELECT id FROM dec WHERE name = 'ok'))::text
			 FROM tx_intents WHERE idempotency_key = 'd-ok-1'), '(t,t)',
	'decision: the intent carries the decision''s strategy');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'ok')))$$,
	'42501', format('decision %s is used up: its intent to %s was already queued',
					(SELECT id FROM dec WHERE name = 'ok'), pg_temp.addr('e0')),
	'decision: its intent is queued once');
SELECT is(txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
					  pg_temp.approve_data(),
					  '{"idempotency_key": "d-ok-1"}'),
	(SELECT id FROM tx_intents WHERE idempotency_key = 'd-ok-1'),
	'decision: a repeat under its key returns the same intent');
RESET ROLE;
-- Once the engine has recorded the decision's intents, it is used up whole.
UPDATE decisions SET intent_ids = ARRAY[(SELECT id FROM tx_intents WHERE idempotency_key = 'd-ok-1')]
 WHERE id = (SELECT id FROM dec WHERE name = 'ok');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'ok')))$$,
	'42501', NULL, 'decision: used up once its intents are recorded');
-- A policy on a vault binds its strategy's intents too.
UPDATE decisions SET intent_ids = '{}' WHERE id = (SELECT id FROM dec WHERE name = 'other');
SELECT txq_set_signer_policy(999301, pg_temp.addr('f2'), allowed_targets => ARRAY[pg_temp.addr('c0')]);
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f2'), pg_temp.addr('e0'), '0',
										pg_temp.approve_data(),
										jsonb_build_object('decision_id', (SELECT id FROM dec WHERE name = 'other')))$$,
	'42501', format('the policy of signer %s does not allow target %s', pg_temp.addr('f2'), pg_temp.addr('e0')),
	'decision: a vault''s policy binds its strategy''s intents too');

-- ---- direct enqueues need a policy and must fit it ----

SET LOCAL ROLE amplified_operator;
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('b1'), pg_temp.addr('77'), '1', '\x')$$,
	'42501', format('signer %s on chain 999301 has no policy: it takes no direct intents', pg_temp.addr('b1')),
	'policy: a signer without one takes no direct intent');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'),
										'115792089237316195423570985008687907853269984665640564039457584007913129639935', '\x')$$,
	'42501', format('value 115792089237316195423570985008687907853269984665640564039457584007913129639935 exceeds the cap of signer %s: 1000000000000000000',
					pg_temp.addr('d1')),
	'policy: a value of 2^256-1 is beyond the cap');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1000000000000000001', '\x')$$,
	'42501', NULL, 'policy: one wei beyond the cap is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '0', '\xa9059cbb'::bytea || decode(repeat('00', 10 * 1024 * 1024), 'hex'))$$,
	'54000', format('data of %s bytes exceeds the queue''s limit of 131072 bytes', 10 * 1024 * 1024 + 4),
	'policy: 10 MB of data is beyond the queue''s own limit');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('e0'), '0', '\xa9059cbb'::bytea || decode(repeat('00', 2000), 'hex'))$$,
	'42501', format('data of 2004 bytes exceeds the cap of signer %s: 1024 bytes', pg_temp.addr('d1')),
	'policy: data beyond the signer''s cap');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('ba'), '1', '\x')$$,
	'42501', format('the policy of signer %s does not allow target %s', pg_temp.addr('d1'), pg_temp.addr('ba')),
	'policy: a target not on the list');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('e0'), '0',
										abi_encode_call('approve(address,uint256)', jsonb_build_array(pg_temp.addr('ba')::text, '1')))$$,
	'42501', format('the policy of signer %s does not allow selector 0x095ea7b3', pg_temp.addr('d1')),
	'policy: a selector not on the list');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('e0'), '0', '\x01')$$,
	'42501', format('the policy of signer %s does not allow selector 0x01', pg_temp.addr('d1')),
	'policy: data shorter than a selector matches none');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), NULL, '0', '\x6080604052')$$,
	'42501', format('the policy of signer %s does not allow contract creation', pg_temp.addr('d1')),
	'policy: no contract creation unless allowed');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE chain_id = 999301 AND sender = pg_temp.addr('d1')), 0,
	'policy: nothing queued by the refused ones');

-- ---- what fits passes, up to the rate limit ----

SELECT ok(txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1', '\x', '{"idempotency_key": "d1-a"}') > 0,
	'policy: 1 wei to an allowed target');
SELECT ok(txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('e0'), '0', pg_temp.transfer('77', '5')) > 0,
	'policy: an allowed selector to an allowed target');
SELECT ok(txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1000000000000000000', '\x') > 0,
	'policy: exactly the value cap');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '2', '\x')$$,
	'53400', format('signer %s reached its limit of 3 intents per hour', pg_temp.addr('d1')),
	'rate limit: the fourth intent of the hour is refused');
SELECT is(txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1', '\x', '{"idempotency_key": "d1-a"}'),
	(SELECT id FROM tx_intents WHERE idempotency_key = 'd1-a'),
	'rate limit: a repeat under a key still returns its intent');
SELECT is((SELECT last_enqueue_at FROM signer_policies WHERE signer = pg_temp.addr('d1')), now(),
	'policy: last_enqueue_at records the last intent taken');
RESET ROLE;
-- An intent an hour old no longer counts.
UPDATE tx_intents SET created_at = now() - interval '61 minutes' WHERE idempotency_key = 'd1-a';
SELECT ok(txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '2', '\x') > 0,
	'rate limit: a rolling hour');

-- ---- kill switches stop direct and decision enqueues ----

SET LOCAL ROLE amplified_operator;
SELECT risk_halt('probe');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1', '\x')$$,
	'55000', 'the risk kill switch is on: no intent is taken', 'risk_halt: a direct enqueue is refused');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('f1'), pg_temp.addr('ba'), '5000000000000000000', '\x')$$,
	'55000', NULL, 'risk_halt: the probe''s vault transfer is refused before anything else');
RESET ROLE;
SELECT risk_resume();
SET LOCAL ROLE amplified_operator;
SELECT txq_pause_all('probe');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('77'), '1', '\x')$$,
	'55000', 'the transaction queue is paused: no intent is taken', 'txq_pause_all: a direct enqueue is refused');
RESET ROLE;
-- The worker's own no-ops still fill nonce gaps while paused.
SELECT txq_step_reconcile(999301, ARRAY[pg_temp.addr('b1')], ARRAY[3::bigint], ARRAY[3::bigint]);
SELECT is(txq_step_reconcile(999301, ARRAY[pg_temp.addr('b1')], ARRAY[1::bigint], ARRAY[1::bigint]), 2,
	'txq_pause_all: the worker still fills nonce gaps with no-ops');
SELECT txq_resume_all();

-- ---- policies are the admin's ----

SET LOCAL ROLE amplified_operator;
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), max_value => '1')$$,
	'42501', NULL, 'an operator cannot set a policy');
SELECT throws_ok($$SELECT txq_remove_signer_policy(999301, pg_temp.addr('d1'))$$,
	'42501', NULL, 'an operator cannot remove a policy');
SELECT throws_ok($$UPDATE signer_policies SET max_value = '0'$$, '42501', NULL,
	'an operator cannot write signer_policies');
RESET ROLE;
SET LOCAL ROLE amplified_admin;
SELECT is((txq_set_signer_policy(999301, pg_temp.addr('b1'), max_value => '7')).max_value::text, '7',
	'an admin sets a policy');
SELECT is((txq_set_signer_policy(999301, pg_temp.addr('b1'), max_value => '8', max_intents_per_hour => NULL)).max_value::text, '8',
	'setting it again replaces it');
SELECT lives_ok($$SELECT txq_remove_signer_policy(999301, pg_temp.addr('b1'))$$, 'an admin removes a policy');
RESET ROLE;
SELECT throws_ok($$SELECT txq_remove_signer_policy(999301, pg_temp.addr('b1'))$$, '42704',
	format('no policy for signer %s on chain 999301', pg_temp.addr('b1')), 'remove: no such policy');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('ee'))$$, '42704',
	format('no signer for %s on chain 999301', pg_temp.addr('ee')), 'set: no such signer');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), allowed_selectors => ARRAY['\xa9059c'::bytea])$$,
	'22023', 'every allowed selector must be 4 bytes (or empty, for calls without data)', 'set: a selector of 3 bytes');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), max_data_bytes => 131073)$$,
	'22023', 'max_data_bytes must be between 0 and 131072, not 131073', 'set: a data cap beyond the queue''s limit');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), max_intents_per_hour => -1)$$,
	'22023', 'max_intents_per_hour must not be negative, not -1', 'set: a negative rate');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), max_value => NULL)$$,
	'22004', NULL, 'set: a NULL cap');
SELECT throws_ok($$SELECT txq_set_signer_policy(999301, pg_temp.addr('b1'), allowed_targets => ARRAY[NULL::address])$$,
	'22004', 'allowed_targets must not hold NULL', 'set: a NULL target');

-- ---- signed bytes are the admin's ----

SELECT ok(NOT has_column_privilege('amplified_operator', 'amplified.tx_attempts', 'raw', 'SELECT'),
	'raw: operators may not read signed bytes');
SELECT ok(has_column_privilege('amplified_reader', 'amplified.tx_attempts', 'hash', 'SELECT'),
	'raw: readers still read the hash');
SET LOCAL ROLE amplified_reader;
SELECT throws_ok($$SELECT raw FROM tx_attempts$$, '42501', NULL, 'raw: a reader''s select of raw is refused');
RESET ROLE;
SET LOCAL ROLE amplified_admin;
SELECT lives_ok($$SELECT raw FROM tx_attempts$$, 'raw: an admin reads it');
RESET ROLE;

-- ---- the guards the queue asks: a registry the other modules fill ----

SELECT is((SELECT array_agg(name || ':' || stage || ':' || guard::text ORDER BY name) FROM txq_enqueue_guards),
	ARRAY['risk_kill_switch:before:risk_enqueue_guard', 'strategy_vaults:new_intent:strategy_intent_check'],
	'the risk module''s kill switch and the strategy module''s vaults are guards the queue asks (it names neither)');
-- A module adds a guard with a row: here one that refuses any transfer to e9.
CREATE FUNCTION public.no_e9(chain_id bigint, sender amplified.address, decision_id bigint, target amplified.address,
	value amplified.uint256, data bytea) RETURNS amplified.txq_guard_verdict LANGUAGE sql
	SET search_path = pg_catalog, amplified, pg_temp AS $f$
	SELECT ROW(NULL, NULL, CASE WHEN target = ('0x' || lpad('e9', 40, '0'))::amplified.address THEN 'e9 is sanctioned' END,
			   '42501', 'Ask compliance.')::amplified.txq_guard_verdict
$f$;
INSERT INTO txq_enqueue_guards (name, stage, guard, description) VALUES ('sanctions', 'before', 'public.no_e9', 'a test guard');
SELECT throws_ok($$SELECT txq_enqueue(999301, pg_temp.addr('d1'), pg_temp.addr('e9'), '0', '')$$, '42501', 'e9 is sanctioned',
	'a registered guard refuses with its own message and SQLSTATE');
DELETE FROM txq_enqueue_guards WHERE name = 'sanctions';
CREATE ROLE amp_guard_admin NOLOGIN;
GRANT amplified_admin TO amp_guard_admin;
GRANT CREATE ON SCHEMA public TO amp_guard_admin;
SET LOCAL ROLE amp_guard_admin;
SELECT throws_ok($$INSERT INTO txq_enqueue_guards (name, stage, guard, description) VALUES ('mine', 'before', 'public.no_e9', 'x')$$,
	'42501', NULL, 'an admin may not register guards: the queue runs them as the extension''s owner');
RESET ROLE;
ALTER FUNCTION public.no_e9(bigint, amplified.address, bigint, amplified.address, amplified.uint256, bytea) OWNER TO amp_guard_admin;
SELECT throws_ok($$INSERT INTO txq_enqueue_guards (name, stage, guard, description) VALUES ('mine', 'before', 'public.no_e9', 'x')$$,
	'42501', NULL, 'nor may the owner register another role''s function');
SELECT throws_ok($$INSERT INTO txq_enqueue_guards (name, stage, guard, description) VALUES ('mine', 'before', 'amplified.risk_is_halted', 'x')$$,
	'42P13', NULL, 'nor a function of another signature');

SELECT * FROM finish();
ROLLBACK;
