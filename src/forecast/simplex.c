/*
 * src/forecast/simplex.c
 *
 * A small dense two-phase simplex for the allocator's linear programs (the
 * CVaR minimisation) and forecast_linprog().  GLPK is GPL, so the project
 * carries its own: problems of a few hundred rows and columns, solved on a
 * full tableau.
 *
 * The program min c'x, A_ub x <= b_ub, A_eq x = b_eq, lb <= x <= ub is put
 * in standard form first: a variable with a finite lower bound becomes
 * lb + y (y >= 0, a finite upper bound adds the row y <= ub - lb), one with
 * only an upper bound ub - y, a free one y1 - y2.  Every inequality gets a
 * slack; a row with a negative right-hand side is negated; rows whose slack
 * cannot start basic (equalities, negated inequalities) get an artificial.
 * Phase I minimises the sum of the artificials (above the feasibility
 * tolerance at its optimum: infeasible), the artificials left basic at zero
 * are pivoted out where the row has another non-zero (else the row is
 * redundant and its artificial stays basic at zero and never re-enters),
 * and phase II minimises c'y from that basis.
 *
 * Pivoting: Dantzig's rule (most negative reduced cost; in the ratio test
 * ties go to the largest pivot element, for stability) until 50 degenerate
 * pivots in a row, then Bland's rule (lowest index entering, lowest basic
 * index leaving among ties) until the next pivot that moves the objective.
 * A cycle consists of degenerate pivots only, so it would have to run
 * entirely under Bland's rule, which cannot cycle: the method terminates.
 * An iteration cap (50 (rows + columns) + 1000 pivots over both phases)
 * guards against stalling on rounding, with a clear error (54000).
 *
 * Tolerances (the data are expected to be scaled near 1): a pivot element
 * must exceed 1e-9; a reduced cost must be below -1e-10 times the largest
 * |cost| (phase I: -1e-10) to enter; phase I ends infeasible when the sum
 * of the artificials exceeds 1e-9 (1 + max |b|); a step is degenerate below
 * 1e-12 (1 + max |b|).  At the optimum the basic values are recomputed from
 * the original data (B x_B = b by LU, LAPACK dgesv) to shed the rounding of
 * the pivots, unless that solve is singular or disagrees with the tableau.
 * A cancel is honoured at every pivot (everything here is palloc'd).
 */
#include "postgres.h"

#include <math.h>
#include <lapacke.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "forecast/alloc.h"

#define LP_TOL_PIVOT	1e-9
#define LP_TOL_COST		1e-10
#define LP_TOL_FEAS		1e-9
#define LP_TOL_DEGEN	1e-12
#define LP_BLAND_AFTER	50

/* How an original variable maps onto the standard-form columns. */
typedef struct LpVar
{
	int			col;			/* x = offset + sign * y[col] - y[col2] */
	int			col2;			/* -1: none */
	double		sign;
	double		offset;
} LpVar;

/* The tableau and its bookkeeping. */
typedef struct Tableau
{
	int			m;				/* constraint rows */
	int			ncol;			/* columns (structural, slacks, artificials) */
	int			w;				/* row width: ncol + 1 (the right-hand side) */
	int			art;			/* first artificial column */
	double	   *t;				/* (m + 1) rows; row m is the objective row */
	int		   *basis;			/* m basic columns */
	int			iterations;
	int			maxiter;
	double		bscale;			/* 1 + max |b| */
} Tableau;

#define T(tb, i, j) ((tb)->t[(size_t) (i) * (tb)->w + (j)])

/* Pivot on (r, e): row r divided by the pivot, e eliminated elsewhere. */
static void
LpPivot(Tableau *tb, int r, int e)
{
	double	   *pr = &T(tb, r, 0);
	double		p = pr[e];
	int			i,
				j;

	for (j = 0; j < tb->w; j++)
		pr[j] /= p;
	pr[e] = 1;
	for (i = 0; i <= tb->m; i++)
	{
		double	   *pi;
		double		f;

		if (i == r)
			continue;
		pi = &T(tb, i, 0);
		f = pi[e];
		if (f == 0)
			continue;
		for (j = 0; j < tb->w; j++)
			if (pr[j] != 0)
				pi[j] -= f * pr[j];
		pi[e] = 0;
	}
	tb->basis[r] = e;
}

