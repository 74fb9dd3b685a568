-- 040_txq: the transaction queue at the SQL level (src/txq/txq.sql).
--
-- No node and no worker: every chain is disabled, and the test plays the tx
-- worker by calling its step functions with what a node would have answered
-- (fake signed bytes, hashes, receipts, nonce counts).  Each scenario has a
-- chain of its own, because the worker's steps work on a whole chain:
--
--   999201  txq_enqueue validation, idempotency, add_signer/remove_signer
--   999202  the state machine: mined, confirmed, reverted, reorged, dropped,
--           nonce used elsewhere, replacement, broadcast error, alert
--   999203  a reverted simulation: rejected, or waiting for earlier intents
--   999204  cancel, pause and resume (intent, signer, kill switch)
--   999205  nonce reconciliation and gap filling
--   999206  valid_until expiry
--   999207  backpressure, the replacement bound, signer backoff
--
-- Everything is rolled back.
BEGIN;
SELECT plan(220);
SET LOCAL search_path = amplified, public;

-- ---- helpers ----

-- An address from a short tag: addr('a1') = 0x00…00a1.
CREATE FUNCTION pg_temp.addr(tag text) RETURNS address
LANGUAGE sql IMMUTABLE AS $$ SELECT ('0x' || lpad(tag, 40, '0'))::address $$;
-- A 32-byte hash from a number.
CREATE FUNCTION pg_temp.h(n bigint) RETURNS bytes32
LANGUAGE sql IMMUTABLE AS $$ SELECT ('0x' || lpad(to_hex(n), 64, '0'))::bytes32 $$;

-- Intent ids by name.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint NOT NULL);
CREATE FUNCTION pg_temp.keep(name text, id bigint) RETURNS bigint
LANGUAGE sql AS $$ INSERT INTO ids VALUES (name, id) RETURNING id $$;
CREATE FUNCTION pg_temp.id(name text) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = $1 $$;

-- A disabled chain whose signers (node kind) start at nonce 0, each with a
-- policy that lets it send anything up to 1 ETH, unlimited in number
-- (test/pgtap/045_txq_policy.sql tests the policies).
CREATE FUNCTION pg_temp.chain(chain bigint, name text, signers text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	PERFORM add_chain(chain, name, ARRAY['http://127.0.0.1:9'], confirmations => 3, enabled => false);
	FOREACH s IN ARRAY signers LOOP
		PERFORM add_signer(chain, pg_temp.addr(s), 'node', replace_after => '5 minutes');
		PERFORM txq_set_signer_policy(chain, pg_temp.addr(s), max_value => '1000000000000000000',
									  max_intents_per_hour => NULL, allow_create => true);
	END LOOP;
	PERFORM txq_step_reconcile(chain, (SELECT array_agg(pg_temp.addr(x)) FROM unnest(signers) AS x),
							   array_fill(0::bigint, ARRAY[cardinality(signers)]),
							   array_fill(0::bigint, ARRAY[cardinality(signers)]));
END
$$;

-- Enqueue 1 wei to 0x…77 from a tagged sender, named.
CREATE FUNCTION pg_temp.enq(name text, chain bigint, sender text,
	opts jsonb DEFAULT '{"simulate": false, "gas_limit": 21000}') RETURNS bigint
LANGUAGE sql AS $$
	SELECT pg_temp.keep(name, txq_enqueue(chain, pg_temp.addr(sender), pg_temp.addr('77'), '1', '\x', opts))
$$;

-- The worker's reserve step: claim, then reserve with the given revert
-- reasons (NULL: simulated cleanly, gas 21000).
CREATE FUNCTION pg_temp.reserve(chain bigint, reasons text[] DEFAULT NULL)
RETURNS TABLE (id bigint, status text, nonce bigint)
LANGUAGE sql AS $$
	WITH c AS (SELECT array_agg(c.id ORDER BY k) AS ids
				 FROM txq_step_claim(chain, 100) WITH ORDINALITY AS c(id, sender, target, value, data,
																	gas_limit, simulate, k))
	SELECT r.* FROM c, txq_step_reserve(chain, c.ids, array_fill(21000::bigint, ARRAY[cardinality(c.ids)]),
										coalesce(reasons, array_fill(NULL::text, ARRAY[cardinality(c.ids)]))) AS r
$$;

-- The ids txq_step_claim would take now.
CREATE FUNCTION pg_temp.claimable(chain bigint) RETURNS bigint[]
LANGUAGE sql AS $$ SELECT array_agg(c.id ORDER BY c.id) FROM txq_step_claim(chain, 100) AS c $$;

-- The worker's sign step for one intent: a type 2 transaction whose fake raw
-- bytes end with its hash.
CREATE FUNCTION pg_temp.sign(intent bigint, hash bigint, max_fee text DEFAULT '30000000000',
	tip text DEFAULT '1000000000') RETURNS integer
LANGUAGE sql AS $$
	SELECT txq_step_record_signed(ARRAY[intent], ARRAY[2], ARRAY[21000::bigint], ARRAY[NULL]::uint256[],
								  ARRAY[max_fee]::uint256[], ARRAY[tip]::uint256[],
								  ARRAY['\x02'::bytea || decode(lpad(to_hex(hash), 64, '0'), 'hex')],
								  ARRAY[pg_temp.h(hash)])
$$;

-- The newest attempt of an intent.
CREATE FUNCTION pg_temp.attempt(intent bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT max(a.id) FROM tx_attempts AS a WHERE a.intent_id = intent $$;

-- The worker's broadcast bookkeeping for one attempt (err NULL: the node took it).
CREATE FUNCTION pg_temp.sent(attempt bigint, err text DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$ SELECT txq_step_record_sent(ARRAY[attempt], ARRAY[err]) $$;

-- The worker's follow step for one attempt: a receipt in block (NULL: none;
-- its hash is h(block + bh_offset)), the pool answer and the sender's mined
-- nonce count.
CREATE FUNCTION pg_temp.receipt(chain bigint, head bigint, attempt bigint, block bigint,
	status integer DEFAULT 1, in_pool boolean DEFAULT NULL, latest bigint DEFAULT 0,
	bh_offset bigint DEFAULT 1000000) RETURNS integer
LANGUAGE sql AS $$
	SELECT txq_step_record_receipts(chain, head, ARRAY[attempt], ARRAY[block],
									ARRAY[pg_temp.h(block + bh_offset)],
									ARRAY[CASE WHEN block IS NOT NULL THEN 21000::bigint END],
									ARRAY[CASE WHEN block IS NOT NULL THEN '25000000000' END]::uint256[],
									ARRAY[CASE WHEN block IS NOT NULL THEN status::smallint END],
									ARRAY[in_pool], ARRAY[latest])
$$;

-- The events of an intent as "event:from>to".
CREATE FUNCTION pg_temp.events(intent bigint) RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT array_agg(e.event || ':' || coalesce(e.from_status, '') || '>' || coalesce(e.to_status, '') ORDER BY e.id)
	  FROM tx_events AS e WHERE e.intent_id = intent
$$;

SELECT pg_temp.chain(999201, 'txq-validation', ARRAY['a1', 'a2']);
SELECT pg_temp.chain(999202, 'txq-states', ARRAY['e1']);
SELECT pg_temp.chain(999203, 'txq-simulation', ARRAY['b1']);
SELECT pg_temp.chain(999204, 'txq-cancel', ARRAY['c1']);
SELECT pg_temp.chain(999205, 'txq-reconcile', ARRAY['d1', 'd2']);
SELECT pg_temp.chain(999206, 'txq-expiry', ARRAY['f1']);

-- ---- signers ----

SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'ledger')$$, '22023',
	'invalid signer kind: "ledger"', 'add_signer: unknown kind');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'external')$$, '22023',
	'external signer needs a url', 'add_signer: an external signer needs a url');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'node', 'http://127.0.0.1:8550')$$, '22023',
	NULL, 'add_signer: a node signer takes no url');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'external', 'ftp://signer')$$, '22023',
	'invalid signer url', 'add_signer: the url must be http(s)');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'node', tx_type => 1)$$, '22023',
	'tx_type must be 0 (legacy, EIP-155) or 2 (EIP-1559), not 1', 'add_signer: tx_type 1');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a9'), 'node', replace_after => '0 seconds')$$, '22023',
	'replace_after must be between 1 second and 1 day, not 00:00:00', 'add_signer: replace_after 0');
