-- 066_risk_var: VaR, CVaR, Monte Carlo and backtests: bad input, edge cases
-- and the functions' declarations.  Values against R are in
-- test/t/111_risk_var.pl; here every error has its SQLSTATE, one per line.
BEGIN;
SELECT plan(70);
SET LOCAL search_path = amplified, public;

-- ---- risk_var / risk_cvar ----
SELECT throws_ok($$SELECT risk_var('{}')$$, '22023', 'returns must not be empty', 'empty series');
SELECT throws_ok($$SELECT risk_var('{0.01}')$$, '22023', 'returns must have at least 2 elements', 'one return');
SELECT throws_ok($$SELECT risk_var('{0.01,NULL,0.02}')$$, '22004', 'returns must not contain NULL (element 2)', 'NULL element');
SELECT throws_ok($$SELECT risk_var('{0.01,NaN}')$$, '22023', NULL, 'NaN element');
SELECT throws_ok($$SELECT risk_var('{0.01,Infinity}')$$, '22023', NULL, 'infinite element');
SELECT throws_ok($$SELECT risk_var('{0.01,-Infinity}', 0.99, 'normal')$$, '22023', NULL, '-infinity element');
SELECT throws_ok($$SELECT risk_var('{{0.01,0.02},{0.03,0.04}}')$$, '22023', 'returns must be a one-dimensional array', '2-D returns');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 0)$$, '22023', 'confidence must be between 0 and 1 exclusive: 0', 'confidence 0');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 1)$$, '22023', 'confidence must be between 0 and 1 exclusive: 1', 'confidence 1');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', -0.5)$$, '22023', NULL, 'negative confidence');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 'NaN')$$, '22023', NULL, 'NaN confidence');
SELECT throws_ok($$SELECT risk_cvar('{0.01,0.02}', 95)$$, '22023', NULL, 'confidence as a percentage');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 0.99, 'garch')$$, '22023', 'unknown VaR method: "garch"', 'unknown method');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 0.99, 'Normal')$$, '22023', NULL, 'method names are exact');
SELECT throws_ok($$SELECT risk_var('{0.01,0.01,0.01}', 0.99, 'normal')$$, '22023',
	'returns have no variance: method "normal" needs a series that varies', 'constant series, normal');
SELECT throws_ok($$SELECT risk_cvar('{0.01,0.01,0.01}', 0.99, 't')$$, '22023', NULL, 'constant series, t');
SELECT throws_ok($$SELECT risk_var('{0.01,0.01,0.01}', 0.99, 'cornish_fisher')$$, '22023', NULL, 'constant series, cornish_fisher');
SELECT throws_ok($$SELECT risk_var('{0,0,0}', 0.99, 'fhs_ewma')$$, '22023', NULL, 'all-zero series, fhs_ewma');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 0.99, 't', 2)$$, '22023', 'Student-t shape must be greater than 2: 2', 'shape 2');
SELECT throws_ok($$SELECT risk_var('{0.01,0.02}', 0.99, 't', 'NaN')$$, '22023', NULL, 'shape NaN');
SELECT is(risk_var('{0.01,0.01,0.01}', 0.99), -0.01::float8, 'a constant gain: historical VaR is minus the gain');
SELECT is(risk_var(NULL), NULL, 'NULL returns: NULL');
SELECT is(risk_cvar('{0.01,0.02}', NULL), NULL, 'NULL confidence: NULL');
SELECT is(risk_var('{0.01,0.02}', 0.99, NULL), NULL, 'NULL method: NULL');
SELECT is(round(risk_var('{-0.05,0.01,0.02,0.03}', 0.99)::numeric, 15), 0.048200000000000,
	'historical: type 7 interpolates between the two lowest, 0.97 x 0.05 - 0.03 x 0.01');
SELECT is(risk_cvar('{-0.05,0.01,0.02,0.03}', 0.99), 0.05::float8, 'historical CVaR: the mean of the returns at or below the quantile');
SELECT ok(risk_var('{-0.02,0.02}', 0.99, 't', 1e9) - risk_var('{-0.02,0.02}', 0.99, 'normal') < 1e-9,
	'Student-t with a huge shape is the normal');