/*
 * Run the simplex on the current objective row, columns below ncol_allowed
 * eligible to enter.  False: unbounded (a column with a negative reduced
 * cost and no positive entry).
 */
static bool
LpIterate(Tableau *tb, int ncol_allowed, double tol_cost)
{
	int			degenerate = 0;
	bool		bland = false;

	for (;;)
	{
		int			e = -1,
					r = -1,
					i,
					j;
		double		best = -tol_cost,
					minratio = INFINITY,
					tie;

		CHECK_FOR_INTERRUPTS();
		for (j = 0; j < ncol_allowed; j++)
		{
			double		d = T(tb, tb->m, j);

			if (d < best)
			{
				e = j;
				if (bland)
					break;
				best = d;
			}
		}
		if (e < 0)
			return true;

		for (i = 0; i < tb->m; i++)
		{
			double		a = T(tb, i, e);

			if (a > LP_TOL_PIVOT)
			{
				double		ratio = Max(T(tb, i, tb->ncol), 0) / a;

				if (ratio < minratio)
					minratio = ratio;
			}
		}
		if (minratio == INFINITY)
			return false;
		tie = minratio + LP_TOL_DEGEN * (1 + minratio);
		for (i = 0; i < tb->m; i++)
		{
			double		a = T(tb, i, e);

			if (a > LP_TOL_PIVOT && Max(T(tb, i, tb->ncol), 0) / a <= tie)
			{
				if (r < 0 ||
					(bland ? tb->basis[i] < tb->basis[r] : a > T(tb, r, e)))
					r = i;
			}
		}

		if (++tb->iterations > tb->maxiter)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the simplex did not finish within %d pivots", tb->maxiter),
					 errdetail("The problem has %d rows and %d columns in standard form.",
							   tb->m, tb->ncol),
					 errhint("Rescale the data so that its values are near 1.")));
		LpPivot(tb, r, e);
		/* rounding must not leave a basic value below zero */
		for (i = 0; i < tb->m; i++)
			if (T(tb, i, tb->ncol) < 0)
				T(tb, i, tb->ncol) = 0;
		if (minratio <= LP_TOL_DEGEN * tb->bscale)
		{
			if (++degenerate >= LP_BLAND_AFTER)
				bland = true;
		}
		else
		{
			degenerate = 0;
			bland = false;
		}
	}
}

