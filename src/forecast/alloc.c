/*
 * src/forecast/alloc.c
 *
 * The allocator's solvers: how to split a budget over n assets (long only,
 * per-asset caps, per-group caps where a group is a protocol).
 *
 * forecast_allocate_mv maximises the mean-variance utility
 *   mu'w - (risk_aversion / 2) w'Sigma w - turnover_penalty sum |w - w0|
 * with NLopt's SLSQP.  The absolute values are made smooth by splitting
 * the move: w = w0 + u - v with u, v >= 0 (equality constraints), whose
 * cost tau (u + v) equals tau |w - w0| at the optimum whenever tau > 0.
 * SLSQP's answer is then polished: the variables at a bound there (within
 * 1e-7) are fixed at it, the group caps active there become equalities,
 * and the KKT system of the free variables is solved exactly (LAPACK
 * dgelsd); a bound or group cap whose multiplier has the wrong sign is
 * released and the system solved again.  A polished point is kept only when
 * it is feasible and scores at least as well; the status is 'optimal' when
 * its multipliers all have the right sign.  That is what makes the weights
 * exact to rounding rather than to SLSQP's tolerances.
 *
 * forecast_allocate_cvar minimises the conditional value at risk of the
 * loss -r'w over S equally likely return scenarios, by Rockafellar and
 * Uryasev's linear program, solved by the dense simplex of simplex.c,
 * which forecast_linprog exposes as well.
 *
 * Everything NLopt allocates is freed before any error is raised: the
 * objective only flags a pending cancel and stops NLopt (nlopt_force_stop),
 * and the cancel is served once the optimiser is destroyed.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>
#include <lapacke.h>
#include <nlopt.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "forecast/alloc.h"
#include "forecast/forecast.h"
#include "forecast/forecast_int.h"

#define MV_MAXEVAL		20000
#define MV_ACTIVE_TOL	1e-7
#define MV_FEAS_TOL		1e-10
#define MV_MAX_ASSETS	2000
#define CVAR_MAX_SCENARIOS 2000

/* ---- argument helpers ---- */

/* Error 22023 unless every value is finite. */
static void
CheckFinite(const double *v, int n, const char *what)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold finite values", what),
					 errdetail("Element %d is %g.", i + 1, v[i])));
}

/* A 1-D float8 array of finite values; *n its length. */
static double *
VectorArg(ArrayType *a, const char *what, int *n)
{
	int			r,
				c;
	double	   *v;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have one dimension", what)));
	v = ForecastArrayValues(a, what, true, &r, &c);
	*n = r;
	CheckFinite(v, r, what);
	return v;
}

/* A 1-D float8 array of exactly n values (or one value, repeated). */
static double *
VectorArgN(ArrayType *a, const char *what, int n, bool broadcast)
{
	int			len,
				i;
	double	   *v = VectorArg(a, what, &len);

	if (broadcast && len == 1 && n > 1)
	{
		double	   *all = palloc(n * sizeof(double));

		for (i = 0; i < n; i++)
			all[i] = v[0];
		return all;
	}
	if (len != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d values but there are %d %s", what, len, n,
						strcmp(what, "b_ub") == 0 || strcmp(what, "b_eq") == 0 ? "rows" : "assets")));
	return v;
}

/* A matrix argument (2-D, or 1-D as one row); *rows, *cols its shape. */
static double *
MatrixArg(ArrayType *a, const char *what, int *rows, int *cols)
{
	double	   *v = ForecastArrayValues(a, what, false, rows, cols);

	CheckFinite(v, *rows * *cols, what);
	return v;
}

/* The shared constraints of both allocations. */
typedef struct AllocLimits
{
	int			n;
	double		budget;
	double	   *caps;			/* n */
	int		   *group;			/* n: 0 none, else 1..ngroups */
	int			ngroups;
	double	   *gcaps;			/* ngroups */
} AllocLimits;

/*
 * Read budget, caps, groups and group caps (args ic, ig, igc, ib of the
 * call), check them, and check that the budget can be placed at all:
 * sum over groups of min(group cap, sum of its members' caps) plus the caps
 * of the assets in no group must reach it (22023 otherwise).
 */
