/*
 * src/forecast/hmm.c
 *
 * The hmm kind: a hidden Markov model with univariate Gaussian emissions,
 * for market regimes (calm and volatile; ranging, trending and volatile).
 * Training is Baum-Welch (a scaled forward-backward pass per iteration)
 * from several seeded starting points, keeping the best likelihood; the
 * fitted states are put in a canonical order (volatility ascending) and
 * labelled by a fixed rule on their means and standard deviations, so that
 * equal fits give equal states and labels.  Serving: the regime at the end
 * of a series (filtered probabilities), the h-step predictive mean and
 * standard deviation (the state distribution carried forward by the
 * transition matrix), the Viterbi path and the log-likelihood of a series.
 *
 * The state (bytea) is an HmmHeader followed, in native byte order, by the
 * means, standard deviations, initial probabilities, transition matrix
 * (row-major, row = from) and the training series, then the labels as
 * NUL-terminated strings in state order.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "forecast/forecast.h"
#include "forecast/forecast_int.h"

#define HMM_MAGIC		0x4D4D4841	/* "AHMM" read as a little-endian uint32 */
#define HMM_VERSION		1
#define HMM_MIN_STATES	2
#define HMM_MAX_STATES	8
#define HMM_LABEL_MAX	63			/* bytes of a label, without its NUL */
#define HMM_OBS_PER_PARAM 10		/* a series needs this many points per parameter */
#define HMM_MAX_CELLS	50000000	/* series length times states */
#define HMM_DEAD_WEIGHT 1e-8		/* a state with less expected weight keeps its emission */
#define HMM_PROB_SLACK	1e-6		/* how far a stored probability row may be from 1 */

/* The fixed head of a serialized model. */
typedef struct HmmHeader
{
	uint32		magic;
	uint32		version;
	int32		k;				/* states */
	int32		n;				/* length of the training series */
	uint32		label_bytes;	/* bytes of the labels after the doubles */
	uint32		reserved;		/* zero */
} HmmHeader;

/* The parameters of a k-state model. */
typedef struct HmmParams
{
	int			k;
	double		mean[HMM_MAX_STATES];
	double		sd[HMM_MAX_STATES];
	double		start[HMM_MAX_STATES];
	double		trans[HMM_MAX_STATES * HMM_MAX_STATES];
} HmmParams;

/* A loaded model: its parameters, labels and training series. */
typedef struct HmmModel
{
	HmmParams	p;
	char		labels[HMM_MAX_STATES][HMM_LABEL_MAX + 1];
	int			n;
	double	   *y;
} HmmModel;

/* Work arrays of one forward-backward pass over n points. */
typedef struct HmmWork
{
	int			n;
	int			k;
	double	   *e;				/* n*k emission densities, scaled per point */
	double	   *c;				/* n scale factors of the forward pass */
	double	   *alpha;			/* n*k filtered probabilities */
	double	   *beta;			/* n*k scaled backward variables */
} HmmWork;

static const char *const hmm_param_names[] = {
	"states", "restarts", "max_iter", "tol", "var_floor", "labels", "init", NULL
};

/* The number of free parameters of a k-state model. */
static int
HmmParamCount(int k)
{
	/* transitions k(k-1), initial k-1, means k, sds k */
	return k * k + 2 * k - 1;
}

/* ---- the likelihood ---- */

/*
 * Forward pass: w->alpha gets the filtered probabilities, w->e the emission
 * densities scaled by exp(-shift) per point and w->c the scale factors, so
 * that the log-likelihood is the sum of shift + log c.  Returns it.
 * Optionally *sigma gets the root mean square of the one-step prediction
 * errors (the predictive mean is the mixture of the state means).
 */
static double
HmmForward(const HmmParams *p, const double *y, int n, HmmWork *w, double *sigma)
{
	int			k = p->k;
	double		ll = 0.0,
				sse = 0.0;
	double		pred[HMM_MAX_STATES];
	double		logb[HMM_MAX_STATES];
	double		lognorm[HMM_MAX_STATES];
	int			t,
				i,
				j;

	for (j = 0; j < k; j++)
		lognorm[j] = -log(p->sd[j]) - 0.5 * log(2.0 * M_PI);
	for (t = 0; t < n; t++)
	{
		double	   *a = w->alpha + (size_t) t * k;
		double	   *e = w->e + (size_t) t * k;
		double		shift = -INFINITY,
					c = 0.0,
					m = 0.0;

		if (t == 0)
			memcpy(pred, p->start, k * sizeof(double));
		else
		{
			const double *prev = a - k;

			for (j = 0; j < k; j++)
				pred[j] = 0.0;
			for (i = 0; i < k; i++)
				for (j = 0; j < k; j++)
					pred[j] += prev[i] * p->trans[i * k + j];
		}
		for (j = 0; j < k; j++)
		{
			double		z = (y[t] - p->mean[j]) / p->sd[j];

			logb[j] = lognorm[j] - 0.5 * z * z;
			if (logb[j] > shift)
				shift = logb[j];
			m += pred[j] * p->mean[j];
		}
		sse += (y[t] - m) * (y[t] - m);
		for (j = 0; j < k; j++)
		{
			e[j] = exp(logb[j] - shift);
			a[j] = pred[j] * e[j];
			c += a[j];
		}
		if (!(c > DBL_MIN))
		{
			/*
			 * The states the chain can be in all lie hundreds of nats below
			 * the best one: shift by the best reachable state instead.
			 */
			double		s2 = -INFINITY;

			for (j = 0; j < k; j++)
				if (pred[j] > 0.0 && log(pred[j]) + logb[j] > s2)
					s2 = log(pred[j]) + logb[j];
			shift = s2;
			c = 0.0;
			for (j = 0; j < k; j++)
			{
				e[j] = exp(Min(logb[j] - shift, 700.0));
				a[j] = pred[j] * e[j];
				c += a[j];
			}
		}
		for (j = 0; j < k; j++)
			a[j] /= c;
		w->c[t] = c;
		ll += shift + log(c);
	}
	if (sigma)
		*sigma = n > 0 ? sqrt(sse / n) : NAN;
	return ll;
}

