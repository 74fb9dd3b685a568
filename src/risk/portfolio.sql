-- ---- portfolio VaR from the market layer, and the gate's "var" check ----
--
-- A portfolio is a set of exposures (risk_exposure: asset and notional in the
-- numeraire).  Its return series is read through the market layer: each
-- asset's price in the numeraire at the end of each day of the window (the
-- last observation at or before from_ts + k days, market_price_series with a
-- one-day bucket), its daily return p_k / p_(k-1) - 1, and the portfolio's
-- P&L of day k, sum(notional_i * r_i,k).  Only days on which every asset has
-- a return count.  The VaR methods of risk_var are positively homogeneous, so
-- the VaR in the numeraire is risk_var(P&L / gross) * gross, gross being the
-- sum of |notional| (docs/risk.md, "Portfolio VaR, limits and v_risk").
-- The risk module reads no strategy table: the strategy layer passes the
-- exposures it computes from its holdings.

-- The quote an asset's price is read in: the numeraire when given, else the
-- quote of the asset's preferred price feed (lowest priority, then id).
-- 22023 when the asset has no price feed.
CREATE FUNCTION @extschema@.risk_portfolio_quote(chain_id bigint, asset @extschema@.address,
	numeraire @extschema@.address)
RETURNS @extschema@.address
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	q address;
BEGIN
	SELECT f.quote INTO q
	  FROM market_feeds f JOIN market_sources s ON s.name = f.source
	 WHERE f.chain_id = risk_portfolio_quote.chain_id AND f.asset = risk_portfolio_quote.asset AND s.provides = 'price'
	   AND (numeraire IS NULL OR f.quote = numeraire)
	 ORDER BY f.priority, f.id LIMIT 1;
	IF q IS NULL THEN
		RAISE EXCEPTION '%', format('no market data for the portfolio: no price feed of %s%s on chain %s', asset,
			CASE WHEN numeraire IS NULL THEN '' ELSE format(' in %s', numeraire) END, chain_id)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Add a price feed of the asset to market_feeds (docs/market.md).';
	END IF;
	RETURN q;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_portfolio_quote(bigint, @extschema@.address, @extschema@.address) IS
	'the quote a portfolio asset''s price is read in: the numeraire, else its preferred price feed''s quote (22023 without a feed)';

-- The daily returns of a portfolio's assets over the window ending at: one
-- row per asset and day on which every asset has a return, with the asset's
-- notional (summed over its exposures).  The numeraire itself (cash) has no
-- row.  Exposures without a notional, or of notional 0, are left out.
CREATE FUNCTION @extschema@.risk_portfolio_returns(chain_id bigint, exposures @extschema@.risk_exposure[],
	window_length interval, at timestamptz, numeraire @extschema@.address DEFAULT NULL)
