-- src/derivs/funding.sql: perpetual-futures funding carry (docs/derivatives.md,
-- "Funding carry").  The local chain has no perpetuals venue, so funding
-- payments are market data users load into derivs_funding_payments.  The
-- market layer's registry (market_sources / market_feeds) is keyed by chain
-- and contract and serves on-chain price and rate reads; an off-chain venue
-- and market fit neither, so this module owns the table and every consumer
-- reads it through the read models below (derivs_funding_*), never directly.
--
-- Conventions.  A payment's rate is the fraction of the position's notional
-- paid for one funding interval of interval_seconds, ending at its time
-- `at`: a positive rate is paid by longs to shorts.  A window (from_ts,
-- to_ts] holds the payments with from_ts < at <= to_ts.  A year is 365 days
-- (31536000 seconds), as in the yield module.  Over the window's n payments,
-- covering S = sum(interval_seconds) seconds:
--   simple APR      sum(rate) * 31536000 / S
--   compounded APY  prod(1 + rate) ^ (31536000 / S) - 1
-- so a gap in the data (a missing payment) shortens S instead of counting as
-- zero funding; coverage = S / window length says how complete it was.

CREATE TABLE @extschema@.derivs_funding_payments (
	venue				text NOT NULL CHECK (venue ~ '^\S(.*\S)?$' AND length(venue) <= 100),
	market				text NOT NULL CHECK (market ~ '^\S(.*\S)?$' AND length(market) <= 100),
	at					timestamptz NOT NULL CHECK (isfinite(at)),
	rate				float8 NOT NULL CHECK (rate > -1 AND rate < 1),
	interval_seconds	integer NOT NULL CHECK (interval_seconds > 0),
	mark_price			float8 CHECK (mark_price > 0 AND mark_price < 'Infinity'),
	loaded_at			timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (venue, market, at)
);
COMMENT ON TABLE @extschema@.derivs_funding_payments IS
	'Perpetual-futures funding payments, loaded by users: venue, market, payment time, rate per funding interval (positive: longs pay shorts), interval length in seconds, mark price (optional)';
-- Loaded by users from off-chain venues, so no ingestion makes them again: dumped.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.derivs_funding_payments', '');
REVOKE ALL ON @extschema@.derivs_funding_payments FROM PUBLIC;
GRANT SELECT ON @extschema@.derivs_funding_payments TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.derivs_funding_payments TO amplified_operator;