/* Backward pass, scaled by the forward pass's factors (w->beta). */
static void
HmmBackward(const HmmParams *p, int n, HmmWork *w)
{
	int			k = p->k;
	int			t,
				i,
				j;

	for (j = 0; j < k; j++)
		w->beta[(size_t) (n - 1) * k + j] = 1.0;
	for (t = n - 2; t >= 0; t--)
	{
		const double *bn = w->beta + (size_t) (t + 1) * k;
		const double *en = w->e + (size_t) (t + 1) * k;
		double	   *b = w->beta + (size_t) t * k;
		double		v[HMM_MAX_STATES];

		for (j = 0; j < k; j++)
			v[j] = en[j] * bn[j];
		for (i = 0; i < k; i++)
		{
			double		s = 0.0;

			for (j = 0; j < k; j++)
				s += p->trans[i * k + j] * v[j];
			b[i] = s / w->c[t + 1];
		}
	}
}

/* Allocate the work arrays of a pass over n points of k states. */
static void
HmmWorkInit(HmmWork *w, int n, int k)
{
	if ((double) n * k > HMM_MAX_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the series is too long: %d points with %d states", n, k),
				 errdetail("At most %d points times states are supported.", HMM_MAX_CELLS)));
	w->n = n;
	w->k = k;
	w->e = palloc((size_t) n * k * sizeof(double));
	w->c = palloc(n * sizeof(double));
	w->alpha = palloc((size_t) n * k * sizeof(double));
	w->beta = NULL;
}

/*
 * One Baum-Welch iteration's E and M steps: the log-likelihood of *p on y
 * (returned) and, in *next, the re-estimated parameters: initial
 * probabilities from the first point's posterior, transitions from the
 * expected transition counts, means and variances weighted by the
 * posteriors, variances floored at var_floor.  A state whose expected
 * weight is below HMM_DEAD_WEIGHT keeps its mean and sd, a transition row
 * with no expected transitions its row.
 */
static double
HmmEmStep(const HmmParams *p, const double *y, int n, double var_floor, HmmWork *w,
		  HmmParams *next)
{
	int			k = p->k;
	double		ll;
	double		wsum[HMM_MAX_STATES] = {0},
				ysum[HMM_MAX_STATES] = {0},
				xi[HMM_MAX_STATES * HMM_MAX_STATES] = {0};
	int			t,
				i,
				j;

	ll = HmmForward(p, y, n, w, NULL);
	HmmBackward(p, n, w);
	*next = *p;
	for (t = 0; t < n; t++)
	{
		const double *a = w->alpha + (size_t) t * k;
		double	   *g = w->beta + (size_t) t * k;	/* becomes gamma */

		if (t < n - 1)
		{
			const double *bn = w->beta + (size_t) (t + 1) * k;
			const double *en = w->e + (size_t) (t + 1) * k;
			double		v[HMM_MAX_STATES];

			for (j = 0; j < k; j++)
				v[j] = en[j] * bn[j] / w->c[t + 1];
			for (i = 0; i < k; i++)
				for (j = 0; j < k; j++)
					xi[i * k + j] += a[i] * p->trans[i * k + j] * v[j];
		}
		/* beta[t] is no longer needed by xi[t-1]: replace it by gamma[t] */
		for (j = 0; j < k; j++)
		{
			g[j] = a[j] * g[j];
			wsum[j] += g[j];
			ysum[j] += g[j] * y[t];
		}
	}
	for (j = 0; j < k; j++)
		next->start[j] = w->beta[j];
	for (i = 0; i < k; i++)
	{
		double		s = 0.0;

		for (j = 0; j < k; j++)
			s += xi[i * k + j];
		if (s > 0.0)
			for (j = 0; j < k; j++)
				next->trans[i * k + j] = xi[i * k + j] / s;
	}
	for (j = 0; j < k; j++)
	{
		double		mu,
					ss = 0.0;

		if (wsum[j] < HMM_DEAD_WEIGHT)
			continue;
		mu = ysum[j] / wsum[j];
		for (t = 0; t < n; t++)
		{
			double		d = y[t] - mu;

			ss += w->beta[(size_t) t * k + j] * d * d;
		}
		next->mean[j] = mu;
		next->sd[j] = sqrt(Max(ss / wsum[j], var_floor));
	}
	return ll;
}

/*
 * The Viterbi path of y (0-based states into path), ties to the lower
 * state.  Returns the log-probability of the path.
 */
