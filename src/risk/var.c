/*
 * src/risk/var.c
 *
 * Value at risk (VaR) and conditional value at risk (CVaR, the expected
 * shortfall) of a return series, by historical simulation, the normal and
 * Student-t distributions, the Cornish-Fisher expansion and filtered
 * historical simulation (EWMA or GARCH volatility); Monte Carlo VaR of a
 * portfolio of correlated assets (Cholesky of the covariance, a seeded
 * xoshiro256** generator); the Euler contributions of each asset to the
 * parametric VaR; and the Kupiec and Christoffersen backtests, alone and
 * over a rolling window.  Losses are positive fractions of value.  The
 * numerical pieces (AS241, the t distribution through the incomplete beta
 * function, the generator) are written here so that nothing GPL is linked.
 * The computation takes and returns plain C values; the fmgr wrappers are
 * at the end and turn a VarStatus into an error.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "risk/var.h"

const char *const VarMethodNames[VAR_NMETHODS] = {
	"historical", "normal", "t", "cornish_fisher", "fhs_ewma", "fhs_garch"
};

/* Largest number of Monte Carlo paths (80 MB of doubles). */
#define VAR_MAX_PATHS 10000000
/* Largest number of assets of a covariance (Cholesky is cubic). */
#define VAR_MAX_ASSETS 2000

/* The method called name, or -1. */
int
VarMethodFromName(const char *name)
{
	int			m;

	for (m = 0; m < VAR_NMETHODS; m++)
		if (strcmp(name, VarMethodNames[m]) == 0)
			return m;
	return -1;
}

/* ---------------------------------------------------------------- */
/* distributions                                                     */
/* ---------------------------------------------------------------- */

/*
 * The standard normal quantile, Wichura's algorithm AS241 (PPND16), Applied
 * Statistics 37 (1988) 477-484: rational approximations on the central
 * region |p - 0.5| <= 0.425 and, in r = sqrt(-log(min(p, 1-p))), on r <= 5
 * and beyond; about 1e-16 relative.  p must be in (0, 1).
 */
