-- src/strategy/risk_views.sql: the strategies' risk as measured by the risk
-- module (risk_portfolio_var) on their latest snapshot's holdings, stored
-- by risk_refresh_reports() (scheduled by schedule_defaults) and shown by
-- v_risk (docs/risk.md, "Portfolio VaR, limits and v_risk").

-- One report per strategy and snapshot time, and a total per chain and
-- numeraire (strategy_id NULL): value, one-day VaR and CVaR at 95 % and
-- 99 % (historical method over the 30 days before the snapshot), the
-- minimum health factor of its lending positions, and stress (per
-- scenario of risk_scenarios, strategy_stress_summary's loss, loss share,
-- minimum health factor and liquidations at risk).  detail holds
-- the exposures, the observations and, for a strategy that could not be
-- measured, the error.
CREATE TABLE @extschema@.risk_reports (
	id					bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id			bigint REFERENCES @extschema@.strategies ON DELETE CASCADE,
	chain_id			bigint NOT NULL,
	numeraire			@extschema@.address NOT NULL,
	at					timestamptz NOT NULL,
	value				numeric,
	var95				float8,
	cvar95				float8,
	var99				float8,
	cvar99				float8,
	method				text NOT NULL,
	min_health_factor	numeric,
	stress				jsonb,
	detail				jsonb NOT NULL DEFAULT '{}',
	computed_at			timestamptz NOT NULL DEFAULT now(),
	UNIQUE NULLS NOT DISTINCT (strategy_id, chain_id, numeraire, at)
);
CREATE INDEX risk_reports_at_idx ON @extschema@.risk_reports (at);
COMMENT ON TABLE @extschema@.risk_reports IS
	'Risk of each strategy (and the total per chain and numeraire, strategy_id NULL) at its snapshots: value, one-day VaR/CVaR 95 and 99, minimum health factor, stressed losses';
-- Dumped with the snapshots they measure: the history they were computed
-- from is re-ingested, not dumped, so they could not be made again at once.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_reports', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_reports_id_seq', '');

