-- 050_yield: the yield functions and v_yields over synthetic ingested data.
--
-- A chain with 961 hourly blocks ending now.  wstETH's stEthPerToken() is
-- read every 6 blocks and grows by exactly 1.25e13 an hour (the issue's
-- 1.15 -> 1.1503 a day); every expected APR is computed here in numeric
-- from that formula, not by the functions under test.  Sparse tokens: one
-- read 30 hours before now and now, one read 500 hours ago and now, one
-- watched but never read, one whose latest read is zero.  All of it is
-- rolled back.
BEGIN;
SELECT plan(29);
SET LOCAL search_path = amplified, public;

INSERT INTO chains (chain_id, name, rpc_urls, enabled) VALUES (990050, 'yield-test', '{http://127.0.0.1:1}', false);
-- block number n is (960 - n) hours before now
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
SELECT 990050, n, ('0x' || lpad(to_hex(n + 1), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n), 64, '0'))::bytes32,
	   now() - (960 - n) * interval '1 hour'
  FROM generate_series(0, 960) AS n;

-- rate(k hours ago) = 1.15e18 + (960 - k) * 1.25e13
CREATE TEMP TABLE wst (k int PRIMARY KEY, rate numeric);
INSERT INTO wst SELECT k, 1150000000000000000 + (960 - k) * 12500000000000::numeric FROM generate_series(0, 960, 6) AS k;

INSERT INTO watched_contracts (chain_id, address, label, kind) VALUES
	(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'wstETH', 'lst'),
	(990050, '0xae78736cd615f374d3085123a210448e74fc6393', 'rETH', 'lst'),
	(990050, '0xa35b1b31ce002fbf2058d22f30f95d405200a15b', 'ETHx', 'lst'),
	(990050, '0xbf5495efe5db9ce00f80364c8b423567e58d2110', 'ezETH', 'lst'),
	(990050, '0x83f20f44975d03b1b09e64809b757c47f942beea', 'sDAI', 'erc4626'),
	(990050, '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', 'ETH/USD', 'oracle');
INSERT INTO lst_rates (chain_id, block_number, token, method, rate)
SELECT 990050, 960 - k, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'stEthPerToken()', rate::uint256 FROM wst;
-- rETH: read 30 hours ago and now
INSERT INTO lst_rates VALUES
	(990050, 930, '0xae78736cd615f374d3085123a210448e74fc6393', 'getExchangeRate()', '1085000000000000000'),
	(990050, 960, '0xae78736cd615f374d3085123a210448e74fc6393', 'getExchangeRate()', '1085100000000000000');
-- ETHx: read 500 hours ago and now (too sparse for 1 day and 30 days)
INSERT INTO lst_rates VALUES
	(990050, 460, '0xa35b1b31ce002fbf2058d22f30f95d405200a15b', 'getExchangeRate()', '1020000000000000000'),
	(990050, 960, '0xa35b1b31ce002fbf2058d22f30f95d405200a15b', 'getExchangeRate()', '1030000000000000000');
-- ezETH: never read.  sDAI: its latest read is zero (a broken read)
INSERT INTO lst_rates VALUES
	(990050, 900, '0x83f20f44975d03b1b09e64809b757c47f942beea', 'convertToAssets(uint256)', '1100000000000000000'),
	(990050, 960, '0x83f20f44975d03b1b09e64809b757c47f942beea', 'convertToAssets(uint256)', '0');

CREATE TEMP TABLE y AS SELECT * FROM v_yields WHERE chain_id = 990050;

-- ---- which assets ----
SELECT is((SELECT array_agg(label ORDER BY label) FROM y), ARRAY['ETHx', 'ezETH', 'rETH', 'sDAI', 'wstETH'],
	'v_yields lists the watched lst and erc4626 contracts, not the oracle');

-- ---- wstETH: dense series ----
SELECT is((SELECT rate FROM y WHERE label = 'wstETH'), (SELECT rate::uint256 FROM wst WHERE k = 0),
	'latest rate is the newest read');
SELECT is((SELECT rate_units FROM y WHERE label = 'wstETH'), 1.162, 'rate_units in whole units (1.15 + 960 * 1.25e-5)');
SELECT is((SELECT as_of FROM y WHERE label = 'wstETH'), now(), 'as_of is the newest read''s block time');
SELECT is((SELECT method FROM y WHERE label = 'wstETH'), 'stEthPerToken()', 'method of the reads');
SELECT ok(abs((SELECT apr_1d FROM y WHERE label = 'wstETH')
			  - ((SELECT rate FROM wst WHERE k = 0) / (SELECT rate FROM wst WHERE k = 24) - 1) * 365) < 1e-14,
	'apr_1d: (rate now / rate a day ago - 1) * 365');
SELECT ok(abs((SELECT apr_30d FROM y WHERE label = 'wstETH')
			  - ((SELECT rate FROM wst WHERE k = 0) / (SELECT rate FROM wst WHERE k = 720) - 1) * 365 / 30) < 1e-14,
	'apr_30d: (rate now / rate 30 days ago - 1) * 365 / 30');
SELECT ok(abs((SELECT apr_7d_ma FROM y WHERE label = 'wstETH')
			  - (SELECT avg((a.rate / b.rate - 1) * 365) FROM generate_series(0, 6) d
				   JOIN wst a ON a.k = 24 * d JOIN wst b ON b.k = 24 * (d + 1))) < 1e-14,
	'apr_7d_ma: mean of the seven daily APRs');
