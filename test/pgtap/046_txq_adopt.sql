-- 046_txq_adopt: transactions the node has and this database never signed
-- (a lost primary's, a restore's), at the SQL level: txq_step_unknown_nonces,
-- txq_pool_tx, txq_step_adopt and txq_resolve_held (src/txq/txq.sql).
--
-- No node and no worker: every chain is disabled and the test plays the tx
-- worker with what a node would have answered (a txpool_content answer,
-- raw bytes whose keccak256 is the pool's hash).  One chain per scenario:
--
--   999301  the pool shows both transactions: the intent reserved at the
--           nonce and a pending one are adopted, nothing left unknown
--   999302  the node cannot show the nonce: the intents that may be the
--           one it carries are held, the others go on; resolution
--   999303  the pool shows another wallet's transaction: only the intent
--           reserved at its nonce is held
--   999304  raw bytes that do not hash to the pool's hash are not trusted
--   999305  mixed: a nonce the node does not show, a later one in the pool
--           that is a pending intent's: that intent is adopted, the others
--           held, the alert lists every unseen nonce; a held intent whose
--           transaction shows up later is adopted and no longer held
--   999306  two senders, one with more than 256 unknown nonces: the other is
--           still looked at; the truncated one's intents are held; a held
--           pending intent does not expire
--   999307  pool transactions of type 1, of an unknown type, without gas
--
-- test/t/141_promote.pl plays the same against anvil after a real failover.
-- Everything is rolled back.
BEGIN;
SELECT plan(67);
SET LOCAL search_path = amplified, public;

-- An address from a short tag: addr('a1') = 0x00…00a1.
CREATE FUNCTION pg_temp.addr(tag text) RETURNS address
LANGUAGE sql IMMUTABLE AS $$ SELECT ('0x' || lpad(tag, 40, '0'))::address $$;

CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint NOT NULL);
CREATE FUNCTION pg_temp.id(name text) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = $1 $$;