static void
LimitsArgs(FunctionCallInfo fcinfo, int n, int ic, int ig, int igc, int ib, AllocLimits *lim)
{
	double		reach = 0;
	double	   *greach;
	int			i;

	lim->n = n;
	lim->budget = PG_ARGISNULL(ib) ? 1 : PG_GETARG_FLOAT8(ib);
	if (!isfinite(lim->budget) || lim->budget < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget must be a finite value at least 0, not %g", lim->budget)));
	if (PG_ARGISNULL(ic))
	{
		lim->caps = palloc(n * sizeof(double));
		for (i = 0; i < n; i++)
			lim->caps[i] = Max(1, lim->budget);
	}
	else
		lim->caps = VectorArgN(PG_GETARG_ARRAYTYPE_P(ic), "caps", n, true);
	for (i = 0; i < n; i++)
		if (lim->caps[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("caps must not be negative"),
					 errdetail("The cap of asset %d is %g.", i + 1, lim->caps[i])));

	lim->group = palloc0(n * sizeof(int));
	lim->ngroups = 0;
	lim->gcaps = NULL;
	if (PG_ARGISNULL(ig) != PG_ARGISNULL(igc))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("groups and group_caps go together")));
	if (!PG_ARGISNULL(ig))
	{
		ArrayType  *ga = PG_GETARG_ARRAYTYPE_P(ig);
		Datum	   *elems;
		bool	   *nulls;
		int			len;

		lim->gcaps = VectorArg(PG_GETARG_ARRAYTYPE_P(igc), "group_caps", &lim->ngroups);
		if (ARR_NDIM(ga) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("groups must have one dimension")));
		deconstruct_array(ga, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, &len);
		if (len != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("groups has %d values but there are %d assets", len, n)));
		for (i = 0; i < n; i++)
		{
			int			g = nulls[i] ? 0 : DatumGetInt32(elems[i]);

			if (g < 0 || g > lim->ngroups)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("group %d of asset %d is not a group: groups are 1 to %d (0 or NULL: none)",
								g, i + 1, lim->ngroups)));
			lim->group[i] = g;
		}
		for (i = 0; i < lim->ngroups; i++)
			if (lim->gcaps[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("group_caps must not be negative"),
						 errdetail("The cap of group %d is %g.", i + 1, lim->gcaps[i])));
	}

	greach = palloc0((lim->ngroups + 1) * sizeof(double));
	for (i = 0; i < n; i++)
		greach[lim->group[i]] += lim->caps[i];
	reach = greach[0];
	for (i = 1; i <= lim->ngroups; i++)
		reach += Min(greach[i], lim->gcaps[i - 1]);
	if (reach < lim->budget * (1 - 1e-12))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the caps cannot hold the budget: at most %g of %g can be placed",
						reach, lim->budget),
				 errdetail("Each group holds at most the smaller of its cap and the sum of its assets' caps.")));
}

/* ---- mean-variance ---- */

/* The mean-variance problem as NLopt sees it. */
typedef struct MvProblem
{
	int			n;
	int			nx;				/* n, or 3n with the split move (w, u, v) */
	const double *mu;
	const double *cov;			/* n by n */
	double		gamma;			/* risk aversion */
	double		tau;			/* turnover penalty */
	const double *w0;			/* current weights (zeros when none) */
	const AllocLimits *lim;
	double	   *sw;				/* scratch: Sigma w */
	nlopt_opt	opt;
	bool		interrupted;
} MvProblem;

/* The objective to minimise (minus the utility) and its gradient. */
static double
MvObjective(unsigned nx, const double *x, double *grad, void *data)
{
	MvProblem  *p = (MvProblem *) data;
	int			n = p->n,
				i,
				j;
	double		f = 0;

	if (InterruptPending && (QueryCancelPending || ProcDiePending) &&
		INTERRUPTS_CAN_BE_PROCESSED())
	{
		p->interrupted = true;
		nlopt_force_stop(p->opt);
	}
	for (i = 0; i < n; i++)
	{
		double		s = 0;

		for (j = 0; j < n; j++)
			s += p->cov[(size_t) i * n + j] * x[j];
		p->sw[i] = s;
		f += -p->mu[i] * x[i] + 0.5 * p->gamma * x[i] * s;
		if (grad)
			grad[i] = -p->mu[i] + p->gamma * s;
	}
	for (i = n; i < (int) nx; i++)
	{
		f += p->tau * x[i];
		if (grad)
			grad[i] = p->tau;
	}
	return f;
}

/* The budget: sum w - budget = 0. */
static double
MvBudget(unsigned nx, const double *x, double *grad, void *data)
{
	MvProblem  *p = (MvProblem *) data;
	double		s = -p->lim->budget;
	int			i;

	for (i = 0; i < p->n; i++)
		s += x[i];
	if (grad)
		for (i = 0; i < (int) nx; i++)
			grad[i] = i < p->n ? 1 : 0;
	return s;
}

/* The split move: w_i - u_i + v_i - w0_i = 0. */
static void
MvSplit(unsigned m, double *result, unsigned nx, const double *x, double *grad, void *data)
{
	MvProblem  *p = (MvProblem *) data;
	int			n = p->n,
				i;

	(void) m;
	for (i = 0; i < n; i++)
		result[i] = x[i] - x[n + i] + x[2 * n + i] - p->w0[i];
	if (grad)
	{
		memset(grad, 0, sizeof(double) * n * nx);
		for (i = 0; i < n; i++)
		{
			grad[(size_t) i * nx + i] = 1;
			grad[(size_t) i * nx + n + i] = -1;
			grad[(size_t) i * nx + 2 * n + i] = 1;
		}
	}
}

