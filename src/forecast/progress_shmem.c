/*
 * src/forecast/progress_shmem.c
 *
 * The one piece of the forecasting module in the preloaded library: it
 * reserves, at server start, the shared memory where trainings report their
 * progress (progress.h), so that the forecasting library, loaded later by a
 * backend, attaches to memory every backend sees.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "forecast/progress.h"

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* shmem_request_hook: one slot per backend. */
static void
ForecastShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(ForecastProgressSize(MaxBackends));
}

/* shmem_startup_hook: create and clear the slots. */
static void
ForecastShmemStartup(void)
{
	ForecastProgressShared *shared;
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct(FORECAST_PROGRESS_SHMEM, ForecastProgressSize(MaxBackends), &found);
	if (!found)
	{
		int			i;

		memset(shared, 0, ForecastProgressSize(MaxBackends));
		shared->nslots = MaxBackends;
		for (i = 0; i < MaxBackends; i++)
			SpinLockInit(&shared->slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called by _PG_init when preloaded.  The environment set here is inherited
 * by every backend: OpenMP and OpenBLAS read it when the forecasting library
 * loads them, so neither starts a thread pool (docs/development.md).
 */
void
ForecastShmemInit(void)
{
	setenv("OMP_NUM_THREADS", "1", 1);
	setenv("OPENBLAS_NUM_THREADS", "1", 1);
	setenv("OMP_THREAD_LIMIT", "1", 1);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = ForecastShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = ForecastShmemStartup;
}
