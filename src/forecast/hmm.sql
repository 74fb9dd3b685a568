-- src/forecast/hmm.sql: the hmm kind's own functions (docs/forecast.md, the
-- hmm section): the most likely state path and the log-likelihood of a
-- series under a fitted hidden Markov model.

CREATE FUNCTION @extschema@.forecast_hmm_viterbi(fit @extschema@.forecast_fit, y float8[] DEFAULT NULL)
RETURNS int[]
AS '$libdir/amplified_forecast', 'forecast_hmm_viterbi'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_hmm_viterbi(@extschema@.forecast_fit, float8[]) IS
	'the most likely state path (Viterbi; states numbered from 1 as in the summary) of y, or of the training series when y is NULL, under an hmm fit';

CREATE FUNCTION @extschema@.forecast_hmm_loglik(fit @extschema@.forecast_fit, y float8[] DEFAULT NULL)
RETURNS float8
AS '$libdir/amplified_forecast', 'forecast_hmm_loglik'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_hmm_loglik(@extschema@.forecast_fit, float8[]) IS
	'the log-likelihood of y, or of the training series when y is NULL, under an hmm fit''s parameters';

-- Math on the caller's arrays: analysts and up, as forecast_fit_regime.
REVOKE ALL ON FUNCTION @extschema@.forecast_hmm_viterbi(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_hmm_loglik(@extschema@.forecast_fit, float8[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_hmm_viterbi(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_hmm_loglik(@extschema@.forecast_fit, float8[]) TO amplified_analyst;