/* See alloc.h. */
ForecastLpStatus
ForecastLinprog(const ForecastLp *lp, double *x, double *objective, int *iterations)
{
	int			n = lp->n;
	LpVar	   *vars = palloc(Max(n, 1) * sizeof(LpVar));
	int			ny = 0,
				nbound = 0,
				m,
				nslack,
				nart,
				i,
				j,
				k;
	double	   *a,				/* m by ny, row-major: the standard form */
			   *b,
			   *cy,
			   *y;
	bool	   *le,
			   *flip;
	int		   *colrow;			/* a slack's or artificial's row */
	double	   *colcoef;		/* and its coefficient there */
	double		cmax = 0,
				bmax = 0;
	Tableau		tb;
	double		size;

	/* the variables in standard form */
	for (j = 0; j < n; j++)
	{
		double		lo = lp->lb ? lp->lb[j] : 0;
		double		hi = lp->ub ? lp->ub[j] : INFINITY;

		if (lo > hi || lo == INFINITY || hi == -INFINITY)
			return FORECAST_LP_INFEASIBLE;
		vars[j].col = ny++;
		vars[j].col2 = -1;
		if (isfinite(lo))
		{
			vars[j].sign = 1;
			vars[j].offset = lo;
			if (isfinite(hi))
				nbound++;
		}
		else if (isfinite(hi))
		{
			vars[j].sign = -1;
			vars[j].offset = hi;
		}
		else
		{
			vars[j].sign = 1;
			vars[j].offset = 0;
			vars[j].col2 = ny++;
		}
	}
	m = lp->m_ub + nbound + lp->m_eq;
	a = palloc0((size_t) Max(m, 1) * Max(ny, 1) * sizeof(double));
	b = palloc0(Max(m, 1) * sizeof(double));
	le = palloc0(Max(m, 1) * sizeof(bool));
	flip = palloc0(Max(m, 1) * sizeof(bool));
	cy = palloc0(Max(ny, 1) * sizeof(double));

	/* rows: the inequalities, the upper bounds, the equalities */
	for (i = 0; i < lp->m_ub + lp->m_eq; i++)
	{
		bool		isle = i < lp->m_ub;
		int			row = isle ? i : i + nbound;
		const double *src = isle ? &lp->a_ub[(size_t) i * n] : &lp->a_eq[(size_t) (i - lp->m_ub) * n];
		double		rhs = isle ? lp->b_ub[i] : lp->b_eq[i - lp->m_ub];

		le[row] = isle;
		for (j = 0; j < n; j++)
		{
			a[(size_t) row * ny + vars[j].col] += src[j] * vars[j].sign;
			if (vars[j].col2 >= 0)
				a[(size_t) row * ny + vars[j].col2] -= src[j];
			rhs -= src[j] * vars[j].offset;
		}
		b[row] = rhs;
	}
	k = lp->m_ub;
	for (j = 0; j < n; j++)
	{
		double		lo = lp->lb ? lp->lb[j] : 0;
		double		hi = lp->ub ? lp->ub[j] : INFINITY;

		if (isfinite(lo) && isfinite(hi))
		{
			le[k] = true;
			a[(size_t) k * ny + vars[j].col] = 1;
			b[k] = hi - lo;
			k++;
		}
	}
	for (j = 0; j < n; j++)
	{
		cy[vars[j].col] += lp->c[j] * vars[j].sign;
		if (vars[j].col2 >= 0)
			cy[vars[j].col2] -= lp->c[j];
	}
	for (j = 0; j < ny; j++)
		cmax = Max(cmax, fabs(cy[j]));

	/* non-negative right-hand sides; count slacks and artificials */
	nslack = 0;
	nart = 0;
	for (i = 0; i < m; i++)
	{
		if (b[i] < 0)
		{
			flip[i] = true;
			b[i] = -b[i];
			for (j = 0; j < ny; j++)
				a[(size_t) i * ny + j] = -a[(size_t) i * ny + j];
		}
		bmax = Max(bmax, b[i]);
		if (le[i])
			nslack++;
		if (!le[i] || flip[i])
			nart++;
	}

	tb.m = m;
	tb.ncol = ny + nslack + nart;
	tb.w = tb.ncol + 1;
	tb.art = ny + nslack;
	tb.iterations = 0;
	tb.maxiter = 50 * (m + tb.ncol) + 1000;
	tb.bscale = 1 + bmax;
	size = (double) (m + 1) * tb.w * sizeof(double);
	if (size > (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the linear program is too large for the dense simplex"),
				 errdetail("It has %d rows and %d columns in standard form.", m, tb.ncol)));
	tb.t = palloc0((size_t) size);
	tb.basis = palloc(Max(m, 1) * sizeof(int));
	colrow = palloc(tb.ncol * sizeof(int) + 1);
	colcoef = palloc(tb.ncol * sizeof(double) + 1);

	/* the starting tableau: slacks or artificials basic */
	{
		int			s = ny,
					art = tb.art;

		for (i = 0; i < m; i++)
		{
			for (j = 0; j < ny; j++)
				T(&tb, i, j) = a[(size_t) i * ny + j];
			T(&tb, i, tb.ncol) = b[i];
			if (le[i])
			{
				T(&tb, i, s) = flip[i] ? -1 : 1;
				colrow[s] = i;
				colcoef[s] = T(&tb, i, s);
				if (!flip[i])
					tb.basis[i] = s;
				s++;
			}
			if (!le[i] || flip[i])
			{
				T(&tb, i, art) = 1;
				colrow[art] = i;
				colcoef[art] = 1;
				tb.basis[i] = art;
				art++;
			}
		}
	}

	/* phase I: minimise the sum of the artificials */
	if (nart > 0)
	{
		for (i = 0; i < m; i++)
			if (tb.basis[i] >= tb.art)
				for (j = 0; j <= tb.ncol; j++)
					if (j < tb.art || j == tb.ncol)
						T(&tb, m, j) -= T(&tb, i, j);
		LpIterate(&tb, tb.ncol, LP_TOL_COST);
		if (-T(&tb, m, tb.ncol) > LP_TOL_FEAS * tb.bscale)
		{
			*iterations = tb.iterations;
			return FORECAST_LP_INFEASIBLE;
		}
		/* pivot the artificials left basic (at zero) out where possible */
		for (i = 0; i < m; i++)
		{
			int			best = -1;

			if (tb.basis[i] < tb.art)
				continue;
			for (j = 0; j < tb.art; j++)
				if (fabs(T(&tb, i, j)) > LP_TOL_PIVOT &&
					(best < 0 || fabs(T(&tb, i, j)) > fabs(T(&tb, i, best))))
					best = j;
			if (best >= 0)
			{
				T(&tb, i, tb.ncol) = 0;
				LpPivot(&tb, i, best);
			}
		}
	}

	/* phase II: the objective row of c from the current basis */
	for (j = 0; j <= tb.ncol; j++)
		T(&tb, m, j) = j < ny ? cy[j] : 0;
	for (i = 0; i < m; i++)
	{
		int			bc = tb.basis[i];
		double		f = bc < ny ? cy[bc] : 0;

		if (f != 0)
			for (j = 0; j <= tb.ncol; j++)
				T(&tb, m, j) -= f * T(&tb, i, j);
	}
	if (!LpIterate(&tb, tb.art, LP_TOL_COST * Max(cmax, 1e-300)))
	{
		*iterations = tb.iterations;
		return FORECAST_LP_UNBOUNDED;
	}
	*iterations = tb.iterations;

	/* the basic values, recomputed from the original data when that is sound */
	y = palloc0(Max(tb.ncol, 1) * sizeof(double));
	for (i = 0; i < m; i++)
		y[tb.basis[i]] = Max(T(&tb, i, tb.ncol), 0);
	if (m > 0)
	{
		double	   *bm = palloc0((size_t) m * m * sizeof(double));	/* column-major */
		double	   *xb = palloc(m * sizeof(double));
		lapack_int *ipiv = palloc(m * sizeof(lapack_int));
		bool		ok;

		for (k = 0; k < m; k++)
		{
			int			bc = tb.basis[k];

			if (bc < ny)
				for (i = 0; i < m; i++)
					bm[(size_t) k * m + i] = a[(size_t) i * ny + bc];
			else
				bm[(size_t) k * m + colrow[bc]] = colcoef[bc];
		}
		memcpy(xb, b, m * sizeof(double));
		ok = LAPACKE_dgesv(LAPACK_COL_MAJOR, m, 1, bm, m, ipiv, xb, m) == 0;
		for (i = 0; ok && i < m; i++)
		{
			double		old = y[tb.basis[i]];

			if (!isfinite(xb[i]) || xb[i] < -LP_TOL_FEAS * tb.bscale ||
				fabs(xb[i] - old) > 1e-6 * (1 + fabs(old)))
				ok = false;
		}
		if (ok)
			for (i = 0; i < m; i++)
				y[tb.basis[i]] = Max(xb[i], 0);
	}

	*objective = 0;
	for (j = 0; j < n; j++)
	{
		x[j] = vars[j].offset + vars[j].sign * y[vars[j].col];
		if (vars[j].col2 >= 0)
			x[j] -= y[vars[j].col2];
		*objective += lp->c[j] * x[j];
	}
	return FORECAST_LP_OPTIMAL;
}