SELECT throws_ok($$SELECT add_signer(999201, pg_temp.addr('a1'), 'node')$$, '23505',
	format('a signer for %s on chain 999201 already exists', pg_temp.addr('a1')),
	'add_signer: a second signer for the same address');
SELECT throws_ok($$SELECT add_signer(999299, pg_temp.addr('a9'), 'node')$$, '42704',
	'chain 999299 is not configured', 'add_signer: unknown chain');
SELECT throws_ok($$SELECT add_signer(999201, NULL, 'node')$$, '22004', NULL, 'add_signer: NULL address');
SELECT is((SELECT row(kind, url, tx_type, max_fee_per_gas::text, replace_after, paused)::text
			 FROM add_signer(999201, pg_temp.addr('a9'), 'external', 'https://signer.example:8550', 0, '50000000000', '90 seconds')),
	'(external,https://signer.example:8550,0,50000000000,00:01:30,f)', 'add_signer: an external legacy signer with a fee cap');
SELECT hasnt_column('amplified', 'v_signers', 'url', 'v_signers does not show signer URLs');
SELECT is((SELECT row(kind, tx_type, max_fee_per_gas::text, replace_after, paused, next_nonce)::text
			 FROM v_signers WHERE chain_id = 999201 AND address = pg_temp.addr('a9')),
	'(external,0,50000000000,00:01:30,f,)', 'v_signers: the new signer, not yet reconciled');

-- ---- txq_enqueue: bad input, one per line, and nothing written ----

SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"colour": "red"}')$$, '22023',
	'unknown option "colour"', 'enqueue: unknown option');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"gas_limit": 20999}')$$, '22023',
	'gas_limit must be between 21000 and 100000000, not 20999', 'enqueue: gas_limit below 21000');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"gas_limit": 100000001}')$$, '22023',
	'gas_limit must be between 21000 and 100000000, not 100000001', 'enqueue: gas_limit above 100000000');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"gas_limit": "lots"}')$$, '22023',
	'invalid options: invalid input syntax for type bigint: "lots"', 'enqueue: gas_limit not a number');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"gas_limit": 21000.5}')$$, '22023',
	NULL, 'enqueue: gas_limit not an integer');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"max_fee_per_gas": "100", "max_priority_fee_per_gas": "101"}')$$,
	'22023', 'max_priority_fee_per_gas (101) exceeds max_fee_per_gas (100)', 'enqueue: priority fee above max fee');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"valid_until": "2001-01-01T00:00:00Z"}')$$, '22023',
	NULL, 'enqueue: valid_until in the past');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"valid_for": "-1 minute"}')$$, '22023',
	NULL, 'enqueue: negative valid_for');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"valid_until": "soon"}')$$, '22023',
	'invalid options: invalid input syntax for type timestamp with time zone: "soon"', 'enqueue: valid_until not a time');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'ee')$$, '42704',
	format('no signer for %s on chain 999201', pg_temp.addr('ee')), 'enqueue: no signer for the sender');
SELECT throws_ok($$SELECT txq_enqueue(999201, pg_temp.addr('a1'), NULL, '0', '\x')$$, '22023',
	'a contract creation (no target) needs init code in data', 'enqueue: contract creation without data');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '[1, 2]')$$, '22023',
	'options must be a JSON object, not array', 'enqueue: options an array');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '"fast"')$$, '22023',
	'options must be a JSON object, not string', 'enqueue: options a string');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"priority": "high"}')$$, '22023',
	'invalid options: invalid input syntax for type integer: "high"', 'enqueue: priority not an integer');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"simulate": "maybe"}')$$, '22023',
	'invalid options: invalid input syntax for type boolean: "maybe"', 'enqueue: simulate not a boolean');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"max_fee_per_gas": true}')$$, '22023',
	'invalid options: option "max_fee_per_gas" must be a number or a string, not boolean', 'enqueue: max_fee_per_gas a boolean');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"max_priority_fee_per_gas": "-1"}')$$, '22023',
	NULL, 'enqueue: negative priority fee');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"decision_id": "d-7"}')$$, '22023',
	'invalid options: invalid input syntax for type bigint: "d-7"', 'enqueue: decision_id not an integer');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', '{"idempotency_key": ""}')$$, '22023',
	'idempotency_key must be 1 to 200 characters', 'enqueue: empty idempotency_key');
SELECT throws_ok($$SELECT pg_temp.enq('x', 999201, 'a1', jsonb_build_object('idempotency_key', repeat('k', 201)))$$,
	'22023', 'idempotency_key must be 1 to 200 characters', 'enqueue: idempotency_key of 201 characters');
SELECT throws_ok($$SELECT txq_enqueue(NULL, pg_temp.addr('a1'), pg_temp.addr('77'), '1', '\x')$$, '22004',
	'chain_id and sender must not be NULL', 'enqueue: NULL chain');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE chain_id = 999201), 0, 'enqueue: bad input wrote nothing');
SELECT is((SELECT count(*)::int FROM tx_events), 0, 'enqueue: bad input wrote no event');

-- ---- txq_enqueue: what is stored ----

-- (strategy_id and decision_id: test/pgtap/045_txq_policy.sql.)
SELECT pg_temp.enq('all', 999201, 'a1',
	'{"idempotency_key": "all-options", "gas_limit": 50000, "max_fee_per_gas": "0x6fc23ac00",
	  "max_priority_fee_per_gas": 2000000000, "valid_for": "1 hour", "priority": 5, "simulate": false}');
SELECT is((SELECT row(status, kind, idempotency_key, gas_limit, max_fee_per_gas::text, max_priority_fee_per_gas::text,
					  valid_until = now() + interval '1 hour', priority, simulate, strategy_id, decision_id,
					  value::text, nonce, paused)::text
			 FROM tx_intents WHERE id = pg_temp.id('all')),
	'(pending,call,all-options,50000,30000000000,2000000000,t,5,f,,,1,,f)', 'enqueue: every option is stored');
SELECT is((SELECT options FROM tx_intents WHERE id = pg_temp.id('all')),
	'{"idempotency_key": "all-options", "gas_limit": 50000, "max_fee_per_gas": "0x6fc23ac00",
	  "max_priority_fee_per_gas": 2000000000, "valid_for": "1 hour", "priority": 5, "simulate": false}'::jsonb,
	'enqueue: the options are kept as given');
SELECT pg_temp.keep('defaults', txq_enqueue(999201, pg_temp.addr('a1'), pg_temp.addr('77'), NULL, NULL));
SELECT is((SELECT row(status, value::text, data, gas_limit, max_fee_per_gas, valid_until, priority, simulate, options)::text
			 FROM tx_intents WHERE id = pg_temp.id('defaults')),
	'(pending,0,"\\x",,,,0,t,{})', 'enqueue: defaults (0 wei, no data, simulate, priority 0)');
SELECT pg_temp.keep('both', txq_enqueue(999201, pg_temp.addr('a1'), pg_temp.addr('77'), '1', '\x',
	jsonb_build_object('valid_until', now() + interval '2 hours', 'valid_for', '3 hours')));
