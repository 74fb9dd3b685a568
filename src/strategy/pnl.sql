-- src/strategy/pnl.sql: exact P&L attribution.  Between two consecutive
-- snapshots of a strategy (a "block" period) the change in its value is
-- split into components that sum to it exactly (numeric arithmetic, no
-- catch-all residual); hours and days sum their block periods.  The split
-- (docs/_perf_attribution.md defines every term, with a worked example):
--
--   value_end - value_start
--     = [H - value_start]                      the start holdings repriced
--     + [value_end - H]                        the holdings' quantities changed
--
-- where H is the start snapshot's holdings (per position and asset) at the
-- end snapshot's prices.  The first bracket is the market's doing: staking
-- yield (the LST's rate growth, from the snapshots' running sums), hedge
-- P&L (the repricing of short legs, debts of a priced asset) and the price
-- effect (the repricing of everything else).  The second is what changed
-- the quantities, each valued at the end prices: fees earned (fees owed
-- per position), interest earned and paid (the running sums), capital
-- flows (strategy_flows), swap costs (decisions' quoted costs of their mined
-- swaps, added back) and divergence: what the quantities moved beyond those,
-- the rebalancing an AMM position does against holding plus the timing of
-- the strategy's own trades.  Gas is paid in ETH from outside the
-- valuation: it is a cost (pnl_gas) funded by the owner, a flow.

-- Capital put in (positive) or taken out (negative) of a strategy's vault
-- by its owner between snapshots, in whole units of an asset: the operator
-- records deposits and withdrawals here so that the attribution does not
-- read them as profit or loss.
CREATE TABLE @extschema@.strategy_flows (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	strategy_id		bigint NOT NULL REFERENCES @extschema@.strategies ON DELETE CASCADE,
	block_number	bigint NOT NULL CHECK (block_number >= 0),
	asset			@extschema@.address NOT NULL,
	amount			numeric NOT NULL CHECK (amount <> 0),
	note			text,
	recorded_at		timestamptz NOT NULL DEFAULT now(),
	recorded_by		text NOT NULL DEFAULT session_user
);
CREATE INDEX strategy_flows_strategy ON @extschema@.strategy_flows (strategy_id, block_number);
COMMENT ON TABLE @extschema@.strategy_flows IS
	'Deposits (positive) and withdrawals (negative) of a strategy''s capital, in whole units of an asset, at the block they were mined';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_flows', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_flows_id_seq', '');

-- The numeraire per ETH at a time, to value gas: the market layer's price of
-- the native coin (the zero address) in the numeraire when a feed for it is
-- configured, else 1 (an ETH-denominated numeraire such as WETH).
CREATE FUNCTION @extschema@.strategy_gas_price(chain_id bigint, numeraire @extschema@.address, at timestamptz)
RETURNS numeric
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(CASE WHEN EXISTS (SELECT 1 FROM market_feeds f JOIN market_sources s ON s.name = f.source
									   WHERE f.chain_id = $1 AND f.asset = '0x0000000000000000000000000000000000000000'
										 AND f.quote = $2 AND s.provides = 'price')
						 THEN market_price_at($1, '0x0000000000000000000000000000000000000000', $2, $3)::numeric END, 1)
$$;
COMMENT ON FUNCTION @extschema@.strategy_gas_price(bigint, @extschema@.address, timestamptz) IS
	'numeraire per ETH at a time: the market price of the native coin (zero address) in the numeraire, 1 without a feed';

