-- 055_market: the read models of the protocol modules (src/univ3/read.sql,
-- src/tokens/read.sql) and the market-data layer (src/market/market.sql)
-- over synthetic ingested rows.
--
-- A chain with blocks 0..12, block n at 2026-01-01 00:00 UTC + n minutes.
-- Pool P (token0 A, token1 B) has sqrt prices that are whole multiples of
-- 2^96 (Q), so its raw prices are exact squares: 1Q -> 1, 2Q -> 4, 3Q -> 9.
-- Every expected figure below is worked out by hand in the comments from
-- these rows, not by the functions under test.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

INSERT INTO chains (chain_id, name, rpc_urls, enabled) VALUES (990055, 'market-test', '{http://127.0.0.1:1}', false);
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
SELECT 990055, n, ('0x' || lpad(to_hex(n + 1), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n), 64, '0'))::bytes32,
	   '2026-01-01 00:00+00'::timestamptz + n * interval '1 minute'
  FROM generate_series(0, 12) AS n;
CREATE TEMP TABLE c (q numeric, t0 timestamptz);
INSERT INTO c VALUES (2::numeric ^ 96, '2026-01-01 00:00+00');
-- the time of minute m
CREATE FUNCTION pg_temp.t(m int) RETURNS timestamptz LANGUAGE sql
	RETURN '2026-01-01 00:00+00'::timestamptz + m * interval '1 minute';

-- Pool P 0x1111...: reading at 2 (1Q, liquidity 1000); swap at 5 log 0 (2Q,
-- pays 1000 token0); reading at 5 without liquidity (3Q); swaps at 8 log 1
-- (3Q, pays 50 token1) and log 3 (2Q, pays 100 token0); reading at 8 (1Q,
-- liquidity 4000); swaps at 11 log 2 (3Q) and log 0 (1Q), inserted in that order.
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
SELECT 990055, v.n, '0x1111111111111111111111111111111111111111', (v.k * c.q)::uint256, v.tick, 0, 1, 1, 0, true, v.l::uint256
  FROM c, (VALUES (2, 1, 0, 1000), (5, 3, 21972, NULL), (8, 1, 0, 4000)) v(n, k, tick, l);
INSERT INTO univ3_swaps (chain_id, block_number, log_index, pool, sender, recipient, amount0, amount1,
	sqrt_price_x96, liquidity, tick)
SELECT 990055, v.n, v.li, '0x1111111111111111111111111111111111111111', '0x0000000000000000000000000000000000000001',
	   '0x0000000000000000000000000000000000000001', v.a0::int256, v.a1::int256, (v.k * c.q)::uint256, v.l::uint256, v.tick
  FROM c, (VALUES (5, 0, 1000, -3000, 2, 2000, 13862), (8, 1, -10, 50, 3, 3000, 21972), (8, 3, 100, -300, 2, 3000, 13862),
				  (11, 2, 5, -1, 3, 3000, 21972), (11, 0, -1, 5, 1, 3000, 0)) v(n, li, a0, a1, k, l, tick);

-- ---- univ3_pool_state_at: the state at a block ----
SELECT is((SELECT s::text FROM univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 1) s),
	'(,,,)', 'pool state before any observation: a row of NULLs');
SELECT is((SELECT (s.block_number, div(s.sqrt_price::numeric, c.q), s.tick, s.liquidity)::text
		   FROM c, univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 2) s),
	'(2,1,0,1000)', 'pool state at a reading''s block: the reading');
SELECT is((SELECT (s.block_number, div(s.sqrt_price::numeric, c.q), s.tick, s.liquidity)::text
		   FROM c, univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 5) s),
	'(5,2,' || floor(ln(4) / ln(1.0001)) || ',2000)', 'same block, the reading has no liquidity: the swap');
SELECT is((SELECT (s.block_number, div(s.sqrt_price::numeric, c.q), s.liquidity)::text
		   FROM c, univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 7) s),
	'(5,2,2000)', 'a block without observations: the latest before it');
SELECT is((SELECT (s.block_number, div(s.sqrt_price::numeric, c.q), s.tick, s.liquidity)::text
		   FROM c, univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 8) s),
	'(8,1,0,4000)', 'same block, swaps and a reading: the reading (end of block)');
SELECT is((SELECT (s.block_number, div(s.sqrt_price::numeric, c.q), s.tick)::text
		   FROM c, univ3_pool_state_at(990055, '0x1111111111111111111111111111111111111111', 12) s),
	'(11,3,' || floor(ln(9) / ln(1.0001)) || ')',
	'two swaps in a block: the later log; the tick is the price''s');
