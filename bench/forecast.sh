#!/usr/bin/env bash
# bench/forecast.sh: the forecasting module's models trained and served
# through SQL, against the same library or an outside reference on the same
# data in the same run.
#
# Run by scripts/bench.sh (PGHOST etc. set, extension created); by hand,
# eval "$(scripts/stack.sh env NAME)" first.
#
# Trees: BENCH_XGB_ROWS rows (default 50,000) of 10 features and a
# non-linear target, BENCH_XGB_ROUNDS rounds (default 50) of depth-6 hist
# trees on one thread.  SQL: forecast_train over a table (the source query
# read through SPI, the model recorded) and forecast_predict_batch over the
# same rows; direct: bench/forecast_xgb.c calling XGBoost's C API on the
# same rows and parameters.  Goal: SQL overhead at most 20 %.
#
# ARIMA: an ARMA(2,1) series of BENCH_ARIMA_N values (default 2,000),
# fitted with a fixed order by forecast_fit and by R's forecast::Arima
# (method "ML", the same exact likelihood).  Goal: ours at least 10x faster.
#
# HMM: a three-state Gaussian series of BENCH_HMM_N values (default 5,000),
# fitted by forecast_fit('hmm') and by the reference the tests compare with.
# Goal: at least 10x faster.
#
# Times are the best of BENCH_RUNS (default 3).  Prints figures and ratios;
# asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_XGB_ROWS:-50000}
ROUNDS=${BENCH_XGB_ROUNDS:-50}
ARIMA_N=${BENCH_ARIMA_N:-2000}
HMM_N=${BENCH_HMM_N:-5000}
RUNS=${BENCH_RUNS:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- trees ----
"$PY" - "$ROWS" "$TMP/xgb.csv" <<'PY'
import sys, numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(20261207)
x = rng.uniform(-2, 2, size=(n, 10))
y = np.sin(x[:, 0]) + x[:, 1] ** 2 - x[:, 2] * x[:, 3] + 0.1 * rng.normal(size=n)
np.savetxt(sys.argv[2], np.column_stack([x, y]).astype(np.float32), delimiter=",", fmt="%.9g")
PY
gcc -O2 -o "$TMP/forecast_xgb" bench/forecast_xgb.c -lxgboost -lm
read -r D_TRAIN D_PRED _ < <("$TMP/forecast_xgb" "$TMP/xgb.csv" "$ROWS" 10 "$ROUNDS" "$RUNS")

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_forecast CASCADE;
CREATE SCHEMA bench_forecast;
CREATE TABLE bench_forecast.xgb (i serial, x1 real, x2 real, x3 real, x4 real, x5 real, x6 real, x7 real,
	x8 real, x9 real, x10 real, y real);
SQL
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy bench_forecast.xgb (x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, y) FROM '$TMP/xgb.csv' WITH (FORMAT csv)"
read -r S_TRAIN S_PRED S_QUERY < <(psql -X -q -A -t -v ON_ERROR_STOP=1 -v runs="$RUNS" -v rounds="$ROUNDS" <<'SQL' | tail -1
SET client_min_messages = warning;
SET search_path = bench_forecast, amplified, public;
CREATE FUNCTION best_ms(q text, runs int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	best float8 := 'Infinity';
BEGIN
	FOR k IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
	RETURN best;
END
$$;
SELECT format('%s %s %s',
	round(best_ms(format($q$SELECT forecast_train('bench_xgb', 'xgboost',
		'SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, y FROM bench_forecast.xgb ORDER BY i', 'y',
		'{"n_estimators": %s, "tree_method": "hist", "seed": 1}')$q$, :rounds), :runs)::numeric, 3),
	round(best_ms($q$SELECT count(*) FROM forecast_predict_batch('bench_xgb',
		'SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10 FROM bench_forecast.xgb ORDER BY i')$q$, :runs)::numeric, 3),
	round(best_ms($q$SELECT count(*) FROM (SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10 FROM bench_forecast.xgb ORDER BY i) s$q$,
		:runs)::numeric, 3));
SQL
)
awk -v r="$ROWS" -v n="$ROUNDS" -v dt="$D_TRAIN" -v st="$S_TRAIN" -v dp="$D_PRED" -v sp="$S_PRED" -v sq="$S_QUERY" 'BEGIN {
	printf "forecast trees: %d rows x 10 features, %d rounds, one thread\n", r, n
	printf "  train   : SQL %9.1f ms   direct C API %9.1f ms   SQL/direct %.3f (goal <= 1.20)\n", st, dt, st / dt
	printf "  predict : SQL %9.1f ms   direct C API %9.1f ms   SQL/direct %.3f (every row, from a new matrix)\n", sp, dp, sp / dp
	printf "            of which the source query alone %.1f ms\n", sq
}'
