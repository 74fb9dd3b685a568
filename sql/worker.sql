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
