-- src/forecast/forecast.sql: models trained and served in SQL (docs/forecast.md).
-- The C functions are in the module's own library, amplified_forecast,
-- loaded by a backend on first use.

-- The trainings and backtests running now, one row per backend.
CREATE FUNCTION @extschema@.forecast_progress(
	OUT pid int, OUT userid oid, OUT task text, OUT project text, OUT kind text,
	OUT model_id bigint, OUT phase text, OUT done bigint, OUT total bigint,
	OUT started timestamptz, OUT updated timestamptz)
RETURNS SETOF record
AS '$libdir/amplified_forecast', 'forecast_progress'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION @extschema@.forecast_progress() IS
	'the trainings and backtests running now (what v_forecast_progress shows)';

-- ---- the kinds on arrays (no registry) ----

-- A trained model as a value: its kind, the seed it was trained with, its
-- serialized state, a summary for people (coefficients, order, states ...),
-- and the in-sample figures (residual standard deviation, log-likelihood,
-- AIC, number of parameters) when the kind has them.
CREATE TYPE @extschema@.forecast_fit AS (
	kind		text,
	seed		bigint,
	state		bytea,
	summary		jsonb,
	sigma		float8,
	loglik		float8,
	aic			float8,
	nparams		int
);
COMMENT ON TYPE @extschema@.forecast_fit IS
	'a model trained on arrays by forecast_fit: kind, seed, serialized state, summary and in-sample figures';

CREATE FUNCTION @extschema@.forecast_fit(kind text, y float8[], x float8[] DEFAULT NULL,
	params jsonb DEFAULT '{}')
RETURNS @extschema@.forecast_fit
AS '$libdir/amplified_forecast', 'forecast_fit'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb) IS
	'train a model kind on arrays: y the target (or the series, oldest first), x the features (rows by columns); params as forecast_train';

CREATE FUNCTION @extschema@.forecast_fit_predict(fit @extschema@.forecast_fit, x float8[])
RETURNS float8[]
AS '$libdir/amplified_forecast', 'forecast_fit_predict'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]) IS
	'a feature model''s prediction for each row of x (one row when x has one dimension)';

CREATE FUNCTION @extschema@.forecast_fit_forecast(fit @extschema@.forecast_fit, horizon int,
	y float8[] DEFAULT NULL)
RETURNS TABLE (step int, mean float8, sd float8)
AS '$libdir/amplified_forecast', 'forecast_fit_forecast'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]) IS
	'a series model''s forecast 1..horizon steps after its training series (or after y, with the fitted parameters): mean and standard deviation';

CREATE FUNCTION @extschema@.forecast_fit_regime(fit @extschema@.forecast_fit, y float8[] DEFAULT NULL,
	OUT state int, OUT label text, OUT probs float8[], OUT labels text[])
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_fit_regime'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]) IS
	'a regime model''s most likely state at the end of its training series (or of y), its label, and every state''s probability and label';

-- Math on the caller's arrays: analysts and up.  forecast_progress shows
-- who trains what: readers see it (dashboards).
REVOKE ALL ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb),
	@extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]),
	@extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_progress() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb),
	@extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]),
	@extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_progress() TO amplified_reader;
