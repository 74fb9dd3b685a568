/*
 * src/amplified.c
 *
 * The library's entry point.  _PG_init only dispatches: the GUCs are defined
 * in guc.c, and when the library is loaded through shared_preload_libraries
 * the worker module asks for its shared memory and registers the launcher.
 * Without preloading, the types and math functions work and the workers stay
 * off (amplified.workers() says so).
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "amplified.h"
#include "worker/worker.h"

PG_MODULE_MAGIC;

bool		AmpLoadedAtStartup = false;

void		_PG_init(void);

/* Module load: define GUCs, and set up workers when preloaded. */
void
_PG_init(void)
{
	AmpLoadedAtStartup = process_shared_preload_libraries_in_progress;

	GucInit();
	if (AmpLoadedAtStartup)
		WorkerInit();
}
