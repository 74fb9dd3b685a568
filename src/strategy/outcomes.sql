-- src/strategy/outcomes.sql: what decisions expected against what they
-- realised, return on gas, and the ranking of strategies after risk.
--
--   strategy_expectation_of()  the common strategy_expectation (engine.sql)
--                              of a policy's plan, per kind; the engine
--                              stores it in decisions.expected
--   v_decision_outcomes        per decision: expected against realised (the
--                              attribution's components over the horizon,
--                              from v_pnl_attribution), 'pending' before
--   v_strategy_outcomes        summed per strategy and per action: the
--                              calibration of the expectations and the
--                              return on gas
--   strategy_ranking(window, end)  annualised return, volatility, Sharpe,
--                              Sortino, maximum drawdown and Calmar of each
--                              strategy's time-weighted daily returns
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

-- Per decision that acted (status enqueued) with an expectation: what its
-- policy expected the strategy to make net of costs over the horizon
-- (expected_value_change = expected_gain - gas_cost - swap_cost) against
-- what the P&L attribution says it made over the same blocks
-- (realised_value_change): the sum, over v_pnl_attribution's block periods
-- whose end block is in (the decision's block, the horizon's end block],
-- of the components an expectation covers:
--   pnl_fees + pnl_divergence + pnl_swap_cost + pnl_staking_yield
--     + pnl_interest_earned + pnl_interest_paid + pnl_gas
-- and not pnl_flows (deposits and withdrawals recorded in strategy_flows,
-- and the owner's funding of gas), pnl_price (the numeraire's repricing of
-- the holdings, which no policy forecasts) nor pnl_hedge (a hedge's leg
-- moves with the market it offsets).  The horizon's end block is the
-- strategy's first snapshot after the decision's block at or after its
-- time + horizon; 'pending' while there is none.  Decisions whose horizons
-- overlap each count the periods they share.  gas_eth: what the decision's
-- own mined transactions paid.
CREATE VIEW @extschema@.v_decision_outcomes AS
	SELECT d.id AS decision_id, d.strategy_id, s.name AS strategy, s.kind AS strategy_kind, d.action, d.reasons,
		   d.block_number, d.chain_time AS at, (d.expected).source AS expected_source,
		   (d.expected).expected_gain, (d.expected).horizon, (d.expected).gas_cost AS expected_gas,
		   (d.expected).swap_cost AS expected_swap_cost, (d.expected).expected_costs,
		   (d.expected).expected_gain - (d.expected).expected_costs AS expected_net,
		   (d.expected).expected_gain - (d.expected).expected_costs AS expected_value_change,
		   d.chain_time + (d.expected).horizon AS due_at, q.executed,
		   CASE WHEN e.block_number IS NULL THEN 'pending' ELSE 'realised' END AS outcome,
		   d.block_number AS start_block, e.block_number AS end_block, e.at AS end_at,
		   a.fees AS realised_fees, a.divergence AS realised_divergence, a.swap_cost AS realised_swap_cost,
		   a.staking_yield AS realised_staking_yield, a.interest AS realised_interest, a.gas AS realised_gas,
		   a.fees + a.divergence + a.swap_cost + a.staking_yield + a.interest + a.gas AS realised_value_change,
		   a.excluded AS realised_excluded,
		   coalesce(g.gas_eth, 0) AS gas_eth
	  FROM @extschema@.decisions d
	  JOIN @extschema@.strategies s ON s.id = d.strategy_id
	 CROSS JOIN LATERAL @extschema@.txq_intents_state(d.intent_ids) q
	  LEFT JOIN LATERAL (SELECT x.block_number, x.at FROM @extschema@.strategy_snapshots x
						  WHERE x.strategy_id = d.strategy_id AND x.block_number > d.block_number
							AND x.at >= d.chain_time + (d.expected).horizon
						  ORDER BY x.block_number LIMIT 1) e ON true
	  LEFT JOIN LATERAL (SELECT coalesce(sum(p.pnl_fees), 0) AS fees, coalesce(sum(p.pnl_divergence), 0) AS divergence,
								coalesce(sum(p.pnl_swap_cost), 0) AS swap_cost,
								coalesce(sum(p.pnl_staking_yield), 0) AS staking_yield,
								coalesce(sum(p.pnl_interest_earned + p.pnl_interest_paid), 0) AS interest,
								coalesce(sum(p.pnl_gas), 0) AS gas,
								coalesce(sum(p.pnl_flows + p.pnl_price + p.pnl_hedge + p.pnl_incentives), 0) AS excluded
						   FROM @extschema@.v_pnl_attribution p
						  WHERE p.strategy_id = d.strategy_id AND p.period = 'block'
							AND p.block_end > d.block_number AND p.block_end <= e.block_number) a
		ON e.block_number IS NOT NULL
	  LEFT JOIN LATERAL (SELECT sum(pg_catalog.numeric(t.gas_used) * @extschema@.numeric(t.effective_gas_price)) / 1e18 AS gas_eth
						   FROM @extschema@.tx_attempts t
						  WHERE t.intent_id = ANY (d.intent_ids) AND t.gas_used IS NOT NULL) g ON true
	 WHERE d.status = 'enqueued' AND d.expected IS NOT NULL;
