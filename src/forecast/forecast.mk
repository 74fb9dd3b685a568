# src/forecast/forecast.mk: models trained and served in SQL.
# Everything but progress_shmem.c builds a second shared library,
# amplified_forecast, that the module's SQL functions load on first use: it
# links XGBoost (OpenMP) and LAPACK (a BLAS), which may start threads and so
# must never be loaded into the postmaster (docs/development.md).  The
# preloaded library gets only progress_shmem.o, which reserves the shared
# memory where trainings report their progress.  The rules that link and
# install the second library are in forecast_lib.mk, included after PGXS.
OBJS          += src/forecast/progress_shmem.o
FORECAST_OBJS  = $(patsubst %.c,%.o,$(filter-out src/forecast/progress_shmem.c,$(wildcard src/forecast/*.c)))
FORECAST_LIBS  = -lxgboost -llapacke -llapack -lblas -lnlopt -lm
SQL_PIECES    += src/forecast/forecast.sql $(filter-out src/forecast/forecast.sql,$(sort $(wildcard src/forecast/*.sql)))
# The garch kind reuses the risk module's GARCH(1,1) (plain C over NLopt;
# its fmgr wrappers come along unused, and only need the server's symbols).
FORECAST_OBJS += src/risk/vol.o