SELECT is((SELECT valid_until FROM tx_intents WHERE id = pg_temp.id('both')), now() + interval '2 hours',
	'enqueue: valid_until and valid_for: the earlier wins');
SELECT pg_temp.keep('create', txq_enqueue(999201, pg_temp.addr('a1'), NULL, '0', '\x6080604052'));
SELECT is((SELECT row(target, data)::text FROM tx_intents WHERE id = pg_temp.id('create')), '(,"\\x6080604052")',
	'enqueue: a contract creation with init code');
SELECT is(pg_temp.events(pg_temp.id('all')), ARRAY['enqueued:>pending'], 'enqueue: one event, enqueued');

-- ---- idempotency ----

SELECT pg_temp.enq('k1', 999201, 'a1', '{"idempotency_key": "rebalance-1", "simulate": false}');
SELECT is(pg_temp.enq('k1-again', 999201, 'a1', '{"idempotency_key": "rebalance-1", "simulate": false}'),
	pg_temp.id('k1'), 'idempotency: the same key returns the same intent');
SELECT is(pg_temp.enq('k1-options', 999201, 'a1', '{"idempotency_key": "rebalance-1", "priority": 9}'),
	pg_temp.id('k1'), 'idempotency: a repeat with other options returns the same intent');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE idempotency_key = 'rebalance-1'), 1,
	'idempotency: one intent for the key');
SELECT is((SELECT priority FROM tx_intents WHERE id = pg_temp.id('k1')), 0,
	'idempotency: the repeat changed nothing');
SELECT throws_ok($$SELECT txq_enqueue(999201, pg_temp.addr('a1'), pg_temp.addr('77'), '1', '\x01', '{"idempotency_key": "rebalance-1"}')$$,
	'23505', format('idempotency key "rebalance-1" was used for a different transaction (intent %s)', pg_temp.id('k1')),
	'idempotency: other data under the same key');
SELECT throws_ok($$SELECT txq_enqueue(999201, pg_temp.addr('a1'), pg_temp.addr('78'), '1', '\x', '{"idempotency_key": "rebalance-1"}')$$,
	'23505', NULL, 'idempotency: another target under the same key');
SELECT throws_ok($$SELECT txq_enqueue(999201, pg_temp.addr('a1'), pg_temp.addr('77'), '2', '\x', '{"idempotency_key": "rebalance-1"}')$$,
	'23505', NULL, 'idempotency: another value under the same key');
SELECT throws_ok($$SELECT txq_enqueue(999201, pg_temp.addr('a2'), pg_temp.addr('77'), '1', '\x', '{"idempotency_key": "rebalance-1"}')$$,
	'23505', NULL, 'idempotency: another sender under the same key');
SELECT isnt(pg_temp.enq('k1-other-chain', 999202, 'e1', '{"idempotency_key": "rebalance-1", "simulate": false}'),
	pg_temp.id('k1'), 'idempotency: keys are per chain');
SELECT txq_cancel(pg_temp.id('k1-other-chain'));

-- ---- remove_signer ----

SELECT throws_ok($$SELECT remove_signer(999201, pg_temp.addr('a1'))$$, '55000', NULL,
	'remove_signer: refused while the signer has open intents');
SELECT throws_ok($$SELECT remove_signer(999201, pg_temp.addr('ee'))$$, '42704',
	format('no signer for %s on chain 999201', pg_temp.addr('ee')), 'remove_signer: unknown signer');
SELECT lives_ok($$SELECT remove_signer(999201, pg_temp.addr('a2'))$$, 'remove_signer: a signer without open intents');
SELECT is((SELECT count(*)::int FROM signers s WHERE s.chain_id = 999201 AND s.address = pg_temp.addr('a2'))
		+ (SELECT count(*)::int FROM nonces n WHERE n.chain_id = 999201 AND n.address = pg_temp.addr('a2')),
	0, 'remove_signer: the signer and its nonce are gone');

-- ---- the state machine (chain 999202, 3 confirmations, sender e1) ----

-- X1: reserve → sign → broadcast → mined → confirmed.
SELECT pg_temp.enq('x1', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x1'), 'reserved', 0::bigint)$$, 'x1: reserved at nonce 0');
SELECT is((SELECT next_nonce FROM nonces WHERE chain_id = 999202), 1::bigint, 'x1: the next nonce moved to 1');
SELECT results_eq($$SELECT intent_id, nonce, gas_limit, tx_type, replaces, cap_max_fee::text FROM txq_step_to_sign(999202, 10)$$,
	$$VALUES (pg_temp.id('x1'), 0::bigint, 21000::bigint, 2, NULL::bigint, NULL::text)$$, 'x1: to sign, first signing');
SELECT is(pg_temp.sign(pg_temp.id('x1'), 4097), 1, 'x1: one attempt persisted');
SELECT is((SELECT status FROM tx_intents WHERE id = pg_temp.id('x1')), 'signed', 'x1: signed');
SELECT is((SELECT row(status, nonce, broadcasts, max_fee_per_gas::text, max_priority_fee_per_gas::text, hash::text)::text
			 FROM tx_attempts WHERE intent_id = pg_temp.id('x1')),
	'(signed,0,0,30000000000,1000000000,0x0000000000000000000000000000000000000000000000000000000000001001)',
	'x1: the attempt holds fees and hash before any broadcast');
SELECT is_empty($$SELECT * FROM txq_step_to_sign(999202, 10)$$, 'x1: nothing more to sign');
SELECT results_eq($$SELECT attempt_id, intent_id, raw FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x1')), pg_temp.id('x1'),
			  '\x020000000000000000000000000000000000000000000000000000000000001001'::bytea)$$,
	'x1: to broadcast, the persisted bytes');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x1')));
