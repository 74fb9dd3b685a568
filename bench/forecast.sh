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

# A time in ms of a SQL statement, best of RUNS.
sql_best_ms() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -v runs="$RUNS" -v q="$1" <<'SQL' | tail -1
SET client_min_messages = warning;
SET search_path = bench_forecast, amplified, public;
SELECT round(best_ms(:'q', :runs)::numeric, 3);
SQL
}

# ---- ARIMA ----
R_ARIMA=$(Rscript --vanilla - "$ARIMA_N" "$RUNS" "$TMP/arima.txt" <<'R'
suppressMessages(library(forecast))
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[1]); runs <- as.integer(a[2])
set.seed(42)
x <- as.numeric(arima.sim(list(ar = c(0.5, -0.2), ma = 0.4), n = n))
writeLines(paste0("{", paste(sprintf("%.17g", x), collapse = ","), "}"), a[3])
best <- function(f) { b <- Inf; for (r in seq_len(runs)) { t0 <- proc.time()[["elapsed"]]; f(); b <- min(b, proc.time()[["elapsed"]] - t0) }; b * 1000 }
fixed <- best(function() Arima(x, order = c(2, 0, 1), include.mean = TRUE, method = "ML"))
m <- min(n, 1000)
search <- best(function() auto.arima(x[1:m], d = 0, stepwise = FALSE, approximation = FALSE, method = "ML",
	allowdrift = FALSE, seasonal = FALSE))
cat(sprintf("%.3f %.3f\n", fixed, search))
R
)
read -r R_FIXED R_SEARCH <<<"$R_ARIMA"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE bench_forecast.arima (y float8[])" \
	-c "\\copy bench_forecast.arima (y) FROM '$TMP/arima.txt'"
S_FIXED=$(sql_best_ms "SELECT forecast_fit('arima', y, params => '{\"order\": [2, 0, 1]}') FROM bench_forecast.arima")
S_SEARCH=$(sql_best_ms "SELECT forecast_fit('arima', y[1:1000], params => '{\"d\": 0}') FROM bench_forecast.arima")
awk -v n="$ARIMA_N" -v rf="$R_FIXED" -v sf="$S_FIXED" -v rs="$R_SEARCH" -v ss="$S_SEARCH" 'BEGIN {
	printf "forecast arima: ARMA(2,1) series (set.seed(42)), exact ML\n"
	printf "  fixed order (2,0,1), n = %d: ours %8.1f ms   forecast::Arima %8.1f ms   R/ours %.1f (goal >= 10)\n", n, sf, rf, rf / sf
	printf "  order search, n = 1000     : ours %8.1f ms   auto.arima      %8.1f ms   R/ours %.1f (goal >= 10)\n", ss, rs, rs / ss
}'

