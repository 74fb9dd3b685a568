-- src/forecast/lstm.sql: checks of the lstm kind's gradient (docs/forecast.md).

-- The backpropagation-through-time gradient of the lstm training loss on a
-- random small net and sequence (from seed) against central differences of
-- the same loss, per parameter group.
CREATE FUNCTION @extschema@.forecast_lstm_gradient_check(seed bigint, "window" int DEFAULT 8,
	hidden int DEFAULT 4, eps float8 DEFAULT 1e-6)
RETURNS TABLE (parameter text, max_abs_error float8, max_rel_error float8, checked int)
AS '$libdir/amplified_forecast', 'forecast_lstm_gradient_check'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_lstm_gradient_check(bigint, int, int, float8) IS
	'the lstm training gradient (backpropagation through time) against central differences of the same loss on a random net and sequence from seed: the largest absolute and relative error per parameter group';

-- The lstm training loss of a fit on a series and its gradient, in the
-- state's parameter order.
CREATE FUNCTION @extschema@.forecast_lstm_loss_gradient(fit @extschema@.forecast_fit, y float8[],
	OUT loss float8, OUT gradient float8[])
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_lstm_loss_gradient'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_lstm_loss_gradient(@extschema@.forecast_fit, float8[]) IS
	'an lstm fit''s training loss on y (mean squared one-step error of every window, standardised as in training) and its gradient in the state''s parameter order';

-- Math on the caller's values: analysts and up.
REVOKE ALL ON FUNCTION @extschema@.forecast_lstm_gradient_check(bigint, int, int, float8),
	@extschema@.forecast_lstm_loss_gradient(@extschema@.forecast_fit, float8[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_lstm_gradient_check(bigint, int, int, float8),
	@extschema@.forecast_lstm_loss_gradient(@extschema@.forecast_fit, float8[]) TO amplified_analyst;