static double
HmmViterbi(const HmmParams *p, const double *y, int n, int *path)
{
	int			k = p->k;
	double		logt[HMM_MAX_STATES * HMM_MAX_STATES],
				lognorm[HMM_MAX_STATES],
				d[HMM_MAX_STATES],
				dn[HMM_MAX_STATES];
	uint8	   *back = palloc((size_t) n * k);
	int			t,
				i,
				j,
				best;
	double		v;

	for (i = 0; i < k * k; i++)
		logt[i] = log(p->trans[i]);
	for (j = 0; j < k; j++)
		lognorm[j] = -log(p->sd[j]) - 0.5 * log(2.0 * M_PI);
	for (t = 0; t < n; t++)
	{
		for (j = 0; j < k; j++)
		{
			double		z = (y[t] - p->mean[j]) / p->sd[j];
			double		lb = lognorm[j] - 0.5 * z * z;

			if (t == 0)
			{
				dn[j] = log(p->start[j]) + lb;
				continue;
			}
			best = 0;
			v = d[0] + logt[j];
			for (i = 1; i < k; i++)
				if (d[i] + logt[i * k + j] > v)
				{
					v = d[i] + logt[i * k + j];
					best = i;
				}
			back[(size_t) t * k + j] = (uint8) best;
			dn[j] = v + lb;
		}
		memcpy(d, dn, k * sizeof(double));
	}
	best = 0;
	for (j = 1; j < k; j++)
		if (d[j] > d[best])
			best = j;
	v = d[best];
	for (t = n - 1; t >= 0; t--)
	{
		path[t] = best;
		if (t > 0)
			best = back[(size_t) t * k + best];
	}
	pfree(back);
	return v;
}

/* ---- parameters from jsonb ---- */

/* params[key] when present and not null. */
static bool
HmmParamGet(Jsonb *params, const char *key, JsonbValue *v)
{
	if (params == NULL || !JB_ROOT_IS_OBJECT(params))
		return false;
	if (getKeyJsonValueFromContainer(&params->root, key, strlen(key), v) == NULL)
		return false;
	return v->type != jbvNull;
}

/* The elements of a jsonb array value (what an iterator yields), or error. */
static int
HmmJsonArray(const JsonbValue *v, const char *what, JsonbValue *elems, int max)
{
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	int			n = 0;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be an array", what)));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (n >= max)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" has more than %d elements", what, max)));
		elems[n++] = e;
	}
	return n;
}

/* A jsonb number as a double, or error naming what. */
static double
HmmJsonNumber(const JsonbValue *v, const char *what)
{
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must hold numbers", what)));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											  NumericGetDatum(v->val.numeric)));
}

/* An array of exactly k numbers. */
static void
HmmJsonVector(const JsonbValue *v, const char *what, int k, double *out)
{
	JsonbValue	e[HMM_MAX_STATES];
	int			n = HmmJsonArray(v, what, e, HMM_MAX_STATES),
				i;

	if (n != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must have %d elements, not %d", what, k, n)));
	for (i = 0; i < k; i++)
		out[i] = HmmJsonNumber(&e[i], what);
}

/* Check a probability vector (non-negative, sums to 1 within 1e-9) and renormalise it. */
static void
HmmCheckProbs(double *v, int k, const char *what)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i < k; i++)
	{
		if (!(v[i] >= 0.0 && v[i] <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" must hold probabilities between 0 and 1", what)));
		s += v[i];
	}
	if (fabs(s - 1.0) > 1e-9)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the probabilities of parameter \"%s\" must sum to 1, not %g", what, s)));
	for (i = 0; i < k; i++)
		v[i] /= s;
}

/*
 * The "init" parameter: {"means": [...], "sds": [...], "trans": [[...]],
 * "start": [...]} (start optional: uniform).  *k is the number of states
 * when states was given (0: take it from means).  Returns false when
 * absent.
 */
static bool
HmmInitParam(Jsonb *params, int *k, HmmParams *p)
{
	JsonbValue	v,
				f,
				rows[HMM_MAX_STATES];
	JsonbContainer *c;
	int			i,
				n;

	if (!HmmParamGet(params, "init", &v))
		return false;
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init\" must be an object with means, sds, trans and start")));
	c = v.val.binary.data;
	if (!getKeyJsonValueFromContainer(c, "means", 5, &f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init\" lacks \"means\"")));
	{
		JsonbValue	e[HMM_MAX_STATES];

		n = HmmJsonArray(&f, "init.means", e, HMM_MAX_STATES);
	}
	if (*k == 0)
		*k = n;
	if (n != *k || n < HMM_MIN_STATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init\" has %d means for %d states", n, *k)));
	memset(p, 0, sizeof(*p));
	p->k = n;
	HmmJsonVector(&f, "init.means", n, p->mean);
	if (!getKeyJsonValueFromContainer(c, "sds", 3, &f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init\" lacks \"sds\"")));
	HmmJsonVector(&f, "init.sds", n, p->sd);
	for (i = 0; i < n; i++)
		if (!(p->sd[i] > 0.0) || !isfinite(p->sd[i]) || !isfinite(p->mean[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"init\" needs finite means and positive sds")));
	if (!getKeyJsonValueFromContainer(c, "trans", 5, &f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init\" lacks \"trans\"")));
	if (HmmJsonArray(&f, "init.trans", rows, HMM_MAX_STATES) != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"init.trans\" must have %d rows", n)));
	for (i = 0; i < n; i++)
	{
		HmmJsonVector(&rows[i], "init.trans", n, p->trans + i * n);
		HmmCheckProbs(p->trans + i * n, n, "init.trans");
	}
	if (getKeyJsonValueFromContainer(c, "start", 5, &f) && f.type != jbvNull)
	{
		HmmJsonVector(&f, "init.start", n, p->start);
		HmmCheckProbs(p->start, n, "init.start");
	}
	else
		for (i = 0; i < n; i++)
			p->start[i] = 1.0 / n;
	return true;
}