# ---- HMM ----
# A three-state series; every fit starts from the same parameters and stops
# at the same rule (a log-likelihood gain of at most 1e-6): ours
# (restarts: the one start given), pomegranate 0.14.8 (the reference of the
# tests; Cython), and Baum-Welch written in plain R (Debian has no R
# package for discrete-time Gaussian HMMs), scaled forward-backward.
INIT='{"means": [0.0, 0.001, -0.002], "sds": [0.004, 0.01, 0.03], "trans": [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]], "start": [0.34, 0.33, 0.33]}'
P_HMM=$("$PY" - "$HMM_N" "$RUNS" "$TMP/hmm.txt" "$INIT" <<'PY'
import sys, json, time, numpy as np
from pomegranate import HiddenMarkovModel, NormalDistribution
n, runs, out, init = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
rng = np.random.default_rng(11)
mu, sd = [0.0005, 0.002, -0.004], [0.003, 0.008, 0.025]
A = np.array([[0.97, 0.02, 0.01], [0.02, 0.96, 0.02], [0.03, 0.03, 0.94]])
s, y = 0, np.empty(n)
for t in range(n):
    y[t] = rng.normal(mu[s], sd[s]); s = rng.choice(3, p=A[s])
open(out, "w").write("{" + ",".join("%.17g" % v for v in y) + "}\n")
np.savetxt(out + ".col", y, fmt="%.17g")
best = float("inf")
for r in range(runs):
    m = HiddenMarkovModel.from_matrix(np.array(init["trans"]), [NormalDistribution(init["means"][i], init["sds"][i]) for i in range(3)],
                                      np.array(init["start"]))
    m.bake()
    t0 = time.perf_counter()
    _, hist = m.fit([y], algorithm="baum-welch", stop_threshold=1e-6, max_iterations=1000, verbose=False, return_history=True)
    best = min(best, (time.perf_counter() - t0) * 1000)
print("%.3f %d" % (best, len(hist.improvements)))
PY
)
read -r P_MS P_ITER <<<"$P_HMM"
R_HMM=$(Rscript --vanilla - "$TMP/hmm.txt.col" "$RUNS" <<'R'
a <- commandArgs(trailingOnly = TRUE)
y <- scan(a[1], quiet = TRUE); runs <- as.integer(a[2]); n <- length(y); k <- 3
bw <- function(y) {
	mu <- c(0, 0.001, -0.002); sd <- c(0.004, 0.01, 0.03)
	A <- matrix(c(0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9), 3, byrow = TRUE); p0 <- c(0.34, 0.33, 0.33)
	last <- -Inf; it <- 0
	repeat {
		B <- sapply(1:k, function(j) dnorm(y, mu[j], sd[j]))
		al <- matrix(0, n, k); be <- matrix(0, n, k); cs <- numeric(n)
		a <- p0 * B[1, ]; cs[1] <- sum(a); al[1, ] <- a / cs[1]
		for (t in 2:n) { a <- (al[t - 1, ] %*% A) * B[t, ]; cs[t] <- sum(a); al[t, ] <- a / cs[t] }
		ll <- sum(log(cs))
		if (ll - last <= 1e-6) break
		last <- ll; it <- it + 1
		be[n, ] <- 1
		for (t in (n - 1):1) be[t, ] <- (A %*% (B[t + 1, ] * be[t + 1, ])) / cs[t + 1]
		g <- al * be
		xi <- matrix(0, k, k)
		for (t in 1:(n - 1)) xi <- xi + (al[t, ] %o% (B[t + 1, ] * be[t + 1, ])) * A / cs[t + 1]
		p0 <- g[1, ]; A <- xi / rowSums(xi)
		w <- colSums(g); mu <- colSums(g * y) / w; sd <- sqrt(colSums(g * outer(y, mu, "-")^2) / w)
	}
	c(ll, it)
}
b <- Inf
for (r in seq_len(runs)) { t0 <- proc.time()[["elapsed"]]; res <- bw(y); b <- min(b, proc.time()[["elapsed"]] - t0) }
cat(sprintf("%.3f %d %.10f\n", b * 1000, res[2], res[1]))
R
)
read -r R_MS R_ITER R_LL <<<"$R_HMM"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE bench_forecast.hmm (y float8[])" -c "\\copy bench_forecast.hmm (y) FROM '$TMP/hmm.txt'"
HMM_PARAMS="{\"states\": 3, \"restarts\": 1, \"tol\": 1e-6, \"max_iter\": 1000, \"init\": $INIT}"
S_HMM=$(sql_best_ms "SELECT forecast_fit('hmm', y, params => '$HMM_PARAMS') FROM bench_forecast.hmm")
read -r S_ITER S_LL < <(psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -c \
	"SELECT (f).summary ->> 'iterations', round((f).loglik::numeric, 6) FROM (SELECT amplified.forecast_fit('hmm', y, params => '$HMM_PARAMS') f FROM bench_forecast.hmm) s")
awk -v n="$HMM_N" -v s="$S_HMM" -v si="$S_ITER" -v sl="$S_LL" -v p="$P_MS" -v pi="$P_ITER" -v r="$R_MS" -v ri="$R_ITER" -v rl="$R_LL" 'BEGIN {
	printf "forecast hmm: 3 Gaussian states, n = %d, one start, stop at a gain <= 1e-6\n", n
	printf "  ours        %8.1f ms (%s iterations, loglik %s)\n", s, si, sl
	printf "  plain R     %8.1f ms (%s iterations, loglik %.6f)   R/ours %.1f (goal >= 10)\n", r, ri, rl, r / s
	printf "  pomegranate %8.1f ms (%s iterations)                  pomegranate/ours %.1f\n", p, pi, p / s
}'
