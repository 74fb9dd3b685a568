-- src/derivs/pendle.sql: fixed yield in the Pendle v2 style (src/derivs/pendle.c):
-- PT price and implied APY, YT value, the market's AMM as MarketMathCore
-- defines it (quote, exact swaps, new implied rate), and "lock the fixed rate
-- or stay floating" against a forecast of the floating APR.  Amounts are in
-- token units (not 1e18 wei), rates are plain fractions (ln rates as Pendle's
-- lnImpliedRate / 1e18), times are unix seconds.

CREATE TYPE @extschema@.pendle_market_state AS (
	total_pt float8,				-- PT in the pool
	total_sy float8,				-- SY in the pool
	sy_index float8,				-- asset per SY (the SY's exchange rate, PYIndex)
	scalar_root float8,				-- scalarRoot / 1e18
	last_ln_implied_rate float8,	-- lastLnImpliedRate / 1e18
	ln_fee_rate_root float8,		-- lnFeeRateRoot / 1e18
	reserve_fee_percent float8,		-- 0..100
	expiry bigint					-- unix seconds
);
COMMENT ON TYPE @extschema@.pendle_market_state IS
	'a Pendle v2 market''s state as MarketMathCore''s MarketState, in token units and plain rates';

CREATE FUNCTION @extschema@.pendle_market(total_pt float8, total_sy float8, scalar_root float8,
	last_ln_implied_rate float8, ln_fee_rate_root float8, expiry bigint,
	sy_index float8 DEFAULT 1, reserve_fee_percent float8 DEFAULT 0)
RETURNS @extschema@.pendle_market_state
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT ROW(total_pt, total_sy, sy_index, scalar_root, last_ln_implied_rate, ln_fee_rate_root,
	reserve_fee_percent, expiry)::@extschema@.pendle_market_state $$;
COMMENT ON FUNCTION @extschema@.pendle_market(float8, float8, float8, float8, float8, bigint, float8, float8) IS
	'a pendle_market_state from named fields (sy_index 1 and no reserve fee by default)';

CREATE FUNCTION @extschema@.pendle_pt_price(implied_apy float8, seconds_to_maturity bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'pendle_pt_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_pt_price(float8, bigint) IS
	'PT price in the asset: 1 / (1 + implied_apy)^(seconds / 365 days), Pendle''s e^(-lnImpliedRate t / year) (22023 for a past maturity)';

CREATE FUNCTION @extschema@.pendle_implied_apy(pt_price float8, seconds_to_maturity bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'pendle_implied_apy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_implied_apy(float8, bigint) IS
	'implied APY of a PT price in the asset: pt_price^(-365 days / seconds) - 1 (22023 at or after maturity, for a price not positive)';

CREATE FUNCTION @extschema@.pendle_yt_price(implied_apy float8, seconds_to_maturity bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'pendle_yt_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_yt_price(float8, bigint) IS
	'YT price in the asset: 1 - pendle_pt_price (one asset''s worth of SY mints one PT and one YT)';

CREATE FUNCTION @extschema@.pendle_rate_scalar(scalar_root float8, seconds_to_maturity bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'pendle_rate_scalar'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_rate_scalar(float8, bigint) IS
	'MarketMathCore._getRateScalar: scalar_root * 365 days / seconds to expiry';

CREATE FUNCTION @extschema@.pendle_initial_ln_implied_rate(total_pt float8, total_asset float8,
	scalar_root float8, initial_anchor float8, seconds_to_maturity bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'pendle_initial_ln_implied_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_initial_ln_implied_rate(float8, float8, float8, float8, bigint) IS
	'MarketMathCore.setInitialLnImpliedRate: the ln implied rate a new market quotes with its initial anchor';

CREATE FUNCTION @extschema@.pendle_market_quote(market @extschema@.pendle_market_state, now bigint,
	OUT rate_scalar float8, OUT total_asset float8, OUT rate_anchor float8, OUT fee_rate float8,
	OUT exchange_rate float8, OUT ln_implied_rate float8, OUT implied_apy float8,
	OUT pt_price_asset float8, OUT pt_price_sy float8)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_market_quote'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_market_quote(@extschema@.pendle_market_state, bigint) IS
	'MarketMathCore.getMarketPreCompute at now (rate scalar, total asset, rate anchor, fee rate) and the pool''s quote: exchange rate, implied rate and APY, PT price in asset and SY (NULL where the pool holds over 96 % PT: no current rate, as on chain)';

CREATE FUNCTION @extschema@.pendle_swap_exact_pt_for_sy(market @extschema@.pendle_market_state,
	exact_pt_in float8, now bigint,
	OUT net_sy_to_account float8, OUT net_sy_fee float8, OUT net_sy_to_reserve float8,
	OUT new_total_pt float8, OUT new_total_sy float8, OUT new_ln_implied_rate float8,
	OUT new_implied_apy float8)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_swap_exact_pt_for_sy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_swap_exact_pt_for_sy(@extschema@.pendle_market_state, float8, bigint) IS
	'MarketMathCore.swapExactPtForSy: SY out for exact PT in, the fee and the reserve''s share (in SY), and the market after the trade';

CREATE FUNCTION @extschema@.pendle_swap_sy_for_exact_pt(market @extschema@.pendle_market_state,
	exact_pt_out float8, now bigint,
	OUT net_sy_to_market float8, OUT net_sy_fee float8, OUT net_sy_to_reserve float8,
	OUT new_total_pt float8, OUT new_total_sy float8, OUT new_ln_implied_rate float8,
	OUT new_implied_apy float8)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_swap_sy_for_exact_pt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_swap_sy_for_exact_pt(@extschema@.pendle_market_state, float8, bigint) IS
	'MarketMathCore.swapSyForExactPt: SY in for exact PT out, the fee and the reserve''s share (in SY), and the market after the trade';

CREATE FUNCTION @extschema@.pendle_fixed_vs_floating(implied_apy float8, seconds_to_maturity bigint,
	expected_apr float8, apr_sd float8, threshold float8 DEFAULT 0.001,
	OUT fixed_apy float8, OUT fixed_rate float8, OUT expected_floating_apr float8,
	OUT floating_apr_sd float8, OUT fixed_term_return float8, OUT expected_floating_term_return float8,
	OUT floating_term_sd float8, OUT prob_floating_beats_fixed float8, OUT recommendation text)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_fixed_vs_floating_pure'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_fixed_vs_floating(float8, bigint, float8, float8, float8) IS
	'lock a PT''s fixed rate or stay floating, given the term''s expected floating APR (continuously compounded) and its sd: P(floating beats fixed) by the normal law, and lock / float / indifferent within threshold';

CREATE FUNCTION @extschema@.pendle_fixed_vs_floating(implied_apy float8, seconds_to_maturity bigint,
	forecast_project text, step_seconds bigint DEFAULT 86400, recent float8[] DEFAULT NULL,
	threshold float8 DEFAULT 0.001,
	OUT fixed_apy float8, OUT fixed_rate float8, OUT expected_floating_apr float8,
	OUT floating_apr_sd float8, OUT fixed_term_return float8, OUT expected_floating_term_return float8,
	OUT floating_term_sd float8, OUT prob_floating_beats_fixed float8, OUT recommendation text,
	OUT horizon int, OUT model_id bigint)
RETURNS record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	v_h int;
	v_mean float8 := 0;
	v_sd float8 := 0;
	v_w float8;
	r record;
	p record;
BEGIN
	IF seconds_to_maturity IS NULL OR seconds_to_maturity <= 0 THEN
		RAISE EXCEPTION 'maturity is not in the future: % seconds to maturity', seconds_to_maturity
			USING ERRCODE = '22023';
	END IF;
	IF step_seconds IS NULL OR step_seconds <= 0 THEN
		RAISE EXCEPTION 'step_seconds must be positive: %', step_seconds USING ERRCODE = '22023';
	END IF;
	IF (seconds_to_maturity + step_seconds - 1) / step_seconds > 10000 THEN
		RAISE EXCEPTION 'the term is % steps of the forecast, more than 10000', (seconds_to_maturity + step_seconds - 1) / step_seconds
			USING ERRCODE = '22023', HINT = 'Forecast a coarser series (a larger step_seconds).';
	END IF;
	v_h := ((seconds_to_maturity + step_seconds - 1) / step_seconds)::int;
	BEGIN
		FOR r IN SELECT f.step, f.mean, f.sd, f.model_id
				   FROM @extschema@.forecast_predict_horizon(forecast_project, v_h, recent) f ORDER BY f.step
		LOOP
			-- each step weighs its seconds inside the term (the last may be partial)
			v_w := least(step_seconds, seconds_to_maturity - (r.step - 1)::bigint * step_seconds)::float8;
			v_mean := v_mean + v_w * r.mean;
			v_sd := v_sd + v_w * r.sd;
			model_id := r.model_id;
		END LOOP;
	EXCEPTION WHEN object_not_in_prerequisite_state THEN
		RAISE EXCEPTION 'no forecast of the floating APR: %', SQLERRM
			USING ERRCODE = '55000',
				  HINT = format('Train a series model of the floating APR (an annual fraction, one value per %s seconds) in project %L with forecast_train, or pass expected_apr and apr_sd to the pure variant.',
								step_seconds, forecast_project);
	END;
	p := @extschema@.pendle_fixed_vs_floating($1, seconds_to_maturity,
		v_mean / seconds_to_maturity, v_sd / seconds_to_maturity, threshold);
	fixed_apy := p.fixed_apy;
	fixed_rate := p.fixed_rate;
	expected_floating_apr := p.expected_floating_apr;
	floating_apr_sd := p.floating_apr_sd;
	fixed_term_return := p.fixed_term_return;
	expected_floating_term_return := p.expected_floating_term_return;
	floating_term_sd := p.floating_term_sd;
	prob_floating_beats_fixed := p.prob_floating_beats_fixed;
	recommendation := p.recommendation;
	horizon := v_h;
END
$$;
COMMENT ON FUNCTION @extschema@.pendle_fixed_vs_floating(float8, bigint, text, bigint, float8[], float8) IS
	'lock a PT''s fixed rate or stay floating, with the floating APR over the term from the project''s live series model (forecast_predict_horizon, one step per step_seconds): mean the time-weighted step means, sd the time-weighted step sds (their sum, the bound for perfectly correlated steps)';
REVOKE ALL ON FUNCTION @extschema@.pendle_fixed_vs_floating(float8, bigint, text, bigint, float8[], float8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.pendle_fixed_vs_floating(float8, bigint, text, bigint, float8[], float8) TO amplified_analyst;

-- ---- the contract's integers, bit for bit (src/derivs/pendle_wei.c) ----

CREATE TYPE @extschema@.pendle_market_wei AS (
	total_pt numeric,				-- MarketState.totalPt (wei)
	total_sy numeric,				-- MarketState.totalSy (wei)
	py_index numeric,				-- PYIndex: asset per SY at 1e18
	scalar_root numeric,			-- scalarRoot (1e18)
	last_ln_implied_rate numeric,	-- lastLnImpliedRate (1e18)
	ln_fee_rate_root numeric,		-- lnFeeRateRoot (1e18)
	reserve_fee_percent int,		-- 0..100
	expiry bigint					-- unix seconds
);
COMMENT ON TYPE @extschema@.pendle_market_wei IS
	'a Pendle v2 market''s MarketState as the contract holds it (readState): integers at 1e18';

CREATE FUNCTION @extschema@.pendle_wei_exp(x numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'pendle_wei_exp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_wei_exp(numeric) IS
	'LogExpMath.exp on 1e18 integers, bit for bit (22003 outside [-41, 130])';

CREATE FUNCTION @extschema@.pendle_wei_ln(x numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'pendle_wei_ln'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_wei_ln(numeric) IS
	'LogExpMath.ln on 1e18 integers, bit for bit (22023 for x <= 0)';

CREATE FUNCTION @extschema@.pendle_wei_quote(market @extschema@.pendle_market_wei, now bigint,
	OUT rate_scalar numeric, OUT total_asset numeric, OUT rate_anchor numeric, OUT fee_rate numeric,
	OUT exchange_rate numeric)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_wei_quote'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_wei_quote(@extschema@.pendle_market_wei, bigint) IS
	'MarketMathCore.getMarketPreCompute on the contract''s integers, bit for bit, and the exchange rate the pool quotes (NULL over 96 % PT)';

CREATE FUNCTION @extschema@.pendle_wei_swap_exact_pt_for_sy(market @extschema@.pendle_market_wei,
	exact_pt_in numeric, now bigint,
	OUT net_sy_to_account numeric, OUT net_sy_fee numeric, OUT net_sy_to_reserve numeric,
	OUT new_total_pt numeric, OUT new_total_sy numeric, OUT new_ln_implied_rate numeric)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_wei_swap_exact_pt_for_sy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_wei_swap_exact_pt_for_sy(@extschema@.pendle_market_wei, numeric, bigint) IS
	'MarketMathCore.swapExactPtForSy on the contract''s integers, bit for bit: SY out, fee, reserve share, the market after';

CREATE FUNCTION @extschema@.pendle_wei_swap_sy_for_exact_pt(market @extschema@.pendle_market_wei,
	exact_pt_out numeric, now bigint,
	OUT net_sy_to_market numeric, OUT net_sy_fee numeric, OUT net_sy_to_reserve numeric,
	OUT new_total_pt numeric, OUT new_total_sy numeric, OUT new_ln_implied_rate numeric)
RETURNS record
AS 'MODULE_PATHNAME', 'pendle_wei_swap_sy_for_exact_pt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pendle_wei_swap_sy_for_exact_pt(@extschema@.pendle_market_wei, numeric, bigint) IS
	'MarketMathCore.swapSyForExactPt on the contract''s integers, bit for bit: SY in, fee, reserve share, the market after';
