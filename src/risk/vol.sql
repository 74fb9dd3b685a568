-- src/risk/vol.sql: volatility models (EWMA, GARCH(1,1)) over a return
-- series, oldest first.  Pure computation (immutable, harmless: PUBLIC may
-- execute); the math is in vol.c.

-- A GARCH(1,1) fit: r[t] = mu + e[t], h[t] = omega + alpha e[t-1]^2 + beta h[t-1].
CREATE TYPE @extschema@.risk_garch_model AS (
	mu			float8,
	omega		float8,
	alpha		float8,
	beta		float8,
	shape		float8,
	loglik		float8,
	se			jsonb,
	converged	boolean
);
COMMENT ON TYPE @extschema@.risk_garch_model IS
	'a GARCH(1,1) fit: mu, omega, alpha, beta, shape (t degrees of freedom, NULL for normal), log-likelihood, standard errors by name, whether the optimiser converged with an invertible Hessian';

CREATE FUNCTION @extschema@.risk_ewma_variance(returns float8[], lambda float8 DEFAULT 0.94)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'risk_ewma_variance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_ewma_variance(float8[], float8) IS
	'RiskMetrics EWMA variance of each return given the ones before it (zero mean), var[t] = lambda var[t-1] + (1 - lambda) r[t-1]^2, seeded with the mean squared return';

CREATE FUNCTION @extschema@.risk_ewma_forecast(returns float8[], lambda float8 DEFAULT 0.94)
RETURNS float8
AS 'MODULE_PATHNAME', 'risk_ewma_forecast'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_ewma_forecast(float8[], float8) IS
	'RiskMetrics EWMA variance of the period after the last return';

CREATE FUNCTION @extschema@.risk_ewma_covariance(returns float8[], lambda float8 DEFAULT 0.94)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'risk_ewma_covariance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_ewma_covariance(float8[], float8) IS
	'RiskMetrics EWMA covariance matrix of the next period from a T x n array of returns (rows oldest first), seeded with the mean outer product: diagonal = risk_ewma_forecast of each column; risk_var_mc takes it as cov';

CREATE FUNCTION @extschema@.risk_garch_fit(returns float8[], dist text DEFAULT 'normal')
RETURNS @extschema@.risk_garch_model
AS 'MODULE_PATHNAME', 'risk_garch_fit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_garch_fit(float8[], text) IS
	'GARCH(1,1) by maximum likelihood with normal or standardized Student-t (''t'') innovations, started as fGarch (mean squared residual); estimates, log-likelihood, standard errors from the numerical Hessian';

CREATE FUNCTION @extschema@.risk_garch_conditional_variance(mu float8, omega float8, alpha float8,
	beta float8, returns float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'risk_garch_conditional_variance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_garch_conditional_variance(float8, float8, float8, float8, float8[]) IS
	'GARCH(1,1) conditional variance of each return given the ones before it, started from the mean squared residual';

CREATE FUNCTION @extschema@.risk_garch_conditional_variance(fit @extschema@.risk_garch_model,
	returns float8[])
RETURNS float8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.risk_garch_conditional_variance(fit.mu, fit.omega, fit.alpha, fit.beta, returns);
COMMENT ON FUNCTION @extschema@.risk_garch_conditional_variance(@extschema@.risk_garch_model, float8[]) IS
	'conditional variance of each return under a fit of risk_garch_fit';

CREATE FUNCTION @extschema@.risk_garch_forecast(mu float8, omega float8, alpha float8, beta float8,
	returns float8[], horizon int)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'risk_garch_forecast'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_garch_forecast(float8, float8, float8, float8, float8[], int) IS
	'GARCH(1,1) variance forecasts 1..horizon periods after the last return: omega/(1-a-b) + (a+b)^(k-1) (next - omega/(1-a-b))';

CREATE FUNCTION @extschema@.risk_garch_forecast(fit @extschema@.risk_garch_model, returns float8[],
	horizon int)
RETURNS float8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.risk_garch_forecast(fit.mu, fit.omega, fit.alpha, fit.beta, returns, horizon);
COMMENT ON FUNCTION @extschema@.risk_garch_forecast(@extschema@.risk_garch_model, float8[], int) IS
	'variance forecasts 1..horizon periods ahead under a fit of risk_garch_fit';
