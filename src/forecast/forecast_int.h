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

#endif							/* AMPLIFIED_FORECAST_INT_H */
