/*
 * src/forecast/forecast_int.h
 *
 * Declarations shared by the registry's files (not by the kinds).
 */
#ifndef AMPLIFIED_FORECAST_INT_H
#define AMPLIFIED_FORECAST_INT_H

#include "forecast/forecast.h"

/* progress.c */
extern void ForecastProgressBegin(ForecastTrainCtx *ctx, const char *task,
								  const char *project, const char *kind, int64 model_id);
extern void ForecastProgressEnd(ForecastTrainCtx *ctx);

/* train.c */
extern uint64 ForecastSeed(Jsonb *params);
extern const ForecastKind *ForecastKindGet(const char *name);
extern void ForecastTrainRun(const ForecastKind *kind, const ForecastData *d, Jsonb *params,
							 uint64 seed, const char *task, const char *project,
							 int64 model_id, ForecastFit *out);
extern void *ForecastModelLoad(const ForecastKind *kind, const bytea *state, int64 key);

/* direct.c */
#include "access/tupdesc.h"
#include "utils/array.h"
extern double *ForecastArrayValues(ArrayType *a, const char *what, bool as_column,
								   int *rows, int *cols);
extern ArrayType *ForecastFloatArray(const double *v, int n);
extern void ForecastCheckHorizon(int h);
extern Datum ForecastRegimeDatum(const ForecastRegime *r, TupleDesc tupdesc);

#endif							/* AMPLIFIED_FORECAST_INT_H */
