-- src/worker/worker.sql: the launcher's and workers' view of the world.

-- The heartbeat worker records here, every amplified.heartbeat_interval
-- seconds, that the background workers are alive.
CREATE TABLE @extschema@.heartbeats (
	worker		text PRIMARY KEY,
	pid			integer NOT NULL,
	started_at	timestamptz NOT NULL,
	beat_at		timestamptz NOT NULL,
	beats		bigint NOT NULL CHECK (beats > 0)
);
COMMENT ON TABLE @extschema@.heartbeats IS
	'Last beat of each heartbeat worker: alert when beat_at is older than a few amplified.heartbeat_interval';

-- Every amplified background worker: the launcher always, the dynamic ones it runs.
CREATE FUNCTION @extschema@.workers(
	OUT kind text,
	OUT chain_id bigint,
	OUT pid integer,
	OUT state text,
	OUT detail text,
	OUT last_error text,
	OUT started_at timestamptz,
	OUT updated_at timestamptz,
	OUT restarts integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'workers'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION @extschema@.workers() IS
	'Every amplified background worker: kind, chain, pid, state and why, last error';

-- Wake the launcher when the calling transaction commits (not before, not on rollback).
CREATE FUNCTION @extschema@.worker_wake_launcher()
RETURNS void
AS 'MODULE_PATHNAME', 'worker_wake_launcher'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION @extschema@.worker_wake_launcher() IS
	'Wake the launcher when this transaction commits, so it re-reads the configuration at once';

-- Wake-ups sent at commit since the server started (NULL when workers are off).
CREATE FUNCTION @extschema@.worker_wakeups()
RETURNS bigint
AS 'MODULE_PATHNAME', 'worker_wakeups'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION @extschema@.worker_wakeups() IS
	'Number of worker wake-ups sent at commit since the server started';

-- Worker kind "heartbeat" (registered by WorkerInit()): the launcher calls
-- this, as the extension's owner with search_path pinned, to know whether to
-- run the heartbeat worker (0: one worker, not per chain).
CREATE FUNCTION @extschema@.worker_heartbeat_wanted()
RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 0::bigint WHERE current_setting('amplified.heartbeat_interval', true) NOT IN ('0', '')
$$;
COMMENT ON FUNCTION @extschema@.worker_heartbeat_wanted() IS
	'Whether the heartbeat worker runs: 0 when amplified.heartbeat_interval is not 0 (called by the launcher)';

CREATE VIEW @extschema@.v_workers AS
	SELECT w.kind, w.chain_id, w.pid, w.state, w.detail, w.last_error,
		   w.started_at, w.updated_at, w.restarts,
		   h.beat_at AS last_heartbeat_at
	  FROM @extschema@.workers() AS w
	  LEFT JOIN @extschema@.heartbeats AS h ON h.worker = w.kind;
COMMENT ON VIEW @extschema@.v_workers IS
	'Background workers for dashboards; filter on updated_at';

REVOKE ALL ON FUNCTION @extschema@.workers() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.worker_wake_launcher() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.worker_wakeups() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.worker_heartbeat_wanted() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.workers() TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.worker_wakeups() TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.worker_wake_launcher() TO amplified_operator;
GRANT SELECT ON @extschema@.heartbeats TO amplified_reader;
GRANT SELECT ON @extschema@.v_workers TO amplified_reader;
