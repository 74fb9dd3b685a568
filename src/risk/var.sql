-- ---- VaR and CVaR, Monte Carlo, backtests (var.c; pure math: PUBLIC may execute) ----

CREATE FUNCTION @extschema@.risk_var(returns float8[], confidence float8 DEFAULT 0.99,
	method text DEFAULT 'historical', shape float8 DEFAULT NULL)
RETURNS float8
AS 'MODULE_PATHNAME', 'risk_var'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_var(float8[], float8, text, float8) IS
	'one-period value at risk of a return series (oldest first) as a positive loss fraction; methods historical (type-7 quantile), normal, t (shape NULL: method of moments), cornish_fisher, fhs_ewma, fhs_garch';

CREATE FUNCTION @extschema@.risk_cvar(returns float8[], confidence float8 DEFAULT 0.99,
	method text DEFAULT 'historical', shape float8 DEFAULT NULL)
RETURNS float8
AS 'MODULE_PATHNAME', 'risk_cvar'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_cvar(float8[], float8, text, float8) IS
	'one-period conditional VaR (expected shortfall) of a return series as a positive loss fraction, consistent with risk_var''s method';

CREATE FUNCTION @extschema@.risk_var_mc(weights float8[], cov float8[], confidence float8,
	paths int, seed bigint, horizon_days int DEFAULT 1, OUT var float8, OUT cvar float8)
RETURNS record
AS 'MODULE_PATHNAME', 'risk_var_mc'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_var_mc(float8[], float8[], float8, int, bigint, int) IS
	'Monte Carlo VaR and CVaR of a portfolio of correlated normal assets (Cholesky of cov, n x n or flat), in the unit of the weights; reproducible for a seed (xoshiro256**)';

CREATE FUNCTION @extschema@.risk_var_contributions(weights float8[], cov float8[], confidence float8)
RETURNS TABLE (asset int, marginal float8, component float8)
AS 'MODULE_PATHNAME', 'risk_var_contributions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.risk_var_contributions(float8[], float8[], float8) IS
	'Euler allocation of the parametric normal VaR of a portfolio: marginal VaR per unit of each asset and its component (components add up to the VaR)';

CREATE FUNCTION @extschema@.risk_kupiec(n int, exceedances int, p float8, OUT lr float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'risk_kupiec'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_kupiec(int, int, float8) IS
	'Kupiec proportion-of-failures test of exceedances in n days against rate p: likelihood ratio and chi-square(1) p-value';

CREATE FUNCTION @extschema@.risk_christoffersen(hits boolean[], OUT lr float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'risk_christoffersen'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_christoffersen(boolean[]) IS
	'Christoffersen independence test of a VaR hit sequence (Markov transitions): likelihood ratio and chi-square(1) p-value';

CREATE FUNCTION @extschema@.risk_var_backtest(returns float8[], "window" int, confidence float8,
	method text DEFAULT 'historical', shape float8 DEFAULT NULL,
	OUT n int, OUT exceedances int, OUT expected float8, OUT kupiec_lr float8, OUT kupiec_p float8,
	OUT christoffersen_lr float8, OUT christoffersen_p float8)
RETURNS record
AS 'MODULE_PATHNAME', 'risk_var_backtest'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_var_backtest(float8[], int, float8, text, float8) IS
	'rolling VaR backtest: VaR at each day from the previous window returns only, hits when the loss exceeds it; Kupiec and Christoffersen tests';
