/*
 * src/forecast/forecast.h
 *
 * The forecasting module: models trained and served in SQL.  Everything
 * here is built into a second shared library, amplified_forecast, that the
 * SQL functions load on first use (never in the postmaster), because the
 * libraries it links (XGBoost with OpenMP, LAPACK over a BLAS) may start
 * threads.  The preloaded amplified library only reserves the shared memory
 * in which trainings report their progress (progress_shmem.c).
 *
 * A model kind is a ForecastKind: a training function that turns data and
 * hyper-parameters into a serialized state (a bytea the registry stores) and
 * functions that serve it.  Feature kinds (linear, ridge, xgboost) predict a
 * target from a row of features; series kinds (arima, garch, hmm, lstm)
 * forecast the steps after the series they were trained on.
 */
#ifndef AMPLIFIED_FORECAST_H
#define AMPLIFIED_FORECAST_H

#include "postgres.h"

#include "utils/jsonb.h"

/* The SQLSTATE of a failure inside a numerical library. */
#define FORECAST_ERRCODE_LIBRARY ERRCODE_EXTERNAL_ROUTINE_EXCEPTION

/* ---- data ---- */

/*
 * Training data, rows in time order.  Feature kinds read x (n rows of p
 * features, row-major) and y (the target of each row); series kinds read y
 * only (p = 0, x NULL).
 */
typedef struct ForecastData
{
	int			n;
	int			p;
	const double *x;
	const double *y;
	const char *const *names;	/* p feature names, or NULL */
} ForecastData;

/* ---- a seeded generator (xoshiro256**, seeded by splitmix64) ---- */

typedef struct ForecastRng
{
	uint64		s[4];
} ForecastRng;

extern void ForecastRngSeed(ForecastRng *rng, uint64 seed);
extern uint64 ForecastRngNext(ForecastRng *rng);
extern double ForecastRngUniform(ForecastRng *rng);	/* in [0, 1) */
extern double ForecastRngNormal(ForecastRng *rng);	/* standard normal */

/* ---- training ---- */

/*
 * What a kind's train function gets besides the data: its hyper-parameters
 * (the params jsonb as given; read them with the ForecastParam* helpers,
 * which reject bad values with 22023), the seed and a generator seeded from
 * it, and the progress slot.
 */
typedef struct ForecastTrainCtx
{
	Jsonb	   *params;
	uint64		seed;
	ForecastRng rng;
	void	   *progress;		/* opaque: progress.c */
} ForecastTrainCtx;

/*
 * A kind's training result.  state is what its serving functions read back;
 * summary a jsonb object for people (coefficients, order, states ...);
 * sigma the in-sample one-step residual standard deviation (NaN: none),
 * used for the intervals of feature kinds; loglik/aic/nparams when the kind
 * has a likelihood (NaN / 0 otherwise).
 */
typedef struct ForecastFit
{
	bytea	   *state;
	Jsonb	   *summary;
	double		sigma;
	double		loglik;
	double		aic;
	int			nparams;
} ForecastFit;

/* The current regime of a regime model (hmm). */
typedef struct ForecastRegime
{
	int			state;			/* most likely state of the last observation */
	const char *label;			/* its label (ranging, trending, volatile, ...) */
	int			nstates;
	double	   *probs;			/* nstates filtered probabilities */
	const char **labels;		/* nstates labels */
} ForecastRegime;

typedef struct ForecastKind
{
	const char *name;
	bool		series;			/* a series kind (else a feature kind) */
	const char *const *param_names; /* the params keys it accepts, NULL-ended */

	/* Fit; ereport on bad data; call ForecastProgress inside long loops. */
	void		(*train) (const ForecastData *d, ForecastTrainCtx *ctx, ForecastFit *out);

	/*
	 * Optional: turn a stored state into what the serving functions read.
	 * It must check the state (magic, version, sizes) and error with
	 * ERRCODE_DATA_CORRUPTED when it is not one of its own.  The registry
	 * calls it in a memory context it keeps per model for the backend's
	 * life (model rows never change); a kind holding foreign memory (an
	 * XGBoost handle) registers a reset callback on CurrentMemoryContext to
	 * free it.  NULL: the serving functions get the bytea itself, and must
	 * check it the same way.
	 */
	void	   *(*load) (const bytea *state);

	/* Feature kinds: out[i] for each of n rows of p features (row-major). */
	void		(*predict) (void *model, const double *x, int n, int p, double *out);

	/*
	 * Series kinds: the mean and standard deviation of the forecast of each
	 * of the h steps after a series.  y NULL: after the training series;
	 * else after y[0..n-1], a recent series the model conditions on with its
	 * fitted parameters (not refitted).
	 */
	void		(*forecast) (void *model, const double *y, int n, int h,
							 double *mean, double *sd);

	/* Regime kinds only (else NULL); y as for forecast. */
	void		(*regime) (void *model, const double *y, int n, ForecastRegime *out);
} ForecastKind;

/* The kinds (each defined in its own file); lookup by name. */
extern const ForecastKind ForecastKindLinear;
extern const ForecastKind ForecastKindRidge;
extern const ForecastKind ForecastKindXgboost;
extern const ForecastKind ForecastKindArima;
extern const ForecastKind ForecastKindGarch;
extern const ForecastKind ForecastKindHmm;
extern const ForecastKind ForecastKindLstm;
extern const ForecastKind *ForecastKindByName(const char *name);

/* ---- hyper-parameters (params.c) ---- */

/* Each errors with 22023 when the key is there but of the wrong type or range. */
extern double ForecastParamFloat(Jsonb *params, const char *key, double dflt,
								 double min, double max);
extern int	ForecastParamInt(Jsonb *params, const char *key, int dflt, int min, int max);
extern bool ForecastParamBool(Jsonb *params, const char *key, bool dflt);
extern char *ForecastParamText(Jsonb *params, const char *key, const char *dflt);
/* An int array ([1, 2, 3]); *n gets its length; NULL when absent. */
extern int *ForecastParamIntArray(Jsonb *params, const char *key, int *n);
/* Error 22023 on a key the kind does not accept (names: NULL-ended). */
extern void ForecastParamCheckKeys(Jsonb *params, const char *const *names,
								   const char *kind);

/* ---- progress and cancellation (progress.c) ---- */

/*
 * Report that a training is at step done of total in phase (a short text),
 * and honour a pending cancel (CHECK_FOR_INTERRUPTS).  Cheap: call it once
 * per iteration of any loop that can run long.
 */
extern void ForecastProgress(ForecastTrainCtx *ctx, const char *phase,
							 int64 done, int64 total);

/* ---- serialization helpers (params.c) ---- */

/* A bytea holding len bytes copied from data. */
extern bytea *ForecastBytea(const void *data, Size len);

/* jsonb from a C string of JSON text. */
extern Jsonb *ForecastJsonb(const char *json);

/*
 * The kind's own state inside a stored (sealed) state, checked: what a
 * kind's extra SQL functions that take a forecast_fit pass to their loader
 * (seal.c; the registry and forecast_fit_* do it themselves).
 */
extern bytea *ForecastStateOpen(const bytea *sealed);

#endif							/* AMPLIFIED_FORECAST_H */
