-- src/yield/yield.sql: LST/LRT yields.  The APR and APY of an exchange-rate
-- change are C (apr.c); the functions below read the ingested exchange-rate
-- series through the tokens module's read models (src/tokens/read.sql,
-- timed by blocks) and the view v_yields shows every tracked asset.
-- docs/yield.md has the definitions and examples.
--
-- A token's rate series is the reads of one method (stEthPerToken(),
-- getExchangeRate() or convertToAssets(1e18)): unless a method is given, the
-- method of the token's latest read (token_lst_method).  Windows are measured on block
-- timestamps.  Sparse or missing reads give NULL, never an error.

-- ---- pure math (immutable, harmless: PUBLIC may execute) ----

CREATE FUNCTION @extschema@.yield_apr(rate_then @extschema@.uint256, rate_now @extschema@.uint256, seconds float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'yield_apr'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.yield_apr(@extschema@.uint256, @extschema@.uint256, float8) IS
	'(rate_now / rate_then - 1) * (365 days / seconds), from the exact ratio: the simple APR of an exchange-rate change';

CREATE FUNCTION @extschema@.yield_apy(rate_then @extschema@.uint256, rate_now @extschema@.uint256, seconds float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'yield_apy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.yield_apy(@extschema@.uint256, @extschema@.uint256, float8) IS
	'(rate_now / rate_then)^(365 days / seconds) - 1: the compounded APY of an exchange-rate change';

-- ---- series over the exchange-rate read models (src/tokens/read.sql) ----

-- The method of a token's latest exchange-rate read (NULL without reads):
-- token_lst_method, the rule of every rate read.
CREATE FUNCTION @extschema@.yield_token_method(chain_id bigint, token @extschema@.address)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT token_lst_method($1, $2)
$$;
COMMENT ON FUNCTION @extschema@.yield_token_method(bigint, @extschema@.address) IS
	'the exchange-rate method of a token''s latest read (token_lst_method)';

-- A token's latest exchange-rate read at or before a time (no row if none).
CREATE FUNCTION @extschema@.yield_rate_at(chain_id bigint, token @extschema@.address,
	at timestamptz DEFAULT now(), method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, rate @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT r.block_number, r.at, r.rate FROM token_lst_rate_at_time($1, $2, $3, $4) r
$$;
COMMENT ON FUNCTION @extschema@.yield_rate_at(bigint, @extschema@.address, timestamptz, text) IS
	'a token''s latest exchange-rate read at or before a time';

-- A token's exchange-rate reads in (from_ts, to_ts], oldest first, each with
-- the APR since the read before it (the first one's too, when there is an
-- earlier read; NULL after a zero read).
CREATE FUNCTION @extschema@.yield_rate_series(chain_id bigint, token @extschema@.address,
	from_ts timestamptz DEFAULT '-infinity', to_ts timestamptz DEFAULT now(), method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, method text, rate @extschema@.uint256,
	rate_units numeric, apr float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	-- The series starts with the read in effect at from_ts, for the first APR.
	SELECT s.block_number, s.at, s.method, s.rate, to_units(s.rate, 18),
		   CASE WHEN s.prev_rate > 0 AND s.rate > 0 AND s.at > s.prev_at
				THEN yield_apr(s.prev_rate, s.rate, extract(epoch FROM s.at - s.prev_at)::float8) END
	  FROM (SELECT r.*, lag(r.rate) OVER w AS prev_rate, lag(r.at) OVER w AS prev_at
			  FROM token_lst_rate_series($1, $2, $3, $4, $5) r WINDOW w AS (ORDER BY r.block_number)) s
	 WHERE s.at > $3
	 ORDER BY s.block_number
$$;
COMMENT ON FUNCTION @extschema@.yield_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text) IS
	'a token''s exchange-rate reads in (from_ts, to_ts], with the APR since the previous read';

-- The two reads a window's yield is measured between: the latest read at or
-- before at - period (which must be newer than at - 2 * period) and the
-- latest at or before at (which must be newer than at - period), and the
-- seconds between their blocks.  No row when the series is too sparse for
-- the window, or when either rate is zero.
CREATE FUNCTION @extschema@.yield_window_reads(chain_id bigint, token @extschema@.address,
	period interval, at timestamptz DEFAULT now(),
	OUT rate_then @extschema@.uint256, OUT rate_now @extschema@.uint256, OUT seconds float8,
	OUT from_block bigint, OUT to_block bigint)
RETURNS SETOF record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	m text := yield_token_method(chain_id, token);
BEGIN
	IF period IS NULL OR at IS NULL THEN
		RETURN;
	END IF;
	IF period <= interval '0' THEN
		RAISE EXCEPTION 'window must be positive, not %', period USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN QUERY
	SELECT s.rate, e.rate, extract(epoch FROM e.at - s.at)::float8, s.block_number, e.block_number
	  FROM yield_rate_at(yield_window_reads.chain_id, yield_window_reads.token,
						 yield_window_reads.at - yield_window_reads.period, m) s,
		   yield_rate_at(yield_window_reads.chain_id, yield_window_reads.token, yield_window_reads.at, m) e
	 WHERE s.at > yield_window_reads.at - 2 * yield_window_reads.period
	   AND e.at > yield_window_reads.at - yield_window_reads.period
	   AND s.rate > 0 AND e.rate > 0;
END
$$;
COMMENT ON FUNCTION @extschema@.yield_window_reads(bigint, @extschema@.address, interval, timestamptz) IS
	'the reads a window''s yield is measured between (none when the series is too sparse)';

-- The APR of a token over the window ending at `at` (see yield_window_reads),
-- annualised over the seconds between the two reads' blocks; NULL when the
-- series is too sparse.
CREATE FUNCTION @extschema@.yield_apr_window(chain_id bigint, token @extschema@.address,
	period interval, at timestamptz DEFAULT now())
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT yield_apr(w.rate_then, w.rate_now, w.seconds) FROM yield_window_reads($1, $2, $3, $4) w
$$;
COMMENT ON FUNCTION @extschema@.yield_apr_window(bigint, @extschema@.address, interval, timestamptz) IS
	'APR of a token''s exchange rate over the window ending at a time; NULL if the reads are too sparse';

-- The same window, compounded (APY).
CREATE FUNCTION @extschema@.yield_apy_window(chain_id bigint, token @extschema@.address,
	period interval, at timestamptz DEFAULT now())
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT yield_apy(w.rate_then, w.rate_now, w.seconds) FROM yield_window_reads($1, $2, $3, $4) w
$$;
COMMENT ON FUNCTION @extschema@.yield_apy_window(bigint, @extschema@.address, interval, timestamptz) IS
	'APY of a token''s exchange rate over the window ending at a time; NULL if the reads are too sparse';

-- The moving average of the daily APRs of the `days` days ending at `at`
-- (days without enough reads are left out; NULL when all are).
CREATE FUNCTION @extschema@.yield_apr_moving_average(chain_id bigint, token @extschema@.address,
	days integer DEFAULT 7, at timestamptz DEFAULT now())
RETURNS float8
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF days IS NULL OR at IS NULL THEN
		RETURN NULL;
	END IF;
	IF days < 1 OR days > 3660 THEN
		RAISE EXCEPTION 'days must be between 1 and 3660, not %', days USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN (SELECT avg(yield_apr_window(chain_id, token, interval '1 day', at - k * interval '1 day'))
			  FROM generate_series(0, days - 1) AS k);
END
$$;
COMMENT ON FUNCTION @extschema@.yield_apr_moving_average(bigint, @extschema@.address, integer, timestamptz) IS
	'average of the daily APRs of the days ending at a time (days without reads left out)';

-- Every tracked asset: each watched contract of kind lst or erc4626, or that
-- reads an exchange rate, with its latest rate and its yields now.
CREATE VIEW @extschema@.v_yields AS
	SELECT w.chain_id, w.address AS token, w.label, w.kind,
		   l.method, l.block_number, l.rate, @extschema@.to_units(l.rate, 18) AS rate_units,
		   @extschema@.yield_apr_window(w.chain_id, w.address, interval '1 day') AS apr_1d,
		   @extschema@.yield_apr_moving_average(w.chain_id, w.address, 7) AS apr_7d_ma,
		   @extschema@.yield_apr_window(w.chain_id, w.address, interval '30 days') AS apr_30d,
		   @extschema@.yield_apy_window(w.chain_id, w.address, interval '30 days') AS apy_30d,
		   l.at AS as_of
	  FROM @extschema@.watched_contracts w
	  LEFT JOIN LATERAL (
		SELECT @extschema@.yield_token_method(w.chain_id, w.address) AS method, r.*
		  FROM @extschema@.yield_rate_at(w.chain_id, w.address) r) l ON true
	 WHERE w.kind IN ('lst', 'erc4626')
		OR w.reads && ARRAY['stEthPerToken()', 'getExchangeRate()', 'convertToAssets(uint256)'];
COMMENT ON VIEW @extschema@.v_yields IS
	'Per tracked LST/LRT: latest exchange rate, APR over 1 day, 7-day moving average of daily APRs, 30 days; as_of is the latest read''s block time';

REVOKE ALL ON FUNCTION @extschema@.yield_token_method(bigint, @extschema@.address),
	@extschema@.yield_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text),
	@extschema@.yield_rate_at(bigint, @extschema@.address, timestamptz, text),
	@extschema@.yield_window_reads(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apr_window(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apy_window(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apr_moving_average(bigint, @extschema@.address, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.yield_token_method(bigint, @extschema@.address),
	@extschema@.yield_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text),
	@extschema@.yield_rate_at(bigint, @extschema@.address, timestamptz, text),
	@extschema@.yield_window_reads(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apr_window(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apy_window(bigint, @extschema@.address, interval, timestamptz),
	@extschema@.yield_apr_moving_average(bigint, @extschema@.address, integer, timestamptz) TO amplified_reader;
REVOKE ALL ON @extschema@.v_yields FROM PUBLIC;
GRANT SELECT ON @extschema@.v_yields TO amplified_reader;