/* The group caps: sum of a group's weights - its cap <= 0. */
static void
MvGroups(unsigned m, double *result, unsigned nx, const double *x, double *grad, void *data)
{
	MvProblem  *p = (MvProblem *) data;
	int			g,
				i;

	for (g = 0; g < (int) m; g++)
		result[g] = -p->lim->gcaps[g];
	for (i = 0; i < p->n; i++)
		if (p->lim->group[i] > 0)
			result[p->lim->group[i] - 1] += x[i];
	if (grad)
	{
		memset(grad, 0, sizeof(double) * m * nx);
		for (i = 0; i < p->n; i++)
			if (p->lim->group[i] > 0)
				grad[(size_t) (p->lim->group[i] - 1) * nx + i] = 1;
	}
}

/* One linear constraint of the polish: row . x (<= or =) rhs. */
typedef struct MvRow
{
	double	   *row;			/* nx */
	double		rhs;
	bool		equality;
} MvRow;

/* The worst violation of every constraint at x (0: feasible). */
static double
MvViolation(const MvProblem *p, const double *x, const double *lo, const double *hi)
{
	double		v = 0,
				s = -p->lim->budget;
	double	   *gs = palloc0((p->lim->ngroups + 1) * sizeof(double));
	int			i;

	for (i = 0; i < p->nx; i++)
		v = Max(v, Max(lo[i] - x[i], x[i] - hi[i]));
	for (i = 0; i < p->n; i++)
	{
		s += x[i];
		gs[p->lim->group[i]] += x[i];
		if (p->nx > p->n)
			v = Max(v, fabs(x[i] - x[p->n + i] + x[2 * p->n + i] - p->w0[i]));
	}
	v = Max(v, fabs(s));
	for (i = 1; i <= p->lim->ngroups; i++)
		v = Max(v, gs[i] - p->lim->gcaps[i - 1]);
	pfree(gs);
	return v;
}

/*
 * Polish x: solve exactly the quadratic program whose active set SLSQP
 * found.  Variables at a bound (within MV_ACTIVE_TOL) are fixed there, the
 * group caps active at x become equalities, and the KKT system of the free
 * variables (LAPACK dgelsd, which tolerates a rank-deficient system) gives
 * them and the multipliers.  A fixed variable whose bound multiplier has
 * the wrong sign is freed, an active group whose multiplier has the wrong
 * sign dropped, and the system solved again (at most 20 rounds).  True (x
 * replaced) when the result is feasible, satisfies the KKT conditions and
 * scores no worse than x; *candidate says whether a feasible, no worse
 * point was found without the multiplier check passing (x is then replaced
 * by it, and false returned).
 */
