-- 065_risk_vol: the volatility models' small known answers and every bad
-- input, one per line.  The fits themselves are checked against R's fGarch
-- in test/t/110_risk_garch.pl.
BEGIN;
SELECT plan(50);
SET LOCAL search_path = amplified, public;

-- EWMA by hand: seed = mean of squares = (0.0001 + 0.0004 + 0.0009) / 3
SELECT is(risk_ewma_variance('{0.01,-0.02,0.03}', 0.5),
	ARRAY[0.0014 / 3, 0.5 * 0.0014 / 3 + 0.5 * 0.0001, 0.5 * (0.5 * 0.0014 / 3 + 0.5 * 0.0001) + 0.5 * 0.0004]::float8[],
	'EWMA variance series, lambda 0.5, by hand');
SELECT ok(abs(risk_ewma_forecast('{0.01,-0.02,0.03}', 0.5)
	- (0.5 * (0.5 * (0.5 * 0.0014 / 3 + 0.5 * 0.0001) + 0.5 * 0.0004) + 0.5 * 0.0009)) < 1e-18,
	'EWMA forecast, lambda 0.5, by hand');
SELECT is(risk_ewma_variance('{0.01,-0.01,0.01,-0.01}'), '{0.0001,0.0001,0.0001,0.0001}'::float8[],
	'returns of constant size have a constant EWMA variance');
SELECT is(risk_ewma_forecast('{0,0,0}'), 0::float8, 'all-zero returns: zero variance, not NaN');
SELECT is(risk_ewma_forecast('{0.02}'), 0.0004::float8, 'one return: the forecast is its square');
SELECT is(array_length(risk_ewma_variance('{0.01,0.02}'), 1), 2, 'one variance per return');
-- Hull, Risk Management and Financial Institutions, Example 5.2: lambda 0.9,
-- yesterday's volatility 1 %, yesterday's return 2 %: variance 0.00013, volatility 1.14 %.
-- 300 returns of 1 % make yesterday's variance 0.0001 to within 0.9^300.
SELECT ok(abs(risk_ewma_forecast(array_fill(0.01::float8, ARRAY[300]) || 0.02::float8, 0.9) - 0.00013) < 1e-15,
	'Hull Example 5.2: EWMA variance 0.00013');
SELECT is(round(sqrt(risk_ewma_forecast(array_fill(0.01::float8, ARRAY[300]) || 0.02::float8, 0.9))::numeric * 100, 2),
	1.14, 'Hull Example 5.2: EWMA volatility 1.14 %');

-- GARCH forecast, closed form: omega / (1 - a - b) + (a + b)^(k-1) (next - omega / (1 - a - b))
SELECT ok(abs(h[1] - (1e-6 + 0.9 * 0.00025)) < 1e-18
		  AND abs(h[2] - (1e-6 + 0.1 * 0.0001 + 0.8 * (1e-6 + 0.9 * 0.00025))) < 1e-18
		  AND array_length(h, 1) = 2,
	'conditional variance starts from omega + (alpha + beta) mean squared residual')
  FROM risk_garch_conditional_variance(0, 1e-6, 0.1, 0.8, '{0.01,-0.02}') AS h;
SELECT ok(abs(f[3] - (1e-5 + 0.81 * (f[1] - 1e-5))) < 1e-18,
	'three-step forecast follows the closed form')
  FROM risk_garch_forecast(0, 1e-6, 0.1, 0.8, '{0.01,-0.02,0.005}', 3) AS f;
SELECT is(array_length(risk_garch_forecast(0, 1e-6, 0.1, 0.8, '{0.01,-0.02,0.005}', 7), 1), 7,
	'one forecast per step of the horizon');

-- NULLs: strict functions return NULL for a NULL argument
SELECT is(risk_ewma_variance(NULL), NULL, 'NULL returns give NULL');
SELECT is(risk_garch_fit(NULL), NULL, 'NULL returns give a NULL fit');