-- Refuse an empty venue or market (22023) and a window or bucket the
-- market layer would refuse (market_check_window).
CREATE FUNCTION @extschema@.derivs_funding_check(venue text, market text, from_ts timestamptz,
	to_ts timestamptz, bucket interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF venue IS NULL OR btrim(venue) = '' OR market IS NULL OR btrim(market) = '' THEN
		RAISE EXCEPTION 'venue and market must be given' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM market_check_window(from_ts, to_ts, bucket);
	IF from_ts = to_ts THEN
		RAISE EXCEPTION 'the window is empty: from_ts equals to_ts (%)', from_ts USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_funding_check(text, text, timestamptz, timestamptz, interval) IS
	'refuse an empty venue or market, or a window (from_ts, to_ts] or bucket the market layer refuses (22023)';

-- Annualised funding of a venue's market over (from_ts, to_ts]: the simple
-- APR and the compounded APY of the payments (see the header), the
-- cumulative return of the short (prod(1 + rate) - 1), the number of
-- payments, the seconds they cover and the coverage of the window.  With no
-- payment in the window the rates are NULL and payments 0.
CREATE FUNCTION @extschema@.derivs_funding_annualized(venue text, market text,
	from_ts timestamptz, to_ts timestamptz,
	OUT simple_apr float8, OUT compounded_apy float8, OUT cumulative float8,
	OUT payments int, OUT covered_seconds bigint, OUT coverage float8,
	OUT mean_mark_price float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM derivs_funding_check(venue, market, from_ts, to_ts, NULL);
	SELECT sum(f.rate) * 31536000 / sum(f.interval_seconds),
		   exp(sum(ln(1 + f.rate)) * 31536000 / sum(f.interval_seconds)) - 1,
		   exp(sum(ln(1 + f.rate))) - 1,
		   count(*), sum(f.interval_seconds),
		   sum(f.interval_seconds) / extract(epoch FROM to_ts - from_ts)::float8,
		   avg(f.mark_price)
	  INTO simple_apr, compounded_apy, cumulative, payments, covered_seconds, coverage, mean_mark_price
	  FROM derivs_funding_payments f
	 WHERE f.venue = derivs_funding_annualized.venue AND f.market = derivs_funding_annualized.market
	   AND f.at > from_ts AND f.at <= to_ts;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_funding_annualized(text, text, timestamptz, timestamptz) IS
	'funding of a perpetual over (from_ts, to_ts]: simple APR sum(rate)*year/covered seconds, compounded APY prod(1+rate)^(year/covered)-1, cumulative, payments, covered seconds, coverage, mean mark price';

-- The same per bucket: one row per bucket end from_ts + k * bucket (k >= 1,
-- up to to_ts), over the payments in (end - bucket, end]; rates NULL for a
-- bucket without payments.  The ends are those of the market layer's
-- bucketed series (forecast_rate_buckets), so the two join on at.
CREATE FUNCTION @extschema@.derivs_funding_series(venue text, market text,
	from_ts timestamptz, to_ts timestamptz, bucket interval)
RETURNS TABLE (at timestamptz, simple_apr float8, compounded_apy float8, payments int, covered_seconds bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	secs float8;
BEGIN
	PERFORM derivs_funding_check(venue, market, from_ts, to_ts, coalesce(bucket, interval '0'));
	secs := extract(epoch FROM bucket);
	RETURN QUERY
	SELECT g.e, sum(f.rate) * 31536000 / sum(f.interval_seconds),
		   exp(sum(ln(1 + f.rate)) * 31536000 / sum(f.interval_seconds)) - 1,
		   count(f.at)::int, sum(f.interval_seconds)::bigint
	  FROM generate_series(1, floor(extract(epoch FROM to_ts - from_ts) / secs)::bigint) k
	 CROSS JOIN LATERAL (SELECT from_ts + make_interval(secs => k * secs) AS e) g
	  LEFT JOIN derivs_funding_payments f
		ON f.venue = derivs_funding_series.venue AND f.market = derivs_funding_series.market
	   AND f.at > g.e - bucket AND f.at <= g.e
	 GROUP BY g.e
	 ORDER BY g.e;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_funding_series(text, text, timestamptz, timestamptz, interval) IS
	'per bucket end from_ts + k*bucket (k >= 1): the simple APR and compounded APY of the funding paid in (end - bucket, end], payments, covered seconds';

-- Refuse a cost parameter that is negative or not finite (22023).
CREATE FUNCTION @extschema@.derivs_carry_costs_check(trading_fee_bps float8, margin_fraction float8,
	margin_rate float8)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF trading_fee_bps IS NULL OR NOT (trading_fee_bps >= 0 AND trading_fee_bps < 10000) THEN
		RAISE EXCEPTION 'trading_fee_bps must lie in [0, 10000): %', trading_fee_bps USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF margin_fraction IS NULL OR NOT (margin_fraction >= 0 AND margin_fraction <= 1) THEN
		RAISE EXCEPTION 'margin_fraction must lie in [0, 1]: %', margin_fraction USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF margin_rate IS NULL OR NOT (margin_rate >= 0 AND margin_rate < 'Infinity') THEN
		RAISE EXCEPTION 'margin_rate must be a finite rate not below 0: %', margin_rate USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_carry_costs_check(float8, float8, float8) IS
	'refuse basis-trade cost parameters out of range (22023)';

-- The basis trade's carry over (from_ts, to_ts], per unit of notional and
-- per year (simple rates, additive): long the LST, short the same notional
-- of the ETH perpetual.
--   staking_apr     the LST's APR over the window (yield_apr_window), or staking_apr_given
--                   (a forecast, a quote)
--   funding_apr     derivs_funding_annualized's simple APR: the short
--                   receives it when positive, pays it when negative
--   gross_carry     staking_apr + funding_apr
--   trading_cost    trading_fee_bps / 10000 (the round trip: open and close
--                   both legs, fees and spread, as a share of notional),
--                   spread over the window: / (window length in years)
--   margin_cost     margin_fraction * margin_rate: the perpetual's margin
--                   (a share of notional) financed at margin_rate per year
--   costs           trading_cost + margin_cost
--   net_carry       gross_carry - costs
-- 55000 when the window has no funding payment, or the LST's APR cannot be
-- read and none is given.
CREATE FUNCTION @extschema@.derivs_basis_carry(chain_id bigint, lst @extschema@.address,
	venue text, market text, from_ts timestamptz, to_ts timestamptz,
	trading_fee_bps float8 DEFAULT 0, margin_fraction float8 DEFAULT 0, margin_rate float8 DEFAULT 0,
	staking_apr_given float8 DEFAULT NULL,
	OUT staking_apr float8, OUT funding_apr float8, OUT gross_carry float8,
	OUT trading_cost float8, OUT margin_cost float8, OUT costs float8, OUT net_carry float8,
	OUT funding_apy float8, OUT payments int, OUT coverage float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	f record;
	years float8;
BEGIN
	PERFORM derivs_funding_check(venue, market, from_ts, to_ts, NULL);
	PERFORM derivs_carry_costs_check(trading_fee_bps, margin_fraction, margin_rate);
	IF staking_apr_given IS NOT NULL AND NOT (staking_apr_given > -1 AND staking_apr_given < 'Infinity') THEN
		RAISE EXCEPTION 'staking_apr_given must be a finite rate above -1: %', staking_apr_given USING ERRCODE = 'invalid_parameter_value';
	END IF;
	f := derivs_funding_annualized(venue, market, from_ts, to_ts);
	IF f.payments = 0 THEN
		RAISE EXCEPTION 'no funding payment of % % in (%, %]', venue, market, from_ts, to_ts
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Load the venue''s funding payments into derivs_funding_payments.';
	END IF;
	staking_apr := coalesce(staking_apr_given, yield_apr_window(chain_id, lst, to_ts - from_ts, to_ts));
	IF staking_apr IS NULL THEN
		RAISE EXCEPTION 'no staking APR of % on chain % over (%, %]', lst, chain_id, from_ts, to_ts
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'The LST''s exchange-rate reads are too sparse over the window; pass staking_apr_given.';
	END IF;
	years := extract(epoch FROM to_ts - from_ts)::float8 / 31536000;
	funding_apr := f.simple_apr;
	funding_apy := f.compounded_apy;
	payments := f.payments;
	coverage := f.coverage;
	gross_carry := staking_apr + funding_apr;
	trading_cost := trading_fee_bps / 10000 / years;
	margin_cost := margin_fraction * margin_rate;
	costs := trading_cost + margin_cost;
	net_carry := gross_carry - costs;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_basis_carry(bigint, @extschema@.address, text, text, timestamptz, timestamptz, float8, float8, float8, float8) IS
	'carry of long LST / short ETH perpetual over (from_ts, to_ts], per year: staking APR + funding APR (simple) - round-trip fees spread over the window - margin_fraction * margin_rate';

-- The carry per bucket, for charts: at each bucket end (as
-- derivs_funding_series), the bucket's staking APR (forecast_rate_buckets'
-- APR of the LST's rate feed, or staking_apr_given), its funding APR,
-- gross carry, the margin cost and the net carry.  Trading fees are a
-- one-off of the whole trade, not of a bucket: they are spread over the
-- whole window (as derivs_basis_carry does) and taken from every bucket.
-- A bucket without payments or without a staking APR has NULL carries.
CREATE FUNCTION @extschema@.derivs_basis_carry_series(chain_id bigint, lst @extschema@.address,
	venue text, market text, from_ts timestamptz, to_ts timestamptz, bucket interval,
	trading_fee_bps float8 DEFAULT 0, margin_fraction float8 DEFAULT 0, margin_rate float8 DEFAULT 0,
	staking_apr_given float8 DEFAULT NULL)
RETURNS TABLE (at timestamptz, staking_apr float8, funding_apr float8, gross_carry float8,
	costs float8, net_carry float8, payments int)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	c float8;
BEGIN
	PERFORM derivs_funding_check(venue, market, from_ts, to_ts, coalesce(bucket, interval '0'));
	PERFORM derivs_carry_costs_check(trading_fee_bps, margin_fraction, margin_rate);
	IF staking_apr_given IS NOT NULL AND NOT (staking_apr_given > -1 AND staking_apr_given < 'Infinity') THEN
		RAISE EXCEPTION 'staking_apr_given must be a finite rate above -1: %', staking_apr_given USING ERRCODE = 'invalid_parameter_value';
	END IF;
	c := trading_fee_bps / 10000 / (extract(epoch FROM to_ts - from_ts)::float8 / 31536000)
		 + margin_fraction * margin_rate;
	IF staking_apr_given IS NOT NULL THEN
		RETURN QUERY
		SELECT s.at, staking_apr_given, s.simple_apr, staking_apr_given + s.simple_apr, c,
			   staking_apr_given + s.simple_apr - c, s.payments
		  FROM derivs_funding_series(venue, market, from_ts, to_ts, bucket) s;
	ELSE
		RETURN QUERY
		SELECT s.at, r.apr, s.simple_apr, r.apr + s.simple_apr, c, r.apr + s.simple_apr - c, s.payments
		  FROM derivs_funding_series(venue, market, from_ts, to_ts, bucket) s
		  LEFT JOIN forecast_rate_buckets(chain_id, lst, from_ts, to_ts, bucket) r ON r.at = s.at
		 ORDER BY s.at;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.derivs_basis_carry_series(bigint, @extschema@.address, text, text, timestamptz, timestamptz, interval, float8, float8, float8, float8) IS
	'the basis trade''s carry per bucket end: staking APR (forecast_rate_buckets or given), funding APR, gross, costs (fees spread over the window + margin), net';

-- Reading the loaded payments: readers; the checks stay PUBLIC (no data).
REVOKE ALL ON FUNCTION @extschema@.derivs_funding_annualized(text, text, timestamptz, timestamptz),
	@extschema@.derivs_funding_series(text, text, timestamptz, timestamptz, interval),
	@extschema@.derivs_basis_carry(bigint, @extschema@.address, text, text, timestamptz, timestamptz, float8, float8, float8, float8),
	@extschema@.derivs_basis_carry_series(bigint, @extschema@.address, text, text, timestamptz, timestamptz, interval, float8, float8, float8, float8)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.derivs_funding_annualized(text, text, timestamptz, timestamptz),
	@extschema@.derivs_funding_series(text, text, timestamptz, timestamptz, interval)
	TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.derivs_basis_carry(bigint, @extschema@.address, text, text, timestamptz, timestamptz, float8, float8, float8, float8),
	@extschema@.derivs_basis_carry_series(bigint, @extschema@.address, text, text, timestamptz, timestamptz, interval, float8, float8, float8, float8)
	TO amplified_analyst;