SELECT is(risk_var('{-0.02,0.02}', 0.99, 't'), risk_var('{-0.02,0.02}', 0.99, 'normal'),
	'no excess kurtosis: the method of moments falls back to the normal');
SELECT ok(risk_cvar(r, 0.99, m) >= risk_var(r, 0.99, m), 'CVaR >= VaR: ' || m)
  FROM unnest('{historical,normal,t,fhs_ewma}'::text[]) m,
	   (SELECT array_agg(0.01 * sin(i * 1.3) - 0.004 * (i % 7 = 0)::int) FROM generate_series(1, 300) i) s(r);
-- that series is platykurtic (excess kurtosis about -1.4): its Cornish-Fisher expansion is no quantile function
SELECT throws_ok($$SELECT risk_cvar(array_agg(0.01 * sin(i * 1.3) - 0.004 * (i % 7 = 0)::int), 0.99, 'cornish_fisher')
					 FROM generate_series(1, 300) i$$, '22023', NULL, 'cornish_fisher refuses a non-increasing expansion');

-- ---- Monte Carlo ----
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0004,0.0004},{0.0004,0.0004}}', 0.99, 1000, 1)$$, '22023',
	'covariance matrix is not positive definite', 'singular covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0001,0.0004},{0.0004,0.0001}}', 0.99, 1000, 1)$$, '22023',
	'covariance matrix is not positive definite', 'indefinite covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{-0.0001,0},{0,0.0001}}', 0.99, 1000, 1)$$, '22023', NULL, 'negative variance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0004,0.0001},{0.0002,0.0004}}', 0.99, 1000, 1)$$, '22023',
	'covariance matrix is not symmetric', 'asymmetric covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0004,0.0001,0},{0.0001,0.0004,0}}', 0.99, 1000, 1)$$, '22023',
	'covariance must be a 2 x 2 matrix, one per weight', '2 x 3 covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{0.0004,0.0001,0.0001}', 0.99, 1000, 1)$$, '22023', NULL, 'flat covariance of 3');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0004,NULL},{NULL,0.0004}}', 0.99, 1000, 1)$$, '22004', NULL, 'NULL in covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,1}', '{{0.0004,NaN},{NaN,0.0004}}', 0.99, 1000, 1)$$, '22023', NULL, 'NaN in covariance');
SELECT throws_ok($$SELECT risk_var_mc('{1,NULL}', '{{0.0004,0},{0,0.0004}}', 0.99, 1000, 1)$$, '22004', NULL, 'NULL weight');
SELECT throws_ok($$SELECT risk_var_mc('{}', '{}', 0.99, 1000, 1)$$, '22023', 'weights must not be empty', 'no weights');
SELECT throws_ok($$SELECT risk_var_mc('{1}', '{{0.0004}}', 1.5, 1000, 1)$$, '22023', NULL, 'confidence 1.5');
SELECT throws_ok($$SELECT risk_var_mc('{1}', '{{0.0004}}', 0.99, 1, 1)$$, '22023', NULL, 'one path');
SELECT throws_ok($$SELECT risk_var_mc('{1}', '{{0.0004}}', 0.99, 20000000, 1)$$, '22023', NULL, 'too many paths');
SELECT throws_ok($$SELECT risk_var_mc('{1}', '{{0.0004}}', 0.99, 1000, 1, 0)$$, '22023', NULL, 'horizon 0');
SELECT is((risk_var_mc('{0}', '{{0.0004}}', 0.99, 1000, 1)).var, 0::float8, 'zero weights: no loss');
SELECT is(risk_var_mc('{1,2}', '{{0.0004,0.0001},{0.0001,0.0009}}', 0.99, 5000, -7),
		  risk_var_mc('{1,2}', '{0.0004,0.0001,0.0001,0.0009}', 0.99, 5000, -7), 'negative seeds work; flat cov is the same');