double
VarQnorm(double p)
{
	double		q = p - 0.5;
	double		r,
				val;

	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 +
						  33430.575583588128105) * r + 67265.770927008700853) * r +
						45921.953931549871457) * r + 13731.693765509461125) * r +
					  1971.5909503065514427) * r + 133.14166789178437745) * r +
					3.387132872796366608)
			/ (((((((r * 5226.495278852854561 +
					 28729.085735721942674) * r + 39307.89580009271061) * r +
				   21213.794301586595867) * r + 5394.1960214247511077) * r +
				 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
	}
	r = (q < 0) ? p : 1.0 - p;
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		val = (((((((r * 7.7454501427834140764e-4 +
					 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
				   1.27045825245236838258) * r + 3.64784832476320460504) * r +
				 5.7694972214606914055) * r + 4.6303378461565452959) * r +
			   1.42343711074968357734)
			/ (((((((r * 1.05075007164441684324e-9 +
					 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
				   0.14810397642748007459) * r + 0.68976733498510000455) * r +
				 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		val = (((((((r * 2.01033439929228813265e-7 +
					 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
				   0.026532189526576123093) * r + 0.29656057182850489123) * r +
				 1.7848265399172913358) * r + 5.4637849111641143699) * r +
			   6.6579046435011037772)
			/ (((((((r * 2.04426310338993978564e-15 +
					 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
				   7.868691311456132591e-4) * r + 0.0148753612908506148525) * r +
				 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1.0);
	}
	return (q < 0) ? -val : val;
}

/* The standard normal density. */
double
VarDnorm(double x)
{
	return exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

/*
 * The continued fraction of the regularized incomplete beta function
 * I_x(a, b) (its even and odd terms), evaluated by the modified Lentz
 * method; it converges fast for x < (a + 1) / (a + b + 2).
 */
static double
VarBetaCF(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		c = 1.0,
				d,
				h,
				aa,
				del;
	int			m;

	d = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= 1000; m++)
	{
		int			m2 = 2 * m;

		aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-16)
			break;
	}
	return h;
}

/*
 * log(Gamma(a + 1/2) / Gamma(a)): the difference of lgamma for moderate a,
 * and for a >= 1000, where that difference of two large numbers would lose
 * digits, the asymptotic series 1/2 log a - 1/(8a) + 1/(192a^3) -
 * 1/(640a^5) (next term below 1e-19 there).
 */
static double
VarLogGammaHalfRatio(double a)
{
	if (a < 1000)
		return lgamma(a + 0.5) - lgamma(a);
	return 0.5 * log(a) - 1.0 / (8.0 * a) + 1.0 / (192.0 * a * a * a)
		- 1.0 / (640.0 * a * a * a * a * a);
}

/*
 * Student-t distribution function with df degrees of freedom (df > 0, not
 * necessarily whole): P(T <= t) = I_x(df/2, 1/2) / 2 for t < 0 with
 * x = df / (df + t^2), the logarithms of x and 1 - x taken directly so
 * that the far tail keeps its relative precision.
 */
double
VarPt(double t, double df)
{
	double		a = df / 2.0,
				b = 0.5,
				x,
				lx,
				ly,
				front,
				ib;

	if (t > 0)
		return 1.0 - VarPt(-t, df);
	if (t == 0)
		return 0.5;
	if (isinf(t))
		return 0.0;
	x = df / (df + t * t);
	lx = -log1p(t * t / df);
	ly = log(t * t / (df + t * t));
	front = exp(VarLogGammaHalfRatio(a) - lgamma(b) + a * lx + b * ly);
	if (x < (a + 1.0) / (a + b + 2.0))
		ib = front * VarBetaCF(a, b, x) / a;
	else
		ib = 1.0 - front * VarBetaCF(b, a, 1.0 - x) / b;
	return 0.5 * ib;
}

/* Student-t density with df degrees of freedom. */
double
VarDt(double t, double df)
{
	return exp(VarLogGammaHalfRatio(df / 2.0) - 0.5 * log(df * M_PI)
			   - (df + 1.0) / 2.0 * log1p(t * t / df));
}

/*
 * Student-t quantile: closed forms for 1 and 2 degrees of freedom, else
 * Newton's method on VarPt, kept inside a bracket (bisection when a step
 * leaves it) and started from the normal quantile; it stops when a step is
 * below 1e-15 of the value, so the result is as good as VarPt.
 */
double
VarQt(double p, double df)
{
	double		lo,
				hi,
				t;
	int			i;

	if (p == 0.5)
		return 0.0;
	if (p > 0.5)
		return -VarQt(1.0 - p, df);
	if (df == 1.0)
		return tan(M_PI * (p - 0.5));
	if (df == 2.0)
		return (2.0 * p - 1.0) / sqrt(2.0 * p * (1.0 - p));
	if (isinf(df))
		return VarQnorm(p);
	/* bracket [lo, hi] with Pt(lo) <= p <= Pt(hi) */
	hi = 0.0;
	lo = VarQnorm(p);
	while (VarPt(lo, df) > p)
	{
		hi = lo;
		lo *= 2.0;
	}
	t = 0.5 * (lo + hi);
	for (i = 0; i < 200; i++)
	{
		double		f = VarPt(t, df) - p,
					step,
					next;

		if (f == 0)
			break;
		if (f < 0)
			lo = t;
		else
			hi = t;
		step = f / VarDt(t, df);
		next = t - step;
		if (!(next > lo && next < hi))
		{
			next = 0.5 * (lo + hi);
			step = t - next;
		}
		t = next;
		if (fabs(step) <= 1e-15 * fabs(t) || hi - lo <= 1e-15 * fabs(t))
			break;
	}
	return t;
}

/* ---------------------------------------------------------------- */
/* estimators                                                        */
/* ---------------------------------------------------------------- */

/* qsort comparison of doubles, ascending. */
static int
VarCmpDouble(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * The p-quantile of n sorted values with linear interpolation between order
 * statistics, R's quantile(type = 7): h = (n - 1) p, the value
 * (1 - g) x[floor h] + g x[floor h + 1] with g the fraction of h.
 */
double
VarQuantile7(const double *sorted, int n, double p)
{
	double		h = (n - 1) * p;
	int			lo = (int) floor(h);
	double		g = h - lo;

	if (lo >= n - 1)
		return sorted[n - 1];
	if (g == 0 || sorted[lo + 1] == sorted[lo])
		return sorted[lo];
	return (1.0 - g) * sorted[lo] + g * sorted[lo + 1];
}

/*
 * Sorts the n values of x in place and returns their alpha-quantile (type 7)
 * in *q and the mean of the values at or below it in *tail.
 */
static void
VarEmpiricalTail(double *x, int n, double alpha, double *q, double *tail)
{
	double		sum = 0;
	int			i,
				k = 0;

	qsort(x, n, sizeof(double), VarCmpDouble);
	*q = VarQuantile7(x, n, alpha);
	for (i = 0; i < n && x[i] <= *q; i++)
	{
		sum += x[i];
		k++;
	}
	*tail = sum / k;			/* k >= 1: x[0] <= q */
}

/*
 * VaR and CVaR of n returns (oldest first) at a confidence, as positive
 * losses: see docs/risk.md, "VaR and CVaR", for each method's rule.  shape
 * is Student-t's degrees of freedom (NaN: by the method of moments); garch
 * the fitted parameters for fhs_garch; work room for n doubles.
 */
VarStatus
VarEstimate(const double *r, int n, double confidence, VarMethod method,
			double shape, const VarGarch *garch, double *work,
			double *var, double *cvar)
{
	double		alpha = 1.0 - confidence;
	double		mean = 0,
				m2 = 0,
				m3 = 0,
				m4 = 0,
				sd,
				q,
				tail;
	int			i;

	if (n < 2)
		return VAR_ERR_TOO_FEW;
	for (i = 0; i < n; i++)
		mean += r[i];
	mean /= n;
	for (i = 0; i < n; i++)
	{
		double		d = r[i] - mean,
					d2 = d * d;

		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	sd = sqrt(m2 / (n - 1));
	m2 /= n;
	m3 /= n;
	m4 /= n;

	switch (method)
	{
		case VAR_HISTORICAL:
			memcpy(work, r, sizeof(double) * n);
			VarEmpiricalTail(work, n, alpha, &q, &tail);
			*var = -q;
			*cvar = -tail;
			return VAR_STATUS_OK;

		case VAR_NORMAL:
			if (!(sd > 0))
				return VAR_ERR_CONSTANT;
			q = VarQnorm(alpha);
			*var = -(mean + sd * q);
			*cvar = -mean + sd * VarDnorm(q) / alpha;
			return VAR_STATUS_OK;

		case VAR_T:
			{
				double		nu = shape,
							s;

				if (!(sd > 0) || !(m2 > 0))
					return VAR_ERR_CONSTANT;
				if (isnan(nu))
				{
					double		k = m4 / (m2 * m2) - 3.0;

					nu = (k > 0) ? 4.0 + 6.0 / k : INFINITY;
				}
				if (!(nu > 2))
					return VAR_ERR_SHAPE;
				if (isinf(nu))
				{
					q = VarQnorm(alpha);
					*var = -(mean + sd * q);
					*cvar = -mean + sd * VarDnorm(q) / alpha;
					return VAR_STATUS_OK;
				}
				s = sd * sqrt((nu - 2.0) / nu);
				q = VarQt(alpha, nu);
				*var = -(mean + s * q);
				*cvar = -mean + s * VarDt(q, nu) * (nu + q * q) / ((nu - 1.0) * alpha);
				return VAR_STATUS_OK;
			}

		case VAR_CORNISH_FISHER:
			{
				double		skew,
							kurt,
							z,
							z2,
							zcf,
							a,
							b,
							c;

				if (!(sd > 0) || !(m2 > 0))
					return VAR_ERR_CONSTANT;
				skew = m3 / pow(m2, 1.5);
				kurt = m4 / (m2 * m2) - 3.0;
				a = skew / 6.0;
				b = kurt / 24.0;
				c = skew * skew / 36.0;
				z = VarQnorm(alpha);
				z2 = z * z;
				zcf = z + a * (z2 - 1.0) + b * (z2 * z - 3.0 * z) - c * (2.0 * z2 * z - 5.0 * z);
				*var = -(mean + sd * zcf);

				/*
				 * The mean of the Cornish-Fisher quantile function over
				 * (0, alpha): with u = Phi(z), the integral of the
				 * polynomial in z against the normal density up to
				 * z_alpha, in closed form.
				 */
				tail = VarDnorm(z) / alpha *
					(-1.0 - a * z + b * (1.0 - z2) - c * (1.0 - 2.0 * z2));
				*cvar = -(mean + sd * tail);

				/*
				 * The expansion is a quantile function only where it
				 * increases: refuse a sample whose expansion decreases at
				 * z_alpha or whose tail mean is above the quantile.
				 */
				if (!(1.0 + 2.0 * a * z + b * (3.0 * z2 - 3.0) - c * (6.0 * z2 - 5.0) > 0) ||
					tail > zcf)
					return VAR_ERR_CF;
				return VAR_STATUS_OK;
			}

		case VAR_FHS_EWMA:
			{
				double		s2 = 0;

				for (i = 0; i < n; i++)
					s2 += r[i] * r[i];
				s2 /= n;
				if (!(s2 > 0))
					return VAR_ERR_CONSTANT;
				for (i = 0; i < n; i++)
				{
					work[i] = r[i] / sqrt(s2);
					s2 = VAR_EWMA_LAMBDA * s2 + (1.0 - VAR_EWMA_LAMBDA) * r[i] * r[i];
				}
				VarEmpiricalTail(work, n, alpha, &q, &tail);
				*var = -sqrt(s2) * q;
				*cvar = -sqrt(s2) * tail;
				return VAR_STATUS_OK;
			}

		case VAR_FHS_GARCH:
			{
				double		h = 0;

				if (garch == NULL || !isfinite(garch->mu) || !(garch->omega > 0) ||
					!(garch->alpha >= 0) || !(garch->beta >= 0) ||
					!isfinite(garch->alpha) || !isfinite(garch->beta) ||
					!isfinite(garch->omega))
					return VAR_ERR_GARCH;
				for (i = 0; i < n; i++)
					h += (r[i] - garch->mu) * (r[i] - garch->mu);
				h /= n;
				if (!(h > 0))
					return VAR_ERR_CONSTANT;
				for (i = 0; i < n; i++)
				{
					double		e = r[i] - garch->mu;

					work[i] = e / sqrt(h);
					h = garch->omega + garch->alpha * e * e + garch->beta * h;
				}
				VarEmpiricalTail(work, n, alpha, &q, &tail);
				*var = -(garch->mu + sqrt(h) * q);
				*cvar = -(garch->mu + sqrt(h) * tail);
				return VAR_STATUS_OK;
			}

		default:
			break;
	}
	elog(ERROR, "unknown VaR method %d", (int) method);
	return VAR_STATUS_OK;
}

/* ---------------------------------------------------------------- */
/* random numbers, Cholesky                                          */
/* ---------------------------------------------------------------- */

/* One step of splitmix64, which spreads a seed over xoshiro's state. */
static uint64_t
VarSplitMix(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Seeds xoshiro256** from a 64-bit seed through splitmix64 (never all zero). */
void
VarRngSeed(VarRng *rng, uint64_t seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = VarSplitMix(&seed);
	rng->have_spare = false;
	rng->spare = 0;
}

/* 64-bit left rotation. */
static inline uint64_t
VarRotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next output of xoshiro256** (Blackman and Vigna, 2018). */
uint64_t
VarRngNext(VarRng *rng)
{
	uint64_t   *s = rng->s;
	uint64_t	result = VarRotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = VarRotl(s[3], 45);
	return result;
}

/*
 * A standard normal draw by the Box-Muller transform, both values of a pair
 * used in turn: u1 in (0, 1] and u2 in [0, 1) from the top 53 bits.
 */
double
VarRngNormal(VarRng *rng)
{
	double		u1,
				u2,
				rad;

	if (rng->have_spare)
	{
		rng->have_spare = false;
		return rng->spare;
	}
	u1 = ((VarRngNext(rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
	u2 = (VarRngNext(rng) >> 11) * (1.0 / 9007199254740992.0);
	rad = sqrt(-2.0 * log(u1));
	rng->spare = rad * sin(2.0 * M_PI * u2);
	rng->have_spare = true;
	return rad * cos(2.0 * M_PI * u2);
}

/*
 * The lower Cholesky factor l (row-major n x n) of a symmetric covariance:
 * VAR_ERR_NOT_PD when a pivot is not above 1e-14 of its diagonal element,
 * which refuses singular matrices as well as indefinite ones.
 */
VarStatus
VarCholesky(const double *cov, int n, double *l)
{
	int			i,
				j,
				k;

	memset(l, 0, sizeof(double) * n * n);
	for (j = 0; j < n; j++)
	{
		double		s = cov[j * n + j];

		for (k = 0; k < j; k++)
			s -= l[j * n + k] * l[j * n + k];
		if (!(s > 1e-14 * cov[j * n + j]) || !(cov[j * n + j] > 0))
			return VAR_ERR_NOT_PD;
		l[j * n + j] = sqrt(s);
		for (i = j + 1; i < n; i++)
		{
			double		t = cov[i * n + j];

			for (k = 0; k < j; k++)
				t -= l[i * n + k] * l[j * n + k];
			l[i * n + j] = t / l[j * n + j];
		}
	}
	return VAR_STATUS_OK;
}

/* ---------------------------------------------------------------- */
/* backtests                                                         */
/* ---------------------------------------------------------------- */

/* k log(p), taken as 0 when k is 0 (the limit of the likelihoods). */
static double
VarXLogP(double k, double p)
{
	return (k == 0) ? 0.0 : k * log(p);
}

/*
 * Kupiec's proportion-of-failures likelihood ratio for x exceedances in n
 * days against a rate p: 2 (log L(x/n) - log L(p)), with 0 log 0 = 0 so
 * that 0 and n exceedances are finite.
 */
double
VarKupiecLR(int n, int x, double p)
{
	double		ph = (double) x / n;
	double		lr = 2.0 * (VarXLogP(n - x, 1.0 - ph) + VarXLogP(x, ph)
							- VarXLogP(n - x, 1.0 - p) - VarXLogP(x, p));

	return (lr > 0) ? lr : 0.0;
}

/*
 * Christoffersen's independence likelihood ratio of a hit sequence: the
 * first-order Markov chain of transitions (n00, n01, n10, n11) against a
 * constant hit probability.
 */
double
VarChristoffersenLR(const bool *hits, int n)
{
	double		c[2][2] = {{0, 0}, {0, 0}};
	double		p01,
				p11,
				p,
				l0,
				l1,
				lr;
	int			i;

	for (i = 1; i < n; i++)
		c[hits[i - 1] ? 1 : 0][hits[i] ? 1 : 0] += 1;
	p01 = (c[0][0] + c[0][1] > 0) ? c[0][1] / (c[0][0] + c[0][1]) : 0;
	p11 = (c[1][0] + c[1][1] > 0) ? c[1][1] / (c[1][0] + c[1][1]) : 0;
	p = (c[0][1] + c[1][1]) / (n - 1);
	l1 = VarXLogP(c[0][0], 1 - p01) + VarXLogP(c[0][1], p01)
		+ VarXLogP(c[1][0], 1 - p11) + VarXLogP(c[1][1], p11);
	l0 = VarXLogP(c[0][0] + c[1][0], 1 - p) + VarXLogP(c[0][1] + c[1][1], p);
	lr = -2.0 * (l0 - l1);
	return (lr > 0) ? lr : 0.0;
}

/* The upper tail of chi-square with 1 degree of freedom: erfc(sqrt(lr / 2)). */
double
VarChisq1PValue(double lr)
{
	return erfc(sqrt(lr / 2.0));
}

/* ---------------------------------------------------------------- */
/* SQL wrappers                                                      */
/* ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(risk_var);
PG_FUNCTION_INFO_V1(risk_cvar);
PG_FUNCTION_INFO_V1(risk_var_mc);
PG_FUNCTION_INFO_V1(risk_var_contributions);
PG_FUNCTION_INFO_V1(risk_kupiec);
PG_FUNCTION_INFO_V1(risk_christoffersen);
PG_FUNCTION_INFO_V1(risk_var_backtest);

/* Raises the error a status stands for (nothing for VAR_STATUS_OK). */
static void
VarRaise(VarStatus st, VarMethod method)
{
	switch (st)
	{
		case VAR_STATUS_OK:
			return;
		case VAR_ERR_TOO_FEW:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns must have at least 2 elements")));
			break;
		case VAR_ERR_CONSTANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns have no variance: method \"%s\" needs a series that varies",
							VarMethodNames[method])));
			break;
		case VAR_ERR_SHAPE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("Student-t shape must be greater than 2")));
			break;
		case VAR_ERR_GARCH:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("GARCH estimates unusable for filtered historical simulation"),
					 errdetail("omega must be positive, alpha and beta non-negative and all finite.")));
			break;
		case VAR_ERR_CF:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the Cornish-Fisher expansion of this sample is not an increasing quantile function in its tail"),
					 errdetail("Its skewness and excess kurtosis are too far from the normal's for the expansion."),
					 errhint("Use method historical, t or fhs_ewma.")));
			break;
		case VAR_ERR_NOT_PD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("covariance matrix is not positive definite")));
			break;
	}
}

/* Checks that a confidence level is strictly between 0 and 1. */
static void
VarCheckConfidence(double c)
{
	if (!(c > 0 && c < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be between 0 and 1 exclusive: %g", c)));
}

/*
 * The elements of a one-dimensional float8 array, palloc'd: no NULL element
 * (22004), every one finite, at least one (22023).
 */
static double *
VarGetVector(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *x;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	if (*n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	x = palloc(sizeof(double) * *n);
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL (element %d)", what, i + 1)));
		x[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be finite (element %d is %g)", what, i + 1, x[i])));
	}
	return x;
}

/*
 * An n x n covariance matrix, row-major, palloc'd: a two-dimensional n x n
 * array or a flat one of n * n elements, finite, symmetric to 1e-10 of
 * sqrt(a_ii a_jj), with a positive diagonal.
 */
static double *
VarGetCov(ArrayType *arr, int n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *c;
	int			k,
				i,
				j;

	if (n > VAR_MAX_ASSETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("at most %d assets: %d weights given", VAR_MAX_ASSETS, n)));
	if (!((ARR_NDIM(arr) == 2 && ARR_DIMS(arr)[0] == n && ARR_DIMS(arr)[1] == n) ||
		  (ARR_NDIM(arr) == 1 && ARR_DIMS(arr)[0] == n * n)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("covariance must be a %d x %d matrix, one per weight", n, n)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &k);
	c = palloc(sizeof(double) * n * n);
	for (i = 0; i < n * n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("covariance must not contain NULL")));
		c[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("covariance must be finite")));
	}
	for (i = 0; i < n; i++)
	{
		if (!(c[i * n + i] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("covariance matrix is not positive definite"),
					 errdetail("Diagonal element %d is %g.", i + 1, c[i * n + i])));
		for (j = 0; j < i; j++)
			if (fabs(c[i * n + j] - c[j * n + i]) > 1e-10 * sqrt(c[i * n + i] * c[j * n + j]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("covariance matrix is not symmetric"),
						 errdetail("Elements [%d][%d] and [%d][%d] differ.", i + 1, j + 1, j + 1, i + 1)));
	}
	return c;
}

/* The method named by a text argument, or an error listing the methods. */
static VarMethod
VarGetMethod(text *t)
{
	char	   *name = text_to_cstring(t);
	int			m = VarMethodFromName(name);

	if (m < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown VaR method: \"%s\"", name),
				 errhint("Methods are historical, normal, t, cornish_fisher, fhs_ewma and fhs_garch.")));
	return (VarMethod) m;
}

/* A Student-t shape argument: NULL for the method of moments, else > 2. */
static double
VarGetShape(FunctionCallInfo fcinfo, int argno)
{
	double		shape;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NAN;
	shape = PG_GETARG_FLOAT8(argno);
	if (!(shape > 2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Student-t shape must be greater than 2: %g", shape)));
	return shape;
}

/*
 * risk_garch_fit(float8[], text), in the schema of the calling function:
 * the volatility module's, which fhs_garch needs.  Error 22023 naming it
 * when it is not installed.
 */
static Oid
VarGarchFitOid(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	char	   *nspname = get_namespace_name(nsp);
	Oid			argtypes[2] = {FLOAT8ARRAYOID, TEXTOID};
	Oid			f;

	f = LookupFuncName(list_make2(makeString(nspname), makeString("risk_garch_fit")),
					   2, argtypes, true);
	if (!OidIsValid(f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method \"fhs_garch\" needs %s.risk_garch_fit(float8[], text), which is not installed",
						nspname),
				 errhint("It comes with the volatility module (src/risk/vol.sql).")));
	return f;
}

/* Fits GARCH(1,1) with normal innovations to n returns through fit. */
static void
VarGarchFit(Oid fit, const double *r, int n, VarGarch *g)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	ArrayType  *arr;
	HeapTupleHeader th;
	Datum		res;
	bool		isnull;
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(r[i]);
	arr = construct_array(d, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	res = OidFunctionCall2(fit, PointerGetDatum(arr), CStringGetTextDatum("normal"));
	th = DatumGetHeapTupleHeader(res);
	res = GetAttributeByName(th, "converged", &isnull);
	if (isnull || !DatumGetBool(res))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("GARCH fit did not converge on %d returns", n),
				 errhint("Use a longer series or another method.")));
	g->mu = DatumGetFloat8(GetAttributeByName(th, "mu", &isnull));
	g->mu = isnull ? NAN : g->mu;
	g->omega = DatumGetFloat8(GetAttributeByName(th, "omega", &isnull));
	g->omega = isnull ? NAN : g->omega;
	g->alpha = DatumGetFloat8(GetAttributeByName(th, "alpha", &isnull));
	g->alpha = isnull ? NAN : g->alpha;
	g->beta = DatumGetFloat8(GetAttributeByName(th, "beta", &isnull));
	g->beta = isnull ? NAN : g->beta;
	pfree(arr);
	pfree(d);
}

/*
 * Estimates of one window for a method, fitting GARCH first when the
 * method needs it (fit is then risk_garch_fit's oid).
 */
static void
VarWindow(const double *r, int n, double confidence, VarMethod method, double shape,
		  Oid fit, double *work, double *var, double *cvar)
{
	VarGarch	g;

	if (method == VAR_FHS_GARCH)
	{
		if (n < 2)
			VarRaise(VAR_ERR_TOO_FEW, method);
		VarGarchFit(fit, r, n, &g);
	}
	VarRaise(VarEstimate(r, n, confidence, method, shape,
						 method == VAR_FHS_GARCH ? &g : NULL, work, var, cvar),
			 method);
}

/* The shared body of risk_var and risk_cvar; false when an argument is NULL. */
static bool
VarFromArgs(FunctionCallInfo fcinfo, double *var, double *cvar)
{
	double	   *r,
				confidence;
	VarMethod	method;
	double		shape;
	int			n;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	r = VarGetVector(PG_GETARG_ARRAYTYPE_P(0), "returns", &n);
	confidence = PG_GETARG_FLOAT8(1);
	VarCheckConfidence(confidence);
	method = VarGetMethod(PG_GETARG_TEXT_PP(2));
	shape = VarGetShape(fcinfo, 3);
	VarWindow(r, n, confidence, method, shape,
			  method == VAR_FHS_GARCH ? VarGarchFitOid(fcinfo) : InvalidOid,
			  palloc(sizeof(double) * n), var, cvar);
	return true;
}

/* risk_var(returns, confidence, method, shape): VaR as a positive loss. */
Datum
risk_var(PG_FUNCTION_ARGS)
{
	double		var,
				cvar;

	if (!VarFromArgs(fcinfo, &var, &cvar))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(var);
}

/* risk_cvar(returns, confidence, method, shape): expected shortfall. */
Datum
risk_cvar(PG_FUNCTION_ARGS)
{
	double		var,
				cvar;

	if (!VarFromArgs(fcinfo, &var, &cvar))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(cvar);
}

/* Returns values as the function's composite result. */
static Datum
VarReturnTuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * risk_var_mc(weights, cov, confidence, paths, seed, horizon_days): Monte
 * Carlo VaR and CVaR of a portfolio.  Asset returns over the horizon are
 * sqrt(horizon) L z (L the Cholesky factor, z independent standard normals,
 * zero mean); the P&L w . (L z) is computed as (L' w) . z.  VaR and CVaR
 * are the historical rule applied to the simulated P&L.
 */
Datum
risk_var_mc(PG_FUNCTION_ARGS)
{
	int			n,
				i,
				j;
	double	   *w = VarGetVector(PG_GETARG_ARRAYTYPE_P(0), "weights", &n);
	double	   *cov = VarGetCov(PG_GETARG_ARRAYTYPE_P(1), n);
	double		confidence = PG_GETARG_FLOAT8(2);
	int32		paths = PG_GETARG_INT32(3);
	int64		seed = PG_GETARG_INT64(4);
	int32		horizon = PG_GETARG_INT32(5);
	double	   *l = palloc(sizeof(double) * n * n);
	double	   *v = palloc0(sizeof(double) * n);
	double	   *pnl;
	double		q,
				tail,
				scale;
	VarRng		rng;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	VarCheckConfidence(confidence);
	if (paths < 2 || paths > VAR_MAX_PATHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("paths must be between 2 and %d: %d", VAR_MAX_PATHS, paths)));
	if (horizon < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon_days must be at least 1: %d", horizon)));
	VarRaise(VarCholesky(cov, n, l), VAR_NORMAL);
	for (j = 0; j < n; j++)
		for (i = j; i < n; i++)
			v[j] += w[i] * l[i * n + j];
	scale = sqrt((double) horizon);
	pnl = palloc(sizeof(double) * paths);
	VarRngSeed(&rng, (uint64_t) seed);
	for (i = 0; i < paths; i++)
	{
		double		s = 0;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		for (j = 0; j < n; j++)
			s += v[j] * VarRngNormal(&rng);
		pnl[i] = scale * s;
	}
	VarEmpiricalTail(pnl, paths, 1.0 - confidence, &q, &tail);
	values[0] = Float8GetDatum(-q);
	values[1] = Float8GetDatum(-tail);
	PG_RETURN_DATUM(VarReturnTuple(fcinfo, values, nulls));
}

/*
 * risk_var_contributions(weights, cov, confidence): the Euler allocation of
 * the parametric normal VaR z_c sqrt(w' S w) (zero mean): marginal_i =
 * z_c (S w)_i / sqrt(w' S w), component_i = w_i marginal_i; the components
 * add up to the VaR.
 */
Datum
risk_var_contributions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n,
				i,
				j;
	double	   *w = VarGetVector(PG_GETARG_ARRAYTYPE_P(0), "weights", &n);
	double	   *cov = VarGetCov(PG_GETARG_ARRAYTYPE_P(1), n);
	double		confidence = PG_GETARG_FLOAT8(2);
	double	   *l = palloc(sizeof(double) * n * n);
	double	   *sw = palloc0(sizeof(double) * n);
	double		var2 = 0,
				sp,
				z;

	VarCheckConfidence(confidence);
	VarRaise(VarCholesky(cov, n, l), VAR_NORMAL);
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < n; j++)
			sw[i] += cov[i * n + j] * w[j];
		var2 += w[i] * sw[i];
	}
	if (!(var2 > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("portfolio variance is zero: the weights are all zero")));
	sp = sqrt(var2);
	z = -VarQnorm(1.0 - confidence);
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		double		marginal = z * sw[i] / sp;

		values[0] = Int32GetDatum(i + 1);
		values[1] = Float8GetDatum(marginal);
		values[2] = Float8GetDatum(w[i] * marginal);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Checks a backtest's expected exceedance rate p is in (0, 1). */
static void
VarCheckRate(double p)
{
	if (!(p > 0 && p < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be between 0 and 1 exclusive: %g", p)));
}

/* risk_kupiec(n, exceedances, p): Kupiec's POF test, chi-square 1 dof. */
Datum
risk_kupiec(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	int32		x = PG_GETARG_INT32(1);
	double		p = PG_GETARG_FLOAT8(2);
	double		lr;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be at least 1: %d", n)));
	if (x < 0 || x > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exceedances must be between 0 and n (%d): %d", n, x)));
	VarCheckRate(p);
	lr = VarKupiecLR(n, x, p);
	values[0] = Float8GetDatum(lr);
	values[1] = Float8GetDatum(VarChisq1PValue(lr));
	PG_RETURN_DATUM(VarReturnTuple(fcinfo, values, nulls));
}

/* risk_christoffersen(hits): Christoffersen's independence test. */
Datum
risk_christoffersen(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *enulls;
	bool	   *hits;
	int			n,
				i;
	double		lr;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hits must be a one-dimensional array")));
	deconstruct_array(arr, BOOLOID, 1, true, TYPALIGN_CHAR, &elems, &enulls, &n);
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hits must have at least 2 elements")));
	hits = palloc(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hits must not contain NULL (element %d)", i + 1)));
		hits[i] = DatumGetBool(elems[i]);
	}
	lr = VarChristoffersenLR(hits, n);
	values[0] = Float8GetDatum(lr);
	values[1] = Float8GetDatum(VarChisq1PValue(lr));
	PG_RETURN_DATUM(VarReturnTuple(fcinfo, values, nulls));
}

/*
 * risk_var_backtest(returns, window, confidence, method, shape): for each
 * t past the first window, the VaR of the window returns before t only; a
 * hit when -r_t > VaR_t; then Kupiec and Christoffersen on the hits.
 */
Datum
risk_var_backtest(PG_FUNCTION_ARGS)
{
	int			n,
				t,
				x = 0,
				m;
	double	   *r;
	int32		window;
	double		confidence;
	VarMethod	method;
	double		shape;
	Oid			fit = InvalidOid;
	double	   *work;
	bool	   *hits;
	double		lr,
				clr;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};

	/* not strict, for shape's NULL default: any other NULL gives NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	r = VarGetVector(PG_GETARG_ARRAYTYPE_P(0), "returns", &n);
	window = PG_GETARG_INT32(1);
	confidence = PG_GETARG_FLOAT8(2);
	method = VarGetMethod(PG_GETARG_TEXT_PP(3));
	shape = VarGetShape(fcinfo, 4);
	VarCheckConfidence(confidence);
	if (window < 2 || window > n - 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be between 2 and the number of returns minus 2 (%d): %d",
						n - 2, window)));
	if (method == VAR_FHS_GARCH)
		fit = VarGarchFitOid(fcinfo);
	m = n - window;
	work = palloc(sizeof(double) * window);
	hits = palloc(sizeof(bool) * m);
	for (t = window; t < n; t++)
	{
		double		var,
					cvar;

		CHECK_FOR_INTERRUPTS();
		VarWindow(r + t - window, window, confidence, method, shape, fit, work, &var, &cvar);
		hits[t - window] = (-r[t] > var);
		x += hits[t - window] ? 1 : 0;
	}
	lr = VarKupiecLR(m, x, 1.0 - confidence);
	clr = VarChristoffersenLR(hits, m);
	values[0] = Int32GetDatum(m);
	values[1] = Int32GetDatum(x);
	values[2] = Float8GetDatum(m * (1.0 - confidence));
	values[3] = Float8GetDatum(lr);
	values[4] = Float8GetDatum(VarChisq1PValue(lr));
	values[5] = Float8GetDatum(clr);
	values[6] = Float8GetDatum(VarChisq1PValue(clr));
	PG_RETURN_DATUM(VarReturnTuple(fcinfo, values, nulls));
}