-- The attribution of one block period: from snapshot s0 to the next one,
-- s1, of the same strategy.  Every component is the signed contribution to
-- s1.value - s0.value, in whole numeraire units, costs negative; their sum
-- is that difference exactly.
--   pnl_price            Σ a0·(p1 - p0) over long legs, less the staking yield
--   pnl_hedge            Σ a0·(p1 - p0) over short legs (a0 < 0)
--   pnl_staking_yield    Δ staking_yield (running sum)
--   pnl_fees             fees owed that accrued, per position and token, at p1
--   pnl_interest_earned  Δ interest_earned; pnl_interest_paid  -Δ interest_paid
--   pnl_incentives       0: no source of rewards exists yet
--   pnl_gas              -(ETH paid for gas by mined transactions) × ETH price
--   pnl_swap_cost        -(quoted cost of swaps mined in the period)
--   pnl_flows            deposits - withdrawals at p1, plus the gas the owner funded
--   pnl_divergence       value_end - H less fees, interest, recorded flows
--                        and the swap costs' effect
-- (a0: whole units held at s0 per position and asset; p0, p1: its price at
-- s0 and s1; H = Σ a0·p1).
CREATE FUNCTION @extschema@.strategy_pnl_step(s0 @extschema@.strategy_snapshots, s1 @extschema@.strategy_snapshots,
	OUT pnl_fees numeric, OUT pnl_divergence numeric, OUT pnl_staking_yield numeric,
	OUT pnl_interest_earned numeric, OUT pnl_interest_paid numeric, OUT pnl_hedge numeric,
	OUT pnl_incentives numeric, OUT pnl_gas numeric, OUT pnl_swap_cost numeric, OUT pnl_price numeric,
	OUT pnl_flows numeric, OUT gas_eth numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH k0 AS (
		SELECT h.asset, h.position, sum(h.amount * strategy_unit(h.decimals)) AS a,
			   sum(coalesce(h.fees_owed, 0) * strategy_unit(h.decimals)) AS f, max(h.price) AS p
		  FROM unnest($1.holdings) h GROUP BY h.asset, h.position),
	k1 AS (
		SELECT h.asset, h.position, sum(coalesce(h.fees_owed, 0) * strategy_unit(h.decimals)) AS f, max(h.price) AS p
		  FROM unnest($2.holdings) h GROUP BY h.asset, h.position),
	-- each asset's end price (any leg of it that has one), for legs gone by then
	ap1 AS (SELECT h.asset, max(h.price) AS p FROM unnest($2.holdings) h WHERE h.price IS NOT NULL GROUP BY h.asset),
	ap0 AS (SELECT h.asset, max(h.price) AS p FROM unnest($1.holdings) h WHERE h.price IS NOT NULL GROUP BY h.asset),
	legs AS (
		SELECT coalesce(k0.a, 0) AS a0, coalesce(k0.f, 0) AS f0, coalesce(k1.f, 0) AS f1,
			   coalesce(k0.p, 0) AS p0, coalesce(k1.p, ap1.p, k0.p, 0) AS p1
		  FROM k0 FULL JOIN k1 ON k1.asset = k0.asset AND k1.position = k0.position
		  LEFT JOIN ap1 ON ap1.asset = coalesce(k0.asset, k1.asset)),
	m AS (
		SELECT coalesce(sum(l.a0 * l.p1), 0) AS hold_end,
			   coalesce(sum(l.a0 * (l.p1 - l.p0)) FILTER (WHERE l.a0 < 0), 0) AS hedge,
			   -- owed fees that grew accrued; owed fees that fell were collected
			   -- (a collect takes all that is owed), what is owed since accrued
			   coalesce(sum(CASE WHEN l.f1 >= l.f0 THEN l.f1 - l.f0 ELSE l.f1 END * l.p1), 0) AS fees
		  FROM legs l),
	fl AS (
		SELECT coalesce(sum(f.amount * coalesce(CASE WHEN f.asset = $2.numeraire THEN 1 END, ap1.p, ap0.p, 0)), 0) AS flows
		  FROM strategy_flows f
		  LEFT JOIN ap1 ON ap1.asset = f.asset
		  LEFT JOIN ap0 ON ap0.asset = f.asset
		 WHERE f.strategy_id = $2.strategy_id AND f.block_number > $1.block_number AND f.block_number <= $2.block_number),
	g AS (
		SELECT txq_gas_spent($2.strategy_id, $2.block_number) - txq_gas_spent($2.strategy_id, $1.block_number) AS eth),
	gv AS (
		SELECT g.eth, CASE WHEN g.eth = 0 THEN 0
						   ELSE g.eth * strategy_gas_price((SELECT s.chain_id FROM strategies s WHERE s.id = $2.strategy_id),
														   $2.numeraire, $2.at) END AS value
		  FROM g),
	-- decisions whose swaps (steps "swap", or the plan's swap_steps) were
	-- all mined, the last of them in the period: their quoted swap cost
	sw AS (
		SELECT coalesce(sum((d.plan ->> 'swap_cost')::numeric), 0) AS cost
		  FROM decisions d
		 CROSS JOIN LATERAL (
				SELECT count(*) AS n,
					   count(*) FILTER (WHERE t.status IN ('mined', 'confirmed')) AS mined,
					   max(t.block_number) AS last_block,
					   count(e.o) AS wanted
				  FROM jsonb_array_elements(d.intents) WITH ORDINALITY AS e(i, o)
				  LEFT JOIN tx_intents t ON t.id = d.intent_ids[e.o]
				 WHERE e.i ->> 'step' = ANY (CASE WHEN jsonb_typeof(d.plan -> 'swap_steps') = 'array'
												  THEN ARRAY(SELECT jsonb_array_elements_text(d.plan -> 'swap_steps'))
												  ELSE ARRAY['swap'] END)) q
		 WHERE d.strategy_id = $2.strategy_id AND d.status = 'enqueued'
		   AND jsonb_typeof(d.plan -> 'swap_cost') = 'number'
		   AND q.wanted > 0 AND q.mined = q.wanted
		   AND q.last_block > $1.block_number AND q.last_block <= $2.block_number)
	SELECT m.fees,
		   ($2.value - m.hold_end) - m.fees - ($2.interest_earned - $1.interest_earned)
			   + ($2.interest_paid - $1.interest_paid) - fl.flows + sw.cost,
		   $2.staking_yield - $1.staking_yield,
		   $2.interest_earned - $1.interest_earned,
		   -($2.interest_paid - $1.interest_paid),
		   m.hedge,
		   0::numeric,
		   -gv.value,
		   -sw.cost,
		   (m.hold_end - $1.value) - m.hedge - ($2.staking_yield - $1.staking_yield),
		   fl.flows + gv.value,
		   gv.eth
	  FROM m, fl, gv, sw
$$;
COMMENT ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) IS
	'the P&L components between two snapshots of a strategy, in its numeraire, summing exactly to the change in value';

-- Per strategy and period: the block periods (snapshot to snapshot, at the
-- end snapshot's time) and, summed from them, the hours and days (UTC) that
-- hold their ends, at the period's end.  value_change is the sum of the
-- pnl_ columns, exactly.
CREATE VIEW @extschema@.v_pnl_attribution AS
	SELECT b.strategy_id, b.strategy, 'block'::text AS period, b.at, b.block_start, b.block_end, b.numeraire,
		   b.value_start, b.value_end, b.value_end - b.value_start AS value_change,
		   b.pnl_fees, b.pnl_divergence, b.pnl_staking_yield, b.pnl_interest_earned, b.pnl_interest_paid,
		   b.pnl_hedge, b.pnl_incentives, b.pnl_gas, b.pnl_swap_cost, b.pnl_price, b.pnl_flows, b.gas_eth
	  FROM (SELECT s1.strategy_id, st.name AS strategy, s1.at, s0.block_number AS block_start, s1.block_number AS block_end,
				   s1.numeraire, s0.value AS value_start, s1.value AS value_end, c.*
			  FROM @extschema@.strategy_snapshots s1
			  JOIN @extschema@.strategies st ON st.id = s1.strategy_id
			 CROSS JOIN LATERAL (SELECT * FROM @extschema@.strategy_snapshots x
								  WHERE x.strategy_id = s1.strategy_id AND x.block_number < s1.block_number
								  ORDER BY x.block_number DESC LIMIT 1) s0
			 CROSS JOIN LATERAL @extschema@.strategy_pnl_step(s0, s1) c) b
	UNION ALL
	SELECT b.strategy_id, min(b.strategy), p.period,
		   date_trunc(p.period, b.at, 'UTC') + ('1 ' || p.period)::interval,
		   min(b.block_start), max(b.block_end), min(b.numeraire::text)::@extschema@.address,
		   (array_agg(b.value_start ORDER BY b.block_end))[1], (array_agg(b.value_end ORDER BY b.block_end DESC))[1],
		   (array_agg(b.value_end ORDER BY b.block_end DESC))[1] - (array_agg(b.value_start ORDER BY b.block_end))[1],
		   sum(b.pnl_fees), sum(b.pnl_divergence), sum(b.pnl_staking_yield), sum(b.pnl_interest_earned),
		   sum(b.pnl_interest_paid), sum(b.pnl_hedge), sum(b.pnl_incentives), sum(b.pnl_gas), sum(b.pnl_swap_cost),
		   sum(b.pnl_price), sum(b.pnl_flows), sum(b.gas_eth)
	  FROM (SELECT s1.strategy_id, st.name AS strategy, s1.at, s0.block_number AS block_start, s1.block_number AS block_end,
				   s1.numeraire, s0.value AS value_start, s1.value AS value_end, c.*
			  FROM @extschema@.strategy_snapshots s1
			  JOIN @extschema@.strategies st ON st.id = s1.strategy_id
			 CROSS JOIN LATERAL (SELECT * FROM @extschema@.strategy_snapshots x
								  WHERE x.strategy_id = s1.strategy_id AND x.block_number < s1.block_number
								  ORDER BY x.block_number DESC LIMIT 1) s0
			 CROSS JOIN LATERAL @extschema@.strategy_pnl_step(s0, s1) c) b
	 CROSS JOIN (VALUES ('hour'), ('day')) p(period)
	 GROUP BY b.strategy_id, p.period, date_trunc(p.period, b.at, 'UTC');
COMMENT ON VIEW @extschema@.v_pnl_attribution IS
	'Per strategy and period (block, hour, day): value at start and end and its change, split exactly into fees, divergence, staking yield, interest earned and paid, hedge, incentives, gas, swap cost, price effect and flows';

-- ---- privileges ----
REVOKE ALL ON TABLE @extschema@.strategy_flows, @extschema@.v_pnl_attribution FROM PUBLIC;
GRANT SELECT ON @extschema@.strategy_flows, @extschema@.v_pnl_attribution TO amplified_reader;
-- Operators record the deposits and withdrawals they make.
GRANT INSERT, UPDATE, DELETE ON @extschema@.strategy_flows TO amplified_operator;
REVOKE ALL ON FUNCTION @extschema@.strategy_gas_price(bigint, @extschema@.address, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_gas_price(bigint, @extschema@.address, timestamptz) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) TO amplified_reader;