-- A disabled chain with one signer (node kind) at nonce 0.
CREATE FUNCTION pg_temp.chain(chain bigint, s text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM add_chain(chain, 'txq-adopt-' || chain, ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false);
	PERFORM add_signer(chain, pg_temp.addr(s), 'node');
	PERFORM txq_set_signer_policy(chain, pg_temp.addr(s), max_value => '1000', max_intents_per_hour => NULL);
	PERFORM txq_step_reconcile(chain, ARRAY[pg_temp.addr(s)], ARRAY[0::bigint], ARRAY[0::bigint]);
END
$$;

-- Enqueue value wei to 0x…77 from a tagged sender, named.
CREATE FUNCTION pg_temp.enq(name text, chain bigint, s text, value integer) RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO ids
	SELECT name, txq_enqueue(chain, pg_temp.addr(s), pg_temp.addr('77'), value::text::uint256, '\x',
							 '{"simulate": false, "gas_limit": 21000}')
	RETURNING id
$$;

-- The worker's reserve step (every claimed intent simulates cleanly).
CREATE FUNCTION pg_temp.reserve(chain bigint) RETURNS SETOF bigint
LANGUAGE sql AS $$
	WITH c AS (SELECT array_agg(c.id ORDER BY k) AS ids
				 FROM txq_step_claim(chain, 100) WITH ORDINALITY AS c(id, sender, target, value, data,
																	gas_limit, simulate, k))
	SELECT r.nonce FROM c, txq_step_reserve(chain, c.ids, array_fill(21000::bigint, ARRAY[cardinality(c.ids)]),
											array_fill(NULL::text, ARRAY[cardinality(c.ids)])) AS r
$$;

-- Sign and send an intent here (fake bytes, their keccak256 as hash).
CREATE FUNCTION pg_temp.sign_send(intent bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT txq_step_record_signed(ARRAY[intent], ARRAY[2], ARRAY[21000::bigint], ARRAY[NULL]::uint256[],
								  ARRAY['30000000000']::uint256[], ARRAY['1000000000']::uint256[],
								  ARRAY['\x02ee'::bytea || int8send(intent)], ARRAY[keccak256('\x02ee'::bytea || int8send(intent))]);
	SELECT txq_step_record_sent(ARRAY[(SELECT max(a.id) FROM tx_attempts AS a WHERE a.intent_id = intent)], ARRAY[NULL::text]);
$$;

-- Fake raw bytes of a pool transaction, and their hash as the pool shows it.
CREATE FUNCTION pg_temp.raw(k integer) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT '\x02f0'::bytea || int4send(k) $$;
CREATE FUNCTION pg_temp.rawhash(k integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT lower(keccak256(pg_temp.raw(k))::text) $$;
-- One pool transaction (type 2, 21000 gas) of k wei to 0x…77, hash of raw(k).
CREATE FUNCTION pg_temp.pooltx(k integer, value integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('hash', pg_temp.rawhash(k), 'to', pg_temp.addr('77')::text,
							  'value', '0x' || to_hex(value), 'input', '0x', 'type', '0x2', 'gas', '0x5208',
							  'maxFeePerGas', '0x77359400', 'maxPriorityFeePerGas', '0x3b9aca00')
$$;

SELECT pg_temp.chain(999301, 'b1');
SELECT pg_temp.chain(999302, 'b2');
SELECT pg_temp.chain(999303, 'b3');
SELECT pg_temp.chain(999304, 'b4');

-- ---- 999301: both lost transactions are in the pool ----

SELECT pg_temp.enq('a0', 999301, 'b1', 10);
SELECT pg_temp.reserve(999301);
SELECT pg_temp.sign_send(pg_temp.id('a0'));
SELECT pg_temp.enq('a1', 999301, 'b1', 1);
SELECT pg_temp.reserve(999301);
SELECT pg_temp.enq('a2', 999301, 'b1', 2);

SELECT is((SELECT count(*) FROM txq_step_unknown_nonces(999301, ARRAY[pg_temp.addr('b1')], ARRAY[1::bigint])), 0::bigint,
	'unknown nonces: none while the node counts no more than our attempts (normal operation)');
SELECT is((SELECT array_agg(nonce ORDER BY nonce) FROM txq_step_unknown_nonces(999301, ARRAY[pg_temp.addr('b1')], ARRAY[3::bigint])),
	ARRAY[1, 2]::bigint[], 'unknown nonces: from the reserved, unsigned intent''s nonce up to the node''s count');
SELECT is((SELECT count(*) FROM txq_step_unknown_nonces(999301, ARRAY[pg_temp.addr('99')], ARRAY[5::bigint])), 0::bigint,
	'unknown nonces: none for a sender without a nonces row');

CREATE TEMP TABLE pool AS
SELECT jsonb_build_object('pending', jsonb_build_object(upper(pg_temp.addr('b1')::text),
		jsonb_build_object('1', pg_temp.pooltx(1, 1), '2', pg_temp.pooltx(2, 2))), 'queued', '{}'::jsonb) AS p;

SELECT is((SELECT txq_pool_tx(p, pg_temp.addr('b1'), 2)->>'hash' FROM pool), pg_temp.rawhash(2),
	'txq_pool_tx: finds a sender''s transaction by nonce, whatever the address case');
SELECT is((SELECT txq_pool_tx(p, pg_temp.addr('b1'), 5) FROM pool), NULL, 'txq_pool_tx: NULL for a nonce not there');
SELECT is(txq_pool_tx(NULL, pg_temp.addr('b1'), 1), NULL, 'txq_pool_tx: NULL for no pool');
SELECT is(txq_pool_tx('"0x1"', pg_temp.addr('b1'), 1), NULL, 'txq_pool_tx: NULL for an answer that is not an object');
SELECT is(txq_pool_tx('{"pending": []}', pg_temp.addr('b1'), 1), NULL, 'txq_pool_tx: NULL for a malformed pending part');

SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999301, ARRAY[pg_temp.addr('b1')], ARRAY[3::bigint],
		(SELECT p FROM pool), ARRAY[pg_temp.rawhash(1), pg_temp.rawhash(2)],
		ARRAY['0x' || encode(pg_temp.raw(1), 'hex'), '0x' || encode(pg_temp.raw(2), 'hex')])$$,
	$$VALUES (pg_temp.id('a1'), 1::bigint, 'adopted'), (pg_temp.id('a2'), 2::bigint, 'adopted')$$,
	'adopt: the intent reserved at nonce 1 and the pending one matching nonce 2');
SELECT is((SELECT status || ' ' || nonce FROM tx_intents WHERE id = pg_temp.id('a2')), 'sent 2',
	'adopt: the pending intent is sent at the pool''s nonce');
SELECT is((SELECT count(*) OVER () || ' ' || a.status || ' ' || a.nonce || ' ' || (a.raw = pg_temp.raw(1))
				  || ' ' || (lower(a.hash::text) = pg_temp.rawhash(1)) || ' ' || a.max_fee_per_gas::text
				  || ' ' || a.max_priority_fee_per_gas::text || ' ' || a.gas_limit
			 FROM tx_attempts AS a WHERE a.intent_id = pg_temp.id('a1')),
	'1 sent 1 true true 2000000000 1000000000 21000', 'adopt: one attempt, sent, with the node''s bytes, hash and fees');
SELECT ok((SELECT detail LIKE 'transaction ' || pg_temp.rawhash(1) || ' at nonce 1 is in the node''s pool but was never signed by this database%'
			 FROM tx_events WHERE intent_id = pg_temp.id('a1') AND event = 'adopted'),
	'adopt: an "adopted" event names the transaction');
SELECT is((SELECT count(*) FROM txq_step_to_sign(999301, 100)), 0::bigint, 'adopt: nothing left to sign');
SELECT is((SELECT count(*) FROM txq_step_unknown_nonces(999301, ARRAY[pg_temp.addr('b1')], ARRAY[3::bigint])), 0::bigint,
	'adopt: no unknown nonce left');
SELECT is(txq_step_reconcile(999301, ARRAY[pg_temp.addr('b1')], ARRAY[3::bigint], ARRAY[1::bigint]), 0,
	'reconcile after adoption: no gap');
SELECT is((SELECT next_nonce FROM nonces WHERE chain_id = 999301), 3::bigint, 'reconcile after adoption: next nonce 3');

-- ---- 999302: the node cannot show the nonce ----

SELECT pg_temp.enq('c0', 999302, 'b2', 10);
SELECT pg_temp.reserve(999302);
SELECT pg_temp.sign_send(pg_temp.id('c0'));
SELECT pg_temp.enq('c1', 999302, 'b2', 1);
SELECT pg_temp.enq('c2', 999302, 'b2', 2);
SELECT pg_temp.reserve(999302);
SELECT pg_temp.enq('c3', 999302, 'b2', 3);

SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999302, ARRAY[pg_temp.addr('b2')], ARRAY[2::bigint],
		NULL, '{}', '{}') ORDER BY intent_id$$,
	$$VALUES (pg_temp.id('c1'), 1::bigint, 'held'), (pg_temp.id('c3'), 1::bigint, 'held')$$,
	'unseen nonce 1: the intent reserved at 1 and the pending one are held');