SELECT ok(abs((SELECT apy_30d FROM y WHERE label = 'wstETH')
			  - (power((SELECT rate FROM wst WHERE k = 0) / (SELECT rate FROM wst WHERE k = 720), 365 / 30.0) - 1)) < 1e-12,
	'apy_30d: (rate now / rate 30 days ago)^(365 / 30) - 1');
-- the by-1e18 bug reports (delta / 1e18) * 365, which overstates the APR by
-- the earlier rate (1.1617 here)
SELECT is(round((((SELECT rate FROM wst WHERE k = 0) - (SELECT rate FROM wst WHERE k = 24)) / 1e18 * 365
				 / (SELECT apr_1d FROM y WHERE label = 'wstETH')::numeric), 9), 1.161700000,
	'apr_1d is relative to the rate, not to 1e18');

-- an APR at an earlier time reads the rates as of then
SELECT ok(abs(yield_apr_window(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', '1 day', now() - interval '10 days')
			  - ((SELECT rate FROM wst WHERE k = 240) / (SELECT rate FROM wst WHERE k = 264) - 1) * 365) < 1e-14,
	'yield_apr_window at a past time');
-- between reads: 1 day before now - 3h starts from the read 30 hours ago (every 6h)
SELECT ok(abs(yield_apr_window(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', '1 day', now() - interval '3 hours')
			  - ((SELECT rate FROM wst WHERE k = 6) / (SELECT rate FROM wst WHERE k = 30) - 1) * 365) < 1e-14,
	'yield_apr_window annualises over the reads'' block times');
SELECT is((SELECT (from_block, to_block, seconds)::text FROM yield_window_reads(990050,
			'0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', '1 day', now() - interval '3 hours')),
	'(930,954,86400)', 'yield_window_reads: the two reads and the seconds between them');

-- the series: 161 reads, each with the APR over its 6 hours
SELECT is((SELECT count(*)::int FROM yield_rate_series(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0')),
	161, 'yield_rate_series: every read');
SELECT ok((SELECT bool_and(abs(s.apr - (w.rate / p.rate - 1) * 365 * 4) < 1e-14)
			 FROM yield_rate_series(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', now() - interval '2 days') s
			 JOIN wst w ON w.k = 960 - s.block_number JOIN wst p ON p.k = w.k + 6), 
	'yield_rate_series: APR since the previous read');
SELECT is((SELECT count(apr)::int FROM yield_rate_series(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', now() - interval '2 days')),
	8, 'yield_rate_series: the first read''s APR is from the read before the window');
SELECT is((SELECT apr FROM yield_rate_series(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0') ORDER BY block_number LIMIT 1),
	NULL, 'yield_rate_series: no APR for the very first read');
SELECT is((SELECT array_agg(block_number ORDER BY block_number) FROM yield_rate_series(990050,
			'0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', now() - interval '12 hours', now() - interval '6 hours')),
	ARRAY[954::bigint], 'yield_rate_series: (from_ts, to_ts], the read at from_ts left out');
SELECT is((SELECT (block_number, rate)::text FROM yield_rate_at(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0',
			now() - interval '5 hours')), (SELECT (954, rate::uint256)::text FROM wst WHERE k = 6),
	'yield_rate_at: the latest read at or before');

-- ---- sparse and broken series: NULL, never an error ----
SELECT ok(abs((SELECT apr_1d FROM y WHERE label = 'rETH') - (1085100000000000000 / 1085000000000000000.0 - 1) * 365 * 24 / 30) < 1e-14,
	'rETH: apr_1d over the 30 hours between its reads');
SELECT is((SELECT apr_30d FROM y WHERE label = 'rETH'), NULL, 'rETH: no read 30 days ago, apr_30d NULL');
SELECT is((SELECT array[apr_1d, apr_7d_ma, apr_30d] FROM y WHERE label = 'ETHx'), ARRAY[NULL, NULL, NULL]::float8[],
	'ETHx: reads too far apart for any window');
SELECT is((SELECT (rate, apr_1d, apr_7d_ma, apr_30d, as_of)::text FROM y WHERE label = 'ezETH'), '(,,,,)',
	'ezETH: watched, never read: a row of NULLs');
SELECT is((SELECT (rate::text, apr_1d) FROM y WHERE label = 'sDAI'), ('0'::text, NULL::float8),
	'sDAI: a zero read gives NULL yields');
SELECT is(yield_apr_window(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', '1 day', now() - interval '100 days'),
	NULL, 'before the first read: NULL');
SELECT is(yield_apr_moving_average(990050, '0x0000000000000000000000000000000000000001', 7), NULL,
	'unknown token: NULL');

-- ---- bad arguments ----
SELECT throws_ok($$SELECT yield_apr_window(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', '0 seconds')$$,
	'22023', NULL, 'a window must be positive');
SELECT throws_ok($$SELECT yield_apr_moving_average(990050, '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 0)$$,
	'22023', NULL, 'days must be at least 1');

-- ---- privileges: readers read the view ----
SELECT ok(has_table_privilege('amplified_reader', 'amplified.v_yields', 'SELECT'), 'amplified_reader reads v_yields');

SELECT * FROM finish();
ROLLBACK;