COMMENT ON VIEW @extschema@.v_decision_outcomes IS
	'Per acting decision: expected gain net of gas and swap costs against the attribution''s fees + divergence + swap cost + staking yield + interest + gas over its horizon (pending before); flows, price and hedge effects left out';

-- Per strategy (action '*') and per strategy and action: how many decisions,
-- how many realised, expected and realised value changes (both net of gas
-- and swap costs, as in v_decision_outcomes) summed over the realised
-- decisions whose intents were all mined, and the calibration:
--   calibration_ratio   sum realised / sum expected
--   calibration_slope   least-squares slope of realised on expected
--                       through the origin: sum(x y) / sum(x^2)
--   sign_hit_rate       share of realised decisions whose realised change
--                       has the sign of the expected one (0 counts as +)
--   return_on_gas       (sum realised value change - sum realised gas, i.e.
--                       what the decisions made before paying gas) / ETH
--                       the decisions paid for gas: numeraire per ETH
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
		   (sum(o.realised_value_change - o.realised_gas) FILTER (WHERE r.ok)
			 / nullif(sum(o.gas_eth) FILTER (WHERE r.ok), 0))::float8 AS return_on_gas
	  FROM @extschema@.v_decision_outcomes o
	 CROSS JOIN LATERAL (SELECT o.outcome = 'realised' AND o.executed AS ok) r
	 GROUP BY GROUPING SETS ((o.strategy_id), (o.strategy_id, o.action));
COMMENT ON VIEW @extschema@.v_strategy_outcomes IS
	'Per strategy (action *) and action: decisions, pending, realised, expected and realised net value change (attribution), gas, calibration ratio and slope, sign hit rate, return on gas';

-- ---- ranking ----

