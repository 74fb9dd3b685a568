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

/* source.c: a model's data read from its source query */
#include "datatype/timestamp.h"
typedef struct ForecastSource
{
	ForecastData d;
	char	  **names;			/* the feature columns, in order */
	char	   *time_column;	/* the time index column, or NULL */
	TimestampTz *times;			/* its values, or NULL */
} ForecastSource;
extern void ForecastLoadSource(const char *source, const char *target, bool series,
							   char **want, int nwant, ForecastSource *out);

/* registry.c */
typedef struct ForecastLiveModel
{
	int64		id;
	const ForecastKind *kind;
	bytea	   *state;
	void	   *model;			/* loaded (cached by id) */
	char	  **features;
	int			nfeatures;
	char	   *target;
	char	   *project;
	char	   *source;
	double		sigma;			/* in-sample residual sd (NaN: none) */
	Jsonb	   *params;			/* as trained */
	int64		seed;
	char	   *trained_by;		/* the role that trained it */
} ForecastLiveModel;
extern int	ForecastRegistryExec(const char *sql, int nargs, Oid *argtypes, Datum *values,
								 const char *nulls, bool read_only, long tcount);
extern void ForecastCheckProject(const char *project);
extern void ForecastGetModel(const char *project, int64 model_id, ForecastLiveModel *out);

/* stats.c */
extern double ForecastNormalQuantile(double p);

/* seal.c */
extern bytea *ForecastStateSeal(const bytea *state);
extern bytea *ForecastStateOpen(const bytea *sealed);

/* direct.c */
#include "access/tupdesc.h"
#include "utils/array.h"
extern double *ForecastArrayValues(ArrayType *a, const char *what, bool as_column,
								   int *rows, int *cols);
extern ArrayType *ForecastFloatArray(const double *v, int n);
extern void ForecastCheckHorizon(int h);
extern void ForecastRegimeValues(const ForecastRegime *r, Datum *values);

#endif							/* AMPLIFIED_FORECAST_INT_H */