SELECT is((SELECT held FROM tx_intents WHERE id = pg_temp.id('c2')), false,
	'unseen nonce 1: the intent reserved at 2, the node''s count, is not held (it can only be signed at 2)');
SELECT ok((SELECT alert LIKE 'held: the node has a transaction of ' || pg_temp.addr('b2')::text
				 || ' at nonce 1 that this database did not sign and cannot see (the node has no txpool_content)%'
			 FROM tx_intents WHERE id = pg_temp.id('c1')), 'unseen nonce 1: the alert says why');
SELECT is((SELECT array_agg(event ORDER BY id) FROM tx_events WHERE intent_id = pg_temp.id('c3') AND event IN ('held', 'alert')),
	ARRAY['alert', 'held'], 'unseen nonce 1: an "alert" event, then a "held" one');
SELECT is((SELECT array_agg(intent_id) FROM txq_step_to_sign(999302, 100)), ARRAY[pg_temp.id('c2')],
	'held: the sign step takes only the intent not held');
SELECT is((SELECT count(*) FROM txq_step_claim(999302, 100)), 0::bigint, 'held: the claim skips the held pending intent');
SELECT is((SELECT held FROM v_tx_queue WHERE chain_id = 999302), 2::bigint, 'v_tx_queue counts the held intents');
SELECT is(txq_step_reconcile(999302, ARRAY[pg_temp.addr('b2')], ARRAY[2::bigint], ARRAY[2::bigint]), 0,
	'reconcile: no gap to fill');