SELECT is((SELECT row(a.status, a.broadcasts, a.sent_at = now(), i.status)::text FROM tx_attempts a JOIN tx_intents i ON i.id = a.intent_id
			WHERE a.intent_id = pg_temp.id('x1')), '(sent,1,t,sent)', 'x1: sent');
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999202, 10)$$, 'x1: nothing more to broadcast');
SELECT results_eq($$SELECT attempt_id, status, check_pool FROM txq_step_to_follow(999202)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x1')), 'sent', false)$$, 'x1: followed (too fresh to ask the pool)');
SELECT is(pg_temp.receipt(999202, 100, pg_temp.attempt(pg_temp.id('x1')), 100), 1, 'x1: a receipt in block 100');
SELECT is((SELECT row(i.status, i.block_number, i.tx_hash = a.hash, a.status, a.block_number, a.gas_used,
					  a.effective_gas_price::text, a.receipt_status)::text
			 FROM tx_intents i JOIN tx_attempts a ON a.intent_id = i.id WHERE i.id = pg_temp.id('x1')),
	'(mined,100,t,mined,100,21000,25000000000,1)', 'x1: mined in block 100');
SELECT is(pg_temp.receipt(999202, 102, pg_temp.attempt(pg_temp.id('x1')), 100), 0, 'x1: head 102, nothing changes');
SELECT is((SELECT status FROM tx_intents WHERE id = pg_temp.id('x1')), 'mined', 'x1: 2 confirmations of 3: still mined');
SELECT is(pg_temp.receipt(999202, 103, pg_temp.attempt(pg_temp.id('x1')), 100), 1, 'x1: head 103');
SELECT is((SELECT row(i.status, i.error, a.status)::text FROM tx_intents i JOIN tx_attempts a ON a.intent_id = i.id
			WHERE i.id = pg_temp.id('x1')), '(confirmed,,confirmed)', 'x1: confirmed after 3 confirmations');
SELECT is_empty($$SELECT * FROM txq_step_to_follow(999202)$$, 'x1: no longer followed');
SELECT is(pg_temp.events(pg_temp.id('x1')),
	ARRAY['enqueued:>pending', 'status:pending>reserved', 'status:reserved>signed', 'status:signed>sent',
		  'mined:>', 'status:sent>mined', 'status:mined>confirmed'],
	'x1: every transition is in tx_events');
SELECT results_eq(
	$$SELECT event, from_status, to_status, attempt_id, nonce, hash::text FROM txq_history(pg_temp.id('x1'))$$,
	$$VALUES ('enqueued', NULL, 'pending', NULL::bigint, NULL::bigint, NULL::text),
			 ('status', 'pending', 'reserved', NULL, NULL, NULL),
			 ('status', 'reserved', 'signed', NULL, NULL, NULL),
			 ('status', 'signed', 'sent', NULL, NULL, NULL),
			 ('mined', NULL, NULL, pg_temp.attempt(pg_temp.id('x1')), 0,
			  '0x0000000000000000000000000000000000000000000000000000000000001001'),
			 ('status', 'sent', 'mined', NULL, NULL, NULL),
			 ('status', 'mined', 'confirmed', NULL, NULL, NULL)$$,
	'x1: txq_history, oldest first, with the attempt of the mined event');
SELECT is((SELECT detail FROM txq_history(pg_temp.id('x1')) WHERE event = 'mined'),
	'block 100, status 1, gas used 21000', 'x1: the mined event says block, status and gas');
SELECT ok((SELECT bool_and(actor = current_user) AND bool_and(at IS NOT NULL) FROM txq_history(pg_temp.id('x1'))),
	'x1: every event has an actor and a time');

-- X2: a receipt with status 0: failed once confirmed.
SELECT pg_temp.enq('x2', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x2'), 'reserved', 1::bigint)$$, 'x2: reserved at nonce 1');
SELECT pg_temp.sign(pg_temp.id('x2'), 4098);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x2')));
SELECT is(pg_temp.receipt(999202, 200, pg_temp.attempt(pg_temp.id('x2')), 197, 0), 2,
	'x2: reverted in block 197, already 3 deep: mined and final at once');
SELECT is((SELECT row(i.status, i.error, a.status, a.receipt_status)::text FROM tx_intents i JOIN tx_attempts a ON a.intent_id = i.id
			WHERE i.id = pg_temp.id('x2')), '(failed,"reverted on chain in block 197",failed,0)', 'x2: failed');
SELECT is(pg_temp.events(pg_temp.id('x2')),
	ARRAY['enqueued:>pending', 'status:pending>reserved', 'status:reserved>signed', 'status:signed>sent',
		  'mined:>', 'status:sent>mined', 'status:mined>failed'], 'x2: its events');

-- X3: mined, its block replaced, its receipt gone: the same bytes again.
SELECT pg_temp.enq('x3', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x3'), 'reserved', 2::bigint)$$, 'x3: reserved at nonce 2');
SELECT pg_temp.sign(pg_temp.id('x3'), 4099);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x3')));
SELECT is(pg_temp.receipt(999202, 300, pg_temp.attempt(pg_temp.id('x3')), 300), 1, 'x3: mined in block 300');
SELECT is(pg_temp.receipt(999202, 300, pg_temp.attempt(pg_temp.id('x3')), 300, bh_offset => 2000000), 1,
	'x3: the same number, another block hash: mined again');
SELECT is((SELECT block_hash FROM tx_attempts WHERE intent_id = pg_temp.id('x3')), pg_temp.h(2000300),
	'x3: the attempt holds the new block hash');
SELECT is(pg_temp.receipt(999202, 301, pg_temp.attempt(pg_temp.id('x3')), NULL), 1, 'x3: the receipt is gone');
SELECT is((SELECT row(a.status, a.block_number, a.block_hash, a.receipt_status, i.status, i.tx_hash, i.block_number)::text
			 FROM tx_attempts a JOIN tx_intents i ON i.id = a.intent_id WHERE i.id = pg_temp.id('x3')),
	'(signed,,,,sent,,)', 'x3: attempt back to signed, intent back to sent');
SELECT is((SELECT detail FROM tx_events WHERE intent_id = pg_temp.id('x3') AND event = 'reorged'),
	'block 300 is no longer canonical; the same signed bytes are sent again', 'x3: a reorged event');
SELECT results_eq($$SELECT attempt_id, raw FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x3')), '\x020000000000000000000000000000000000000000000000000000000000001003'::bytea)$$,
	'x3: the same bytes are broadcast again');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x3')));
SELECT is((SELECT broadcasts FROM tx_attempts WHERE intent_id = pg_temp.id('x3')), 2, 'x3: broadcast twice');
SELECT is(pg_temp.receipt(999202, 310, pg_temp.attempt(pg_temp.id('x3')), 305), 2, 'x3: mined again in block 305, 5 deep');
SELECT is((SELECT row(status, block_number)::text FROM tx_intents WHERE id = pg_temp.id('x3')), '(confirmed,305)',
	'x3: confirmed once, in block 305');
SELECT is((SELECT count(*)::int FROM tx_attempts WHERE intent_id = pg_temp.id('x3')), 1, 'x3: one attempt, never re-signed');
SELECT is(pg_temp.events(pg_temp.id('x3')),
	ARRAY['enqueued:>pending', 'status:pending>reserved', 'status:reserved>signed', 'status:signed>sent',
		  'mined:>', 'status:sent>mined', 'mined:>', 'reorged:>', 'status:mined>sent',
		  'mined:>', 'status:sent>mined', 'status:mined>confirmed'], 'x3: its events');

-- X4: the node dropped it: the same bytes again.
SELECT pg_temp.enq('x4', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x4'), 'reserved', 3::bigint)$$, 'x4: reserved at nonce 3');
SELECT pg_temp.sign(pg_temp.id('x4'), 4100);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x4')));
UPDATE tx_attempts SET sent_at = sent_at - interval '10 seconds' WHERE intent_id = pg_temp.id('x4');
SELECT results_eq($$SELECT attempt_id, check_pool FROM txq_step_to_follow(999202)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x4')), true)$$, 'x4: sent 10 s ago, so the pool is asked');
SELECT is(pg_temp.receipt(999202, 400, pg_temp.attempt(pg_temp.id('x4')), NULL, in_pool => NULL, latest => 3), 0,
	'x4: no receipt, pool not asked: nothing changes');
SELECT is(pg_temp.receipt(999202, 400, pg_temp.attempt(pg_temp.id('x4')), NULL, in_pool => true, latest => 3), 0,
	'x4: no receipt, still in the pool: nothing changes');
SELECT is(pg_temp.receipt(999202, 400, pg_temp.attempt(pg_temp.id('x4')), NULL, in_pool => false, latest => 3), 1,
	'x4: no receipt, not in the pool, nonce unused');
SELECT is((SELECT row(a.status, i.status)::text FROM tx_attempts a JOIN tx_intents i ON i.id = a.intent_id
			WHERE i.id = pg_temp.id('x4')), '(signed,sent)', 'x4: attempt back to signed, intent still sent');
SELECT is((SELECT detail FROM tx_events WHERE intent_id = pg_temp.id('x4') AND event = 'dropped'),
	'the node no longer has it; the same signed bytes are sent again', 'x4: a dropped event');
SELECT results_eq($$SELECT attempt_id FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x4')))$$, 'x4: broadcast again');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x4')));

-- X5: no receipt, gone from the pool, and the sender's mined count passed its
-- nonce: someone else used the nonce.
SELECT pg_temp.enq('x5', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x5'), 'reserved', 4::bigint)$$, 'x5: reserved at nonce 4');
SELECT pg_temp.sign(pg_temp.id('x5'), 4101);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x5')));
SELECT is(pg_temp.receipt(999202, 500, pg_temp.attempt(pg_temp.id('x5')), NULL, in_pool => false, latest => 5), 1,
	'x5: nonce 4 mined by a transaction without our hash');
SELECT is((SELECT row(i.status, i.error, a.status)::text FROM tx_intents i JOIN tx_attempts a ON a.intent_id = i.id
			WHERE i.id = pg_temp.id('x5')),
	'(failed,"nonce 4 was used by a transaction this queue did not sign",replaced)', 'x5: failed');

-- X6: stuck: after the signer's replace_after (5 minutes) it is signed again
-- at higher fees; the replacement is mined and the first attempt replaced.
SELECT pg_temp.enq('x6', 999202, 'e1', '{"simulate": false, "gas_limit": 21000, "max_fee_per_gas": "40000000000"}');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x6'), 'reserved', 5::bigint)$$, 'x6: reserved at nonce 5');
SELECT pg_temp.sign(pg_temp.id('x6'), 4102);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x6')));
UPDATE tx_attempts SET sent_at = now() - interval '4 minutes' WHERE intent_id = pg_temp.id('x6');
SELECT is_empty($$SELECT * FROM txq_step_to_sign(999202, 10)$$, 'x6: sent 4 minutes ago: not yet replaced');
UPDATE tx_attempts SET sent_at = now() - interval '6 minutes' WHERE intent_id = pg_temp.id('x6');
SELECT results_eq(
	$$SELECT intent_id, nonce, replaces, cap_max_fee::text, old_gas_price::text, old_max_fee::text, old_priority_fee::text
		FROM txq_step_to_sign(999202, 10)$$,
	$$VALUES (pg_temp.id('x6'), 5::bigint, pg_temp.attempt(pg_temp.id('x6')), '40000000000', NULL::text,
			  '30000000000', '1000000000')$$,
	'x6: sent 6 minutes ago: to sign again, with the old fees and the cap');
SELECT pg_temp.keep('x6-first', pg_temp.attempt(pg_temp.id('x6')));
SELECT txq_step_alert(ARRAY[pg_temp.id('x6')], ARRAY['stuck at nonce 5: a replacement needs max fee 45000000000, above the cap 40000000000']);
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('x6')),
	'stuck at nonce 5: a replacement needs max fee 45000000000, above the cap 40000000000', 'x6: an alert is raised');
SELECT is((SELECT alerts FROM v_tx_queue WHERE chain_id = 999202), 1::bigint, 'x6: v_tx_queue counts the alert');
SELECT txq_step_alert(ARRAY[pg_temp.id('x6')], ARRAY[NULL]);
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('x6')), NULL, 'x6: the alert is cleared');
SELECT is(pg_temp.sign(pg_temp.id('x6'), 4103, '33750000000', '1125000000'), 1, 'x6: a replacement persisted');
SELECT is((SELECT array_agg(row(status, nonce, max_fee_per_gas::text, max_priority_fee_per_gas::text)::text ORDER BY id)
			 FROM tx_attempts WHERE intent_id = pg_temp.id('x6')),
	ARRAY['(sent,5,30000000000,1000000000)', '(signed,5,33750000000,1125000000)'], 'x6: two attempts at nonce 5');