static bool
MvPolish(MvProblem *p, double *x, const double *lo, const double *hi, bool *candidate)
{
	int			n = p->n,
				nx = p->nx,
				ng = p->lim->ngroups,
				i,
				j,
				k,
				round;
	int			maxrows = 1 + n + ng;
	MvRow	   *rows = palloc(maxrows * sizeof(MvRow));
	double	   *gs = palloc0((ng + 1) * sizeof(double));
	double	   *cand = palloc(nx * sizeof(double));
	double	   *grad = palloc(nx * sizeof(double));
	int		   *fixed = palloc(nx * sizeof(int));	/* 0 free, -1 at lo, 1 at hi */
	int		   *freeidx = palloc(nx * sizeof(int));
	bool	   *active = palloc0((ng + 1) * sizeof(bool));
	double		fx,
				scale = 1,
				tolm;

	*candidate = false;
	for (i = 0; i < n; i++)
		gs[p->lim->group[i]] += x[i];
	for (i = 0; i < n; i++)
		scale = Max(scale, Max(fabs(p->mu[i]), p->gamma * fabs(p->cov[(size_t) i * n + i])));
	scale = Max(scale, p->tau);
	tolm = 1e-10 * scale;
	for (k = 1; k <= ng; k++)
		active[k] = gs[k] >= p->lim->gcaps[k - 1] - MV_ACTIVE_TOL;
	for (i = 0; i < nx; i++)
		fixed[i] = x[i] <= lo[i] + MV_ACTIVE_TOL ? -1 : x[i] >= hi[i] - MV_ACTIVE_TOL ? 1 : 0;
	fx = MvObjective(nx, x, NULL, p);

	for (round = 0; round < 20; round++)
	{
		int			nf = 0,
					nrow = 0,
					dim;
		double	   *kkt,
				   *kk2,
				   *rhs,
				   *sol,
				   *sv;
		lapack_int	rank;
		double		resid = 0;
		bool		changed = false;

		/* the equalities: budget, split move, active groups */
		rows[nrow].row = palloc0(nx * sizeof(double));
		for (i = 0; i < n; i++)
			rows[nrow].row[i] = 1;
		rows[nrow].rhs = p->lim->budget;
		rows[nrow++].equality = true;
		if (nx > n)
			for (i = 0; i < n; i++)
			{
				rows[nrow].row = palloc0(nx * sizeof(double));
				rows[nrow].row[i] = 1;
				rows[nrow].row[n + i] = -1;
				rows[nrow].row[2 * n + i] = 1;
				rows[nrow].rhs = p->w0[i];
				rows[nrow++].equality = true;
			}
		for (k = 1; k <= ng; k++)
			if (active[k])
			{
				rows[nrow].row = palloc0(nx * sizeof(double));
				for (i = 0; i < n; i++)
					if (p->lim->group[i] == k)
						rows[nrow].row[i] = 1;
				rows[nrow].rhs = p->lim->gcaps[k - 1];
				rows[nrow++].equality = false;
			}

		/* start from x with the fixed variables at their bounds */
		for (i = 0; i < nx; i++)
		{
			cand[i] = fixed[i] < 0 ? lo[i] : fixed[i] > 0 ? hi[i] : x[i];
			if (fixed[i] == 0)
				freeidx[nf++] = i;
		}
		dim = nf + nrow;
		kkt = palloc0((size_t) dim * dim * sizeof(double));	/* column-major */
		kk2 = palloc((size_t) dim * dim * sizeof(double));
		rhs = palloc0(dim * sizeof(double));
		sol = palloc(dim * sizeof(double));
		sv = palloc(dim * sizeof(double));
#define KKT(r, c) kkt[(size_t) (c) * dim + (r)]
		/* stationarity of the free variables: H_ff x_f + A_f' lambda = -g_f - H_fc x_c */
		for (i = 0; i < nf; i++)
		{
			int			a = freeidx[i];
			double		r = a < n ? p->mu[a] : -p->tau;

			if (a < n)
			{
				for (j = 0; j < nf; j++)
					if (freeidx[j] < n)
						KKT(i, j) = p->gamma * p->cov[(size_t) a * n + freeidx[j]];
				for (j = 0; j < n; j++)
					if (fixed[j] != 0)
						r -= p->gamma * p->cov[(size_t) a * n + j] * cand[j];
			}
			for (k = 0; k < nrow; k++)
				KKT(i, nf + k) = rows[k].row[a];
			rhs[i] = r;
		}
		/* feasibility: A_f x_f = b - A_c x_c */
		for (k = 0; k < nrow; k++)
		{
			double		r = rows[k].rhs;

			for (j = 0; j < nx; j++)
				if (fixed[j] != 0)
					r -= rows[k].row[j] * cand[j];
			for (i = 0; i < nf; i++)
				KKT(nf + k, i) = rows[k].row[freeidx[i]];
			rhs[nf + k] = r;
		}
		memcpy(kk2, kkt, (size_t) dim * dim * sizeof(double));
		memcpy(sol, rhs, dim * sizeof(double));
		if (dim > 0 &&
			LAPACKE_dgelsd(LAPACK_COL_MAJOR, dim, dim, 1, kk2, dim, sol, dim, sv,
						   1e-13, &rank) != 0)
			return false;
		/* the system must be solved, not merely fitted */
		for (i = 0; i < dim; i++)
		{
			double		r = -rhs[i];

			for (j = 0; j < dim; j++)
				r += KKT(i, j) * sol[j];
			resid = Max(resid, fabs(r));
		}
#undef KKT
		if (!(resid <= 1e-9 * scale * (1 + p->lim->budget)))
			return false;
		for (i = 0; i < nf; i++)
			cand[freeidx[i]] = sol[i];

		/* a feasible point no worse than x is a candidate in any case */
		if (MvViolation(p, cand, lo, hi) <= MV_FEAS_TOL * (1 + p->lim->budget) &&
			MvObjective(nx, cand, grad, p) <= fx + 1e-14 * scale * (1 + p->lim->budget))
		{
			memcpy(x, cand, nx * sizeof(double));
			fx = MvObjective(nx, x, NULL, p);
			*candidate = true;
		}
		else
			return false;

		/* the multipliers' signs: groups lambda >= 0; bounds from grad + A'lambda */
		for (k = 0, j = 0; k < nrow; k++)
		{
			if (rows[k].equality)
				continue;
			/* the k-th row is the j-th active group in order */
			while (!active[++j])
				;
			if (sol[nf + k] < -tolm)
			{
				active[j] = false;
				changed = true;
			}
		}
		for (i = 0; i < nx; i++)
		{
			double		r;

			if (fixed[i] == 0)
				continue;
			r = grad[i];
			for (k = 0; k < nrow; k++)
				r += rows[k].row[i] * sol[nf + k];
			/* min f: r = mu_lo >= 0 at the lower bound, r = -mu_hi <= 0 at the upper */
			if ((fixed[i] < 0 && r < -tolm) || (fixed[i] > 0 && r > tolm))
			{
				fixed[i] = 0;
				changed = true;
			}
		}
		if (!changed)
			return true;
	}
	return false;
}

/* What forecast_allocate_mv returns. */
typedef struct MvResult
{
	double	   *w;
	double		objective;
	const char *status;
	int			evaluations;
} MvResult;

