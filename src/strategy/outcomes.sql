-- src/strategy/outcomes.sql: what decisions expected against what they
-- realised, return on gas, and the ranking of strategies after risk.
--
--   strategy_expectation_of()  the common strategy_expectation (engine.sql)
--                              of a policy's plan, per kind; the engine
--                              stores it in decisions.expected
--   v_decision_outcomes        per decision: expected against realised (the
--                              strategy's value change over the horizon,
--                              from strategy_snapshots), 'pending' before
--   v_strategy_outcomes        summed per strategy and per action: the
--                              calibration of the expectations and the
--                              return on gas
--   strategy_ranking(window)   annualised return, volatility, Sharpe,
--                              Sortino, maximum drawdown and Calmar of each
--                              strategy's snapshot values over a window
--   v_strategy_ranking         strategy_ranking over 7 days, 30 days and all
--
-- docs/performance.md (docs/_perf_outcomes.md) defines every figure.

-- ---- expectations ----

-- The expectation of a decision, from what its policy put in its plan, in
-- whole units of the strategy's numeraire (gain before costs, over the
-- horizon; costs = gas + swap).  A plan with an "expected" object ({gain,
-- horizon, gas_cost, swap_cost}: lp_univ3's, or any kind's that adopts it)
-- is taken as it is.  Otherwise, per builtin kind:
--   lend       gain_over_horizon over the parameter horizon; gas 2 × gas_cost
--   allocate   expected_gain over horizon × return_interval; gas = cost
--   leverage   carry × debt_change over 30 days (the kind has no horizon: a
--              lever adds debt earning the carry, a delever gives it up);
--              gas_cost, swap_cost of the plan
--   stake      best_apr × what is swapped into the best token (whole base
--              units, the trades' amount_in to it) over 30 days; swap_cost
--   hedge      gain 0 (a hedge is bought for the variance it removes, its
--              expected P&L is nil) over the parameter horizon; costs the
--              plan's cost (gas_cost + swap_cost)
-- A kind it does not know, or a plan without the figures: NULL.
CREATE FUNCTION @extschema@.strategy_expectation_of(kind text, params jsonb, state jsonb, action text, plan jsonb)
RETURNS @extschema@.strategy_expectation
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	e strategy_expectation;
	x jsonb := plan -> 'expected';
BEGIN
	IF plan IS NULL OR jsonb_typeof(plan) <> 'object' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(x) = 'object' THEN
		e.expected_gain := (x ->> 'gain')::numeric;
		e.horizon := (x ->> 'horizon')::interval;
		e.gas_cost := coalesce((x ->> 'gas_cost')::numeric, 0);
		e.swap_cost := coalesce((x ->> 'swap_cost')::numeric, 0);
		e.source := kind || ':plan.expected';
	ELSIF kind = 'lend' AND jsonb_typeof(plan -> 'gain_over_horizon') = 'number' THEN
		e.expected_gain := (plan ->> 'gain_over_horizon')::numeric;
		e.horizon := (params ->> 'horizon')::interval;
		e.gas_cost := 2 * coalesce((params ->> 'gas_cost')::numeric, 0);
		e.swap_cost := 0;
		e.source := 'lend:gain_over_horizon';
	ELSIF kind = 'allocate' AND jsonb_typeof(plan -> 'expected_gain') = 'number' THEN
		e.expected_gain := (plan ->> 'expected_gain')::numeric;
		e.horizon := (params ->> 'return_interval')::interval * (params ->> 'horizon')::int;
		e.gas_cost := coalesce((plan ->> 'cost')::numeric, 0);
		e.swap_cost := 0;
		e.source := 'allocate:expected_gain';
	ELSIF kind = 'leverage' AND jsonb_typeof(plan -> 'debt_change') = 'number' THEN
		e.horizon := interval '30 days';
		e.expected_gain := coalesce((plan ->> 'carry')::numeric, 0) * (plan ->> 'debt_change')::numeric * 30 / 365.25;
		e.gas_cost := coalesce((params ->> 'gas_cost')::numeric, 0);
		e.swap_cost := coalesce((plan ->> 'swap_cost')::numeric, 0);
		e.source := 'leverage:carry';
	ELSIF kind = 'stake' AND jsonb_typeof(plan -> 'trades') = 'array' THEN
		e.horizon := interval '30 days';
		e.expected_gain := coalesce((plan ->> 'best_apr')::numeric, 0)
			* coalesce((SELECT sum((t ->> 'amount_in')::numeric) FROM jsonb_array_elements(plan -> 'trades') t
						 WHERE t ->> 'to' = plan ->> 'best'), 0)
			/ 10::numeric ^ coalesce((params ->> 'base_decimals')::int, 18) * 30 / 365.25;
		e.gas_cost := coalesce((params ->> 'gas_cost')::numeric, 0);
		e.swap_cost := coalesce((plan ->> 'swap_cost')::numeric, 0);
		e.source := 'stake:best_apr';
	ELSIF kind = 'hedge' AND jsonb_typeof(plan -> 'cost') = 'number' THEN
		e.expected_gain := 0;
		e.horizon := (params ->> 'horizon')::interval;
		e.swap_cost := coalesce((plan ->> 'swap_cost')::numeric, 0);
		e.gas_cost := (plan ->> 'cost')::numeric - e.swap_cost;
		e.source := 'hedge:cost';
	ELSE
		RETURN NULL;
	END IF;
	e.expected_costs := e.gas_cost + e.swap_cost;
	RETURN e;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_expectation_of(text, jsonb, jsonb, text, jsonb) IS
	'the strategy_expectation (gain, horizon, gas and swap costs in numeraire units) of a policy''s plan, per kind; NULL when the plan has none';

-- ---- outcomes ----

-- Per decision that acted (status enqueued) with an expectation: the
-- value change the policy expected (expected_gain - swap_cost: gas is
-- paid in ETH from outside the valuation) against the strategy's value
-- change from its snapshot at the decision's block (or the one before) to
-- its first snapshot at or after the decision's time + horizon; 'pending'
-- while there is none.  gas_eth: what the decision's mined transactions
-- paid.  Nothing subtracts deposits and withdrawals: the engine keeps no
-- ledger of outside flows (see docs/performance.md).
CREATE VIEW @extschema@.v_decision_outcomes AS
	SELECT d.id AS decision_id, d.strategy_id, s.name AS strategy, s.kind AS strategy_kind, d.action, d.reasons,
		   d.block_number, d.chain_time AS at, (d.expected).source AS expected_source,
		   (d.expected).expected_gain, (d.expected).horizon, (d.expected).gas_cost AS expected_gas,
		   (d.expected).swap_cost AS expected_swap_cost, (d.expected).expected_costs,
		   (d.expected).expected_gain - (d.expected).expected_costs AS expected_net,
		   (d.expected).expected_gain - (d.expected).swap_cost AS expected_value_change,
		   d.chain_time + (d.expected).horizon AS due_at, q.executed,
		   CASE WHEN e.block_number IS NULL THEN 'pending' ELSE 'realised' END AS outcome,
		   b.block_number AS start_block, b.value AS start_value, e.block_number AS end_block, e.at AS end_at,
		   e.value AS end_value, e.value - b.value AS realised_value_change,
		   coalesce(g.gas_eth, 0) AS gas_eth
	  FROM @extschema@.decisions d
	  JOIN @extschema@.strategies s ON s.id = d.strategy_id
	 CROSS JOIN LATERAL @extschema@.txq_intents_state(d.intent_ids) q
	  LEFT JOIN LATERAL (SELECT x.block_number, x.value FROM @extschema@.strategy_snapshots x
						  WHERE x.strategy_id = d.strategy_id AND x.block_number <= d.block_number
						  ORDER BY x.block_number DESC LIMIT 1) b ON true
	  LEFT JOIN LATERAL (SELECT x.block_number, x.at, x.value FROM @extschema@.strategy_snapshots x
						  WHERE x.strategy_id = d.strategy_id AND x.block_number > d.block_number
							AND x.at >= d.chain_time + (d.expected).horizon
						  ORDER BY x.block_number LIMIT 1) e ON b.block_number IS NOT NULL
	  LEFT JOIN LATERAL (SELECT sum(pg_catalog.numeric(a.gas_used) * @extschema@.numeric(a.effective_gas_price)) / 1e18 AS gas_eth
						   FROM @extschema@.tx_attempts a
						  WHERE a.intent_id = ANY (d.intent_ids) AND a.gas_used IS NOT NULL) g ON true
	 WHERE d.status = 'enqueued' AND d.expected IS NOT NULL;
COMMENT ON VIEW @extschema@.v_decision_outcomes IS
	'Per acting decision: expected gain, horizon and costs against the strategy''s realised value change over the horizon (pending before), gas paid';

-- Per strategy (action '*') and per strategy and action: how many decisions,
-- how many realised, expected and realised value changes summed over the
-- realised decisions whose intents were all mined, and the calibration:
--   calibration_ratio   sum realised / sum expected
--   calibration_slope   least-squares slope of realised on expected
--                       through the origin: sum(x y) / sum(x^2)
--   sign_hit_rate       share of realised decisions whose realised change
--                       has the sign of the expected one (0 counts as +)
--   return_on_gas       sum realised value change / ETH paid for gas
--                       (numeraire units per ETH)
CREATE VIEW @extschema@.v_strategy_outcomes AS
	SELECT o.strategy_id, min(o.strategy) AS strategy, min(o.strategy_kind) AS strategy_kind,
		   coalesce(o.action, '*') AS action,
		   count(*) AS decisions, count(*) FILTER (WHERE o.outcome = 'pending') AS pending,
		   count(*) FILTER (WHERE r.ok) AS realised,
		   sum(o.expected_gain) AS expected_gain, sum(o.expected_costs) AS expected_costs,
		   sum(o.expected_value_change) FILTER (WHERE r.ok) AS expected_value_change,
		   sum(o.realised_value_change) FILTER (WHERE r.ok) AS realised_value_change,
		   sum(o.gas_eth) AS gas_eth,
		   (sum(o.realised_value_change) FILTER (WHERE r.ok)
			 / nullif(sum(o.expected_value_change) FILTER (WHERE r.ok), 0))::float8 AS calibration_ratio,
		   (sum(o.realised_value_change * o.expected_value_change) FILTER (WHERE r.ok)
			 / nullif(sum(o.expected_value_change ^ 2) FILTER (WHERE r.ok), 0))::float8 AS calibration_slope,
		   avg(CASE WHEN (o.realised_value_change >= 0) = (o.expected_value_change >= 0) THEN 1.0 ELSE 0.0 END)
			   FILTER (WHERE r.ok)::float8 AS sign_hit_rate,
		   (sum(o.realised_value_change) FILTER (WHERE r.ok) / nullif(sum(o.gas_eth) FILTER (WHERE r.ok), 0))::float8
			   AS return_on_gas
	  FROM @extschema@.v_decision_outcomes o
	 CROSS JOIN LATERAL (SELECT o.outcome = 'realised' AND o.executed AS ok) r
	 GROUP BY GROUPING SETS ((o.strategy_id), (o.strategy_id, o.action));
COMMENT ON VIEW @extschema@.v_strategy_outcomes IS
	'Per strategy (action *) and action: decisions, pending, realised, expected and realised value change, gas, calibration ratio and slope, sign hit rate, return on gas';

-- ---- ranking ----

-- Each strategy's risk and return over its snapshots in a window ending at
-- its last snapshot (NULL: all of them), from the returns between
-- consecutive snapshots r_i = v_i / v_(i-1) - 1, in its numeraire:
--   periods_per_year   n returns × one year (365.25 days) / the window's
--                      elapsed time: the snapshots' own cadence
--   total_return       v_last / v_first - 1
--   annualised_return  (v_last / v_first) ^ (year / elapsed) - 1 (NULL when
--                      the exponent overflows, a window of a few seconds)
--   volatility         sample stddev of r × sqrt(periods_per_year)
--   sharpe             mean r / stddev r × sqrt(periods_per_year)
--                      (strategy_sharpe; risk-free rate 0)
--   sortino            mean r × sqrt(periods_per_year) / downside
--                      deviation sqrt(mean(min(r, 0)^2)); NULL without a loss
--   max_drawdown       max over the window of 1 - v / running max v
--   calmar             annualised_return / max_drawdown (NULL when 0)
CREATE FUNCTION @extschema@.strategy_ranking(win interval DEFAULT NULL)
RETURNS TABLE (strategy_id bigint, strategy text, strategy_kind text, numeraire @extschema@.address,
	from_at timestamptz, to_at timestamptz, snapshots bigint, periods_per_year float8,
	start_value numeric, end_value numeric, total_return float8, annualised_return float8,
	volatility float8, sharpe float8, sortino float8, max_drawdown float8, calmar float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH w AS (
		SELECT x.strategy_id, x.block_number, x.at, x.value, x.numeraire,
			   lag(x.value) OVER (PARTITION BY x.strategy_id ORDER BY x.block_number) AS prev,
			   max(x.value) OVER (PARTITION BY x.strategy_id ORDER BY x.block_number) AS peak,
			   first_value(x.value) OVER (PARTITION BY x.strategy_id ORDER BY x.block_number) AS v0,
			   last_value(x.value) OVER (PARTITION BY x.strategy_id ORDER BY x.block_number
										 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS v1
		  FROM strategy_snapshots x
		 WHERE $1 IS NULL
			OR x.at >= (SELECT max(y.at) FROM strategy_snapshots y WHERE y.strategy_id = x.strategy_id) - $1),
	a AS (
		SELECT w.strategy_id, min(w.at) AS from_at, max(w.at) AS to_at, count(*) AS snapshots,
			   min(w.v0) AS v0, min(w.v1) AS v1, (array_agg(w.numeraire ORDER BY w.block_number DESC))[1] AS numeraire,
			   extract(epoch FROM max(w.at) - min(w.at))::float8 AS elapsed,
			   array_agg((w.value / w.prev - 1)::float8 ORDER BY w.block_number) FILTER (WHERE w.prev > 0) AS r,
			   max(CASE WHEN w.peak > 0 THEN (1 - w.value / w.peak)::float8 ELSE 0 END) AS mdd
		  FROM w GROUP BY w.strategy_id),
	b AS (
		SELECT a.*, CASE WHEN a.elapsed > 0 THEN coalesce(cardinality(a.r), 0) * 31557600 / a.elapsed END AS ppy,
			   CASE WHEN a.v0 > 0 AND a.v1 > 0 AND a.elapsed > 0 THEN ln((a.v1 / a.v0)::float8) * 31557600 / a.elapsed END AS lg,
			   (SELECT avg(r) FROM unnest(a.r) r) AS mean_r, (SELECT stddev_samp(r) FROM unnest(a.r) r) AS sd_r,
			   (SELECT sqrt(avg(least(r, 0) ^ 2)) FROM unnest(a.r) r) AS down
		  FROM a)
	SELECT b.strategy_id, s.name, s.kind, b.numeraire, b.from_at, b.to_at, b.snapshots, b.ppy,
		   b.v0, b.v1, CASE WHEN b.v0 > 0 THEN (b.v1 / b.v0 - 1)::float8 END,
		   CASE WHEN abs(b.lg) < 700 THEN exp(b.lg) - 1 END,
		   b.sd_r * sqrt(b.ppy),
		   CASE WHEN b.ppy > 0 AND cardinality(b.r) >= 2 THEN strategy_sharpe(b.r, b.ppy) END,
		   CASE WHEN b.down > 0 THEN b.mean_r * sqrt(b.ppy) / b.down END,
		   b.mdd,
		   CASE WHEN abs(b.lg) < 700 AND b.mdd > 0 THEN (exp(b.lg) - 1) / b.mdd END
	  FROM b JOIN strategies s ON s.id = b.strategy_id
$$;
COMMENT ON FUNCTION @extschema@.strategy_ranking(interval) IS
	'per strategy over its snapshots in a window ending at its last one (NULL: all): annualised return, volatility, Sharpe, Sortino, maximum drawdown, Calmar';

-- strategy_ranking over the default windows, each strategy ranked by
-- Sharpe within its window (1 the best; a strategy without a Sharpe last).
CREATE VIEW @extschema@.v_strategy_ranking AS
	SELECT w.label AS "window", w.span, rank() OVER (PARTITION BY w.label ORDER BY r.sharpe DESC NULLS LAST) AS rank, r.*
	  FROM (VALUES ('7d', interval '7 days'), ('30d', interval '30 days'), ('all', NULL::interval)) AS w(label, span)
	 CROSS JOIN LATERAL @extschema@.strategy_ranking(w.span) r;
COMMENT ON VIEW @extschema@.v_strategy_ranking IS
	'strategy_ranking over 7 days, 30 days and all snapshots, ranked by Sharpe within each window';

-- ---- privileges ----

REVOKE ALL ON @extschema@.v_decision_outcomes, @extschema@.v_strategy_outcomes, @extschema@.v_strategy_ranking FROM PUBLIC;
GRANT SELECT ON @extschema@.v_decision_outcomes, @extschema@.v_strategy_outcomes, @extschema@.v_strategy_ranking
	TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.strategy_ranking(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_ranking(interval) TO amplified_reader;
-- strategy_expectation_of is immutable (a function of its arguments): PUBLIC's.