/* The "labels" parameter: k strings, in state order; false when absent. */
static bool
HmmLabelsParam(Jsonb *params, int k, char labels[][HMM_LABEL_MAX + 1])
{
	JsonbValue	v,
				e[HMM_MAX_STATES];
	int			n,
				i;

	if (!HmmParamGet(params, "labels", &v))
		return false;
	n = HmmJsonArray(&v, "labels", e, HMM_MAX_STATES);
	if (n != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"labels\" must have one label per state: %d, not %d", k, n)));
	for (i = 0; i < n; i++)
	{
		if (e[i].type != jbvString || e[i].val.string.len < 1 ||
			e[i].val.string.len > HMM_LABEL_MAX ||
			memchr(e[i].val.string.val, '\0', e[i].val.string.len) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"labels\" must hold strings of 1 to %d bytes", HMM_LABEL_MAX)));
		memcpy(labels[i], e[i].val.string.val, e[i].val.string.len);
		labels[i][e[i].val.string.len] = '\0';
	}
	return true;
}

/* ---- training ---- */

/* Sort helper: indices by key ascending, ties by index. */
static const double *sort_key;

static int
HmmCmpIndex(const void *a, const void *b)
{
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (sort_key[i] < sort_key[j])
		return -1;
	if (sort_key[i] > sort_key[j])
		return 1;
	return i - j;
}

/*
 * A random starting point.  Even restarts split the points by their
 * distance from the series mean (volatility regimes), odd ones by their
 * value (level regimes), into k groups at quantiles jittered by up to a
 * quarter of a group; each state starts at its group's mean and root mean
 * square deviation (at least a tenth of the series sd).  Transitions start
 * with a random persistence in [0.85, 0.99) spread evenly over the other
 * states; initial probabilities uniform.
 */
static void
HmmRandomInit(const double *y, int n, int k, int restart, double ymean, double ysd,
			  ForecastTrainCtx *ctx, int *order, double *key, HmmParams *p)
{
	int			cut[HMM_MAX_STATES + 1];
	int			g,
				i,
				t;

	for (t = 0; t < n; t++)
	{
		order[t] = t;
		key[t] = restart % 2 == 0 ? fabs(y[t] - ymean) : y[t];
	}
	sort_key = key;
	qsort(order, n, sizeof(int), HmmCmpIndex);
	cut[0] = 0;
	cut[k] = n;
	for (g = 1; g < k; g++)
	{
		double		q = (g + 0.5 * (ForecastRngUniform(&ctx->rng) - 0.5)) / k;

		cut[g] = Max(cut[g - 1] + 1, (int) (q * n));
	}
	memset(p, 0, sizeof(*p));
	p->k = k;
	for (g = 0; g < k; g++)
	{
		double		s = 0.0,
					ss = 0.0;
		int			m = cut[g + 1] - cut[g];

		for (i = cut[g]; i < cut[g + 1]; i++)
			s += y[order[i]];
		s /= Max(m, 1);
		for (i = cut[g]; i < cut[g + 1]; i++)
		{
			double		d = restart % 2 == 0 ? y[order[i]] - ymean : y[order[i]] - s;

			ss += d * d;
		}
		p->mean[g] = s;
		p->sd[g] = Max(sqrt(ss / Max(m, 1)), 0.1 * ysd);
		p->start[g] = 1.0 / k;
	}
	for (i = 0; i < k; i++)
	{
		double		stay = 0.85 + 0.14 * ForecastRngUniform(&ctx->rng);

		for (g = 0; g < k; g++)
			p->trans[i * k + g] = i == g ? stay : (1.0 - stay) / (k - 1);
	}
}

/*
 * Run Baum-Welch from *p until the log-likelihood gains no more than tol in an
 * iteration or max_iter iterations were made; *p becomes the last
 * re-estimate, *ll its log-likelihood (a gain of at most tol stops, as in
 * pomegranate).  Returns the iterations made.
 */
static int
HmmBaumWelch(HmmParams *p, const double *y, int n, int max_iter, double tol,
			 double var_floor, HmmWork *w, ForecastTrainCtx *ctx, int64 done,
			 int64 total, double *ll, bool *converged)
{
	HmmParams	next;
	double		cur,
				nl;
	int			it;

	*converged = false;
	cur = HmmEmStep(p, y, n, var_floor, w, &next);
	for (it = 1; it <= max_iter; it++)
	{
		HmmParams	nn;

		ForecastProgress(ctx, "em", done + it, total);
		nl = HmmEmStep(&next, y, n, var_floor, w, &nn);
		*p = next;
		next = nn;
		if (!(nl - cur > tol))
		{
			cur = nl;
			*converged = true;
			break;
		}
		cur = nl;
	}
	if (it > max_iter)
	{
		/* the last re-estimate was not applied: its likelihood is cur's */
		it = max_iter;
	}
	*ll = cur;
	return it;
}