SELECT is((SELECT status FROM tx_intents WHERE id = pg_temp.id('x6')), 'sent', 'x6: the intent stays sent');
SELECT is_empty($$SELECT * FROM txq_step_to_sign(999202, 10)$$, 'x6: the replacement is not replaced before it is sent');
SELECT results_eq($$SELECT attempt_id FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x6')))$$, 'x6: the replacement is broadcast');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x6')));
SELECT is(txq_step_record_receipts(999202, 600, ARRAY[pg_temp.id('x6-first'), pg_temp.attempt(pg_temp.id('x6'))],
			ARRAY[NULL, 600]::bigint[], ARRAY[NULL, pg_temp.h(600)], ARRAY[NULL, 21000]::bigint[],
			ARRAY[NULL, '20000000000']::uint256[], ARRAY[NULL, 1]::smallint[], ARRAY[false, NULL], ARRAY[5, 5]::bigint[]),
	1, 'x6: the replacement is mined, the first attempt has no receipt');
SELECT is((SELECT array_agg(status ORDER BY id) FROM tx_attempts WHERE intent_id = pg_temp.id('x6')),
	ARRAY['replaced', 'mined'], 'x6: the first attempt is replaced');
SELECT is((SELECT row(status, tx_hash)::text FROM tx_intents WHERE id = pg_temp.id('x6')),
	row('mined', pg_temp.h(4103))::text, 'x6: mined with the replacement''s hash');

-- X7: a broadcast error keeps the attempt signed, with an alert.
SELECT pg_temp.enq('x7', 999202, 'e1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999202)$$,
	$$VALUES (pg_temp.id('x7'), 'reserved', 6::bigint)$$, 'x7: reserved at nonce 6');
SELECT pg_temp.sign(pg_temp.id('x7'), 4104);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x7')), 'insufficient funds for gas * price + value');
SELECT is((SELECT row(a.status, a.broadcasts, a.failures, a.last_error, i.status, i.alert)::text
			 FROM tx_attempts a JOIN tx_intents i ON i.id = a.intent_id WHERE i.id = pg_temp.id('x7')),
	'(signed,0,1,"insufficient funds for gas * price + value",signed,"broadcast failed: insufficient funds for gas * price + value")',
	'x7: a refused broadcast: still signed, alerted');
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999202, 10)$$, 'x7: not broadcast again at once');
UPDATE tx_attempts SET updated_at = now() - interval '400 milliseconds' WHERE intent_id = pg_temp.id('x7');
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999202, 10)$$, 'x7: one failure: not within 500 ms');
UPDATE tx_attempts SET updated_at = now() - interval '600 milliseconds' WHERE intent_id = pg_temp.id('x7');
SELECT results_eq($$SELECT attempt_id FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x7')))$$, 'x7: one failure: broadcast again after 500 ms');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x7')), 'insufficient funds for gas * price + value');
UPDATE tx_attempts SET updated_at = now() - interval '900 milliseconds' WHERE intent_id = pg_temp.id('x7');
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999202, 10)$$, 'x7: two failures: not within 1 s');
UPDATE tx_attempts SET updated_at = now() - interval '1100 milliseconds' WHERE intent_id = pg_temp.id('x7');
SELECT results_eq($$SELECT attempt_id FROM txq_step_to_broadcast(999202, 10)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('x7')))$$, 'x7: two failures: broadcast again after 1 s');
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('x7')));
SELECT is((SELECT row(a.status, a.broadcasts, a.failures, a.last_error, i.status)::text
			 FROM tx_attempts a JOIN tx_intents i ON i.id = a.intent_id WHERE i.id = pg_temp.id('x7')),
	'(sent,1,0,,sent)', 'x7: then taken');

-- The queue of e1 at a glance.
SELECT is((SELECT row(next_nonce, pending, reserved, signed, sent, mined, confirmed, failed, rejected, expired, cancelled,
					  oldest_open_id = pg_temp.id('x4'), signer_kind, signer_paused, queue_paused)::text
			 FROM v_tx_queue WHERE chain_id = 999202),
	'(7,0,0,0,2,1,2,2,0,0,1,t,node,f,f)', 'v_tx_queue: counts per status and the next nonce');
SELECT is((SELECT array_agg(nonce ORDER BY nonce) FROM tx_intents WHERE chain_id = 999202 AND nonce IS NOT NULL),
	ARRAY[0, 1, 2, 3, 4, 5, 6]::bigint[], 'the nonces of e1 have no gap');

