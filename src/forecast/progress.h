/*
 * src/forecast/progress.h
 *
 * The shared memory where trainings and backtests report their progress,
 * one slot per backend (indexed by MyBackendId), read by the
 * v_forecast_progress view.  The preloaded library reserves it
 * (progress_shmem.c); the forecasting library attaches to it by name.
 */
#ifndef AMPLIFIED_FORECAST_PROGRESS_H
#define AMPLIFIED_FORECAST_PROGRESS_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "storage/spin.h"

#define FORECAST_PROGRESS_SHMEM "amplified forecast progress"
#define FORECAST_PROGRESS_TEXT 64

typedef struct ForecastProgressSlot
{
	slock_t		mutex;
	int			pid;			/* 0: free */
	Oid			userid;
	int64		model_id;		/* the model being backtested, else 0 */
	char		project[FORECAST_PROGRESS_TEXT];
	char		kind[FORECAST_PROGRESS_TEXT];
	char		task[FORECAST_PROGRESS_TEXT];	/* train or backtest */
	char		phase[FORECAST_PROGRESS_TEXT];
	int64		done;
	int64		total;
	int64		seed;
	TimestampTz started;
	TimestampTz updated;
} ForecastProgressSlot;

typedef struct ForecastProgressShared
{
	int			nslots;
	ForecastProgressSlot slots[FLEXIBLE_ARRAY_MEMBER];
} ForecastProgressShared;

/* Size of the area for n slots. */
#define ForecastProgressSize(n) \
	(offsetof(ForecastProgressShared, slots) + (Size) (n) * sizeof(ForecastProgressSlot))

/* progress_shmem.c (the preloaded library) */
extern void ForecastShmemInit(void);

#endif							/* AMPLIFIED_FORECAST_PROGRESS_H */