-- ---- Euler contributions ----
SELECT throws_ok($$SELECT * FROM risk_var_contributions('{0,0}', '{{0.0004,0},{0,0.0004}}', 0.99)$$, '22023', NULL, 'zero weights');
SELECT throws_ok($$SELECT * FROM risk_var_contributions('{1,1}', '{{0.0004,0.0004},{0.0004,0.0004}}', 0.99)$$, '22023', NULL, 'singular covariance');
SELECT throws_ok($$SELECT * FROM risk_var_contributions('{1,1}', '{{0.0004}}', 0.99)$$, '22023', NULL, 'covariance of the wrong size');
SELECT is((SELECT count(*) FROM risk_var_contributions('{1,-1,0.5}', '{{0.0004,0.0001,0},{0.0001,0.0009,0},{0,0,0.0001}}', 0.95)),
		  3::bigint, 'one row per asset, short positions included');

-- ---- backtests ----
SELECT throws_ok($$SELECT risk_kupiec(0, 0, 0.01)$$, '22023', NULL, 'kupiec n = 0');
SELECT throws_ok($$SELECT risk_kupiec(10, 11, 0.01)$$, '22023', NULL, 'kupiec exceedances > n');
SELECT throws_ok($$SELECT risk_kupiec(10, -1, 0.01)$$, '22023', NULL, 'kupiec negative exceedances');
SELECT throws_ok($$SELECT risk_kupiec(10, 1, 0)$$, '22023', NULL, 'kupiec p = 0');
SELECT throws_ok($$SELECT risk_kupiec(10, 1, 1)$$, '22023', NULL, 'kupiec p = 1');
SELECT is((risk_kupiec(100, 1, 0.01)).lr, 0::float8, 'kupiec: exactly the expected rate, LR 0');
SELECT throws_ok($$SELECT risk_christoffersen('{t}')$$, '22023', NULL, 'christoffersen, one day');
SELECT throws_ok($$SELECT risk_christoffersen('{t,NULL,f}')$$, '22004', NULL, 'christoffersen, NULL hit');
SELECT is(risk_christoffersen('{f,f,f,f}'), ROW(0::float8, 1::float8)::record, 'no hits: LR 0, p 1');
SELECT throws_ok($$SELECT risk_var_backtest('{0.01,0.02,0.03,0.04}', 3, 0.99, 'historical')$$, '22023', NULL, 'window too long');
SELECT throws_ok($$SELECT risk_var_backtest('{0.01,0.02,0.03,0.04,0.05}', 1, 0.99, 'historical')$$, '22023', NULL, 'window 1');
SELECT throws_ok($$SELECT risk_var_backtest('{0.01,0.01,0.01,0.01,0.02}', 2, 0.99, 'normal')$$, '22023', NULL, 'a constant window, normal');
SELECT throws_ok($$SELECT risk_var_backtest('{0.01,0.02,0.03,0.04,0.05}', 2, 0.99, 'nope')$$, '22023', NULL, 'backtest, unknown method');
SELECT is(risk_var_backtest(NULL, 2, 0.99, 'normal'), NULL, 'backtest, NULL returns: NULL');
SELECT is(risk_var_backtest('{0.01,0.02,0.03,0.04,0.05}', NULL, 0.99), NULL, 'backtest, NULL window: NULL');
SELECT throws_ok($$SELECT risk_var_mc(array_fill(1::float8, ARRAY[2001]), '{1}', 0.99, 100, 1)$$, '54000', NULL, 'too many assets');

-- ---- declarations: immutable, parallel safe, commented, PUBLIC may execute ----
SELECT is((SELECT count(*) FROM pg_proc p
		   WHERE p.pronamespace = 'amplified'::regnamespace
			 AND p.proname IN ('risk_var', 'risk_cvar', 'risk_var_mc', 'risk_var_contributions',
							   'risk_kupiec', 'risk_christoffersen', 'risk_var_backtest')
			 AND p.provolatile = 'i' AND p.proparallel = 's'
			 AND obj_description(p.oid, 'pg_proc') IS NOT NULL
			 AND has_function_privilege('public', p.oid, 'EXECUTE')),
		  7::bigint, 'seven functions, immutable, parallel safe, commented, executable by PUBLIC');

SELECT * FROM finish();
ROLLBACK;
