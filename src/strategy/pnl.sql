-- src/strategy/pnl.sql: exact P&L attribution.  Between two consecutive
-- snapshots of a strategy (a "block" period) the change in its value is
-- split into components, each computed from its own data; hours and days
-- sum their block periods.  Writing a0, a1 for the whole units of a leg
-- (asset and position) at the start and end snapshots and p0, p1 for its
-- prices then,
--
--   value_end - value_start = Σ a0·(p1 - p0)  +  Σ (a1 - a0)·p1
--
-- the first sum is the market's doing: the price effect of long legs (an
-- LST's minus its staking accretion), the staking yield (a0·p1·(1 -
-- rate0/rate1)) and the hedge (short legs); the second is what changed the
-- quantities, valued at the end prices: fees that accrued, interest (the
-- lending indexes' growth), the divergence of Uniswap v3 NFTs held with the
-- same liquidity (their exact amounts at the end against the start price),
-- recorded deposits and withdrawals, and the strategy's trades (a swap
-- moves value between legs: it nets to what came in less what left, at p1,
-- its swap cost).  Gas is paid in ETH from outside the valuation: a cost
-- (pnl_gas) the owner funds (in pnl_flows).  Nothing is a plug: what the
-- components do not explain (an unrecorded deposit, a missing price, an NFT
-- whose liquidity changed while the price moved) is no pnl_ column but the
-- "unexplained" of v_pnl_attribution_check.  docs/performance.md defines
-- every term, with a worked example.

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
-- s1.value - s0.value, in whole numeraire units, costs negative, computed
-- from its own data (a0, a1: whole units of a leg, per position and asset,
-- at s0 and s1; p0, p1: its price then, the asset's price on another leg
-- when the leg has none, the other end's when the asset has none there):
--   pnl_price            Σ a0·(p1 - p0) over long legs, less their staking yield
--   pnl_staking_yield    Σ a0·p1·(1 - rate0/rate1) over long legs of an asset
--                        with a staking rate at both ends (unit-free: an
--                        LST's accretion at its end price, whatever the
--                        numeraire)
--   pnl_hedge            Σ a0·(p1 - p0) over short legs (a0 < 0)
--   pnl_fees             fees owed that accrued, per position and token, at p1
--                        (owed that fell was collected: a transfer between legs)
--   pnl_interest_earned  Δ interest_earned; pnl_interest_paid  -Δ interest_paid
--                        (the snapshots' running sums: index growth at p1)
--   pnl_divergence       per Uniswap v3 NFT held at both ends in the same
--                        range, L the liquidity held throughout (the smaller
--                        of the two): Σ_token [amount(√P1, L) - amount(√P0,
--                        L)]·p1, exact (univ3_amounts_for_liquidity)
--   pnl_incentives       0: no source of rewards exists yet
--   pnl_gas              -(ETH paid for gas by mined transactions) × ETH price
--   pnl_swap_cost        the strategy's realised swaps in the period: what
--                        came in less what left, at p1 (the Swap logs of the
--                        pools its parameters name whose recipient is its
--                        owner); without any, the quoted cost of the
--                        decisions whose swaps were mined in the period
--   pnl_flows            recorded deposits - withdrawals at p1, plus the gas
--                        the owner funded
-- Their sum equals the change in value only when the data explain it:
-- v_pnl_attribution_check lists the periods where it does not.
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
			   sum(coalesce(h.fees_owed, 0) * strategy_unit(h.decimals)) AS f, max(h.price) AS p,
			   min(h.decimals) AS dec, max(h.liquidity) AS l, min(h.tick_lower) AS tl, min(h.tick_upper) AS tu,
			   max(h.sqrt_price) AS sq
		  FROM unnest($1.holdings) h GROUP BY h.asset, h.position),
	k1 AS (
		SELECT h.asset, h.position, sum(h.amount * strategy_unit(h.decimals)) AS a,
			   sum(coalesce(h.fees_owed, 0) * strategy_unit(h.decimals)) AS f, max(h.price) AS p,
			   min(h.decimals) AS dec, max(h.liquidity) AS l, min(h.tick_lower) AS tl, min(h.tick_upper) AS tu,
			   max(h.sqrt_price) AS sq
		  FROM unnest($2.holdings) h GROUP BY h.asset, h.position),
	-- each asset's price at either end (any leg of it that has one)
	ap0 AS (SELECT h.asset, max(h.price) AS p FROM unnest($1.holdings) h WHERE h.price IS NOT NULL GROUP BY h.asset),
	ap1 AS (SELECT h.asset, max(h.price) AS p FROM unnest($2.holdings) h WHERE h.price IS NOT NULL GROUP BY h.asset),
	-- each staking asset's rate at either end
	r0 AS (SELECT h.asset, max(h.rate) AS r FROM unnest($1.holdings) h WHERE h.accrual = 'staking' AND h.rate > 0 GROUP BY h.asset),
	r1 AS (SELECT h.asset, max(h.rate) AS r FROM unnest($2.holdings) h WHERE h.accrual = 'staking' AND h.rate > 0 GROUP BY h.asset),
	legs AS (
		SELECT coalesce(k0.a, 0) AS a0, coalesce(k0.f, 0) AS f0, coalesce(k1.f, 0) AS f1,
			   coalesce(k0.p, ap0.p, k1.p, ap1.p, 0) AS p0, coalesce(k1.p, ap1.p, k0.p, ap0.p, 0) AS p1,
			   r0.r AS r0, r1.r AS r1
		  FROM k0 FULL JOIN k1 ON k1.asset = k0.asset AND k1.position = k0.position
		  LEFT JOIN ap0 ON ap0.asset = coalesce(k0.asset, k1.asset)
		  LEFT JOIN ap1 ON ap1.asset = coalesce(k0.asset, k1.asset)
		  LEFT JOIN r0 ON r0.asset = coalesce(k0.asset, k1.asset)
		  LEFT JOIN r1 ON r1.asset = coalesce(k0.asset, k1.asset)),
	m AS (
		SELECT coalesce(sum(l.a0 * (l.p1 - l.p0)) FILTER (WHERE l.a0 > 0), 0) AS long_move,
			   coalesce(sum(l.a0 * l.p1 * (1 - l.r0 / l.r1)) FILTER (WHERE l.a0 > 0 AND l.r0 IS NOT NULL AND l.r1 IS NOT NULL), 0)
				   AS staking,
			   coalesce(sum(l.a0 * (l.p1 - l.p0)) FILTER (WHERE l.a0 < 0), 0) AS hedge,
			   -- owed fees that grew accrued; owed fees that fell were collected
			   -- (a collect takes all that is owed), what is owed since accrued
			   coalesce(sum(CASE WHEN l.f1 >= l.f0 THEN l.f1 - l.f0 ELSE l.f1 END * l.p1), 0) AS fees
		  FROM legs l),
	-- Uniswap v3 NFTs at both ends with the same range: each token's exact
	-- amount for L at the end price less at the start price (token0 is the
	-- position's lower address), at the end price; L the liquidity held
	-- throughout (the smaller of the two when it was added to or reduced:
	-- what was added or removed moved at a price between, unknown here)
	nft AS (
		SELECT k1.asset, k1.dec, least(k0.l, k1.l) AS l, k0.tl, k0.tu, k0.sq AS sq0, k1.sq AS sq1,
			   coalesce(k1.p, ap1.p, 0) AS p1,
			   lower(k1.asset::text) = min(lower(k1.asset::text)) OVER (PARTITION BY k1.position) AS is0
		  FROM k0 JOIN k1 ON k1.asset = k0.asset AND k1.position = k0.position
		  LEFT JOIN ap1 ON ap1.asset = k1.asset
		 WHERE k0.l > 0 AND k1.l > 0 AND k0.tl = k1.tl AND k0.tu = k1.tu
		   AND k0.sq IS NOT NULL AND k1.sq IS NOT NULL),
	dv AS (
		SELECT coalesce(sum(CASE WHEN n.is0 THEN e.amount0::numeric - b.amount0::numeric
								 ELSE e.amount1::numeric - b.amount1::numeric END
							* strategy_unit(n.dec) * n.p1), 0) AS divergence
		  FROM nft n
		 CROSS JOIN LATERAL univ3_amounts_for_liquidity(n.sq1::uint256, univ3_sqrt_price_at_tick(n.tl),
				univ3_sqrt_price_at_tick(n.tu), n.l::uint256) e
		 CROSS JOIN LATERAL univ3_amounts_for_liquidity(n.sq0::uint256, univ3_sqrt_price_at_tick(n.tl),
				univ3_sqrt_price_at_tick(n.tu), n.l::uint256) b),
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
	-- the pools the strategy trades in, from its parameters: lp_univ3's
	-- pool (token0, token1, decimals0, decimals1), stake's candidates'
	-- pools (each candidate's token against base_token; token0 the lower
	-- address, as in Uniswap v3)
	pools AS (
		SELECT (st.params ->> 'pool')::address AS pool, (st.params ->> 'token0')::address AS t0,
			   (st.params ->> 'token1')::address AS t1,
			   coalesce((st.params ->> 'decimals0')::int, 18) AS d0, coalesce((st.params ->> 'decimals1')::int, 18) AS d1
		  FROM strategies st
		 WHERE st.id = $2.strategy_id AND jsonb_typeof(st.params -> 'pool') = 'string'
		   AND jsonb_typeof(st.params -> 'token0') = 'string' AND jsonb_typeof(st.params -> 'token1') = 'string'
		UNION
		SELECT (c ->> 'pool')::address,
			   (CASE WHEN lo THEN c ->> 'token' ELSE st.params ->> 'base_token' END)::address,
			   (CASE WHEN lo THEN st.params ->> 'base_token' ELSE c ->> 'token' END)::address,
			   coalesce((CASE WHEN lo THEN c ->> 'decimals' ELSE st.params ->> 'base_decimals' END)::int, 18),
			   coalesce((CASE WHEN lo THEN st.params ->> 'base_decimals' ELSE c ->> 'decimals' END)::int, 18)
		  FROM strategies st
		 CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(st.params -> 'candidates') = 'array'
													 THEN st.params -> 'candidates' ELSE '[]' END) c
		 CROSS JOIN LATERAL (SELECT lower(c ->> 'token') < lower(st.params ->> 'base_token') AS lo) o
		 WHERE st.id = $2.strategy_id AND jsonb_typeof(st.params -> 'base_token') = 'string'
		   AND jsonb_typeof(c -> 'pool') = 'string' AND jsonb_typeof(c -> 'token') = 'string'),
	-- the realised swaps: Swap logs of those pools paying the strategy's
	-- owner in the period, what came in (the pool's negative amounts) less
	-- what left, at the end prices
	rs AS (
		SELECT count(*) AS n,
			   coalesce(sum(-(w.amount0::numeric * strategy_unit(pl.d0)
								* coalesce(CASE WHEN pl.t0 = $2.numeraire THEN 1 END, q0.p, 0)
							  + w.amount1::numeric * strategy_unit(pl.d1)
								* coalesce(CASE WHEN pl.t1 = $2.numeraire THEN 1 END, q1.p, 0))), 0) AS value
		  FROM strategies st
		 CROSS JOIN pools pl
		  JOIN univ3_swaps w ON w.chain_id = st.chain_id AND w.pool = pl.pool AND w.recipient = st.owner
							AND w.block_number > $1.block_number AND w.block_number <= $2.block_number
		  LEFT JOIN ap1 q0 ON q0.asset = pl.t0
		  LEFT JOIN ap1 q1 ON q1.asset = pl.t1
		 WHERE st.id = $2.strategy_id),
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
		   dv.divergence,
		   m.staking,
		   $2.interest_earned - $1.interest_earned,
		   -($2.interest_paid - $1.interest_paid),
		   m.hedge,
		   0::numeric,
		   -gv.value,
		   CASE WHEN rs.n > 0 THEN rs.value ELSE -sw.cost END,
		   m.long_move - m.staking,
		   fl.flows + gv.value,
		   gv.eth
	  FROM m, dv, fl, gv, rs, sw
$$;
COMMENT ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) IS
	'the P&L components between two snapshots of a strategy, in its numeraire, each from its own data (v_pnl_attribution_check shows what they leave unexplained)';

-- Per strategy and period: the block periods (snapshot to snapshot, at the
-- end snapshot's time) and, summed from them, the hours and days (UTC) that
-- hold their ends, at the period's end.  value_change is the sum of the
-- pnl_ columns when the data explain it (v_pnl_attribution_check).
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
	'Per strategy and period (block, hour, day): value at start and end and its change, and its components, each from its own data: fees, divergence, staking yield, interest earned and paid, hedge, incentives, gas, swap cost, price effect and flows';

-- The identity value_change = Σ pnl_ per strategy and period: what the
-- components explain, what they do not (unexplained, never folded into a
-- component: an unrecorded deposit or withdrawal, a price missing at one
-- end, an NFT whose liquidity changed while the price moved, data that
-- disagree) and whether the period balances: |unexplained| at most its
-- tolerance, one raw unit of every leg at both ends of every block period
-- in it at its price (Σ 10^-decimals × |price|: the rounding of on-chain
-- integer amounts, e.g. an index's growth against the amount read).
CREATE VIEW @extschema@.v_pnl_attribution_check AS
	WITH tol AS (
		SELECT s1.strategy_id, s1.block_number AS block_end, s1.at,
			   (SELECT coalesce(sum(strategy_unit(h.decimals) * abs(coalesce(h.price, 0))), 0) FROM unnest(s0.holdings) h)
			   + (SELECT coalesce(sum(strategy_unit(h.decimals) * abs(coalesce(h.price, 0))), 0) FROM unnest(s1.holdings) h)
				   AS tolerance
		  FROM @extschema@.strategy_snapshots s1
		 CROSS JOIN LATERAL (SELECT x.holdings FROM @extschema@.strategy_snapshots x
							  WHERE x.strategy_id = s1.strategy_id AND x.block_number < s1.block_number
							  ORDER BY x.block_number DESC LIMIT 1) s0)
	SELECT y.strategy_id, y.strategy, y.period, y.at, y.block_start, y.block_end, y.numeraire,
		   y.value_start, y.value_end, y.value_change, y.explained, y.unexplained, y.tolerance,
		   abs(y.unexplained) <= y.tolerance AS balanced
	  FROM (SELECT x.*, x.value_change - x.explained AS unexplained,
				   CASE WHEN x.period = 'block'
						THEN (SELECT t.tolerance FROM tol t WHERE t.strategy_id = x.strategy_id AND t.block_end = x.block_end)
						ELSE (SELECT sum(t.tolerance) FROM tol t
							   WHERE t.strategy_id = x.strategy_id
								 AND date_trunc(x.period, t.at, 'UTC') + ('1 ' || x.period)::interval = x.at) END AS tolerance
			  FROM (SELECT a.strategy_id, a.strategy, a.period, a.at, a.block_start, a.block_end, a.numeraire,
						   a.value_start, a.value_end, a.value_change,
						   a.pnl_fees + a.pnl_divergence + a.pnl_staking_yield + a.pnl_interest_earned
							   + a.pnl_interest_paid + a.pnl_hedge + a.pnl_incentives + a.pnl_gas + a.pnl_swap_cost
							   + a.pnl_price + a.pnl_flows AS explained
					  FROM @extschema@.v_pnl_attribution a) x) y;
COMMENT ON VIEW @extschema@.v_pnl_attribution_check IS
	'Per strategy and period: the change in value, the sum of its P&L components, what they leave unexplained, the tolerance (one raw unit per leg and end at its price) and whether the period balances';

-- ---- the books of each strategy ----

-- Per strategy: its latest snapshot's value, its first snapshot's, and the
-- P&L components summed over its block periods (v_pnl_attribution), so
-- value_change = value - first_value is what they explain plus what they
-- leave unexplained (v_pnl_attribution_check).
CREATE VIEW @extschema@.v_strategy_books AS
	SELECT n.at, s.chain_id, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, n.numeraire,
		   f.block_number AS first_block, n.block_number, f.value AS first_value, n.value, n.hold_value,
		   n.value - f.value AS value_change,
		   p.pnl_fees, p.pnl_divergence, p.pnl_staking_yield, p.pnl_interest_earned, p.pnl_interest_paid,
		   p.pnl_hedge, p.pnl_incentives, p.pnl_gas, p.pnl_swap_cost, p.pnl_price, p.pnl_flows, p.gas_eth
	  FROM @extschema@.strategies s
	 CROSS JOIN LATERAL (SELECT x.at, x.block_number, x.numeraire, x.value, x.hold_value
						   FROM @extschema@.strategy_snapshots x
						  WHERE x.strategy_id = s.id ORDER BY x.block_number DESC LIMIT 1) n
	 CROSS JOIN LATERAL (SELECT x.block_number, x.value
						   FROM @extschema@.strategy_snapshots x
						  WHERE x.strategy_id = s.id ORDER BY x.block_number LIMIT 1) f
	 CROSS JOIN LATERAL (SELECT coalesce(sum(a.pnl_fees), 0) AS pnl_fees,
								coalesce(sum(a.pnl_divergence), 0) AS pnl_divergence,
								coalesce(sum(a.pnl_staking_yield), 0) AS pnl_staking_yield,
								coalesce(sum(a.pnl_interest_earned), 0) AS pnl_interest_earned,
								coalesce(sum(a.pnl_interest_paid), 0) AS pnl_interest_paid,
								coalesce(sum(a.pnl_hedge), 0) AS pnl_hedge,
								coalesce(sum(a.pnl_incentives), 0) AS pnl_incentives,
								coalesce(sum(a.pnl_gas), 0) AS pnl_gas,
								coalesce(sum(a.pnl_swap_cost), 0) AS pnl_swap_cost,
								coalesce(sum(a.pnl_price), 0) AS pnl_price,
								coalesce(sum(a.pnl_flows), 0) AS pnl_flows,
								coalesce(sum(a.gas_eth), 0) AS gas_eth
						   FROM @extschema@.v_pnl_attribution a
						  WHERE a.strategy_id = s.id AND a.period = 'block') p;
COMMENT ON VIEW @extschema@.v_strategy_books IS
	'Per strategy (with its chain): latest value and holding value, first value, value change and its P&L components summed over its block periods, in its numeraire; what a shard coordinator reads (src/shard)';


-- ---- privileges ----
REVOKE ALL ON TABLE @extschema@.strategy_flows, @extschema@.v_pnl_attribution, @extschema@.v_pnl_attribution_check,
	@extschema@.v_strategy_books FROM PUBLIC;
GRANT SELECT ON @extschema@.strategy_flows, @extschema@.v_pnl_attribution, @extschema@.v_pnl_attribution_check,
	@extschema@.v_strategy_books TO amplified_reader;
-- Operators record the deposits and withdrawals they make.
-- Append-only for operators: a mistake is corrected by a reversing entry,
-- so the ledger keeps who recorded what and when (recorded_at, recorded_by
-- are the defaults, not theirs to set).
GRANT INSERT (strategy_id, block_number, asset, amount, note) ON @extschema@.strategy_flows TO amplified_operator;
REVOKE ALL ON FUNCTION @extschema@.strategy_gas_price(bigint, @extschema@.address, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_gas_price(bigint, @extschema@.address, timestamptz) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_pnl_step(@extschema@.strategy_snapshots, @extschema@.strategy_snapshots) TO amplified_reader;