-- The exposures of a strategy's holdings: one per asset, its notional the
-- sum of amount / 10^decimals * price over its legs (debt negative).
CREATE FUNCTION @extschema@.strategy_exposures(holdings @extschema@.strategy_holding[])
RETURNS @extschema@.risk_exposure[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(array_agg(ROW(h.asset, h.amount, h.notional, NULL, NULL, NULL, NULL)::risk_exposure
							  ORDER BY lower(h.asset::text)), '{}')
	  FROM (SELECT x.asset, sum(x.amount) AS amount,
				   sum(x.amount / 10::numeric ^ x.decimals * x.price) AS notional
			  FROM unnest($1) x WHERE x.price IS NOT NULL GROUP BY x.asset) h
$$;
COMMENT ON FUNCTION @extschema@.strategy_exposures(@extschema@.strategy_holding[]) IS
	'a valuation''s holdings as risk exposures: per asset, the raw amount and its notional in the numeraire (legs without a price left out)';

-- Measure every strategy at its latest snapshot, and the total per chain
-- and numeraire, into risk_reports (again for the same snapshot: replaced).
-- A strategy whose market data cannot give a VaR gets a report with the
-- VaRs NULL and the error in detail.  Returns the number of reports written.
CREATE FUNCTION @extschema@.risk_refresh_reports(window_length interval DEFAULT '30 days')
RETURNS int
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s record;
	-- scalars, not records: a record left unassigned by a failed VaR
	-- could not be read below
	v95 float8;
	c95 float8;
	v99 float8;
	c99 float8;
	obs int;
	written int := 0;
	hf numeric;
	err text;
	st jsonb;
BEGIN
	FOR s IN
		-- each strategy's latest snapshot, and per chain and numeraire the
		-- union of its strategies' exposures at the latest of them
		WITH latest AS (
			SELECT DISTINCT ON (sn.strategy_id) sn.strategy_id, st.chain_id, sn.numeraire, sn.at, sn.value,
				   strategy_exposures(sn.holdings) AS exposures
			  FROM strategy_snapshots sn JOIN strategies st ON st.id = sn.strategy_id
			 ORDER BY sn.strategy_id, sn.block_number DESC)
		SELECT l.strategy_id, l.chain_id, l.numeraire, l.at, l.value, l.exposures, ARRAY[l.strategy_id] AS ids FROM latest l
		UNION ALL
		SELECT NULL, l.chain_id, l.numeraire, max(l.at), sum(l.value),
			   (SELECT array_agg(e ORDER BY lower(e.asset::text)) FROM latest m CROSS JOIN LATERAL unnest(m.exposures) e
				 WHERE m.chain_id = l.chain_id AND m.numeraire = l.numeraire),
			   array_agg(l.strategy_id)
		  FROM latest l GROUP BY l.chain_id, l.numeraire
	LOOP
		err := NULL;
		v95 := NULL;
		c95 := NULL;
		v99 := NULL;
		c99 := NULL;
		obs := NULL;
		BEGIN
			SELECT r.var, r.cvar INTO v95, c95
			  FROM risk_portfolio_var(s.chain_id, s.exposures, 0.95, 'historical', window_length, s.at, s.numeraire) r;
			SELECT r.var, r.cvar, r.observations INTO v99, c99, obs
			  FROM risk_portfolio_var(s.chain_id, s.exposures, 0.99, 'historical', window_length, s.at, s.numeraire) r;
		EXCEPTION WHEN invalid_parameter_value OR object_not_in_prerequisite_state THEN
			GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
		END;
		SELECT min(lp.health_factor) INTO hf FROM v_lend_positions lp WHERE lp.strategy_id = ANY (s.ids);
		-- the stressed losses per scenario (strategy_stress_summary), summed
		-- over the strategies of a total row
		BEGIN
			SELECT jsonb_object_agg(x.scenario, jsonb_build_object('loss', x.loss, 'loss_share',
						CASE WHEN x.value_before > 0 THEN round(x.loss / x.value_before, 6) END,
						'min_health_factor', x.min_hf, 'liquidations', x.liquidations))
			  INTO st
			  FROM (SELECT m.scenario, sum(m.value_before) AS value_before, sum(m.loss) AS loss,
						   min(m.min_health_factor) AS min_hf, sum(m.liquidations)::int AS liquidations
					  FROM unnest(s.ids) AS i(id) CROSS JOIN LATERAL strategy_stress_summary(i.id) AS m
					 GROUP BY m.scenario) x;
		EXCEPTION WHEN invalid_parameter_value OR object_not_in_prerequisite_state THEN
			st := NULL;
		END;
		INSERT INTO risk_reports AS rr (strategy_id, chain_id, numeraire, at, value, var95, cvar95, var99, cvar99,
									   method, min_health_factor, stress, detail)
		VALUES (s.strategy_id, s.chain_id, s.numeraire, s.at, s.value, v95, c95, v99, c99,
				'historical', hf, st,
				jsonb_strip_nulls(jsonb_build_object('window', window_length::text, 'observations', obs,
					'exposures', (SELECT jsonb_agg(jsonb_build_object('asset', e.asset, 'notional', e.notional))
									FROM unnest(s.exposures) e),
					'strategies', CASE WHEN s.strategy_id IS NULL THEN to_jsonb(s.ids) END, 'error', err)))
		ON CONFLICT (strategy_id, chain_id, numeraire, at) DO UPDATE
		   SET value = excluded.value, var95 = excluded.var95, cvar95 = excluded.cvar95, var99 = excluded.var99,
			   cvar99 = excluded.cvar99, method = excluded.method, min_health_factor = excluded.min_health_factor,
			   stress = excluded.stress, detail = excluded.detail, computed_at = now();
		written := written + 1;
	END LOOP;
	RETURN written;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_refresh_reports(interval) IS
	'measure every strategy (and the total per chain and numeraire) at its latest snapshot into risk_reports: one-day VaR/CVaR 95 and 99, minimum health factor';

-- The latest report of each strategy and each total.
CREATE VIEW @extschema@.v_risk AS
	SELECT DISTINCT ON (r.strategy_id, r.chain_id, r.numeraire)
		   r.at, r.strategy_id, coalesce(st.name, 'total') AS strategy, r.chain_id, r.numeraire,
		   r.value, r.var95, r.cvar95, r.var99, r.cvar99, r.method, r.min_health_factor, r.stress,
		   r.detail ->> 'error' AS error, r.computed_at
	  FROM @extschema@.risk_reports r
	  LEFT JOIN @extschema@.strategies st ON st.id = r.strategy_id
	 ORDER BY r.strategy_id, r.chain_id, r.numeraire, r.at DESC;
COMMENT ON VIEW @extschema@.v_risk IS
	'Each strategy''s latest risk report and the total per chain and numeraire (strategy "total"): value, one-day VaR/CVaR 95 and 99, model, minimum health factor, stressed losses; at is the time column';

REVOKE ALL ON @extschema@.risk_reports, @extschema@.v_risk FROM PUBLIC;
GRANT SELECT ON @extschema@.risk_reports, @extschema@.v_risk TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.risk_refresh_reports(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.risk_refresh_reports(interval) TO amplified_operator;