/*
 * Solve the mean-variance problem: SLSQP, then the polish.  Errors with
 * FORECAST_ERRCODE_LIBRARY when NLopt fails, and serves a cancel once the
 * optimiser is gone.
 */
static void
MvSolve(MvProblem *p, MvResult *res)
{
	int			n = p->n,
				nx = p->nx,
				i;
	double	   *x = palloc(nx * sizeof(double));
	double	   *lo = palloc(nx * sizeof(double));
	double	   *hi = palloc(nx * sizeof(double));
	double	   *tol = palloc(Max(n, p->lim->ngroups) * sizeof(double) + sizeof(double));
	double		capsum = 0,
				f = 0;
	nlopt_opt	opt;
	nlopt_result r;
	int			evals = 0;
	bool		polished,
				candidate;

	for (i = 0; i < n; i++)
	{
		lo[i] = 0;
		hi[i] = p->lim->caps[i];
		capsum += hi[i];
	}
	for (i = 0; i < n; i++)
		x[i] = capsum > 0 ? p->lim->budget * hi[i] / capsum : 0;
	if (nx > n)
		for (i = 0; i < n; i++)
		{
			lo[n + i] = lo[2 * n + i] = 0;
			hi[n + i] = Max(hi[i] - p->w0[i], 0);
			hi[2 * n + i] = Max(p->w0[i], 0);
			x[n + i] = Min(Max(x[i] - p->w0[i], 0), hi[n + i]);
			x[2 * n + i] = Min(Max(p->w0[i] - x[i], 0), hi[2 * n + i]);
		}
	for (i = 0; i < Max(n, p->lim->ngroups); i++)
		tol[i] = 1e-12;

	p->sw = palloc(n * sizeof(double));
	p->interrupted = false;
	opt = nlopt_create(NLOPT_LD_SLSQP, nx);
	if (opt == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create the optimiser")));
	p->opt = opt;
	r = nlopt_set_min_objective(opt, MvObjective, p);
	if (r > 0)
		r = nlopt_set_lower_bounds(opt, lo);
	if (r > 0)
		r = nlopt_set_upper_bounds(opt, hi);
	if (r > 0)
		r = nlopt_add_equality_constraint(opt, MvBudget, p, 1e-12);
	if (r > 0 && nx > n)
		r = nlopt_add_equality_mconstraint(opt, n, MvSplit, p, tol);
	if (r > 0 && p->lim->ngroups > 0)
		r = nlopt_add_inequality_mconstraint(opt, p->lim->ngroups, MvGroups, p, tol);
	if (r > 0)
		r = nlopt_set_ftol_rel(opt, 1e-15);
	if (r > 0)
		r = nlopt_set_xtol_rel(opt, 1e-13);
	if (r > 0)
		r = nlopt_set_maxeval(opt, MV_MAXEVAL);
	if (r > 0)
	{
		r = nlopt_optimize(opt, x, &f);
		evals = nlopt_get_numevals(opt);
	}
	nlopt_destroy(opt);
	p->opt = NULL;
	if (p->interrupted)
		CHECK_FOR_INTERRUPTS();
	if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED)
		ereport(ERROR,
				(errcode(FORECAST_ERRCODE_LIBRARY),
				 errmsg("the mean-variance optimiser failed: %s", nlopt_result_to_string(r))));

	for (i = 0; i < nx; i++)
		x[i] = Min(Max(x[i], lo[i]), hi[i]);
	polished = MvPolish(p, x, lo, hi, &candidate);
	if (!polished && !candidate && MvViolation(p, x, lo, hi) > 1e-6 * (1 + p->lim->budget))
		ereport(ERROR,
				(errcode(FORECAST_ERRCODE_LIBRARY),
				 errmsg("the mean-variance optimiser stopped at an infeasible point (%s)",
						nlopt_result_to_string(r))));
	res->w = x;
	res->objective = -MvObjective(nx, x, NULL, p);
	res->evaluations = evals;
	if (polished)
		res->status = "optimal";
	else if (r == NLOPT_MAXEVAL_REACHED)
		res->status = "iteration_limit";
	else if (r == NLOPT_ROUNDOFF_LIMITED)
		res->status = "roundoff_limited";
	else
		res->status = "converged";
}

/*
 * Check that cov (n by n) is symmetric (to 1e-10 of its largest diagonal
 * element) and positive semi-definite up to the same tolerance: the
 * Cholesky factorisation of cov + 1e-10 max(diag) I must succeed.
 */
