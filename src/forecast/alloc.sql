-- src/forecast/alloc.sql: the allocator's solvers (docs/forecast.md,
-- "Allocation"): mean-variance by SLSQP, CVaR by a linear program, and the
-- dense simplex itself.  Pure functions of their arguments.

CREATE FUNCTION @extschema@.forecast_allocate_mv(mu float8[], cov float8[],
	risk_aversion float8 DEFAULT 1, caps float8[] DEFAULT NULL, groups int[] DEFAULT NULL,
	group_caps float8[] DEFAULT NULL, current float8[] DEFAULT NULL,
	turnover_penalty float8 DEFAULT 0, budget float8 DEFAULT 1,
	OUT weights float8[], OUT expected_return float8, OUT variance float8,
	OUT turnover float8, OUT objective float8, OUT status text, OUT evaluations int)
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_allocate_mv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_allocate_mv(float8[], float8[], float8, float8[], int[],
	float8[], float8[], float8, float8) IS
	'the long-only weights maximising mu''w - risk_aversion/2 w''cov w - turnover_penalty sum |w - current| with sum w = budget, per-asset caps and per-group caps';

CREATE FUNCTION @extschema@.forecast_linprog(c float8[], a_ub float8[] DEFAULT NULL,
	b_ub float8[] DEFAULT NULL, a_eq float8[] DEFAULT NULL, b_eq float8[] DEFAULT NULL,
	lb float8[] DEFAULT NULL, ub float8[] DEFAULT NULL,
	OUT x float8[], OUT objective float8, OUT status text, OUT iterations int)
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_linprog'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_linprog(float8[], float8[], float8[], float8[], float8[],
	float8[], float8[]) IS
	'minimise c''x subject to a_ub x <= b_ub, a_eq x = b_eq, lb <= x <= ub (default 0 <= x) by a dense two-phase simplex; status optimal, infeasible or unbounded';

CREATE FUNCTION @extschema@.forecast_allocate_cvar(scenarios float8[], beta float8 DEFAULT 0.95,
	caps float8[] DEFAULT NULL, groups int[] DEFAULT NULL, group_caps float8[] DEFAULT NULL,
	min_return float8 DEFAULT NULL, mu float8[] DEFAULT NULL, budget float8 DEFAULT 1,
	OUT weights float8[], OUT cvar float8, OUT var float8, OUT expected_return float8,
	OUT status text, OUT iterations int)
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_allocate_cvar'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_allocate_cvar(float8[], float8, float8[], int[], float8[],
	float8, float8[], float8) IS
	'the long-only weights of least CVaR at level beta of the loss over equally likely return scenarios (rows by assets), with sum w = budget, caps, group caps and an optional minimum expected return';

-- Math on the caller's arrays: analysts and up.
REVOKE ALL ON FUNCTION @extschema@.forecast_allocate_mv(float8[], float8[], float8, float8[], int[],
		float8[], float8[], float8, float8),
	@extschema@.forecast_linprog(float8[], float8[], float8[], float8[], float8[], float8[], float8[]),
	@extschema@.forecast_allocate_cvar(float8[], float8, float8[], int[], float8[], float8,
		float8[], float8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_allocate_mv(float8[], float8[], float8, float8[], int[],
		float8[], float8[], float8, float8),
	@extschema@.forecast_linprog(float8[], float8[], float8[], float8[], float8[], float8[], float8[]),
	@extschema@.forecast_allocate_cvar(float8[], float8, float8[], int[], float8[], float8,
		float8[], float8) TO amplified_analyst;