/* Put the states of *p in canonical order: sd ascending, then mean. */
static void
HmmCanonical(HmmParams *p)
{
	int			k = p->k,
				perm[HMM_MAX_STATES],
				i,
				j;
	HmmParams	q = *p;

	for (i = 0; i < k; i++)
		perm[i] = i;
	/* insertion sort: k <= 8 */
	for (i = 1; i < k; i++)
		for (j = i; j > 0; j--)
		{
			int			a = perm[j - 1],
						b = perm[j];

			if (p->sd[a] > p->sd[b] || (p->sd[a] == p->sd[b] && p->mean[a] > p->mean[b]))
			{
				perm[j - 1] = b;
				perm[j] = a;
			}
			else
				break;
		}
	for (i = 0; i < k; i++)
	{
		q.mean[i] = p->mean[perm[i]];
		q.sd[i] = p->sd[perm[i]];
		q.start[i] = p->start[perm[i]];
		for (j = 0; j < k; j++)
			q.trans[i * k + j] = p->trans[perm[i] * k + perm[j]];
	}
	*p = q;
}

/*
 * The default labels of canonically ordered states (docs/forecast.md):
 * k = 2: calm, volatile.  k = 3: volatile the highest sd; of the other two,
 * trending the one with the larger |mean|/sd (ties: the more volatile),
 * ranging the other.  k >= 4: <calm|volatile>_<up|down|flat>: volatile for
 * the upper half by sd, up/down when mean/sd >= 0.1 / <= -0.1, else flat;
 * a label already taken gets _2, _3, ... in state order.
 */
static void
HmmDefaultLabels(const HmmParams *p, char labels[][HMM_LABEL_MAX + 1])
{
	int			k = p->k,
				i,
				j;
	char		base[HMM_MAX_STATES][HMM_LABEL_MAX + 1];

	if (k == 2)
	{
		strcpy(labels[0], "calm");
		strcpy(labels[1], "volatile");
		return;
	}
	if (k == 3)
	{
		double		z0 = fabs(p->mean[0]) / p->sd[0],
					z1 = fabs(p->mean[1]) / p->sd[1];

		strcpy(labels[0], z0 > z1 ? "trending" : "ranging");
		strcpy(labels[1], z0 > z1 ? "ranging" : "trending");
		strcpy(labels[2], "volatile");
		return;
	}
	for (i = 0; i < k; i++)
	{
		double		z = p->mean[i] / p->sd[i];
		int			dup = 1;

		snprintf(base[i], HMM_LABEL_MAX + 1, "%s_%s",
				 2 * i >= k ? "volatile" : "calm",
				 z >= 0.1 ? "up" : z <= -0.1 ? "down" : "flat");
		for (j = 0; j < i; j++)
			if (strcmp(base[j], base[i]) == 0)
				dup++;
		if (dup > 1)
			snprintf(labels[i], HMM_LABEL_MAX + 1, "%s_%d", base[i], dup);
		else
			strcpy(labels[i], base[i]);
	}
}

/* The stationary distribution of the transition matrix (Gaussian elimination). */
static void
HmmStationary(const HmmParams *p, double *pi)
{
	int			k = p->k,
				i,
				j,
				r;
	double		a[HMM_MAX_STATES][HMM_MAX_STATES + 1];
	bool		ok = true;

	/* (A' - I) pi = 0 with the last equation replaced by sum pi = 1 */
	for (i = 0; i < k; i++)
	{
		for (j = 0; j < k; j++)
			a[i][j] = p->trans[j * k + i] - (i == j ? 1.0 : 0.0);
		a[i][k] = 0.0;
	}
	for (j = 0; j <= k; j++)
		a[k - 1][j] = 1.0;
	for (i = 0; i < k && ok; i++)
	{
		int			piv = i;

		for (r = i + 1; r < k; r++)
			if (fabs(a[r][i]) > fabs(a[piv][i]))
				piv = r;
		if (fabs(a[piv][i]) < 1e-12)
		{
			ok = false;
			break;
		}
		for (j = 0; j <= k; j++)
		{
			double		tmp = a[i][j];

			a[i][j] = a[piv][j];
			a[piv][j] = tmp;
		}
		for (r = 0; r < k; r++)
			if (r != i)
			{
				double		f = a[r][i] / a[i][i];

				for (j = i; j <= k; j++)
					a[r][j] -= f * a[i][j];
			}
	}
	if (ok)
	{
		for (i = 0; i < k; i++)
			pi[i] = Max(a[i][k] / a[i][i], 0.0);
		return;
	}

	/* a reducible chain: the long-run average from the initial probabilities */
	{
		double		cur[HMM_MAX_STATES],
					nx[HMM_MAX_STATES];
		int			s;

		memcpy(cur, p->start, k * sizeof(double));
		for (i = 0; i < k; i++)
			pi[i] = 0.0;
		for (s = 0; s < 10000; s++)
		{
			for (j = 0; j < k; j++)
			{
				nx[j] = 0.0;
				for (i = 0; i < k; i++)
					nx[j] += cur[i] * p->trans[i * k + j];
			}
			memcpy(cur, nx, k * sizeof(double));
			for (i = 0; i < k; i++)
				pi[i] += cur[i] / 10000.0;
		}
	}
}

/* Append a double as JSON (null when not finite). */
static void
HmmJsonDouble(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.17g", v);
	else
		appendStringInfoString(s, "null");
}

/* Append k doubles as a JSON array. */
static void
HmmJsonDoubles(StringInfo s, const double *v, int k)
{
	int			i;

	appendStringInfoChar(s, '[');
	for (i = 0; i < k; i++)
	{
		if (i)
			appendStringInfoString(s, ", ");
		HmmJsonDouble(s, v[i]);
	}
	appendStringInfoChar(s, ']');
}

