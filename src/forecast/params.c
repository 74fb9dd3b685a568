/*
 * src/forecast/params.c
 *
 * What every model kind needs besides its math: the seeded generator
 * (xoshiro256** seeded through splitmix64, so a model is reproducible from
 * the seed the registry stores), the reading and checking of hyper-parameters
 * from the params jsonb, and small builders of bytea and jsonb values.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "forecast/forecast.h"

/* splitmix64: expands one seed into the generator's four words. */
static uint64
SplitMix64(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Seed the generator: the same seed gives the same stream on every machine. */
void
ForecastRngSeed(ForecastRng *rng, uint64 seed)
{
	uint64		x = seed;
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = SplitMix64(&x);
}

static inline uint64
Rotl(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits (xoshiro256**). */
uint64
ForecastRngNext(ForecastRng *rng)
{
	uint64	   *s = rng->s;
	uint64		result = Rotl(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = Rotl(s[3], 45);
	return result;
}

/* A uniform double in [0, 1) from the top 53 bits. */
double
ForecastRngUniform(ForecastRng *rng)
{
	return (ForecastRngNext(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* A standard normal draw (Box-Muller, one value per call). */
double
ForecastRngNormal(ForecastRng *rng)
{
	double		u1,
				u2;

	do
		u1 = ForecastRngUniform(rng);
	while (u1 <= 0.0);
	u2 = ForecastRngUniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* The value of key in params, or false when params is NULL or lacks it. */
static bool
ParamGet(Jsonb *params, const char *key, JsonbValue *v)
{
	if (params == NULL || !JB_ROOT_IS_OBJECT(params))
		return false;
	if (getKeyJsonValueFromContainer(&params->root, key, strlen(key), v) == NULL)
		return false;
	return v->type != jbvNull;
}

/* A jsonb number as a double. */
static double
ParamNumber(const JsonbValue *v, const char *key)
{
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be a number", key)));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											  NumericGetDatum(v->val.numeric)));
}

/* A float hyper-parameter in [min, max], or dflt when absent. */
double
ForecastParamFloat(Jsonb *params, const char *key, double dflt, double min, double max)
{
	JsonbValue	v;
	double		d;

	if (!ParamGet(params, key, &v))
		return dflt;
	d = ParamNumber(&v, key);
	if (isnan(d) || d < min || d > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" is out of range: %g", key, d),
				 errdetail("It must be between %g and %g.", min, max)));
	return d;
}

/* An integer hyper-parameter in [min, max], or dflt when absent. */
int
ForecastParamInt(Jsonb *params, const char *key, int dflt, int min, int max)
{
	JsonbValue	v;
	double		d;

	if (!ParamGet(params, key, &v))
		return dflt;
	d = ParamNumber(&v, key);
	if (d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be an integer: %g", key, d)));
	if (d < min || d > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" is out of range: %g", key, d),
				 errdetail("It must be between %d and %d.", min, max)));
	return (int) d;
}

/* A boolean hyper-parameter, or dflt when absent. */
bool
ForecastParamBool(Jsonb *params, const char *key, bool dflt)
{
	JsonbValue	v;

	if (!ParamGet(params, key, &v))
		return dflt;
	if (v.type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be true or false", key)));
	return v.val.boolean;
}

/* A text hyper-parameter (palloc'd), or a copy of dflt (NULL stays NULL). */
char *
ForecastParamText(Jsonb *params, const char *key, const char *dflt)
{
	JsonbValue	v;

	if (!ParamGet(params, key, &v))
		return dflt ? pstrdup(dflt) : NULL;
	if (v.type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be a string", key)));
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* An array of integers, or NULL when absent; *n gets its length. */
int *
ForecastParamIntArray(Jsonb *params, const char *key, int *n)
{
	JsonbValue	v;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	int		   *out;
	int			cap = 8;

	*n = 0;
	if (!ParamGet(params, key, &v))
		return NULL;
	if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be an array of integers", key)));
	out = palloc(cap * sizeof(int));
	it = JsonbIteratorInit(v.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		double		d;

		if (tok != WJB_ELEM)
			continue;
		if (e.type != jbvNumeric)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" must be an array of integers", key)));
		d = ParamNumber(&e, key);
		if (d != floor(d) || fabs(d) > INT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" must be an array of integers", key)));
		if (*n == cap)
		{
			cap *= 2;
			out = repalloc(out, cap * sizeof(int));
		}
		out[(*n)++] = (int) d;
	}
	return out;
}

/* Reject a params key the kind does not know (a typo must not pass silently). */
void
ForecastParamCheckKeys(Jsonb *params, const char *const *names, const char *kind)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (params == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("params must be a JSON object")));
	it = JsonbIteratorInit(&params->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *const *k;
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (k = names; k && *k; k++)
			if (strlen(*k) == (size_t) v.val.string.len &&
				strncmp(*k, v.val.string.val, v.val.string.len) == 0)
				known = true;
		if (!known)
		{
			StringInfoData s;

			initStringInfo(&s);
			for (k = names; k && *k; k++)
				appendStringInfo(&s, "%s%s", s.len ? ", " : "", *k);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown parameter \"%.*s\" for model kind \"%s\"",
							v.val.string.len, v.val.string.val, kind),
					 errdetail("It accepts: %s.", s.len ? s.data : "none")));
		}
	}
}

/* A bytea holding a copy of len bytes. */
bytea *
ForecastBytea(const void *data, Size len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/* A jsonb value parsed from JSON text. */
Jsonb *
ForecastJsonb(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