SELECT pg_temp.enq('c4', 999302, 'b2', 4);
SELECT is((SELECT count(*) FROM txq_step_adopt(999302, ARRAY[pg_temp.addr('b2')], ARRAY[2::bigint], NULL, '{}', '{}')),
	0::bigint, 'the next reconciliation holds nothing more: a later intent goes on');
SELECT is(pg_temp.reserve(999302), 3::bigint, 'the later intent takes nonce 3');
SELECT is(txq_cancel(pg_temp.id('c1')), 'cancelling', 'cancel a held reserved intent: requested');
SELECT is(txq_step_expire(999302), 0, 'expire: a held intent''s nonce is not handed to a no-op');
SELECT is((SELECT status FROM tx_intents WHERE id = pg_temp.id('c1')), 'reserved', 'expire: the held intent stays reserved');

SELECT throws_ok(format('SELECT txq_resolve_held(%s, true)', pg_temp.id('c2')), '55000',
	format('intent %s is not held', pg_temp.id('c2')), 'resolve: an intent that is not held is refused');
SELECT throws_ok('SELECT txq_resolve_held(-1, true)', '42704', 'intent -1 does not exist', 'resolve: a missing intent');
SELECT throws_ok(format('SELECT txq_resolve_held(%s, NULL)', pg_temp.id('c3')), '22004',
	'executed must be true or false', 'resolve: executed must be given');
SELECT is(txq_resolve_held(pg_temp.id('c1'), true), 'cancelled', 'resolve carried out: cancelled');
SELECT is((SELECT status || ' ' || held || ' ' || coalesce(alert, '-') || ' ' || (error LIKE 'resolved by %: carried out on chain%')
			 FROM tx_intents WHERE id = pg_temp.id('c1')), 'cancelled false - true', 'resolve carried out: no longer held, why recorded');
SELECT is(txq_resolve_held(pg_temp.id('c3'), false), 'pending', 'resolve not carried out: pending');
SELECT is((SELECT status || ' ' || held || ' ' || coalesce(nonce::text, '-') FROM tx_intents WHERE id = pg_temp.id('c3')),
	'pending false -', 'resolve not carried out: no nonce, not held');
SELECT results_eq(format($q$SELECT intent_id, detail LIKE 'held intent resolved: %%' FROM tx_events
							WHERE event = 'resolved' AND intent_id IN (%s, %s) ORDER BY id$q$,
						   pg_temp.id('c1'), pg_temp.id('c3')),
	format('VALUES (%s::bigint, true), (%s::bigint, true)', pg_temp.id('c1'), pg_temp.id('c3')),
	'resolve: each resolution is in the audit trail');
SELECT is(pg_temp.reserve(999302), 4::bigint, 'resolve not carried out: claimed again at a fresh nonce');
SELECT is(txq_step_reconcile(999302, ARRAY[pg_temp.addr('b2')], ARRAY[2::bigint], ARRAY[2::bigint]), 0,
	'reconcile after resolution: nonce 1 is the unseen transaction''s, no gap');
SELECT is((SELECT held FROM v_tx_queue WHERE chain_id = 999302), 0::bigint, 'v_tx_queue: none held any more');

-- ---- 999303: another wallet's transaction in the pool ----