/* Serialize a model (see the file's header comment). */
static bytea *
HmmSerialize(const HmmParams *p, const double *y, int n, char labels[][HMM_LABEL_MAX + 1])
{
	int			k = p->k,
				i;
	uint32		lbytes = 0;
	Size		len;
	HmmHeader	h;
	bytea	   *b;
	char	   *d;

	for (i = 0; i < k; i++)
		lbytes += strlen(labels[i]) + 1;
	len = sizeof(HmmHeader) + sizeof(double) * ((Size) 4 * k + k * k + n) + lbytes;
	b = palloc0(VARHDRSZ + len);
	SET_VARSIZE(b, VARHDRSZ + len);
	memset(&h, 0, sizeof(h));
	h.magic = HMM_MAGIC;
	h.version = HMM_VERSION;
	h.k = k;
	h.n = n;
	h.label_bytes = lbytes;
	d = VARDATA(b);
	memcpy(d, &h, sizeof(h));
	d += sizeof(h);
#define PUT(src, cnt) do { memcpy(d, (src), sizeof(double) * (cnt)); d += sizeof(double) * (cnt); } while (0)
	PUT(p->mean, k);
	PUT(p->sd, k);
	PUT(p->start, k);
	PUT(p->trans, k * k);
	PUT(y, n);
#undef PUT
	for (i = 0; i < k; i++)
	{
		Size		l = strlen(labels[i]) + 1;

		memcpy(d, labels[i], l);
		d += l;
	}
	return b;
}

/* The training: see the file's header comment and docs/forecast.md. */
static void
HmmTrain(const ForecastData *data, ForecastTrainCtx *ctx, ForecastFit *out)
{
	const double *y = data->y;
	int			n = data->n;
	int			k,
				restarts,
				max_iter,
				r,
				t,
				j,
				iterations = 0,
				nparams;
	double		tol,
				rel_floor,
				var_floor,
				ymean = 0.0,
				yvar = 0.0,
				best_ll = -INFINITY,
				sigma;
	bool		have_init,
				converged = false,
				user_labels;
	HmmParams	init,
				best = {0};
	HmmWork		w;
	char		labels[HMM_MAX_STATES][HMM_LABEL_MAX + 1];
	int		   *order,
			   *path;
	double	   *key;
	int			counts[HMM_MAX_STATES] = {0};
	double		stat[HMM_MAX_STATES];
	StringInfoData s;

	k = ForecastParamInt(ctx->params, "states", 0, HMM_MIN_STATES, HMM_MAX_STATES);
	have_init = HmmInitParam(ctx->params, &k, &init);
	if (k == 0)
		k = 3;
	restarts = ForecastParamInt(ctx->params, "restarts", 5, 1, 1000);
	max_iter = ForecastParamInt(ctx->params, "max_iter", 200, 0, 1000000);
	tol = ForecastParamFloat(ctx->params, "tol", 1e-6, 0.0, 1e6);
	rel_floor = ForecastParamFloat(ctx->params, "var_floor", 1e-6, 1e-12, 1.0);
	user_labels = HmmLabelsParam(ctx->params, k, labels);
	if (have_init)
		restarts = 1;

	nparams = HmmParamCount(k);
	if (n < HMM_OBS_PER_PARAM * nparams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is too short for %d states: %d points, at least %d are needed",
						k, n, HMM_OBS_PER_PARAM * nparams),
				 errdetail("A %d-state model has %d parameters; %d points per parameter are required.",
						   k, nparams, HMM_OBS_PER_PARAM)));
	for (t = 0; t < n; t++)
		ymean += y[t];
	ymean /= n;
	for (t = 0; t < n; t++)
		yvar += (y[t] - ymean) * (y[t] - ymean);
	yvar /= n;
	if (!(yvar > 0.0) || !isfinite(yvar) || sqrt(yvar) <= 1e-12 * fabs(ymean))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is constant: a hidden Markov model needs variation")));
	var_floor = rel_floor * yvar;

	HmmWorkInit(&w, n, k);
	w.beta = palloc((size_t) n * k * sizeof(double));
	order = palloc(n * sizeof(int));
	key = palloc(n * sizeof(double));

	for (r = 0; r < restarts; r++)
	{
		HmmParams	p;
		double		ll;
		bool		conv;
		int			it;

		ForecastProgress(ctx, "em", (int64) r * max_iter, (int64) restarts * max_iter);
		if (have_init)
		{
			p = init;
			for (j = 0; j < k; j++)
				p.sd[j] = Max(p.sd[j], sqrt(var_floor));
		}
		else
			HmmRandomInit(y, n, k, r, ymean, sqrt(yvar), ctx, order, key, &p);
		it = HmmBaumWelch(&p, y, n, max_iter, tol, var_floor, &w, ctx,
						  (int64) r * max_iter, (int64) restarts * max_iter, &ll, &conv);
		if (isfinite(ll) && ll > best_ll)
		{
			best_ll = ll;
			best = p;
			iterations = it;
			converged = conv;
		}
	}
	if (!isfinite(best_ll))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the hidden Markov model's likelihood is not finite on this series")));

	HmmCanonical(&best);
	if (!user_labels)
		HmmDefaultLabels(&best, labels);

	/* the figures of the chosen fit, recomputed in canonical order */
	best_ll = HmmForward(&best, y, n, &w, &sigma);
	path = palloc(n * sizeof(int));
	HmmViterbi(&best, y, n, path);
	for (t = 0; t < n; t++)
		counts[path[t]]++;
	HmmStationary(&best, stat);

	out->state = HmmSerialize(&best, y, n, labels);
	out->sigma = sigma;
	out->loglik = best_ll;
	out->nparams = nparams;
	out->aic = -2.0 * best_ll + 2.0 * nparams;

	initStringInfo(&s);
	appendStringInfoString(&s, "{\"states\": [");
	for (j = 0; j < k; j++)
	{
		double		a = best.trans[j * k + j];

		appendStringInfo(&s, "%s{\"state\": %d, \"label\": ", j ? ", " : "", j + 1);
		escape_json(&s, labels[j]);
		appendStringInfoString(&s, ", \"mean\": ");
		HmmJsonDouble(&s, best.mean[j]);
		appendStringInfoString(&s, ", \"sd\": ");
		HmmJsonDouble(&s, best.sd[j]);
		appendStringInfoString(&s, ", \"stationary\": ");
		HmmJsonDouble(&s, stat[j]);
		appendStringInfoString(&s, ", \"duration\": ");
		HmmJsonDouble(&s, a < 1.0 ? 1.0 / (1.0 - a) : INFINITY);
		appendStringInfo(&s, ", \"viterbi_count\": %d}", counts[j]);
	}
	appendStringInfoString(&s, "], \"transition\": [");
	for (j = 0; j < k; j++)
	{
		if (j)
			appendStringInfoString(&s, ", ");
		HmmJsonDoubles(&s, best.trans + j * k, k);
	}
	appendStringInfoString(&s, "], \"initial\": ");
	HmmJsonDoubles(&s, best.start, k);
	appendStringInfoString(&s, ", \"loglik\": ");
	HmmJsonDouble(&s, best_ll);
	appendStringInfoString(&s, ", \"aic\": ");
	HmmJsonDouble(&s, out->aic);
	appendStringInfoString(&s, ", \"bic\": ");
	HmmJsonDouble(&s, -2.0 * best_ll + nparams * log((double) n));
	appendStringInfo(&s, ", \"nparams\": %d, \"n\": %d, \"iterations\": %d, \"converged\": %s, "
					 "\"restarts\": %d, \"var_floor\": ",
					 nparams, n, iterations, converged ? "true" : "false", restarts);
	HmmJsonDouble(&s, var_floor);
	appendStringInfoChar(&s, '}');
	out->summary = ForecastJsonb(s.data);
}