-- ---- a reverted simulation (chain 999203, sender b1) ----

SELECT pg_temp.enq('r1', 999203, 'b1', '{}');
SELECT is((SELECT array_agg(simulate) FROM txq_step_claim(999203, 10)), ARRAY[true], 'r1: claimed to simulate');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999203, ARRAY['reverted: health factor too low'])$$,
	$$VALUES (pg_temp.id('r1'), 'rejected', NULL::bigint)$$, 'r1: reverts, no earlier intent: rejected');
SELECT is((SELECT row(status, nonce, error)::text FROM tx_intents WHERE id = pg_temp.id('r1')),
	'(rejected,,"simulation reverted: reverted: health factor too low")', 'r1: rejected with the reason');
SELECT is((SELECT next_nonce FROM nonces WHERE chain_id = 999203), 0::bigint, 'r1: took no nonce');
SELECT pg_temp.enq('r2', 999203, 'b1', '{}');
SELECT pg_temp.enq('r3', 999203, 'b1', '{}');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999203, ARRAY[NULL, 'reverted: insufficient allowance'])$$,
	$$VALUES (pg_temp.id('r2'), 'reserved', 0::bigint), (pg_temp.id('r3'), 'pending', NULL)$$,
	'r3: reverts behind r2, unmined: left pending');
SELECT is((SELECT row(status, wait_for_mined, error)::text FROM tx_intents WHERE id = pg_temp.id('r3')),
	'(pending,t,"simulation reverts until the sender''s earlier intents are mined: reverted: insufficient allowance")',
	'r3: waits for mined');
SELECT is(pg_temp.claimable(999203), NULL, 'r3: not claimed while r2 is reserved');
SELECT pg_temp.sign(pg_temp.id('r2'), 8193);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('r2')));
SELECT is(pg_temp.claimable(999203), NULL, 'r3: not claimed while r2 is sent');
SELECT pg_temp.receipt(999203, 50, pg_temp.attempt(pg_temp.id('r2')), 50);
SELECT is(pg_temp.claimable(999203), ARRAY[pg_temp.id('r3')], 'r3: claimed again once r2 is mined');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999203)$$,
	$$VALUES (pg_temp.id('r3'), 'reserved', 1::bigint)$$, 'r3: simulates cleanly now: nonce 1');
SELECT is((SELECT row(wait_for_mined, error)::text FROM tx_intents WHERE id = pg_temp.id('r3')), '(f,)',
	'r3: no longer waiting, error cleared');

-- ---- cancel, pause, resume (chain 999204, sender c1) ----

SELECT pg_temp.enq('p1', 999204, 'c1');
SELECT is(txq_cancel(pg_temp.id('p1')), 'cancelled', 'cancel: a pending intent is cancelled at once');
SELECT is((SELECT row(status, nonce, error)::text FROM tx_intents WHERE id = pg_temp.id('p1')),
	format('(cancelled,,"cancelled by %s")', current_user), 'cancel: status and who');
SELECT is(txq_cancel(pg_temp.id('p1')), 'cancelled', 'cancel: a final intent returns its status');
SELECT throws_ok($$SELECT txq_cancel(-1)$$, '42704', 'intent -1 does not exist', 'cancel: unknown intent');
SELECT pg_temp.enq('p2', 999204, 'c1');
SELECT pg_temp.reserve(999204);
SELECT is(txq_cancel(pg_temp.id('p2')), 'cancelling', 'cancel: a reserved intent is cancelling');
SELECT is((SELECT row(status, cancel_requested, nonce)::text FROM tx_intents WHERE id = pg_temp.id('p2')),
	'(reserved,t,0)', 'cancel: it keeps its nonce until the worker fills it');
SELECT is(txq_cancel(pg_temp.id('p2')), 'cancelling', 'cancel: again, still cancelling');
SELECT is(txq_step_expire(999204), 1, 'cancel: the expire step finishes it');
SELECT is((SELECT row(status, error)::text FROM tx_intents WHERE id = pg_temp.id('p2')),
	'(cancelled,"cancelled before it was signed; a no-op takes its nonce 0")', 'cancel: cancelled');
SELECT pg_temp.keep('p2-noop', (SELECT id FROM tx_intents WHERE chain_id = 999204 AND kind = 'noop'));
SELECT is((SELECT row(status, nonce, sender = pg_temp.addr('c1'), target = pg_temp.addr('c1'), value::text, data,
					  gas_limit, simulate, error)::text
			 FROM tx_intents WHERE id = pg_temp.id('p2-noop')),
	format('(reserved,0,t,t,0,"\\x",21000,f,"takes the nonce of intent %s")', pg_temp.id('p2')),
	'cancel: a no-op (0 wei to itself) takes nonce 0');
SELECT is((SELECT next_nonce FROM nonces WHERE chain_id = 999204), 1::bigint, 'cancel: no new nonce is used');
SELECT is(pg_temp.events(pg_temp.id('p2')),
	ARRAY['enqueued:>pending', 'status:pending>reserved', 'cancel_requested:reserved>reserved', 'status:reserved>cancelled'],
	'cancel: its events');
SELECT is(pg_temp.events(pg_temp.id('p2-noop')), ARRAY['enqueued:>reserved'], 'cancel: the no-op is enqueued reserved');
SELECT results_eq($$SELECT intent_id, nonce FROM txq_step_to_sign(999204, 10)$$,
	$$VALUES (pg_temp.id('p2-noop'), 0::bigint)$$, 'cancel: the no-op is signed next');
SELECT pg_temp.sign(pg_temp.id('p2-noop'), 12289);
SELECT throws_ok(format('SELECT txq_cancel(%s)', pg_temp.id('p2-noop')), '55000',
	format('intent %s is already signed: it can no longer be cancelled', pg_temp.id('p2-noop')),
	'cancel: a signed intent cannot be cancelled');

SELECT pg_temp.enq('q1', 999204, 'c1');
SELECT pg_temp.enq('q2', 999204, 'c1');
SELECT txq_pause(pg_temp.id('q1'));
SELECT is((SELECT paused FROM tx_intents WHERE id = pg_temp.id('q1')), true, 'pause: the intent is paused');
SELECT is(pg_temp.claimable(999204), ARRAY[pg_temp.id('q2')], 'pause: a paused intent is not claimed');
SELECT txq_resume(pg_temp.id('q1'));
SELECT is(pg_temp.claimable(999204), ARRAY[pg_temp.id('q1'), pg_temp.id('q2')], 'resume: claimed again');
SELECT is(pg_temp.events(pg_temp.id('q1')), ARRAY['enqueued:>pending', 'paused:pending>pending', 'resumed:pending>pending'],
	'pause, resume: both in the events');
SELECT throws_ok($$SELECT txq_pause(-1)$$, '42704', 'intent -1 does not exist', 'pause: unknown intent');
SELECT txq_pause(pg_temp.id('p2-noop'));
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999204, 10)$$, 'pause: a paused intent is not broadcast');
SELECT txq_resume(pg_temp.id('p2-noop'));
SELECT results_eq($$SELECT intent_id FROM txq_step_to_broadcast(999204, 10)$$,
	$$VALUES (pg_temp.id('p2-noop'))$$, 'resume: broadcast again');

