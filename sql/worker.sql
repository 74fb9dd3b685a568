-- worker: what SQL sees of the background workers (the test cluster preloads amplified).
SET timezone = 'UTC';

-- The launcher always has a row; its state depends on timing, its columns do not.
SELECT kind, chain_id, state IN ('starting', 'connecting', 'waiting', 'running', 'exited', 'restarting')
       AS known_state
  FROM amplified.workers() WHERE kind = 'launcher';

-- The columns and their types.
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'amplified.v_workers'::regclass AND attnum > 0 ORDER BY attnum;

-- A wake-up is sent only when the transaction commits.
CREATE TEMP TABLE wake_before AS SELECT amplified.worker_wakeups() AS n;
BEGIN;
SELECT amplified.worker_wake_launcher();
SELECT amplified.worker_wakeups() - n AS sent_before_commit FROM wake_before;
COMMIT;
SELECT amplified.worker_wakeups() - n AS sent_after_commit FROM wake_before;
BEGIN;
SELECT amplified.worker_wake_launcher();
SELECT amplified.worker_wake_launcher();
ROLLBACK;
SELECT amplified.worker_wakeups() - n AS sent_after_rollback FROM wake_before;
-- Two requests in one transaction are one wake-up.
BEGIN;
SELECT amplified.worker_wake_launcher();
SELECT amplified.worker_wake_launcher();
COMMIT;
SELECT amplified.worker_wakeups() - n AS sent_after_second_commit FROM wake_before;

-- The heartbeat table refuses nonsense.
INSERT INTO amplified.heartbeats VALUES ('x', 1, '2026-01-01 00:00Z', '2026-01-01 00:00Z', 0);

-- Each registered worker kind's wanted function: the chains (0: one worker,
-- not per chain) for which the launcher runs a worker of that kind.  The test
-- cluster beats every second, so the heartbeat is wanted.
SELECT * FROM amplified.worker_heartbeat_wanted();
BEGIN;
SELECT chain_id FROM amplified.add_chain(990001, 'kinds-one', ARRAY['http://127.0.0.1:9']);
SELECT chain_id FROM amplified.add_chain(990002, 'kinds-two', ARRAY['http://127.0.0.1:9']);
SELECT chain_id FROM amplified.add_chain(990003, 'kinds-off', ARRAY['http://127.0.0.1:9']);
UPDATE amplified.chains SET enabled = false WHERE chain_id = 990003;
SELECT (amplified.add_signer(990002, '0x00000000000000000000000000000000000000a1', 'node')).chain_id;
SELECT (amplified.add_signer(990003, '0x00000000000000000000000000000000000000a2', 'node')).chain_id;
-- one ingest worker per enabled chain, one tx worker per enabled chain with signers
SELECT w FROM amplified.ingest_worker_wanted() AS w WHERE w >= 990000 ORDER BY w;
SELECT w FROM amplified.txq_worker_wanted() AS w WHERE w >= 990000 ORDER BY w;
ROLLBACK;