/* ---- serving ---- */

/* Error for a corrupted state. */
static void
HmmCorrupt(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid hmm model state: %s", why)));
}

/* Check a stored probability vector. */
static bool
HmmProbsOk(const double *v, int k)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i < k; i++)
	{
		if (!(v[i] >= 0.0 && v[i] <= 1.0))
			return false;
		s += v[i];
	}
	return fabs(s - 1.0) <= HMM_PROB_SLACK;
}

/* Read and check a serialized model (ERRCODE_DATA_CORRUPTED on anything off). */
static void *
HmmLoad(const bytea *state)
{
	Size		len = VARSIZE_ANY_EXHDR(state);
	const char *d = VARDATA_ANY(state);
	HmmHeader	h;
	HmmModel   *m;
	Size		need;
	int			k,
				i;
	const char *l,
			   *end;

	if (len < sizeof(HmmHeader))
		HmmCorrupt("too short");
	memcpy(&h, d, sizeof(h));
	if (h.magic != HMM_MAGIC)
		HmmCorrupt("not an hmm state");
	if (h.version != HMM_VERSION)
		HmmCorrupt("unknown version");
	if (h.k < HMM_MIN_STATES || h.k > HMM_MAX_STATES || h.n < 1 || h.reserved != 0 ||
		h.label_bytes > (uint32) h.k * (HMM_LABEL_MAX + 1))
		HmmCorrupt("bad header");
	k = h.k;
	need = sizeof(HmmHeader) + sizeof(double) * ((Size) 4 * k + k * k + (Size) h.n) + h.label_bytes;
	if (len != need)
		HmmCorrupt("wrong size");
	m = palloc0(sizeof(HmmModel));
	m->p.k = k;
	m->n = h.n;
	m->y = palloc(h.n * sizeof(double));
	d += sizeof(h);
#define GET(dst, cnt) do { memcpy((dst), d, sizeof(double) * (cnt)); d += sizeof(double) * (cnt); } while (0)
	GET(m->p.mean, k);
	GET(m->p.sd, k);
	GET(m->p.start, k);
	GET(m->p.trans, k * k);
	GET(m->y, h.n);
#undef GET
	for (i = 0; i < k; i++)
		if (!isfinite(m->p.mean[i]) || !(m->p.sd[i] > 0.0) || !isfinite(m->p.sd[i]))
			HmmCorrupt("bad emission parameters");
	if (!HmmProbsOk(m->p.start, k))
		HmmCorrupt("bad initial probabilities");
	for (i = 0; i < k; i++)
		if (!HmmProbsOk(m->p.trans + i * k, k))
			HmmCorrupt("bad transition matrix");
	for (i = 0; i < h.n; i++)
		if (!isfinite(m->y[i]))
			HmmCorrupt("bad training series");
	l = d;
	end = d + h.label_bytes;
	for (i = 0; i < k; i++)
	{
		const char *z = memchr(l, '\0', end - l);

		if (z == NULL || z == l || z - l > HMM_LABEL_MAX)
			HmmCorrupt("bad labels");
		memcpy(m->labels[i], l, z - l + 1);
		l = z + 1;
	}
	if (l != end)
		HmmCorrupt("bad labels");
	return m;
}

