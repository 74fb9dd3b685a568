/*
 * src/forecast/alloc.h
 *
 * The allocator's solvers (alloc.c, simplex.c): a small dense simplex for
 * linear programs, and the mean-variance and CVaR allocations built on it
 * and on NLopt's SLSQP.  Plain C values in and out; the fmgr wrappers in
 * alloc.c read and check the SQL arguments.
 */
#ifndef AMPLIFIED_FORECAST_ALLOC_H
#define AMPLIFIED_FORECAST_ALLOC_H

/* What the simplex found. */
typedef enum ForecastLpStatus
{
	FORECAST_LP_OPTIMAL,
	FORECAST_LP_INFEASIBLE,
	FORECAST_LP_UNBOUNDED
} ForecastLpStatus;

/*
 * A linear program: minimise c'x subject to a_ub x <= b_ub, a_eq x = b_eq,
 * lb <= x <= ub.  Matrices are row-major (m_ub by n, m_eq by n); lb and ub
 * may hold -/+Infinity; NULL lb means 0 for every variable, NULL ub means
 * +Infinity.  Every value must be finite except infinite bounds (the
 * caller checks).
 */
typedef struct ForecastLp
{
	int			n;
	const double *c;
	int			m_ub;
	const double *a_ub;
	const double *b_ub;
	int			m_eq;
	const double *a_eq;
	const double *b_eq;
	const double *lb;
	const double *ub;
} ForecastLp;

/*
 * Solve lp; on FORECAST_LP_OPTIMAL x (n values) and *objective hold the
 * optimum.  Errors with 54000 on the iteration cap or a problem too large
 * for a dense tableau; honours cancels at every pivot.
 */
extern ForecastLpStatus ForecastLinprog(const ForecastLp *lp, double *x, double *objective,
										int *iterations);

#endif							/* AMPLIFIED_FORECAST_ALLOC_H */