-- bad input
SELECT throws_ok($$SELECT risk_ewma_variance('{0.01,NULL,0.02}')$$, '22004', NULL, 'EWMA: NULL element');
SELECT throws_ok($$SELECT risk_ewma_variance('{0.01,NaN,0.02}')$$, '22023', NULL, 'EWMA: NaN element');
SELECT throws_ok($$SELECT risk_ewma_variance('{0.01,Infinity}')$$, '22023', NULL, 'EWMA: infinite element');
SELECT throws_ok($$SELECT risk_ewma_variance('{1e200,1e200}')$$, '22023', NULL, 'EWMA: squares overflow');
SELECT throws_ok($$SELECT risk_ewma_variance('{}')$$, '22023', NULL, 'EWMA: empty series');
SELECT throws_ok($$SELECT risk_ewma_variance('{{0.01},{0.02}}')$$, '2202E', NULL, 'EWMA: two dimensions');
SELECT throws_ok($$SELECT risk_ewma_variance('{0.01}', 0)$$, '22023', NULL, 'EWMA: lambda 0');
SELECT throws_ok($$SELECT risk_ewma_variance('{0.01}', 1)$$, '22023', NULL, 'EWMA: lambda 1');
SELECT throws_ok($$SELECT risk_ewma_forecast('{0.01}', -0.5)$$, '22023', NULL, 'EWMA forecast: negative lambda');
SELECT throws_ok($$SELECT risk_ewma_forecast('{0.01}', 'NaN')$$, '22023', NULL, 'EWMA forecast: NaN lambda');
SELECT throws_ok($$SELECT risk_ewma_forecast('{0.01,NULL}')$$, '22004', NULL, 'EWMA forecast: NULL element');
SELECT throws_ok($$SELECT risk_garch_fit('{0.01,-0.02,0.03,0.01,-0.02,0.03,0.01,-0.02,0.03}')$$, '22023',
	'returns has 9 elements, at least 10 are needed', 'GARCH: fewer than 10 returns');
SELECT throws_ok($$SELECT risk_garch_fit(array_fill(0.01::float8, ARRAY[50]))$$, '22023', NULL, 'GARCH: constant series');
SELECT throws_ok($$SELECT risk_garch_fit(array_fill(0::float8, ARRAY[50]))$$, '22023', NULL, 'GARCH: all zeros');
SELECT throws_ok($$SELECT risk_garch_fit(array_append(array_fill(0.01::float8, ARRAY[20]), NULL))$$, '22004', NULL, 'GARCH: NULL element');
SELECT throws_ok($$SELECT risk_garch_fit(array_append(array_fill(0.01::float8, ARRAY[20]), 'NaN'))$$, '22023', NULL, 'GARCH: NaN element');
SELECT throws_ok($$SELECT risk_garch_fit(array_append(array_fill(0.01::float8, ARRAY[20]), '-Infinity'))$$, '22023', NULL, 'GARCH: infinite element');
SELECT throws_ok($$SELECT risk_garch_fit(ARRAY(SELECT sin(i)::float8 FROM generate_series(1, 50) i), 'cauchy')$$, '22023',
	'unknown distribution "cauchy"', 'GARCH: unknown distribution');
SELECT throws_ok($$SELECT risk_garch_fit(ARRAY(SELECT sin(i)::float8 FROM generate_series(1, 50) i), 'std')$$, '22023',
	NULL, 'GARCH: fGarch''s name std is not ours');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 0, 0.1, 0.8, '{0.01}', 3)$$, '22023', NULL, 'forecast: omega 0');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 1e-6, -0.1, 0.8, '{0.01}', 3)$$, '22023', NULL, 'forecast: negative alpha');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 1e-6, 0.1, 'NaN', '{0.01}', 3)$$, '22023', NULL, 'forecast: NaN beta');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 1e-6, 0.1, 0.8, '{0.01}', 0)$$, '22023', NULL, 'forecast: horizon 0');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 1e-6, 0.1, 0.8, '{0.01}', 100001)$$, '22023', NULL, 'forecast: horizon too long');
SELECT throws_ok($$SELECT risk_garch_forecast(0, 1e-6, 0.1, 0.8, '{0.01,NULL}', 3)$$, '22004', NULL, 'forecast: NULL element');
SELECT throws_ok($$SELECT risk_garch_conditional_variance(0, 1e-6, 0.1, 0.8, '{}')$$, '22023', NULL, 'conditional variance: empty series');

