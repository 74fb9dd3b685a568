/*
 * src/forecast/lib.c
 *
 * The entry point of amplified_forecast, the forecasting module's own
 * library, loaded by a backend on the first call of one of its functions
 * (never preloaded: docs/development.md).  _PG_init pins the libraries that
 * could start threads to one: OpenMP (through XGBoost) and OpenBLAS when
 * the BLAS in use is OpenBLAS.  The preloaded library has already set
 * OMP_NUM_THREADS and OPENBLAS_NUM_THREADS in the environment every backend
 * inherits; the calls here cover a server that does not preload it.
 */
#include "postgres.h"

#include <dlfcn.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Call a library's void f(int) setter if that library is loaded. */
static void
PinThreads(const char *symbol)
{
	void		(*setter) (int);

	setter = (void (*) (int)) dlsym(RTLD_DEFAULT, symbol);
	if (setter != NULL)
		setter(1);
}

/* Library load: one thread for OpenMP and OpenBLAS. */
void
_PG_init(void)
{
	PinThreads("omp_set_num_threads");
	PinThreads("openblas_set_num_threads");
	PinThreads("goto_set_num_threads");
}