/* The series a serving call reads: y, or the training series when y is NULL. */
static const double *
HmmSeries(const HmmModel *m, const double *y, int *n)
{
	int			i;

	if (y == NULL)
	{
		*n = m->n;
		return m->y;
	}
	if (*n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series must not be empty")));
	for (i = 0; i < *n; i++)
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of the series is not a finite number", i + 1)));
	return y;
}

/* The filtered state probabilities at the last point of a series; returns its log-likelihood. */
static double
HmmFiltered(const HmmModel *m, const double *y, int n, double *probs)
{
	HmmWork		w;
	double		ll;

	y = HmmSeries(m, y, &n);
	HmmWorkInit(&w, n, m->p.k);
	ll = HmmForward(&m->p, y, n, &w, NULL);
	memcpy(probs, w.alpha + (size_t) (n - 1) * m->p.k, m->p.k * sizeof(double));
	pfree(w.e);
	pfree(w.c);
	pfree(w.alpha);
	return ll;
}

/*
 * The h-step forecast: the filtered distribution carried forward by the
 * transition matrix; each step's mean and sd are the mixture's.
 */
static void
HmmForecast(void *model, const double *y, int n, int h, double *mean, double *sd)
{
	HmmModel   *m = model;
	int			k = m->p.k,
				s,
				i,
				j;
	double		prob[HMM_MAX_STATES],
				nx[HMM_MAX_STATES];

	HmmFiltered(m, y, n, prob);
	for (s = 0; s < h; s++)
	{
		double		mu = 0.0,
					m2 = 0.0;

		for (j = 0; j < k; j++)
		{
			nx[j] = 0.0;
			for (i = 0; i < k; i++)
				nx[j] += prob[i] * m->p.trans[i * k + j];
		}
		memcpy(prob, nx, k * sizeof(double));
		for (j = 0; j < k; j++)
		{
			mu += prob[j] * m->p.mean[j];
			m2 += prob[j] * (m->p.sd[j] * m->p.sd[j] + m->p.mean[j] * m->p.mean[j]);
		}
		mean[s] = mu;
		sd[s] = sqrt(Max(m2 - mu * mu, 0.0));
	}
}

/* The regime at the last point: the state of highest filtered probability (1-based). */
static void
HmmRegime(void *model, const double *y, int n, ForecastRegime *out)
{
	HmmModel   *m = model;
	int			k = m->p.k,
				j,
				best = 0;

	out->nstates = k;
	out->probs = palloc(k * sizeof(double));
	out->labels = palloc(k * sizeof(char *));
	HmmFiltered(m, y, n, out->probs);
	for (j = 0; j < k; j++)
	{
		out->labels[j] = pstrdup(m->labels[j]);
		if (out->probs[j] > out->probs[best])
			best = j;
	}
	out->state = best + 1;
	out->label = out->labels[best];
}

const ForecastKind ForecastKindHmm = {
	.name = "hmm",
	.series = true,
	.param_names = hmm_param_names,
	.train = HmmTrain,
	.load = HmmLoad,
	.predict = NULL,
	.forecast = HmmForecast,
	.regime = HmmRegime,
};

/* ---- SQL functions of the hmm kind ---- */

/* The model of a forecast_fit value of kind hmm, and its optional series argument. */
static HmmModel *
HmmFitArg(FunctionCallInfo fcinfo, const double **y, int *n)
{
	HeapTupleHeader t = PG_GETARG_HEAPTUPLEHEADER(0);
	bool		isnull;
	Datum		d;
	char	   *kind;

	d = GetAttributeByName(t, "kind", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fit has no kind")));
	kind = TextDatumGetCString(d);
	if (strcmp(kind, "hmm") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the fit is of kind \"%s\", not \"hmm\"", kind)));
	d = GetAttributeByName(t, "state", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fit has no state")));
	*y = NULL;
	*n = 0;
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(1);
		int			rows,
					cols;

		if (ARR_NDIM(a) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("y must have one dimension")));
		*y = ForecastArrayValues(a, "y", true, &rows, &cols);
		*n = rows;
	}
	return HmmLoad(DatumGetByteaPP(d));
}

PG_FUNCTION_INFO_V1(forecast_hmm_viterbi);

/* forecast_hmm_viterbi(fit, y): the most likely state path (1-based) of y or of the training series. */
Datum
forecast_hmm_viterbi(PG_FUNCTION_ARGS)
{
	const double *y;
	int			n,
				t,
			   *path;
	Datum	   *d;
	HmmModel   *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = HmmFitArg(fcinfo, &y, &n);
	y = HmmSeries(m, y, &n);
	path = palloc(n * sizeof(int));
	HmmViterbi(&m->p, y, n, path);
	d = palloc(n * sizeof(Datum));
	for (t = 0; t < n; t++)
		d[t] = Int32GetDatum(path[t] + 1);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(forecast_hmm_loglik);

/* forecast_hmm_loglik(fit, y): the log-likelihood of y (or of the training series) under the fit. */
Datum
forecast_hmm_loglik(PG_FUNCTION_ARGS)
{
	const double *y;
	int			n;
	double		probs[HMM_MAX_STATES];
	HmmModel   *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = HmmFitArg(fcinfo, &y, &n);
	PG_RETURN_FLOAT8(HmmFiltered(m, y, n, probs));
}
