/*
 * src/forecast/progress.c
 *
 * Progress and cancellation of trainings and backtests.  A running training
 * writes its phase and step into its backend's slot of the shared area the
 * preloaded library reserved (progress.h); forecast_progress() reads every
 * slot for the v_forecast_progress view.  Every report also honours a
 * pending cancel, so a training of any size stops at the next step.
 * Without the preloaded library the area is created on first use when the
 * server has room left, else progress goes unreported (training still works).
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "forecast/forecast.h"
#include "forecast/forecast_int.h"
#include "forecast/progress.h"

static ForecastProgressShared *shared = NULL;
static bool attach_failed = false;

/*
 * Nesting: a backtest holds the slot while it retrains the model fold by
 * fold; the inner trainings report into the same slot and do not free it.
 */
static int	progress_depth = 0;

/* At backend exit: free this backend's slot if it still holds it. */
static void
ProgressExit(int code, Datum arg)
{
	ForecastProgressSlot *slot;

	if (shared == NULL || MyBackendId < 1 || MyBackendId > shared->nslots)
		return;
	slot = &shared->slots[MyBackendId - 1];
	SpinLockAcquire(&slot->mutex);
	if (slot->pid == MyProcPid)
		slot->pid = 0;
	SpinLockRelease(&slot->mutex);
	progress_depth = 0;
}

/* Attach to the shared area (once per backend); NULL when there is none. */
static ForecastProgressShared *
ProgressShared(void)
{
	bool		found;

	MemoryContext oldcxt = CurrentMemoryContext;

	if (shared != NULL || attach_failed)
		return shared;
	PG_TRY();
	{
		ForecastProgressShared *s;

		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		s = ShmemInitStruct(FORECAST_PROGRESS_SHMEM, ForecastProgressSize(MaxBackends), &found);
		if (!found)
		{
			int			i;

			memset(s, 0, ForecastProgressSize(MaxBackends));
			s->nslots = MaxBackends;
			for (i = 0; i < MaxBackends; i++)
				SpinLockInit(&s->slots[i].mutex);
		}
		LWLockRelease(AddinShmemInitLock);
		shared = s;
		/* a backend that exits mid-training (FATAL) frees its slot */
		before_shmem_exit(ProgressExit, (Datum) 0);
	}
	PG_CATCH();
	{
		/* no room in shared memory: report nothing, say so once */
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		LWLockReleaseAll();
		attach_failed = true;
		ereport(NOTICE,
				(errmsg("training progress is not reported"),
				 errhint("Add amplified to shared_preload_libraries.")));
	}
	PG_END_TRY();
	return shared;
}

/* This backend's slot, or NULL. */
static ForecastProgressSlot *
MySlot(void)
{
	ForecastProgressShared *s = ProgressShared();

	if (s == NULL || MyBackendId < 1 || MyBackendId > s->nslots)
		return NULL;
	return &s->slots[MyBackendId - 1];
}

static void
CopyText(char *dst, const char *src)
{
	strlcpy(dst, src ? src : "", FORECAST_PROGRESS_TEXT);
}

/* Start reporting a training or backtest in this backend's slot. */
void
ForecastProgressBegin(ForecastTrainCtx *ctx, const char *task, const char *project,
					  const char *kind, int64 model_id)
{
	ForecastProgressSlot *slot = MySlot();
	TimestampTz now = GetCurrentTimestamp();

	ctx->progress = slot;
	if (slot == NULL)
		return;
	if (progress_depth++ > 0)
		return;
	SpinLockAcquire(&slot->mutex);
	slot->pid = MyProcPid;
	slot->userid = GetUserId();
	slot->model_id = model_id;
	CopyText(slot->project, project);
	CopyText(slot->kind, kind);
	CopyText(slot->task, task);
	CopyText(slot->phase, "start");
	slot->done = 0;
	slot->total = 0;
	slot->seed = (int64) ctx->seed;
	slot->started = now;
	slot->updated = now;
	SpinLockRelease(&slot->mutex);
}

/* Clear this backend's slot (the training ended, well or not). */
void
ForecastProgressEnd(ForecastTrainCtx *ctx)
{
	ForecastProgressSlot *slot = (ForecastProgressSlot *) ctx->progress;

	if (slot == NULL)
		return;
	ctx->progress = NULL;
	if (--progress_depth > 0)
		return;
	SpinLockAcquire(&slot->mutex);
	slot->pid = 0;
	SpinLockRelease(&slot->mutex);
}

/* See forecast.h: report a step and honour a pending cancel. */
void
ForecastProgress(ForecastTrainCtx *ctx, const char *phase, int64 done, int64 total)
{
	ForecastProgressSlot *slot = ctx ? (ForecastProgressSlot *) ctx->progress : NULL;

	CHECK_FOR_INTERRUPTS();
	if (slot == NULL)
		return;
	SpinLockAcquire(&slot->mutex);
	if (phase && strncmp(slot->phase, phase, FORECAST_PROGRESS_TEXT) != 0)
		CopyText(slot->phase, phase);
	slot->done = done;
	slot->total = total;
	slot->updated = GetCurrentTimestamp();
	SpinLockRelease(&slot->mutex);
}

PG_FUNCTION_INFO_V1(forecast_progress);

/* The running trainings and backtests, one row per busy slot. */
Datum
forecast_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForecastProgressShared *s;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	s = ProgressShared();
	if (s == NULL)
		PG_RETURN_VOID();
	for (i = 0; i < s->nslots; i++)
	{
		ForecastProgressSlot c;
		Datum		values[11];
		bool		nulls[11] = {0};

		SpinLockAcquire(&s->slots[i].mutex);
		memcpy(&c, &s->slots[i], sizeof(c));
		SpinLockRelease(&s->slots[i].mutex);
		if (c.pid == 0 || BackendPidGetProc(c.pid) == NULL)
			continue;
		values[0] = Int32GetDatum(c.pid);
		values[1] = ObjectIdGetDatum(c.userid);
		values[2] = CStringGetTextDatum(c.task);
		values[3] = CStringGetTextDatum(c.project);
		values[4] = CStringGetTextDatum(c.kind);
		values[5] = Int64GetDatum(c.model_id);
		nulls[5] = c.model_id == 0;
		values[6] = CStringGetTextDatum(c.phase);
		values[7] = Int64GetDatum(c.done);
		values[8] = Int64GetDatum(c.total);
		values[9] = TimestampTzGetDatum(c.started);
		values[10] = TimestampTzGetDatum(c.updated);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
