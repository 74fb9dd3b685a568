/*
 * src/forecast/train.c
 *
 * What every training and every serving call goes through, whoever calls
 * it (the registry or the direct array functions): the hyper-parameters
 * checked against the kind, the seed chosen and the generator seeded, the
 * progress slot held for exactly the training's duration, the result
 * checked; and the per-backend cache of loaded models.
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "forecast/forecast.h"
#include "forecast/forecast_int.h"

/* The keys every kind accepts besides its own. */
static const char *const common_params[] = {"seed", NULL};

/* The seed: params' "seed" (an integer), else a random one. */
uint64
ForecastSeed(Jsonb *params)
{
	JsonbValue	v;
	uint64		seed;

	if (params != NULL && JB_ROOT_IS_OBJECT(params) &&
		getKeyJsonValueFromContainer(&params->root, "seed", 4, &v) != NULL &&
		v.type != jbvNull)
	{
		int64		s;

		if (v.type != jbvNumeric ||
			!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(v.val.numeric),
											  DirectFunctionCall1(numeric_floor, NumericGetDatum(v.val.numeric)))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"seed\" must be an integer")));
		s = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
		if (s < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"seed\" must not be negative")));
		return (uint64) s;
	}
	if (!pg_strong_random(&seed, sizeof(seed)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random seed")));
	/* stored as bigint: keep it non-negative */
	return seed & UINT64CONST(0x7FFFFFFFFFFFFFFF);
}

/* The kind called name, or an error listing the kinds. */
const ForecastKind *
ForecastKindGet(const char *name)
{
	const ForecastKind *k = ForecastKindByName(name);

	if (k == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown model kind \"%s\"", name),
				 errhint("The kinds are linear, ridge, xgboost, arima, garch, hmm and lstm.")));
	return k;
}

/* Check that data fits the kind: shapes and finite values. */
static void
CheckData(const ForecastKind *kind, const ForecastData *d)
{
	int			i;

	if (d->n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no rows to train on")));
	if (kind->series && d->p != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model kind \"%s\" takes a series, not features", kind->name)));
	if (!kind->series && d->p < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model kind \"%s\" needs at least one feature", kind->name)));
	for (i = 0; i < d->n; i++)
		if (!isfinite(d->y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the target of row %d is not a finite number", i + 1)));
	for (i = 0; i < d->n * d->p; i++)
		if (!isfinite(d->x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature %d of row %d is not a finite number",
							i % d->p + 1, i / d->p + 1)));
}

/*
 * Train kind on d: params checked (the kind's keys and "seed"), the
 * generator seeded, progress reported in this backend's slot under task
 * and project, the slot freed however the training ends.
 */
void
ForecastTrainRun(const ForecastKind *kind, const ForecastData *d, Jsonb *params,
				 uint64 seed, const char *task, const char *project, int64 model_id,
				 ForecastFit *out)
{
	ForecastTrainCtx ctx;
	const char *const *k;
	const char **names;
	int			n = 0,
				i = 0;

	for (k = kind->param_names; k && *k; k++)
		n++;
	names = palloc0((n + 2) * sizeof(char *));
	for (k = kind->param_names; k && *k; k++)
		names[i++] = *k;
	names[i++] = common_params[0];
	ForecastParamCheckKeys(params, names, kind->name);
	CheckData(kind, d);

	memset(&ctx, 0, sizeof(ctx));
	ctx.params = params;
	ctx.seed = seed;
	ForecastRngSeed(&ctx.rng, seed);
	memset(out, 0, sizeof(*out));
	out->sigma = NAN;
	out->loglik = NAN;
	out->aic = NAN;

	ForecastProgressBegin(&ctx, task, project, kind->name, model_id);
	PG_TRY();
	{
		kind->train(d, &ctx, out);
	}
	PG_FINALLY();
	{
		ForecastProgressEnd(&ctx);
	}
	PG_END_TRY();
	if (out->state == NULL)
		elog(ERROR, "model kind \"%s\" returned no state", kind->name);
	out->state = ForecastStateSeal(out->state);
}

/* ---- loaded models, cached per backend ---- */

typedef struct LoadedModel
{
	int64		key;
	const ForecastKind *kind;
	MemoryContext cxt;
	void	   *model;
	struct LoadedModel *next;
} LoadedModel;

#define FORECAST_CACHE_MAX 16

static MemoryContext cache_cxt = NULL;
static LoadedModel *cache = NULL;

/* Load state as kind's model in cxt (the bytea itself when kind has no loader). */
static void *
LoadInto(const ForecastKind *kind, const bytea *state, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	void	   *m;
	bytea	   *inner = ForecastStateOpen(state);	/* checked, in cxt */

	m = kind->load ? kind->load(inner) : inner;
	MemoryContextSwitchTo(old);
	return m;
}

/*
 * The served form of a model.  key 0: loaded in CurrentMemoryContext, not
 * cached.  Else cached under key (a model id: model rows never change) for
 * the backend's life, the oldest of FORECAST_CACHE_MAX dropped first.
 */
void *
ForecastModelLoad(const ForecastKind *kind, const bytea *state, int64 key)
{
	LoadedModel *e,
			  **pp;
	int			n = 0;
	MemoryContext cxt;

	if (key == 0)
		return LoadInto(kind, state, CurrentMemoryContext);
	for (e = cache; e; e = e->next)
		if (e->key == key && e->kind == kind)
			return e->model;
	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "amplified forecast models",
										  ALLOCSET_DEFAULT_SIZES);
	/* drop the oldest beyond the cap (the list is newest first) */
	for (pp = &cache; *pp; pp = &(*pp)->next)
		if (++n >= FORECAST_CACHE_MAX)
		{
			LoadedModel *old = *pp;

			*pp = NULL;
			while (old)
			{
				LoadedModel *nx = old->next;

				MemoryContextDelete(old->cxt);
				pfree(old);
				old = nx;
			}
			break;
		}
	cxt = AllocSetContextCreate(cache_cxt, "amplified forecast model", ALLOCSET_SMALL_SIZES);
	PG_TRY();
	{
		e = MemoryContextAlloc(cache_cxt, sizeof(LoadedModel));
		e->key = key;
		e->kind = kind;
		e->cxt = cxt;
		e->model = LoadInto(kind, state, cxt);
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	e->next = cache;
	cache = e;
	return e->model;
}