SELECT txq_pause_signer(999204, pg_temp.addr('c1'));
SELECT is((SELECT paused FROM v_signers WHERE chain_id = 999204), true, 'pause_signer: v_signers shows it');
SELECT is(pg_temp.claimable(999204), NULL, 'pause_signer: nothing of the signer is claimed');
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999204, 10)$$, 'pause_signer: nothing of the signer is broadcast');
SELECT txq_resume_signer(999204, pg_temp.addr('c1'));
SELECT is(pg_temp.claimable(999204), ARRAY[pg_temp.id('q1'), pg_temp.id('q2')], 'resume_signer: claimed again');
SELECT throws_ok($$SELECT txq_pause_signer(999204, pg_temp.addr('ee'))$$, '42704',
	format('no signer for %s on chain 999204', pg_temp.addr('ee')), 'pause_signer: unknown signer');

SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('p2-noop')));
SELECT pg_temp.enq('q3', 999204, 'c1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999204) WHERE id = pg_temp.id('q3')$$,
	$$VALUES (pg_temp.id('q3'), 'reserved', 3::bigint)$$, 'kill switch: q1, q2, q3 reserved at nonces 1 to 3');
SELECT pg_temp.enq('q4', 999204, 'c1');
SELECT txq_pause_all('incident 42');
SELECT is((SELECT row(paused, reason, updated_by = session_user)::text FROM txq_control), '(t,"incident 42",t)',
	'kill switch: on, with its reason');
SELECT throws_ok($$SELECT pg_temp.enq('q5', 999204, 'c1')$$, '55000',
	'the transaction queue is paused: no intent is taken', 'kill switch: no intent is taken');
SELECT is(pg_temp.claimable(999204), NULL, 'kill switch: nothing is claimed');
SELECT is_empty($$SELECT * FROM txq_step_to_sign(999204, 10)$$, 'kill switch: nothing is signed');
SELECT pg_temp.sign(pg_temp.id('q1'), 12290);
SELECT is_empty($$SELECT * FROM txq_step_to_broadcast(999204, 10)$$, 'kill switch: nothing is broadcast');
SELECT results_eq($$SELECT attempt_id FROM txq_step_to_follow(999204)$$,
	$$VALUES (pg_temp.attempt(pg_temp.id('p2-noop')))$$, 'kill switch: receipts are still followed');
SELECT is((SELECT queue_paused FROM v_tx_queue WHERE chain_id = 999204), true, 'kill switch: v_tx_queue shows it');
SELECT txq_resume_all();
SELECT is((SELECT row(paused, reason)::text FROM txq_control), '(f,)', 'kill switch: off, reason cleared');
SELECT is(pg_temp.claimable(999204), ARRAY[pg_temp.id('q4')], 'kill switch off: claimed again');
SELECT results_eq($$SELECT intent_id FROM txq_step_to_sign(999204, 10)$$,
	$$VALUES (pg_temp.id('q2')), (pg_temp.id('q3'))$$, 'kill switch off: signed again, in nonce order');
SELECT results_eq($$SELECT intent_id FROM txq_step_to_broadcast(999204, 10)$$,
	$$VALUES (pg_temp.id('q1'))$$, 'kill switch off: broadcast again');

-- ---- reconciliation (chain 999205, senders d1 and d2) ----

SELECT is(txq_step_reconcile(999205, ARRAY[pg_temp.addr('d1')], ARRAY[5::bigint], ARRAY[5::bigint]), 0,
	'reconcile: the node counts 5, no gap');
SELECT is((SELECT row(next_nonce, chain_nonce, reconciled_at = now())::text FROM nonces WHERE chain_id = 999205
			AND address = pg_temp.addr('d1')), '(5,5,t)', 'reconcile: the next nonce jumps to 5');
SELECT is(txq_step_reconcile(999205, ARRAY[pg_temp.addr('d1')], ARRAY[3::bigint], ARRAY[3::bigint]), 2,
	'reconcile: the node counts 3, nonces 3 and 4 are held by nobody: two no-ops');
SELECT is((SELECT row(next_nonce, chain_nonce)::text FROM nonces WHERE chain_id = 999205 AND address = pg_temp.addr('d1')),
	'(5,3)', 'reconcile: the next nonce never goes back');
SELECT is((SELECT array_agg(row(kind, status, nonce, target = sender, value::text, error)::text ORDER BY nonce)
			 FROM tx_intents WHERE chain_id = 999205),
	ARRAY['(noop,reserved,3,t,0,"fills a nonce gap")', '(noop,reserved,4,t,0,"fills a nonce gap")'],
	'reconcile: the no-ops fill 3 and 4');
SELECT is(txq_step_reconcile(999205, ARRAY[pg_temp.addr('d1')], ARRAY[3::bigint], ARRAY[3::bigint]), 0,
	'reconcile: again: the gap is filled');
SELECT pg_temp.enq('d1', 999205, 'd1');
SELECT results_eq($$SELECT * FROM pg_temp.reserve(999205)$$,
	$$VALUES (pg_temp.id('d1'), 'reserved', 5::bigint)$$, 'reconcile: the next intent takes 5');
SELECT is(txq_step_reconcile(999205, ARRAY[pg_temp.addr('d1'), pg_temp.addr('d2')], ARRAY[3, 0]::bigint[], ARRAY[3, 0]::bigint[]), 0,
	'reconcile: nonces held by reserved intents are no gap');
SELECT is(txq_step_reconcile(999205, ARRAY[pg_temp.addr('d1')], ARRAY[9::bigint], ARRAY[8::bigint]), 0,
	'reconcile: used elsewhere up to 8');
SELECT is((SELECT array_agg(next_nonce ORDER BY address) FROM nonces WHERE chain_id = 999205), ARRAY[9, 0]::bigint[],
	'reconcile: d1 jumps forward to 9, d2 stays at 0');

-- ---- valid_until (chain 999206, sender f1) ----

SELECT pg_temp.enq('v1', 999206, 'f1', '{"simulate": false, "valid_for": "1 hour"}');
SELECT pg_temp.enq('v2', 999206, 'f1', '{"simulate": false, "valid_for": "1 hour"}');
SELECT pg_temp.enq('v3', 999206, 'f1', '{"simulate": false}');
SELECT results_eq($$SELECT id, nonce FROM pg_temp.reserve(999206)$$,
	$$VALUES (pg_temp.id('v1'), 0::bigint), (pg_temp.id('v2'), 1::bigint), (pg_temp.id('v3'), 2::bigint)$$,
	'valid_until: v1, v2, v3 reserved at nonces 0 to 2');
SELECT pg_temp.enq('v4', 999206, 'f1', '{"simulate": false, "valid_for": "1 hour"}');
-- An hour passes for v2 (reserved) and v4 (pending).
UPDATE tx_intents SET valid_until = now() - interval '1 second' WHERE id IN (pg_temp.id('v2'), pg_temp.id('v4'));
SELECT is(pg_temp.claimable(999206), NULL, 'valid_until: a pending intent past it is not claimed');
SELECT is(txq_step_expire(999206), 2, 'valid_until: the expire step ends two intents');
SELECT is((SELECT array_agg(row(status, error)::text ORDER BY id) FROM tx_intents WHERE id IN (pg_temp.id('v2'), pg_temp.id('v4'))),
	ARRAY['(expired,"valid_until passed before it was sent; a no-op takes its nonce 1")',
		  '(expired,"valid_until passed before it was sent")'],
	'valid_until: the reserved one hands its nonce to a no-op, the pending one simply expires');
SELECT is((SELECT array_agg(row(kind, status, nonce)::text ORDER BY nonce) FROM tx_intents
			WHERE chain_id = 999206 AND status IN ('reserved', 'signed', 'sent', 'mined', 'confirmed', 'failed')),
	ARRAY['(call,reserved,0)', '(noop,reserved,1)', '(call,reserved,2)'], 'valid_until: nonces 0 to 2 stay without a gap');
SELECT is(txq_step_expire(999206), 0, 'valid_until: nothing more to expire');

