/*
 * src/amplified.c
 *
 * The library's entry point.  _PG_init only dispatches: the GUCs are defined
 * in guc.c; when the library is loaded through shared_preload_libraries the
 * worker module asks for its shared memory and registers the launcher; and
 * each module that runs a background worker registers its kind from its own
 * init function (the launcher names no module).  Without preloading, the
 * types and math functions work and the workers stay off (amplified.workers()
 * says so).
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "amplified.h"
#include "forecast/progress.h"
#include "ingest/ingest.h"
#include "txq/txq.h"
#include "worker/worker.h"

PG_MODULE_MAGIC;

bool		AmpLoadedAtStartup = false;

void		_PG_init(void);

/* Module load: define GUCs; when preloaded, set up workers and their kinds. */
void
_PG_init(void)
{
	AmpLoadedAtStartup = process_shared_preload_libraries_in_progress;

	GucInit();
	if (AmpLoadedAtStartup)
	{
		WorkerInit();
		IngestInit();
		TxqInit();
		ForecastShmemInit();
	}
}