SELECT pg_temp.enq('d0', 999303, 'b3', 1);
SELECT pg_temp.reserve(999303);
SELECT pg_temp.enq('d1', 999303, 'b3', 2);
SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999303, ARRAY[pg_temp.addr('b3')], ARRAY[1::bigint],
		jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b3')::text, jsonb_build_object('0', pg_temp.pooltx(30, 99)))),
		ARRAY[pg_temp.rawhash(30)], ARRAY['0x' || encode(pg_temp.raw(30), 'hex')])$$,
	$$VALUES (pg_temp.id('d0'), 0::bigint, 'held')$$,
	'a foreign transaction at nonce 0: only the intent reserved at 0 is held');
SELECT ok((SELECT alert LIKE 'held: nonce 0 of ' || pg_temp.addr('b3')::text || ' is taken on chain by transaction '
				 || pg_temp.rawhash(30) || ', which this database did not sign and which is not this intent%'
			 FROM tx_intents WHERE id = pg_temp.id('d0')), 'a foreign transaction: the alert names it');
SELECT is((SELECT held FROM tx_intents WHERE id = pg_temp.id('d1')), false, 'a foreign transaction: the pending intent goes on');
SELECT is((SELECT count(*) FROM tx_attempts WHERE chain_id = 999303), 0::bigint, 'a foreign transaction: nothing adopted');

-- ---- 999304: bytes that are not the pool's transaction ----

SELECT pg_temp.enq('e0', 999304, 'b4', 5);
SELECT results_eq(
	$$SELECT intent_id, outcome FROM txq_step_adopt(999304, ARRAY[pg_temp.addr('b4')], ARRAY[1::bigint],
		jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b4')::text, jsonb_build_object('0', pg_temp.pooltx(40, 5)))),
		ARRAY[pg_temp.rawhash(40)], ARRAY['0x' || encode(pg_temp.raw(41), 'hex')])$$,
	$$VALUES (pg_temp.id('e0'), 'held')$$,
	'raw bytes whose hash is not the pool''s: not adopted, the matching intent is held');
SELECT ok((SELECT alert LIKE '%(the node gave no raw bytes for it)%' FROM tx_intents WHERE id = pg_temp.id('e0')),
	'bad raw bytes: the alert says so');

-- ---- 999305: one nonce unseen (mined), a later one in the pool ----

SELECT pg_temp.chain(999305, 'b5');
SELECT pg_temp.enq('f0', 999305, 'b5', 10);
SELECT pg_temp.reserve(999305);
SELECT pg_temp.enq('f1', 999305, 'b5', 2);
SELECT pg_temp.enq('f2', 999305, 'b5', 3);
SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999305, ARRAY[pg_temp.addr('b5')], ARRAY[4::bigint],
		jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b5')::text, jsonb_build_object('1', pg_temp.pooltx(51, 2)))),
		ARRAY[pg_temp.rawhash(51)], ARRAY['0x' || encode(pg_temp.raw(51), 'hex')]) ORDER BY outcome, intent_id$$,
	$$VALUES (pg_temp.id('f1'), 1::bigint, 'adopted'), (pg_temp.id('f0'), 0::bigint, 'held'), (pg_temp.id('f2'), 0::bigint, 'held')$$,
	'mixed: the pending intent whose transaction is in the pool at nonce 1 is adopted, though nonce 0 is unseen; the others are held');
SELECT is((SELECT status || ' ' || nonce || ' ' || held FROM tx_intents WHERE id = pg_temp.id('f1')), 'sent 1 false',
	'mixed: the adopted intent is sent at nonce 1, not held');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('f2')),
	'held: the node has transactions of ' || lower(pg_temp.addr('b5')::text) || ' at nonces 0, 2-3 that this database did not sign '
	|| 'and cannot see (mined already, or dropped from its pool); this intent may be one they carry, so it is not signed '
	|| 'until an admin resolves it with txq_resolve_held',
	'mixed: the alert lists every unseen nonce of the sender (not the adopted one)');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('f0')), (SELECT alert FROM tx_intents WHERE id = pg_temp.id('f2')),
	'mixed: the reserved intent has the same alert');
SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999305, ARRAY[pg_temp.addr('b5')], ARRAY[4::bigint],
		jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b5')::text, jsonb_build_object('2', pg_temp.pooltx(52, 3)))),
		ARRAY[pg_temp.rawhash(52)], ARRAY['0x' || encode(pg_temp.raw(52), 'hex')])$$,
	$$VALUES (pg_temp.id('f2'), 2::bigint, 'adopted')$$,
	'a held intent whose transaction the pool shows later is adopted; nothing more is held');
SELECT is((SELECT status || ' ' || nonce || ' ' || held || ' ' || coalesce(alert, '-') FROM tx_intents WHERE id = pg_temp.id('f2')),
	'sent 2 false -', 'adopting a held intent ends its hold');
SELECT is((SELECT held FROM tx_intents WHERE id = pg_temp.id('f0')), true, 'the reserved intent stays held');

-- ---- 999306: two senders, one with more than 256 unknown nonces ----

SELECT pg_temp.chain(999306, 'b6');
SELECT add_signer(999306, pg_temp.addr('b7'), 'node');
SELECT txq_set_signer_policy(999306, pg_temp.addr('b7'), max_value => '1000', max_intents_per_hour => NULL);
SELECT txq_step_reconcile(999306, ARRAY[pg_temp.addr('b7')], ARRAY[0::bigint], ARRAY[0::bigint]);
SELECT pg_temp.enq('g6', 999306, 'b6', 6);
SELECT pg_temp.enq('g7', 999306, 'b7', 7);
SELECT is((SELECT count(*) || ' ' || min(nonce) || ' ' || max(nonce) || ' ' || bool_and(truncated)
			 FROM txq_step_unknown_nonces(999306, ARRAY[pg_temp.addr('b6'), pg_temp.addr('b7')], ARRAY[300, 1]::bigint[])
			WHERE sender = pg_temp.addr('b6')), '256 0 255 true',
	'unknown nonces: at most 256 of a sender with 300, said to be truncated');
SELECT is((SELECT array_agg(nonce::text || ' ' || truncated)
			 FROM txq_step_unknown_nonces(999306, ARRAY[pg_temp.addr('b6'), pg_temp.addr('b7')], ARRAY[300, 1]::bigint[])
			WHERE sender = pg_temp.addr('b7')), ARRAY['0 false'],
	'unknown nonces: the other sender''s are not crowded out');
-- The pool shows the first 256 of b6 as another wallet's: only the truncation holds g6.
CREATE TEMP TABLE pool6 AS
SELECT jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b6')::text,
		jsonb_object_agg(k::text, pg_temp.pooltx(1000 + k, 99)))) AS p,
	   array_agg(pg_temp.rawhash(1000 + k)) AS hashes, array_agg('0x' || encode(pg_temp.raw(1000 + k), 'hex')) AS raws
  FROM generate_series(0, 255) AS k;
SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999306, ARRAY[pg_temp.addr('b6'), pg_temp.addr('b7')], ARRAY[300, 1]::bigint[],
		(SELECT p FROM pool6), (SELECT hashes FROM pool6), (SELECT raws FROM pool6)) ORDER BY intent_id$$,
	$$VALUES (pg_temp.id('g6'), 256::bigint, 'held'), (pg_temp.id('g7'), 0::bigint, 'held')$$,
	'two senders: the truncated one''s pending intent is held, and so is the other''s');
SELECT ok((SELECT alert LIKE 'held: the node has transactions of ' || lower(pg_temp.addr('b6')::text)
				 || ' at nonces 256-299 that this database did not sign and cannot see (more than 256 unknown nonces, not looked at)%'
			 FROM tx_intents WHERE id = pg_temp.id('g6')), 'truncated: the alert names the nonces not looked at');
SELECT ok((SELECT alert LIKE 'held: the node has a transaction of ' || lower(pg_temp.addr('b7')::text) || ' at nonce 0 %'
			 FROM tx_intents WHERE id = pg_temp.id('g7')), 'the other sender: the alert names its nonce');