-- ---- backpressure, the replacement bound, signer backoff (chain 999207, senders 71 and 72) ----

SELECT pg_temp.chain(999207, 'txq-backpressure', ARRAY['71', '72']);
SELECT pg_temp.enq('bp' || i, 999207, '71') FROM generate_series(1, 4) AS i;
SELECT pg_temp.enq('bq1', 999207, '72');
SELECT is((SELECT array_agg(c.id ORDER BY c.id) FROM txq_step_claim(999207, 100, 2) AS c),
	ARRAY[pg_temp.id('bp1'), pg_temp.id('bp2'), pg_temp.id('bq1')],
	'max_in_flight 2: two intents of 71 are claimed, and 72''s one');
SELECT is((SELECT count(*) FROM txq_step_reserve(999207,
			(SELECT array_agg(c.id ORDER BY c.id) FROM txq_step_claim(999207, 100, 2) AS c),
			ARRAY[21000, 21000, 21000]::bigint[], ARRAY[NULL, NULL, NULL]::text[])), 3::bigint,
	'max_in_flight 2: they are reserved');
SELECT is((SELECT array_agg(c.id) FROM txq_step_claim(999207, 100, 2) AS c), NULL,
	'max_in_flight 2: 71 holds 2 in flight: nothing more is claimed');
SELECT is((SELECT array_agg(c.id ORDER BY c.id) FROM txq_step_claim(999207, 100, 3) AS c), ARRAY[pg_temp.id('bp3')],
	'max_in_flight 3: room for one more');
SELECT is((SELECT array_agg(c.id ORDER BY c.id) FROM txq_step_claim(999207, 100) AS c),
	ARRAY[pg_temp.id('bp3'), pg_temp.id('bp4')], 'max_in_flight NULL: no bound');

-- p1 and p2 signed and sent ten minutes ago (replace_after is 5 minutes).
SELECT pg_temp.sign(pg_temp.id('bp1'), 7001), pg_temp.sign(pg_temp.id('bp2'), 7002);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('bp1'))), pg_temp.sent(pg_temp.attempt(pg_temp.id('bp2')));
UPDATE tx_attempts SET created_at = now() - interval '10 minutes', sent_at = now() - interval '10 minutes'
 WHERE intent_id IN (pg_temp.id('bp1'), pg_temp.id('bp2'));
SELECT is(txq_step_backlog(999207, 2, NULL), 1, 'backlog: at the limit, the oldest stuck, intents waiting: one alert');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('bp3')),
	'queue backed up: signer 0x0000000000000000000000000000000000000071 holds 2 transactions the node has not mined '
	'(amplified.txq_max_in_flight), the oldest at nonce 0 for over 00:05:00; later intents wait',
	'backlog: the first waiting intent names the signer');
SELECT is(txq_step_backlog(999207, 2, NULL), 0, 'backlog: raised once');
SELECT is(pg_temp.events(pg_temp.id('bp3')), ARRAY['enqueued:>pending', 'alert:pending>pending'],
	'backlog: the alert is in the audit trail');
SELECT is(txq_step_backlog(999207, 3, NULL), 1, 'backlog: below the limit it is cleared');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('bp3')), NULL, 'backlog: no alert left');

-- Replacements: at most max_replacements, each waiting twice as long.
SELECT is((SELECT array_agg(intent_id) FROM txq_step_to_sign(999207, 10, 0) WHERE replaces IS NOT NULL), NULL,
	'max_replacements 0: no replacement');
SELECT is((SELECT array_agg(intent_id ORDER BY intent_id) FROM txq_step_to_sign(999207, 10, 1) WHERE replaces IS NOT NULL),
	ARRAY[pg_temp.id('bp1'), pg_temp.id('bp2')], 'max_replacements 1: both are due for their first');
SELECT pg_temp.sign(pg_temp.id('bp1'), 7003);
SELECT pg_temp.sent(pg_temp.attempt(pg_temp.id('bp1')));
UPDATE tx_attempts SET sent_at = now() - interval '7 minutes' WHERE id = pg_temp.attempt(pg_temp.id('bp1'));
SELECT is((SELECT array_agg(intent_id ORDER BY intent_id) FROM txq_step_to_sign(999207, 10, 5) WHERE replaces IS NOT NULL),
	ARRAY[pg_temp.id('bp2')], 'a second replacement waits 2 × replace_after: p1 is not due after 7 minutes');
UPDATE tx_attempts SET sent_at = now() - interval '11 minutes' WHERE id = pg_temp.attempt(pg_temp.id('bp1'));
SELECT is((SELECT array_agg(intent_id ORDER BY intent_id) FROM txq_step_to_sign(999207, 10, 5) WHERE replaces IS NOT NULL),
	ARRAY[pg_temp.id('bp1'), pg_temp.id('bp2')], 'after 11 minutes it is');
SELECT is((SELECT array_agg(intent_id ORDER BY intent_id) FROM txq_step_to_sign(999207, 10, 1) WHERE replaces IS NOT NULL),
	ARRAY[pg_temp.id('bp2')], 'max_replacements 1: p1 has had its one');
SELECT is(txq_step_backlog(999207, NULL, 1), 1, 'max_replacements 1: p1 gets an alert');
SELECT is((SELECT alert FROM tx_intents WHERE id = pg_temp.id('bp1')),
	'stuck at nonce 0: 1 replacements made, the most amplified.txq_max_replacements allows; fees are not raised further',
	'max_replacements: the alert says so');

-- Signer backoff: 1 s, 2 s, 4 s, then the maximum; one success resets it.
SELECT is((SELECT row(failures, backoff)::text
			 FROM txq_step_record_signers(999207, ARRAY[pg_temp.addr('72')], ARRAY['boom'], '3 seconds')),
	'(1,00:00:01)', 'backoff: 1 s after the first failure');
SELECT is((SELECT row(failures, backoff)::text
			 FROM txq_step_record_signers(999207, ARRAY[pg_temp.addr('72')], ARRAY['boom'], '3 seconds')),
	'(2,00:00:02)', 'backoff: 2 s after the second');
SELECT is((SELECT row(failures, backoff)::text
			 FROM txq_step_record_signers(999207, ARRAY[pg_temp.addr('72')], ARRAY['boom'], '3 seconds')),
	'(3,00:00:03)', 'backoff: then 4 s, but at most max_backoff');
SELECT is((SELECT row(failures, backoff)::text
			 FROM txq_step_record_signers(999207, ARRAY[pg_temp.addr('72')], ARRAY['boom'], '3 seconds')),
	'(4,00:00:03)', 'backoff: and no more');
SELECT pg_temp.enq('bq2', 999207, '72');
SELECT is((SELECT count(*) FROM txq_step_claim(999207, 100) AS c WHERE c.sender = pg_temp.addr('72')), 0::bigint,
	'backoff: a backed-off signer''s pending intents are not claimed');
SELECT is((SELECT count(*) FROM txq_step_to_sign(999207, 10) AS t WHERE t.sender = pg_temp.addr('72')), 0::bigint,
	'backoff: nor its reserved ones signed');
SELECT is((SELECT array_agg(row(failures, retry_at, backoff)::text)
			FROM txq_step_record_signers(999207, ARRAY[pg_temp.addr('71'), pg_temp.addr('72')], ARRAY[NULL, NULL]::text[], '3 seconds')),
	ARRAY['(0,,)'], 'backoff: a success resets it (and a signer that was fine is left alone)');
SELECT is((SELECT count(*) FROM txq_step_to_sign(999207, 10) AS t WHERE t.sender = pg_temp.addr('72')), 1::bigint,
	'backoff: then it signs again');

SELECT * FROM finish();
ROLLBACK;
