/*
 * src/worker/heartbeat.c
 *
 * The heartbeat worker: the simplest dynamic worker the launcher runs, and
 * a useful one.  Every amplified.heartbeat_interval seconds it records in
 * amplified.heartbeats that the workers are alive, so dashboards and
 * monitoring can alert on a stale beat_at.  It exercises the whole worker
 * seam that the ingest and tx workers use: a slot in shared memory, a
 * database connection, transactions through SPI, errors survived and
 * recorded, SIGHUP and SIGTERM, and a latch to be woken by.
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "worker/worker.h"

/* After a failed beat, wait this long before the next try. */
#define HEARTBEAT_ERROR_DELAY_MS 5000

static TimestampTz heartbeat_started_at;

/*
 * The heartbeat's kind, registered by WorkerInit(): one worker, not per
 * chain, while amplified.heartbeat_interval is not 0.
 */
const WorkerKind HeartbeatWorkerKind = {
	.name = "heartbeat",
	.function = "HeartbeatMain",
	.bgw_type = "amplified heartbeat",
	.wanted = "worker_heartbeat_wanted",
};

/* Record one beat, in its own transaction. */
static void
HeartbeatBeat(void *arg)
{
	bool	   *beaten = (bool *) arg;
	Oid			argtypes[2] = {INT4OID, TIMESTAMPTZOID};
	Datum		values[2];
	int			rc;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "amplified heartbeat: recording a beat");

	/* The extension may have been dropped since the launcher looked. */
	if (!OidIsValid(get_extension_oid("amplified", true)))
	{
		*beaten = false;
		WorkerSetState("waiting", "extension \"amplified\" is not installed");
	}
	else
	{
		SPI_connect();
		values[0] = Int32GetDatum(MyProcPid);
		values[1] = TimestampTzGetDatum(heartbeat_started_at);
		rc = SPI_execute_with_args(
								   "INSERT INTO amplified.heartbeats AS h (worker, pid, started_at, beat_at, beats) "
								   "VALUES ('heartbeat', $1, $2, now(), 1) "
								   "ON CONFLICT (worker) DO UPDATE SET pid = EXCLUDED.pid, "
								   "started_at = EXCLUDED.started_at, beat_at = EXCLUDED.beat_at, "
								   "beats = h.beats + 1",
								   2, argtypes, values, NULL, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "amplified heartbeat: unexpected SPI result %d", rc);
		SPI_finish();
		*beaten = true;
		WorkerSetState("running", NULL);
	}

	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Entry point of the heartbeat background worker (started by the launcher). */
void
HeartbeatMain(Datum main_arg)
{
	MemoryContext cxt;

	WorkerStart(main_arg, HeartbeatWorkerKind.name, HeartbeatWorkerKind.bgw_type);
	heartbeat_started_at = GetCurrentTimestamp();
	cxt = AllocSetContextCreate(TopMemoryContext, "amplified heartbeat",
								ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		bool		beaten = false;
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!WorkerSlotIsMine())
			proc_exit(0);		/* the launcher no longer wants us */

		MemoryContextReset(cxt);
		MemoryContextSwitchTo(cxt);
		if (RecoveryInProgress())
			WorkerSetState("standby", "the server is in recovery");
		else if (!WorkerRunGuarded(HeartbeatBeat, &beaten, cxt))
			WorkerSetState("error", "the last beat failed; retrying");
		MemoryContextSwitchTo(TopMemoryContext);

		sleep_ms = (beaten || AmpHeartbeatInterval == 0) ?
			Max(AmpHeartbeatInterval, 1) * 1000L : HEARTBEAT_ERROR_DELAY_MS;
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