-- a short noisy series still fits, with finite figures (no NaN)
SELECT ok(f.converged IS NOT NULL AND f.loglik > '-Infinity' AND f.loglik < 'Infinity'
		  AND f.alpha >= 0 AND f.beta >= 0 AND f.alpha + f.beta < 1 AND f.omega > 0,
	'a 30-return fit gives finite estimates inside the stationary region')
  FROM risk_garch_fit(ARRAY(SELECT (sin(i * 7.3) * 0.01)::float8 FROM generate_series(1, 30) i)) f;
SELECT ok(f.shape > 2 AND f.se ? 'shape', 'a t fit reports a shape above 2 and its standard error key')
  FROM risk_garch_fit(ARRAY(SELECT (sin(i * 7.3) * 0.01)::float8 FROM generate_series(1, 30) i), 't') f;

-- ---- EWMA covariance ----
CREATE TEMP TABLE ec AS SELECT ARRAY(SELECT ARRAY[(sin(i * 1.7) * 0.02)::float8, (cos(i * 0.9) * 0.01 + sin(i * 1.7) * 0.005)::float8]
									 FROM generate_series(1, 40) i) AS r;
-- the columns, and their product, as one-dimensional series
CREATE TEMP TABLE ecc AS SELECT ARRAY(SELECT r[i][1] FROM ec, generate_series(1, 40) i ORDER BY i) AS a,
								ARRAY(SELECT r[i][2] FROM ec, generate_series(1, 40) i ORDER BY i) AS b FROM ec;
SELECT is((SELECT array_dims(risk_ewma_covariance(r)) FROM ec), '[1:2][1:2]', 'EWMA covariance: an n x n matrix');
SELECT ok((SELECT abs((risk_ewma_covariance(r))[1][1] - risk_ewma_forecast(a)) < 1e-18
			  AND abs((risk_ewma_covariance(r))[2][2] - risk_ewma_forecast(b)) < 1e-18 FROM ec, ecc),
	'its diagonal is risk_ewma_forecast of each column');
-- the off-diagonal by the recursion, written out: seed mean(a*b), then lambda s + (1 - lambda) a b
CREATE FUNCTION pg_temp.ewma_cross(a float8[], b float8[], l float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE s float8 := 0; i int;
BEGIN
	FOR i IN 1 .. cardinality(a) LOOP s := s + a[i] * b[i] / cardinality(a); END LOOP;
	FOR i IN 1 .. cardinality(a) LOOP s := l * s + (1 - l) * a[i] * b[i]; END LOOP;
	RETURN s;
END $$;
SELECT ok((SELECT abs((risk_ewma_covariance(r, 0.9))[1][2] - pg_temp.ewma_cross(a, b, 0.9)) < 1e-15
			  AND (risk_ewma_covariance(r, 0.9))[1][2] = (risk_ewma_covariance(r, 0.9))[2][1] FROM ec, ecc),
	'off the diagonal: the cross recursion (lambda 0.9), symmetric');
SELECT ok((SELECT (risk_var_mc(ARRAY[0.5, 0.5], risk_ewma_covariance(r), 0.99, 20000, 7)).var > 0 FROM ec),
	'risk_var_mc takes it as its covariance');
SELECT throws_ok($$SELECT risk_ewma_covariance('{0.01, 0.02}')$$, '22023', NULL, 'a one-dimensional array: 22023');
SELECT throws_ok($$SELECT risk_ewma_covariance('{{0.01, NULL}}')$$, '22004', NULL, 'a NULL element: 22004');
SELECT throws_ok($$SELECT risk_ewma_covariance('{{0.01, NaN}}')$$, '22023', NULL, 'NaN: 22023');
SELECT throws_ok($$SELECT risk_ewma_covariance('{{0.01, 0.02}}', 1)$$, '22023', NULL, 'lambda 1: 22023');
SELECT is(risk_ewma_covariance('{{0.01, 0.02}}'), '{{0.0001,0.0002},{0.0002,0.0004}}'::float8[],
	'one row: the outer product (seed and step agree)');

SELECT * FROM finish();
ROLLBACK;