RETURNS TABLE (day int, asset @extschema@.address, notional float8, ret float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	from_ts timestamptz := at - window_length;
	n int;
BEGIN
	IF chain_id IS NULL OR at IS NULL OR window_length IS NULL OR window_length < interval '2 days' THEN
		RAISE EXCEPTION 'a portfolio''s returns need a chain, a time and a window of at least 2 days'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT count(DISTINCT e.asset) INTO n FROM unnest(exposures) e
	 WHERE e.notional IS NOT NULL AND e.notional <> 0 AND e.asset IS DISTINCT FROM numeraire;
	RETURN QUERY
	WITH x AS (
		SELECT e.asset, sum(e.notional)::float8 AS notional FROM unnest(exposures) e
		 WHERE e.notional IS NOT NULL AND e.notional <> 0 AND e.asset IS DISTINCT FROM numeraire
		 GROUP BY e.asset),
	px AS (
		SELECT x.asset, x.notional,
			   (extract(epoch FROM s.at - from_ts) / 86400)::int AS k, s.value
		  FROM x CROSS JOIN LATERAL market_price_series(chain_id, x.asset,
				risk_portfolio_quote(chain_id, x.asset, numeraire), from_ts, at, interval '1 day') s),
	r AS (
		SELECT px.asset, px.notional, px.k,
			   px.value / nullif(lag(px.value) OVER (PARTITION BY px.asset ORDER BY px.k), 0) - 1 AS ret
		  FROM px),
	days AS (SELECT r.k FROM r WHERE r.ret IS NOT NULL GROUP BY r.k HAVING count(*) = n)
	SELECT r.k, r.asset, r.notional, r.ret FROM r JOIN days USING (k) ORDER BY r.k, lower(r.asset::text);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_portfolio_returns(bigint, @extschema@.risk_exposure[], interval, timestamptz, @extschema@.address) IS
	'daily returns of a portfolio''s assets over a window (market layer, one-day buckets), on the days every asset has one, with their notionals';

-- One-day VaR and CVaR of a portfolio, in the numeraire: value is the sum
-- of the notionals, observations the number of daily portfolio returns.
-- Exposures with no notional at all give value 0 and a VaR of 0.  22023
-- when an asset has no price feed or fewer than 2 daily returns are common
-- to every asset over the window (a clear error, never a silent NULL).
-- (risk_portfolio_var_eval computes it; risk_portfolio_var names its input
-- and its output "method", which PL/pgSQL cannot.)
CREATE FUNCTION @extschema@.risk_portfolio_var_eval(chain_id bigint, exposures @extschema@.risk_exposure[],
	confidence float8, model text, window_length interval, at timestamptz, numeraire @extschema@.address,
	OUT value numeric, OUT var float8, OUT cvar float8, OUT method text, OUT observations int)
RETURNS record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	gross float8;
	series float8[];
BEGIN
	method := coalesce(model, 'historical');
	SELECT coalesce(sum(e.notional), 0) INTO value FROM unnest(exposures) e WHERE e.notional IS NOT NULL;
	SELECT coalesce(sum(abs(x.notional)), 0) INTO gross
	  FROM (SELECT sum(e.notional)::float8 AS notional FROM unnest(exposures) e
			 WHERE e.notional IS NOT NULL AND e.asset IS DISTINCT FROM numeraire GROUP BY e.asset) x;
	IF gross = 0 THEN
		var := 0; cvar := 0; observations := 0;
		RETURN;
	END IF;
	SELECT array_agg(p.pnl / gross ORDER BY p.day) INTO series
	  FROM (SELECT r.day, sum(r.notional * r.ret) AS pnl
			  FROM risk_portfolio_returns(chain_id, exposures, window_length, at, numeraire) r GROUP BY r.day) p;
	observations := coalesce(cardinality(series), 0);
	IF observations < 2 THEN
		RAISE EXCEPTION 'no market data for the portfolio: % daily returns common to its assets over % to %',
			observations, at - window_length, at
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The VaR needs at least 2 daily returns of every asset in the window (market_price_series).';
	END IF;
	var := risk_var(series, confidence, method) * gross;
	cvar := risk_cvar(series, confidence, method) * gross;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_portfolio_var_eval(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address) IS
	'risk_portfolio_var''s computation';

CREATE FUNCTION @extschema@.risk_portfolio_var(chain_id bigint, exposures @extschema@.risk_exposure[],
	confidence float8 DEFAULT 0.99, method text DEFAULT 'historical', window_length interval DEFAULT '30 days',
	at timestamptz DEFAULT now(), numeraire @extschema@.address DEFAULT NULL,
	OUT value numeric, OUT var float8, OUT cvar float8, OUT method text, OUT observations int)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT * FROM risk_portfolio_var_eval($1, $2, $3, $4, $5, $6, $7)
$$;
COMMENT ON FUNCTION @extschema@.risk_portfolio_var(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address) IS
	'one-day VaR and CVaR of a set of exposures in the numeraire, by risk_var''s method on the portfolio''s daily return series from the market layer (22023 without data)';

-- Marginal and component VaR per asset: the Euler allocation of the
-- parametric normal VaR (sample covariance of the daily returns,
-- risk_var_contributions), scaled so that the components add up to the
-- portfolio VaR of the method asked.  The numeraire (cash) contributes 0.
CREATE FUNCTION @extschema@.risk_portfolio_var_contributions(chain_id bigint, exposures @extschema@.risk_exposure[],
	confidence float8 DEFAULT 0.99, method text DEFAULT 'historical', window_length interval DEFAULT '30 days',
	at timestamptz DEFAULT now(), numeraire @extschema@.address DEFAULT NULL)
RETURNS TABLE (asset @extschema@.address, notional numeric, marginal float8, component float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	pv record;
	assets address[];
	w float8[];
	cov float8[];
	k float8;
BEGIN
	pv := risk_portfolio_var(chain_id, exposures, confidence, method, window_length, at, numeraire);
	-- the assets (in text order), their notionals and the sample covariance
	-- of their daily returns, over the days every asset has one
	WITH rr AS (SELECT * FROM risk_portfolio_returns(chain_id, exposures, window_length, at, numeraire)),
	a AS (SELECT DISTINCT rr.asset, rr.notional FROM rr),
	o AS (SELECT a.asset, a.notional, row_number() OVER (ORDER BY lower(a.asset::text)) AS i FROM a),
	c AS (SELECT oi.i, oj.i AS j, covar_samp(ri.ret, rj.ret) AS cv
			FROM o oi CROSS JOIN o oj
			JOIN rr ri ON ri.asset = oi.asset
			JOIN rr rj ON rj.asset = oj.asset AND rj.day = ri.day
		   GROUP BY oi.i, oj.i)
	SELECT (SELECT array_agg(o.asset ORDER BY o.i) FROM o), (SELECT array_agg(o.notional ORDER BY o.i) FROM o),
		   (SELECT array_agg(c.cv ORDER BY c.i, c.j) FROM c)
	  INTO assets, w, cov;
	IF assets IS NOT NULL THEN
		SELECT pv.var / sum(x.component) INTO k FROM risk_var_contributions(w, cov, confidence) x;
		RETURN QUERY
		SELECT assets[x.asset], w[x.asset]::numeric, x.marginal * k, x.component * k
		  FROM risk_var_contributions(w, cov, confidence) x ORDER BY x.asset;
	END IF;
	-- the numeraire held as cash: no risk
	RETURN QUERY SELECT e.asset, sum(e.notional), 0::float8, 0::float8 FROM unnest(exposures) e
	 WHERE numeraire IS NOT NULL AND e.asset = numeraire AND e.notional IS NOT NULL GROUP BY e.asset;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_portfolio_var_contributions(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address) IS
	'marginal and component VaR per asset of a portfolio: the normal Euler allocation scaled so the components add up to risk_portfolio_var''s VaR';

-- A figure as the gate's reasons print it: at most 6 decimals, no trailing zeros.
CREATE FUNCTION @extschema@.risk_figure(x numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN trim_scale(round(x, 6))::text;

-- The VaR check (registered in risk_checks as "var"): the exposures a
-- proposal leaves, as a portfolio (historical, 99 %, one day, the last 30
-- days, prices in each asset's preferred feed's quote), against the
-- strategy's max_var, max_cvar (numeraire) and max_var_share (VaR / value).
-- Reasons carry the figures: limit:max_var:<var>><limit>, and so on.  A
-- portfolio the market layer cannot measure blocks with
-- limit:var:unmeasured (only when a VaR limit is set).  An action that only
-- reduces risk, or a hold, is not held back.
CREATE FUNCTION @extschema@.risk_check_var(strategy_id bigint, chain bigint, assets @extschema@.address[],
	proposal @extschema@.risk_proposal)
RETURNS @extschema@.risk_finding[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	max_var numeric := risk_limit(strategy_id, 'max_var');
	max_cvar numeric := risk_limit(strategy_id, 'max_cvar');
	max_share numeric := risk_limit(strategy_id, 'max_var_share');
	f risk_finding[] := '{}';
	r record;
BEGIN
	IF coalesce(proposal.reduces_risk, false) OR proposal.action = 'hold'
	   OR (max_var IS NULL AND max_cvar IS NULL AND max_share IS NULL)
	   OR NOT EXISTS (SELECT 1 FROM unnest(proposal.exposures) x WHERE x.notional IS NOT NULL AND x.notional <> 0) THEN
		RETURN f;
	END IF;
	BEGIN
		r := risk_portfolio_var(chain, proposal.exposures, 0.99, 'historical', '30 days', now());
	EXCEPTION WHEN invalid_parameter_value OR object_not_in_prerequisite_state THEN
		RETURN ARRAY[ROW('limit:var:unmeasured', 'ok', true)::risk_finding];
	END;
	IF max_var IS NOT NULL AND r.var::numeric > max_var THEN
		f := f || ROW(format('limit:max_var:%s>%s', risk_figure(r.var::numeric), risk_figure(max_var)), 'ok', true)::risk_finding;
	END IF;
	IF max_cvar IS NOT NULL AND r.cvar::numeric > max_cvar THEN
		f := f || ROW(format('limit:max_cvar:%s>%s', risk_figure(r.cvar::numeric), risk_figure(max_cvar)), 'ok', true)::risk_finding;
	END IF;
	IF max_share IS NOT NULL AND (r.value <= 0 OR r.var::numeric / r.value > max_share) THEN
		f := f || ROW(format('limit:max_var_share:%s>%s',
							 CASE WHEN r.value > 0 THEN risk_figure(r.var::numeric / r.value) ELSE 'inf' END,
							 risk_figure(max_share)), 'ok', true)::risk_finding;
	END IF;
	RETURN f;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_check_var(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal) IS
	'risk check "var": the 99 % one-day VaR and CVaR of the exposures a proposal leaves against max_var, max_cvar and max_var_share';
INSERT INTO @extschema@.risk_checks (name, check_fn, description, builtin) VALUES
	('var', '@extschema@.risk_check_var', 'One-day 99 % VaR and CVaR of the exposures a proposal leaves, against the strategy''s limits', true);

REVOKE ALL ON FUNCTION @extschema@.risk_portfolio_quote(bigint, @extschema@.address, @extschema@.address),
	@extschema@.risk_portfolio_var_eval(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_returns(bigint, @extschema@.risk_exposure[], interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_var(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_var_contributions(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address),
	@extschema@.risk_check_var(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.risk_portfolio_quote(bigint, @extschema@.address, @extschema@.address),
	@extschema@.risk_portfolio_var_eval(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_returns(bigint, @extschema@.risk_exposure[], interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_var(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address),
	@extschema@.risk_portfolio_var_contributions(bigint, @extschema@.risk_exposure[], float8, text, interval, timestamptz, @extschema@.address)
	TO amplified_reader;