static void
CheckCovariance(const double *cov, int n)
{
	double		dmax = 0;
	double	   *c = palloc((size_t) n * n * sizeof(double));
	int			i,
				j;
	lapack_int	info;

	for (i = 0; i < n; i++)
	{
		if (cov[(size_t) i * n + i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the covariance matrix is not positive semi-definite"),
					 errdetail("Its diagonal element %d is %g.", i + 1, cov[(size_t) i * n + i])));
		dmax = Max(dmax, cov[(size_t) i * n + i]);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (fabs(cov[(size_t) i * n + j] - cov[(size_t) j * n + i]) > 1e-10 * dmax)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the covariance matrix is not symmetric"),
						 errdetail("Element [%d][%d] is %g but [%d][%d] is %g.",
								   i + 1, j + 1, cov[(size_t) i * n + j],
								   j + 1, i + 1, cov[(size_t) j * n + i])));
	memcpy(c, cov, (size_t) n * n * sizeof(double));
	for (i = 0; i < n; i++)
		c[(size_t) i * n + i] += 1e-10 * Max(dmax, DBL_MIN);
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, c, n);
	if (info != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the covariance matrix is not positive semi-definite"),
				 errdetail("Its Cholesky factorisation fails at column %d.", (int) info)));
	pfree(c);
}

/* A composite result from values and nulls. */
static Datum
RecordDatum(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

PG_FUNCTION_INFO_V1(forecast_allocate_mv);

/*
 * forecast_allocate_mv(mu, cov, risk_aversion, caps, groups, group_caps,
 * current, turnover_penalty, budget): the mean-variance allocation.
 */
Datum
forecast_allocate_mv(PG_FUNCTION_ARGS)
{
	MvProblem	p;
	MvResult	res;
	AllocLimits lim;
	double	   *mu,
			   *cov,
			   *w0;
	double		er = 0,
				var = 0,
				turn = 0;
	int			n,
				r,
				c,
				i,
				j;
	Datum		values[7];
	bool		nulls[7] = {0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mu and cov must not be NULL")));
	mu = VectorArg(PG_GETARG_ARRAYTYPE_P(0), "mu", &n);
	if (n < 1 || n > MV_MAX_ASSETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mu must have 1 to %d assets, not %d", MV_MAX_ASSETS, n)));
	cov = MatrixArg(PG_GETARG_ARRAYTYPE_P(1), "cov", &r, &c);
	if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(1)) != 2 || r != n || c != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("cov must be a %d by %d matrix (two dimensions) for %d assets", n, n, n)));
	CheckCovariance(cov, n);
	p.gamma = PG_ARGISNULL(2) ? 1 : PG_GETARG_FLOAT8(2);
	if (!isfinite(p.gamma) || p.gamma < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("risk_aversion must be a finite value at least 0, not %g", p.gamma)));
	LimitsArgs(fcinfo, n, 3, 4, 5, 8, &lim);
	w0 = PG_ARGISNULL(6) ? palloc0(n * sizeof(double))
		: VectorArgN(PG_GETARG_ARRAYTYPE_P(6), "current", n, false);
	p.tau = PG_ARGISNULL(7) ? 0 : PG_GETARG_FLOAT8(7);
	if (!isfinite(p.tau) || p.tau < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("turnover_penalty must be a finite value at least 0, not %g", p.tau)));

	p.n = n;
	p.nx = p.tau > 0 ? 3 * n : n;
	p.mu = mu;
	p.cov = cov;
	p.w0 = w0;
	p.lim = &lim;
	if (lim.budget == 0)
	{
		/* long only: nothing to place, nothing to choose */
		res.w = palloc0(n * sizeof(double));
		res.status = "optimal";
		res.evaluations = 0;
	}
	else
		MvSolve(&p, &res);

	for (i = 0; i < n; i++)
	{
		er += mu[i] * res.w[i];
		turn += fabs(res.w[i] - w0[i]);
		for (j = 0; j < n; j++)
			var += res.w[i] * cov[(size_t) i * n + j] * res.w[j];
	}
	values[0] = PointerGetDatum(ForecastFloatArray(res.w, n));
	values[1] = Float8GetDatum(er);
	values[2] = Float8GetDatum(var);
	values[3] = Float8GetDatum(turn);
	nulls[3] = PG_ARGISNULL(6);
	/* the utility with the true |w - w0| (equal to the split form's at the optimum) */
	values[4] = Float8GetDatum(er - 0.5 * p.gamma * var - p.tau * turn);
	values[5] = CStringGetTextDatum(res.status);
	values[6] = Int32GetDatum(res.evaluations);
	PG_RETURN_DATUM(RecordDatum(fcinfo, values, nulls));
}

/* ---- linear programs ---- */

/* The text of an LP status. */
static const char *
LpStatusText(ForecastLpStatus s)
{
	switch (s)
	{
		case FORECAST_LP_OPTIMAL:
			return "optimal";
		case FORECAST_LP_INFEASIBLE:
			return "infeasible";
		case FORECAST_LP_UNBOUNDED:
			return "unbounded";
	}
	return "unknown";
}