-- Each strategy's risk and return over the UTC days of a window ending at
-- end_at (default now(), the same end for every strategy): the days whose
-- start is in [end_at - win, end_at) (win NULL: every day before end_at),
-- from v_pnl_attribution's day rows, as time-weighted returns that leave
-- deposits and withdrawals out:
--   r_d                (value_change - pnl_flows) / value_start of day d
--                      (days with value_start <= 0 are skipped; a day
--                      that loses everything, r <= -1, counts as 1e-300)
--   index              I_d = Π (1 + r) up to d, I before the first day = 1
--   total_return       I_last - 1
--   annualised_return  I_last ^ (365.25 / days) - 1 (days: the returns)
--   volatility         sample stddev of r × sqrt(365.25)
--   sharpe             mean r / stddev r × sqrt(365.25) (strategy_sharpe;
--                      risk-free rate 0)
--   sortino            mean r × sqrt(365.25) / sqrt(mean(min(r, 0)^2));
--                      NULL without a losing day
--   max_drawdown       max over the window of 1 - I / running max of I
--                      (the running max starting at 1)
--   calmar             annualised_return / max_drawdown (NULL when 0)
-- Below min_days (7) daily returns the annualised figures (annualised
-- return, volatility, Sharpe, Sortino, Calmar) are NULL: a few days say
-- nothing about a year.  periods_per_year is 365.25.
CREATE FUNCTION @extschema@.strategy_ranking(win interval DEFAULT NULL, end_at timestamptz DEFAULT now())
RETURNS TABLE (strategy_id bigint, strategy text, strategy_kind text, numeraire @extschema@.address,
	from_at timestamptz, to_at timestamptz, days bigint, periods_per_year float8,
	start_value numeric, end_value numeric, flows numeric, total_return float8, annualised_return float8,
	volatility float8, sharpe float8, sortino float8, max_drawdown float8, calmar float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH d AS (
		SELECT p.strategy_id, p.at, p.numeraire, p.value_start, p.value_end, p.pnl_flows,
			   ((p.value_change - p.pnl_flows) / p.value_start)::float8 AS r
		  FROM v_pnl_attribution p
		 WHERE p.period = 'day' AND p.value_start > 0
		   AND p.at - interval '1 day' < $2
		   AND ($1 IS NULL OR p.at - interval '1 day' >= $2 - $1)),
	i AS (
		SELECT d.*, exp(sum(ln(greatest(1 + d.r, 1e-300))) OVER w) AS idx
		  FROM d
		WINDOW w AS (PARTITION BY d.strategy_id ORDER BY d.at)),
	j AS (
		SELECT i.*, greatest(1, max(i.idx) OVER (PARTITION BY i.strategy_id ORDER BY i.at)) AS peak FROM i),
	a AS (
		SELECT j.strategy_id, min(j.at) - interval '1 day' AS from_at, max(j.at) AS to_at, count(*) AS n,
			   (array_agg(j.value_start ORDER BY j.at))[1] AS v0, (array_agg(j.value_end ORDER BY j.at DESC))[1] AS v1,
			   (array_agg(j.numeraire ORDER BY j.at DESC))[1] AS numeraire, sum(j.pnl_flows) AS flows,
			   (array_agg(j.idx ORDER BY j.at DESC))[1] AS idx, array_agg(j.r ORDER BY j.at) AS r,
			   max(1 - j.idx / j.peak) AS mdd,
			   avg(j.r) AS mean_r, stddev_samp(j.r) AS sd_r, sqrt(avg(least(j.r, 0) ^ 2)) AS down
		  FROM j GROUP BY j.strategy_id),
	b AS (
		SELECT a.*, a.n >= 7 AS enough,
			   CASE WHEN a.idx > 0 THEN ln(a.idx) * 365.25 / a.n END AS lg
		  FROM a)
	SELECT b.strategy_id, s.name, s.kind, b.numeraire, b.from_at, b.to_at, b.n, 365.25::float8,
		   b.v0, b.v1, b.flows, b.idx - 1,
		   CASE WHEN b.enough AND abs(b.lg) < 700 THEN exp(b.lg) - 1 END,
		   CASE WHEN b.enough THEN b.sd_r * sqrt(365.25) END,
		   CASE WHEN b.enough THEN strategy_sharpe(b.r, 365.25) END,
		   CASE WHEN b.enough AND b.down > 0 THEN b.mean_r * sqrt(365.25) / b.down END,
		   b.mdd,
		   CASE WHEN b.enough AND abs(b.lg) < 700 AND b.mdd > 0 THEN (exp(b.lg) - 1) / b.mdd END
	  FROM b JOIN strategies s ON s.id = b.strategy_id
$$;
COMMENT ON FUNCTION @extschema@.strategy_ranking(interval, timestamptz) IS
	'per strategy over the UTC days of a window ending at end_at (default now()): time-weighted daily returns (flows left out), total and annualised return, volatility, Sharpe, Sortino, maximum drawdown, Calmar; annualised figures NULL under 7 days';

-- strategy_ranking over the default windows ending now, each strategy
-- ranked by Sharpe within its window (1 the best; without a Sharpe last).
CREATE VIEW @extschema@.v_strategy_ranking AS
	SELECT w.label AS "window", w.span, rank() OVER (PARTITION BY w.label ORDER BY r.sharpe DESC NULLS LAST) AS rank, r.*
	  FROM (VALUES ('7d', interval '7 days'), ('30d', interval '30 days'), ('all', NULL::interval)) AS w(label, span)
	 CROSS JOIN LATERAL @extschema@.strategy_ranking(w.span, now()) r;
COMMENT ON VIEW @extschema@.v_strategy_ranking IS
	'strategy_ranking over 7 days, 30 days and all days ending now, ranked by Sharpe within each window';

-- ---- privileges ----

REVOKE ALL ON @extschema@.v_decision_outcomes, @extschema@.v_strategy_outcomes, @extschema@.v_strategy_ranking FROM PUBLIC;
GRANT SELECT ON @extschema@.v_decision_outcomes, @extschema@.v_strategy_outcomes, @extschema@.v_strategy_ranking
	TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.strategy_ranking(interval, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_ranking(interval, timestamptz) TO amplified_reader;
-- strategy_expectation_of is immutable (a function of its arguments): PUBLIC's.
