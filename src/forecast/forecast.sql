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