/* A bound vector for forecast_linprog: n values, +-Infinity allowed, no NaN. */
static double *
BoundArg(ArrayType *a, const char *what, int n)
{
	int			r,
				c,
				i;
	double	   *v;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have one dimension", what)));
	v = ForecastArrayValues(a, what, true, &r, &c);
	if (r != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d values but there are %d variables", what, r, n)));
	for (i = 0; i < n; i++)
		if (isnan(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not hold NaN", what)));
	return v;
}

/* Read a constraint block (matrix a, vector b) for n variables. */
static void
ConstraintArgs(FunctionCallInfo fcinfo, int ia, int ib, int n, const char *aname,
			   const char *bname, double **a, double **b, int *m)
{
	int			r = 0,
				c = 0;

	*a = NULL;
	*b = NULL;
	*m = 0;
	if (PG_ARGISNULL(ia) != PG_ARGISNULL(ib))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s and %s go together", aname, bname)));
	if (PG_ARGISNULL(ia))
		return;
	*a = MatrixArg(PG_GETARG_ARRAYTYPE_P(ia), aname, &r, &c);
	if (r > 0 && c != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d columns but there are %d variables", aname, c, n)));
	*b = VectorArgN(PG_GETARG_ARRAYTYPE_P(ib), bname, r, false);
	*m = r;
}

PG_FUNCTION_INFO_V1(forecast_linprog);

/*
 * forecast_linprog(c, a_ub, b_ub, a_eq, b_eq, lb, ub): minimise c'x by the
 * dense simplex; x and objective NULL unless the status is optimal.
 */
Datum
forecast_linprog(PG_FUNCTION_ARGS)
{
	ForecastLp	lp;
	ForecastLpStatus st;
	double	   *c,
			   *a_ub,
			   *b_ub,
			   *a_eq,
			   *b_eq,
			   *x,
				obj = 0;
	int			n,
				m_ub,
				m_eq,
				iterations = 0;
	Datum		values[4];
	bool		nulls[4] = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("c must not be NULL")));
	c = VectorArg(PG_GETARG_ARRAYTYPE_P(0), "c", &n);
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must have at least one value")));
	ConstraintArgs(fcinfo, 1, 2, n, "a_ub", "b_ub", &a_ub, &b_ub, &m_ub);
	ConstraintArgs(fcinfo, 3, 4, n, "a_eq", "b_eq", &a_eq, &b_eq, &m_eq);
	lp.n = n;
	lp.c = c;
	lp.m_ub = m_ub;
	lp.a_ub = a_ub;
	lp.b_ub = b_ub;
	lp.m_eq = m_eq;
	lp.a_eq = a_eq;
	lp.b_eq = b_eq;
	lp.lb = PG_ARGISNULL(5) ? NULL : BoundArg(PG_GETARG_ARRAYTYPE_P(5), "lb", n);
	lp.ub = PG_ARGISNULL(6) ? NULL : BoundArg(PG_GETARG_ARRAYTYPE_P(6), "ub", n);
	x = palloc(n * sizeof(double));
	st = ForecastLinprog(&lp, x, &obj, &iterations);
	values[0] = PointerGetDatum(ForecastFloatArray(x, n));
	values[1] = Float8GetDatum(obj);
	nulls[0] = nulls[1] = st != FORECAST_LP_OPTIMAL;
	values[2] = CStringGetTextDatum(LpStatusText(st));
	values[3] = Int32GetDatum(iterations);
	PG_RETURN_DATUM(RecordDatum(fcinfo, values, nulls));
}

/* ---- CVaR ---- */

/* Ascending order of doubles, for qsort. */
static int
CompareDouble(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

PG_FUNCTION_INFO_V1(forecast_allocate_cvar);

/*
 * forecast_allocate_cvar(scenarios, beta, caps, groups, group_caps,
 * min_return, mu, budget): the weights of least CVaR at level beta of the
 * loss -r'w over the S scenario rows, by the Rockafellar-Uryasev LP
 * (variables w, the VaR alpha, one excess z_s per scenario).
 */
Datum
forecast_allocate_cvar(PG_FUNCTION_ARGS)
{
	AllocLimits lim;
	ForecastLp	lp;
	ForecastLpStatus st;
	double	   *sc,
			   *mu,
			   *c,
			   *a_ub,
			   *b_ub,
			   *a_eq,
			   *b_eq,
			   *lb,
			   *ub,
			   *x,
			   *loss,
			   *sorted,
				beta,
				obj,
				var,
				cvar,
				er = 0,
				target = 0;
	bool		has_target;
	int			s_n,
				n,
				nv,
				m_ub,
				row,
				i,
				s,
				k,
				iterations = 0;
	Datum		values[6];
	bool		nulls[6] = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("scenarios must not be NULL")));
	sc = MatrixArg(PG_GETARG_ARRAYTYPE_P(0), "scenarios", &s_n, &n);
	if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(0)) != 2 || s_n < 1 || n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("scenarios must be a matrix of scenarios (rows) by assets (columns)")));
	if (s_n > CVAR_MAX_SCENARIOS || n > MV_MAX_ASSETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("at most %d scenarios of %d assets, not %d of %d",
						CVAR_MAX_SCENARIOS, MV_MAX_ASSETS, s_n, n)));
	beta = PG_ARGISNULL(1) ? 0.95 : PG_GETARG_FLOAT8(1);
	if (!(beta > 0 && beta < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("beta must lie strictly between 0 and 1, not %g", beta)));
	LimitsArgs(fcinfo, n, 2, 3, 4, 7, &lim);
	has_target = !PG_ARGISNULL(5);
	if (has_target)
	{
		target = PG_GETARG_FLOAT8(5);
		if (!isfinite(target))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_return must be finite")));
	}
	if (!PG_ARGISNULL(6))
		mu = VectorArgN(PG_GETARG_ARRAYTYPE_P(6), "mu", n, false);
	else
	{
		mu = palloc0(n * sizeof(double));
		for (s = 0; s < s_n; s++)
			for (i = 0; i < n; i++)
				mu[i] += sc[(size_t) s * n + i] / s_n;
	}

	/* variables: w (n), alpha, z (S) */
	nv = n + 1 + s_n;
	m_ub = s_n + lim.ngroups + (has_target ? 1 : 0);
	c = palloc0(nv * sizeof(double));
	lb = palloc(nv * sizeof(double));
	ub = palloc(nv * sizeof(double));
	a_ub = palloc0((size_t) m_ub * nv * sizeof(double));
	b_ub = palloc0(m_ub * sizeof(double));
	a_eq = palloc0(nv * sizeof(double));
	b_eq = palloc(sizeof(double));
	for (i = 0; i < n; i++)
	{
		lb[i] = 0;
		ub[i] = lim.caps[i];
		a_eq[i] = 1;
	}
	b_eq[0] = lim.budget;
	c[n] = 1;
	lb[n] = -INFINITY;
	ub[n] = INFINITY;
	for (s = 0; s < s_n; s++)
	{
		c[n + 1 + s] = 1.0 / ((1 - beta) * s_n);
		lb[n + 1 + s] = 0;
		ub[n + 1 + s] = INFINITY;
		/* -r_s'w - alpha - z_s <= 0 */
		for (i = 0; i < n; i++)
			a_ub[(size_t) s * nv + i] = -sc[(size_t) s * n + i];
		a_ub[(size_t) s * nv + n] = -1;
		a_ub[(size_t) s * nv + n + 1 + s] = -1;
	}
	row = s_n;
	for (k = 1; k <= lim.ngroups; k++, row++)
	{
		for (i = 0; i < n; i++)
			if (lim.group[i] == k)
				a_ub[(size_t) row * nv + i] = 1;
		b_ub[row] = lim.gcaps[k - 1];
	}
	if (has_target)
	{
		for (i = 0; i < n; i++)
			a_ub[(size_t) row * nv + i] = -mu[i];
		b_ub[row] = -target;
	}
	lp.n = nv;
	lp.c = c;
	lp.m_ub = m_ub;
	lp.a_ub = a_ub;
	lp.b_ub = b_ub;
	lp.m_eq = 1;
	lp.a_eq = a_eq;
	lp.b_eq = b_eq;
	lp.lb = lb;
	lp.ub = ub;
	x = palloc(nv * sizeof(double));
	st = ForecastLinprog(&lp, x, &obj, &iterations);
	if (st == FORECAST_LP_INFEASIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no allocation meets the constraints"),
				 has_target ? errdetail("No weights within the caps reach the expected return %g.", target) : 0));
	if (st != FORECAST_LP_OPTIMAL)
		elog(ERROR, "the CVaR program is unbounded");	/* cannot happen: beta < 1 */

	/* VaR and CVaR recomputed at the weights found */
	loss = palloc(s_n * sizeof(double));
	sorted = palloc(s_n * sizeof(double));
	for (i = 0; i < n; i++)
	{
		x[i] = Min(Max(x[i], 0), lim.caps[i]);
		er += mu[i] * x[i];
	}
	for (s = 0; s < s_n; s++)
	{
		double		l = 0;

		for (i = 0; i < n; i++)
			l -= sc[(size_t) s * n + i] * x[i];
		loss[s] = sorted[s] = l;
	}
	qsort(sorted, s_n, sizeof(double), CompareDouble);
	k = (int) ceil(beta * s_n - 1e-9);
	k = Min(Max(k, 1), s_n);
	var = sorted[k - 1];
	cvar = 0;
	for (s = 0; s < s_n; s++)
		cvar += Max(loss[s] - var, 0);
	cvar = var + cvar / ((1 - beta) * s_n);

	values[0] = PointerGetDatum(ForecastFloatArray(x, n));
	values[1] = Float8GetDatum(cvar);
	values[2] = Float8GetDatum(var);
	values[3] = Float8GetDatum(er);
	values[4] = CStringGetTextDatum(LpStatusText(st));
	values[5] = Int32GetDatum(iterations);
	PG_RETURN_DATUM(RecordDatum(fcinfo, values, nulls));
}