SELECT is(univ3_tick_at_sqrt_price((2 * (2::numeric ^ 96))::uint256)::numeric, floor(ln(4::numeric) / ln(1.0001)),
	'the tick is the price''s: floor(log_1.0001(4)) = 13863, not the swap''s stored 13862');

-- ---- univ3_pool_observations, univ3_pool_ticks, risk_pool_prices ----
-- In effect at minute 5: the reading of block 5 (after the block's swap);
-- then (5, 8]: swaps log 1, log 3, then the reading of block 8.
SELECT is((SELECT array_agg((o.block_number, o.log_index, div(o.sqrt_price::numeric, c.q), o.at = pg_temp.t(o.block_number::int))::text
						   ORDER BY ord)
		   FROM c, univ3_pool_observations(990055, '0x1111111111111111111111111111111111111111', pg_temp.t(5), pg_temp.t(8))
				WITH ORDINALITY o(at, block_number, log_index, sqrt_price, tick, liquidity, amount0, amount1, ord)),
	ARRAY['(5,,3,t)', '(8,1,3,t)', '(8,3,2,t)', '(8,,1,t)'], 'observations: the one in effect, then chain order');
SELECT is((SELECT array_agg((o.at = pg_temp.t(5), o.block_number, o.log_index, o.amount0)::text ORDER BY ord)
		   FROM univ3_pool_ticks(990055, '0x1111111111111111111111111111111111111111', pg_temp.t(5), pg_temp.t(8))
				WITH ORDINALITY o(at, block_number, log_index, tick, sqrt_price, liquidity, amount0, amount1, ord)),
	ARRAY['(t,5,,)', '(f,8,1,-10)', '(f,8,3,100)'], 'pool ticks: the state at from_ts (at from_ts), then the swaps only');
SELECT is((SELECT array_agg(p.price ORDER BY p.block_number, p.log_index NULLS LAST)
		   FROM risk_pool_prices(990055, '0x1111111111111111111111111111111111111111', pg_temp.t(5), pg_temp.t(8)) p),
	ARRAY[9, 9, 4, 1]::float8[], 'risk pool prices: 9 in effect, then 9, 4, 1');
SELECT is((SELECT array_agg(p.price) FROM risk_pool_prices(990055, '0x1111111111111111111111111111111111111111',
		   pg_temp.t(9), pg_temp.t(3)) p),
	ARRAY[1]::float8[], 'risk pool prices with from_ts after to_ts: the price in effect at to_ts');

-- ---- univ3_pool_fees_token1 ----
-- After minute 4 up to block 8: swap 5 pays 1000 token0 at price 4 (4000),
-- swap 8/1 pays 50 token1, swap 8/3 pays 100 token0 at 4 (400): 4450 * 0.3% = 13.35.
SELECT is(univ3_pool_fees_token1(990055, '0x1111111111111111111111111111111111111111', 3000, pg_temp.t(4), 8), 13.35,
	'swap fees in token1 units: 4450 paid at 0.3%');
SELECT is(univ3_pool_fees_token1(990055, '0x1111111111111111111111111111111111111111', 3000, pg_temp.t(8), 8), NULL,
	'no swap in the window: NULL');

-- ---- LST rates ----
-- Token L 0xcccc...: stEthPerToken() 1.1 at 3, 1.2 at 6, 1.3 at 9; a
-- getExchangeRate() read of 2.0 at 4.  Its latest read is stEthPerToken(),
-- so that is its method at every block.  Token M 0xdddd...: two methods
-- read in the same (latest) block: the first by name.
INSERT INTO lst_rates VALUES
	(990055, 3, '0xcccccccccccccccccccccccccccccccccccccccc', 'stEthPerToken()', '1100000000000000000'),
	(990055, 6, '0xcccccccccccccccccccccccccccccccccccccccc', 'stEthPerToken()', '1200000000000000000'),
	(990055, 9, '0xcccccccccccccccccccccccccccccccccccccccc', 'stEthPerToken()', '1300000000000000000'),
	(990055, 4, '0xcccccccccccccccccccccccccccccccccccccccc', 'getExchangeRate()', '2000000000000000000'),
	(990055, 7, '0xdddddddddddddddddddddddddddddddddddddddd', 'getExchangeRate()', '1000000000000000000'),
	(990055, 7, '0xdddddddddddddddddddddddddddddddddddddddd', 'convertToAssets(uint256)', '1010000000000000000');
SELECT is(token_lst_method(990055, '0xcccccccccccccccccccccccccccccccccccccccc'), 'stEthPerToken()', 'method: of the latest read');
SELECT is(token_lst_method(990055, '0xdddddddddddddddddddddddddddddddddddddddd'), 'convertToAssets(uint256)',
	'method: two in the latest block, the first by name');
SELECT is(token_lst_method(990055, '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'), NULL, 'method of a token never read: NULL');
SELECT is(token_lst_rate_at(990055, '0xcccccccccccccccccccccccccccccccccccccccc', 5)::numeric, 1100000000000000000::numeric,
	'rate at block 5: the method''s read at 3, not the other method''s at 4');
SELECT is(token_lst_rate_at(990055, '0xcccccccccccccccccccccccccccccccccccccccc', 6)::numeric, 1200000000000000000::numeric,
	'rate at a read''s block: that read');
SELECT is(token_lst_rate_at(990055, '0xcccccccccccccccccccccccccccccccccccccccc', 2), NULL, 'rate before any read: NULL');
SELECT is((SELECT (r.block_number, r.rate)::text FROM token_lst_rate_at_time(990055, '0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(8)) r),
	'(6,1200000000000000000)', 'rate at a time: the latest read at or before it');
SELECT is((SELECT (r.block_number, r.rate)::text FROM token_lst_rate_at_time(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
			pg_temp.t(8), 'getExchangeRate()') r),
	'(4,2000000000000000000)', 'rate at a time of a named method');
SELECT is((SELECT array_agg(r.block_number ORDER BY r.block_number) FROM token_lst_rate_series(990055,
			'0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(4), pg_temp.t(9)) r),
	ARRAY[3, 6, 9]::bigint[], 'rate series: the read in effect at from_ts, then the reads up to to_ts');

-- ---- oracle answers ----
-- Oracle O 0x5f4e...: 2000e8 at 4, 0 at 7 (a broken round), 2100e8 at 10.
INSERT INTO oracle_rounds VALUES
	(990055, 4, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', 1, 200000000000, pg_temp.t(4), pg_temp.t(4), 1),
	(990055, 7, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', 2, 0, pg_temp.t(7), pg_temp.t(6), 2),
	(990055, 10, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', 3, 210000000000, pg_temp.t(10), pg_temp.t(10), 3);
SELECT is((SELECT (o.block_number, o.answer, o.updated_at = pg_temp.t(6))::text
		   FROM token_oracle_answer_at(990055, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', pg_temp.t(8)) o),
	'(7,0,t)', 'oracle answer at a time: the latest round at or before it');
SELECT is_empty($$SELECT * FROM token_oracle_answer_at(990055, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', '2026-01-01 00:03+00')$$,
	'oracle answer before any round: no row');
SELECT is((SELECT array_agg(o.block_number ORDER BY o.block_number) FROM token_oracle_answers(990055,
			'0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', pg_temp.t(5), pg_temp.t(10)) o),
	ARRAY[4, 7, 10]::bigint[], 'oracle answers: the round in effect at from_ts, then every reading');
SELECT is((SELECT array_agg(p.price ORDER BY p.block_number) FROM risk_oracle_prices(990055,
			'0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', pg_temp.t(5), pg_temp.t(10), 8) p),
	ARRAY[2000, 2100]::float8[], 'risk oracle prices: positive answers, scaled by 10^-8');

-- ---- the market layer: sources ----
SELECT is((SELECT array_agg((name, provides, builtin)::text ORDER BY name) FROM market_sources),
	ARRAY['(lst_rate,rate,t)', '(oracle,price,t)', '(univ3_pool,price,t)'], 'the protocol modules register three sources');
SELECT is((SELECT x.cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(rel, cond)
			WHERE e.extname = 'amplified' AND x.rel = 'amplified.market_sources'::regclass),
	'WHERE NOT builtin', 'pg_dump keeps only the sources users add');
SELECT ok((SELECT 'amplified.market_feeds'::regclass = ANY (e.extconfig) FROM pg_extension e WHERE e.extname = 'amplified'),
	'pg_dump keeps the feeds');

-- ---- feeds ----
-- A in B from pool P (priority 100); B in A from P inverted; A in B from
-- oracle O (scale -8, priority 200); L's rate (scale -18).
INSERT INTO market_feeds (chain_id, asset, quote, source, contract, scale, inverted, priority) VALUES
	(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'univ3_pool',
	 '0x1111111111111111111111111111111111111111', 0, false, 100),
	(990055, '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'univ3_pool',
	 '0x1111111111111111111111111111111111111111', 0, true, 100),
	(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'oracle',
	 '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', -8, false, 200),
	(990055, '0xcccccccccccccccccccccccccccccccccccccccc', NULL, 'lst_rate',
	 '0xcccccccccccccccccccccccccccccccccccccccc', -18, false, 100);

SELECT is((SELECT array_agg((s.block_number, s.value, s.source, s.at = pg_temp.t(s.block_number::int))::text)
		   FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
								  pg_temp.t(5), pg_temp.t(8)) s),
	ARRAY['(5,9,univ3_pool,t)', '(8,9,univ3_pool,t)', '(8,4,univ3_pool,t)', '(8,1,univ3_pool,t)'],
	'price series: the pool feed (lowest priority), in effect at from_ts then every observation');
SELECT is((SELECT array_agg(round(s.value::numeric, 12))
		   FROM market_price_series(990055, '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
								  pg_temp.t(5), pg_temp.t(8)) s),
	ARRAY[0.111111111111, 0.111111111111, 0.25, 1], 'an inverted feed: 1/9, 1/9, 1/4, 1');
SELECT is((SELECT array_agg((s.block_number, s.value, s.source)::text)
		   FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
								  pg_temp.t(5), pg_temp.t(10), source => 'oracle') s),
	ARRAY['(4,2000,oracle)', '(10,2100,oracle)'], 'a named source: the oracle, scaled by 10^-8, the zero answer left out');
-- Buckets of 3 minutes over (0, 12]: ends 3, 6, 9, 12; the last
-- observation at or before each: the reading at 2 (1), the reading at 5
-- (9), the reading at 8 (1), the swap 11/2 (9).  Nothing is known at 0.
SELECT is((SELECT array_agg((s.at = pg_temp.t(m.m), s.block_number, s.value)::text)
		   FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
								  pg_temp.t(0), pg_temp.t(12), '3 minutes') WITH ORDINALITY s(at, block_number, value, source, o)
		   JOIN (VALUES (1, 3), (2, 6), (3, 9), (4, 12)) m(o, m) ON m.o = s.o),
	ARRAY['(t,2,1)', '(t,5,9)', '(t,8,1)', '(t,11,9)'], 'buckets: the last value at or before each bucket end');
SELECT is((SELECT count(*) FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
			'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', pg_temp.t(0), pg_temp.t(12), '3 minutes')), 4::bigint,
	'no bucket before the first known value');
-- Buckets of 2 minutes over (4, 10]: ends 4, 6, 8, 10: the value in effect
-- at 4 (reading at 2: 1), the reading at 5 (9), the reading at 8 (1), and
-- at 10 nothing new: the reading at 8 again.
SELECT is((SELECT array_agg((s.block_number, s.value)::text)
		   FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
								  pg_temp.t(4), pg_temp.t(10), '2 minutes') s),
	ARRAY['(2,1)', '(5,9)', '(8,1)', '(8,1)'], 'buckets: an empty bucket repeats the last value');
SELECT is(market_price_at(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', pg_temp.t(6)),
	9::float8, 'price at a time: the reading at 5');
SELECT is(market_price_at(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', pg_temp.t(1)),
	NULL, 'price before any observation: NULL');
SELECT is((SELECT array_agg((s.block_number, s.value, s.source)::text)
		   FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(4), pg_temp.t(9)) s),
	ARRAY['(3,1.100000000000000000,lst_rate)', '(6,1.200000000000000000,lst_rate)', '(9,1.300000000000000000,lst_rate)'],
	'rate series: exact, in whole units');
SELECT is(market_rate_at(990055, '0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(7)), 1.2, 'rate at a time: the read at 6');
SELECT is((SELECT array_agg((s.at = pg_temp.t(m), s.value)::text) FROM market_rate_series(990055,
			'0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(0), pg_temp.t(10), '5 minutes') s, (VALUES (5), (10)) v(m)
		   WHERE s.at = pg_temp.t(m)),
	ARRAY['(t,1.100000000000000000)', '(t,1.300000000000000000)'], 'rate buckets: ends 5 and 10 hold the reads at 3 and 9');

-- ---- errors ----
SELECT throws_ok($$SELECT * FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
	'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '2026-01-02', '2026-01-01')$$, '22023', NULL, 'a reversed window');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc', NULL, now())$$,
	'22023', NULL, 'a NULL bound');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'2026-01-01', '2026-01-02', '0 seconds')$$, '22023', NULL, 'a zero bucket');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'2026-01-01', '2026-01-02', '-1 hour')$$, '22023', NULL, 'a negative bucket');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'2026-01-01', '2026-06-01', '1 month')$$, '22023', NULL, 'a bucket of months');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'-infinity', '2026-01-02', '1 hour')$$, '22023', NULL, 'a bucket over an infinite window');
SELECT throws_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'2025-01-01', '2026-01-01', '1 second')$$, '22023', NULL, 'more than 100000 buckets');
SELECT lives_ok($$SELECT * FROM market_rate_series(990055, '0xcccccccccccccccccccccccccccccccccccccccc',
	'2026-01-01', '2026-01-08', '1 day')$$, 'a bucket of days (86400 seconds)');
