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

/*
 * Library load: one thread for OpenMP and OpenBLAS.  An OpenBLAS built
 * with pthreads starts its pool when it is loaded, before this runs: only
 * OPENBLAS_NUM_THREADS=1 in the server's environment (which the preloaded
 * amplified library sets) prevents it, so say so when it is missing.
 */
void
_PG_init(void)
{
	const char *env = getenv("OPENBLAS_NUM_THREADS");

	if (dlsym(RTLD_DEFAULT, "openblas_set_num_threads") != NULL &&
		(env == NULL || strcmp(env, "1") != 0))
		ereport(WARNING,
				(errmsg("OpenBLAS was loaded without OPENBLAS_NUM_THREADS=1"),
				 errdetail("It may have started a thread pool in this backend."),
				 errhint("Add amplified to shared_preload_libraries, or set OPENBLAS_NUM_THREADS=1 in the server's environment.")));
	PinThreads("omp_set_num_threads");
	PinThreads("openblas_set_num_threads");
	PinThreads("goto_set_num_threads");
}

/*
 * LAPACK's error handler (reference LAPACK calls xerbla_ on an illegal
 * argument, then stops the process): an error instead.  This library is
 * loaded ahead of liblapack, so its definition is the one LAPACK calls.
 */
void		xerbla_(const char *srname, const int *info, size_t len);

void
xerbla_(const char *srname, const int *info, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("LAPACK routine %.*s: parameter %d had an illegal value",
					(int) Min(len, 16), srname, info ? *info : 0)));
}