UPDATE tx_intents SET valid_until = now() - interval '1 minute' WHERE id = pg_temp.id('g7');
SELECT is(txq_step_expire(999306), 0, 'expire: a held pending intent past valid_until is not expired');
SELECT is((SELECT status || ' ' || held FROM tx_intents WHERE id = pg_temp.id('g7')), 'pending true',
	'expire: the held pending intent stays pending and held');
SELECT is(txq_resolve_held(pg_temp.id('g7'), false), 'pending', 'a held intent past valid_until is resolved by an admin');
SELECT is(txq_step_expire(999306), 1, 'once resolved, it expires like any other');

-- ---- 999307: transaction types ----

SELECT pg_temp.chain(999307, 'b8');
SELECT pg_temp.enq('h1', 999307, 'b8', 1);
SELECT pg_temp.enq('h2', 999307, 'b8', 2);
SELECT pg_temp.enq('h3', 999307, 'b8', 3);
CREATE TEMP TABLE pool7 AS
SELECT jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b8')::text, jsonb_build_object(
		'0', pg_temp.pooltx(71, 1) - 'maxFeePerGas' - 'maxPriorityFeePerGas' || '{"type": "0x1", "gasPrice": "0x3b9aca00"}',
		'1', pg_temp.pooltx(72, 2) || '{"type": "0x7e"}',
		'2', pg_temp.pooltx(73, 3) - 'gas'))) AS p;
SELECT results_eq(
	$$SELECT intent_id, nonce, outcome FROM txq_step_adopt(999307, ARRAY[pg_temp.addr('b8')], ARRAY[3::bigint],
		(SELECT p FROM pool7), ARRAY[pg_temp.rawhash(71), pg_temp.rawhash(72), pg_temp.rawhash(73)],
		ARRAY['0x' || encode(pg_temp.raw(71), 'hex'), '0x' || encode(pg_temp.raw(72), 'hex'), '0x' || encode(pg_temp.raw(73), 'hex')])
		ORDER BY intent_id$$,
	$$VALUES (pg_temp.id('h1'), 0::bigint, 'adopted'), (pg_temp.id('h2'), 1::bigint, 'held'), (pg_temp.id('h3'), 1::bigint, 'held')$$,
	'types: a type 1 transaction is adopted; one of an unknown type, and one without gas, hold (no error)');
SELECT is((SELECT a.tx_type || ' ' || a.gas_price::text || ' ' || coalesce(a.max_fee_per_gas::text, '-') || ' ' || a.gas_limit
			 FROM tx_attempts AS a WHERE a.intent_id = pg_temp.id('h1')), '1 1000000000 - 21000',
	'types: the type 1 attempt has its gas price');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('h2')),
	'held: the node has transactions of ' || lower(pg_temp.addr('b8')::text) || ' at nonces 1, 2 that this database did not sign '
	|| 'and cannot see (nonce 1: the node shows a transaction of type 126, which this database does not read; '
	|| 'nonce 2: the node shows a transaction without its gas or fees); this intent may be one they carry, so it is not '
	|| 'signed until an admin resolves it with txq_resolve_held',
	'types: the alert says why each nonce cannot be read');
SELECT results_eq(
	$$SELECT intent_id, outcome FROM txq_step_adopt(999307, ARRAY[pg_temp.addr('b8')], ARRAY[4::bigint],
		jsonb_build_object('pending', jsonb_build_object(pg_temp.addr('b8')::text, jsonb_build_object('3', pg_temp.pooltx(74, 9) || '{"value": "0xzz"}'))),
		ARRAY[pg_temp.rawhash(74)], ARRAY['0x' || encode(pg_temp.raw(74), 'hex')])$$,
	$$SELECT 0::bigint, 'none' WHERE false$$,
	'types: a value that cannot be read is no error (nothing left to hold)');
SELECT ok((SELECT count(*) = 0 FROM tx_attempts WHERE chain_id = 999307 AND intent_id <> pg_temp.id('h1')),
	'types: only the type 1 transaction was adopted');

SELECT * FROM finish();
ROLLBACK;