SELECT throws_ok($$SELECT * FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
	'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '2026-01-01', '2026-01-02', source => 'nope')$$,
	'42704', 'unknown price source "nope"', 'an unknown source');
SELECT throws_ok($$SELECT * FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
	'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '2026-01-01', '2026-01-02', source => 'lst_rate')$$,
	'42704', NULL, 'a rate source asked for a price');
SELECT throws_ok($$SELECT * FROM market_price_series(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
	'0xcccccccccccccccccccccccccccccccccccccccc', '2026-01-01', '2026-01-02')$$, '55000', NULL, 'no feed of that pair');
SELECT throws_ok($$SELECT market_rate_at(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')$$, '55000', NULL, 'no rate feed of that asset');
SELECT throws_ok($$INSERT INTO market_feeds (chain_id, asset, source, contract) VALUES
	(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'univ3_pool', '0x1111111111111111111111111111111111111111')$$,
	'23502', NULL, 'a price feed without a quote');
SELECT throws_ok($$INSERT INTO market_feeds (chain_id, asset, quote, source, contract) VALUES
	(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'nope',
	 '0x1111111111111111111111111111111111111111')$$, '23503', NULL, 'a feed of an unknown source');

-- ---- the registry ----
-- A source function of the right signature, owned by the extension's owner:
-- registered and read through a feed; owned by another role: refused.
CREATE FUNCTION public.amp_t_fixed_points(bigint, amplified.address, timestamptz, timestamptz)
RETURNS amplified.market_point[] LANGUAGE sql STABLE
RETURN ARRAY[ROW('2026-01-01 00:01+00', 1, 42)::amplified.market_point];
CREATE FUNCTION public.amp_t_wrong(bigint, amplified.address, timestamptz)
RETURNS amplified.market_point[] LANGUAGE sql STABLE RETURN '{}'::amplified.market_point[];
CREATE ROLE amp_t_market NOLOGIN;
CREATE FUNCTION public.amp_t_foreign_points(bigint, amplified.address, timestamptz, timestamptz)
RETURNS amplified.market_point[] LANGUAGE sql STABLE RETURN '{}'::amplified.market_point[];
ALTER FUNCTION public.amp_t_foreign_points(bigint, amplified.address, timestamptz, timestamptz) OWNER TO amp_t_market;
SELECT throws_ok($$INSERT INTO market_sources (name, provides, series, description)
	VALUES ('foreign', 'price', 'public.amp_t_foreign_points', 'x')$$, '42501', NULL,
	'a function not owned by the extension''s owner is refused');
SELECT throws_ok($$INSERT INTO market_sources (name, provides, series, description)
	VALUES ('wrong', 'price', 'public.amp_t_wrong', 'x')$$, '42P13', NULL, 'a function of another signature is refused');
SELECT lives_ok($$INSERT INTO market_sources (name, provides, series, description)
	VALUES ('fixed', 'price', 'public.amp_t_fixed_points', 'a fixed point')$$, 'the owner''s function of the slot''s signature');
SELECT throws_ok($$UPDATE market_sources SET series = 'public.amp_t_foreign_points' WHERE name = 'fixed'$$, '42501', NULL,
	'an update to a foreign function is refused');
INSERT INTO market_feeds (chain_id, asset, quote, source, contract, scale) VALUES
	(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'fixed',
	 '0x0000000000000000000000000000000000000000', 1);
SELECT is(market_price_at(990055, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', pg_temp.t(5)),
	420::float8, 'a user''s source, through its feed (scale 1: 42 * 10)');

SELECT * FROM finish();
ROLLBACK;
