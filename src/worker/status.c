/*
 * src/worker/status.c
 *
 * What SQL sees of the workers: amplified.workers() reports every slot (the
 * launcher's always, and why the workers are off when they are), and the
 * functions that wake the launcher at commit and count those wake-ups.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "worker/worker.h"

#define WORKERS_COLS 9

PG_FUNCTION_INFO_V1(workers);
PG_FUNCTION_INFO_V1(worker_wake_launcher);
PG_FUNCTION_INFO_V1(worker_wakeups);

/* Put a timestamp, or NULL when it was never set. */
static void
PutTimestamp(Datum *value, bool *isnull, TimestampTz ts)
{
	if (ts == 0)
		*isnull = true;
	else
		*value = TimestampTzGetDatum(ts);
}

/* amplified.workers(): one row per amplified background worker. */
Datum
workers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[WORKERS_COLS];
	bool		nulls[WORKERS_COLS];
	int			i;

	InitMaterializedSRF(fcinfo, 0);

	if (AmpShared == NULL)
	{
		memset(nulls, true, sizeof(nulls));
		values[0] = CStringGetTextDatum("launcher");
		nulls[0] = false;
		values[3] = CStringGetTextDatum("disabled");
		nulls[3] = false;
		values[4] = CStringGetTextDatum("amplified is not in shared_preload_libraries; "
										"types and functions work, background workers do not run");
		nulls[4] = false;
		values[8] = Int32GetDatum(0);
		nulls[8] = false;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}

	for (i = 0; i < AmpShared->nslots; i++)
	{
		WorkerSlot	copy;

		LWLockAcquire(AmpShared->lock, LW_SHARED);
		copy = AmpShared->slots[i];
		LWLockRelease(AmpShared->lock);
		if (!copy.in_use)
			continue;

		memset(nulls, false, sizeof(nulls));
		values[0] = CStringGetTextDatum(copy.kind);
		values[1] = Int64GetDatum(copy.chain_id);
		nulls[1] = (copy.chain_id == 0);
		values[2] = Int32GetDatum(copy.pid);
		nulls[2] = (copy.pid == 0);
		values[3] = CStringGetTextDatum(copy.state);
		values[4] = CStringGetTextDatum(copy.detail);
		nulls[4] = (copy.detail[0] == '\0');
		values[5] = CStringGetTextDatum(copy.last_error);
		nulls[5] = (copy.last_error[0] == '\0');
		PutTimestamp(&values[6], &nulls[6], copy.started_at);
		PutTimestamp(&values[7], &nulls[7], copy.updated_at);
		values[8] = Int32GetDatum(copy.restarts);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* amplified.worker_wake_launcher(): wake the launcher when this transaction commits. */
Datum
worker_wake_launcher(PG_FUNCTION_ARGS)
{
	WorkerWakeAtCommit(LAUNCHER_SLOT);
	PG_RETURN_VOID();
}

/* amplified.worker_wakeups(): wake-ups sent at commit since the server started. */
Datum
worker_wakeups(PG_FUNCTION_ARGS)
{
	uint64		n;

	if (AmpShared == NULL)
		PG_RETURN_NULL();
	LWLockAcquire(AmpShared->lock, LW_SHARED);
	n = AmpShared->wakeups_requested;
	LWLockRelease(AmpShared->lock);
	PG_RETURN_INT64((int64) n);
}
