#!/usr/bin/env bash
# bench/risk.sh: the risk models in SQL (C) against R on the same inputs.
#
# Run by scripts/bench.sh (PGHOST etc. set, extension created); by hand,
# eval "$(scripts/stack.sh env NAME)" first.
#
# GARCH(1,1): BENCH_GARCH_SERIES series of BENCH_GARCH_N returns (default 5
# of 2000), simulated in R from a GARCH(1,1) with normal innovations
# (set.seed, so every run fits the same series), fitted by risk_garch_fit
# and by fGarch's garchFit (the reference the tests compare estimates with).
# Times are per fit, the best of BENCH_RUNS (default 3) over the series;
# the ratio is fGarch's time over ours.  Goal: a fit of 2,000 returns in a
# few milliseconds.
#
# Monte Carlo VaR (when risk_var_mc exists): a 10-asset portfolio,
# 100,000 paths, against the same simulation in R (chol, rnorm, matrix
# product, quantile), both seeded.  Goal: without leaving SQL, in well
# under a second.
#
# Prints figures and ratios; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_GARCH_N:-2000}
SERIES=${BENCH_GARCH_SERIES:-5}
RUNS=${BENCH_RUNS:-3}
DATA=$(mktemp)
trap 'rm -f "$DATA"' EXIT

command -v Rscript >/dev/null || { echo "bench/risk.sh: Rscript is missing (scripts/deps.sh installs r-base-core)"; exit 1; }

# The series, and fGarch's time per fit (best of RUNS over all series).
R_OUT=$(Rscript --vanilla - "$N" "$SERIES" "$RUNS" "$DATA" <<'R'
suppressMessages(library(fGarch))
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[1]); k <- as.integer(a[2]); runs <- as.integer(a[3]); out <- a[4]
set.seed(20261207)
series <- lapply(seq_len(k), function(j) {
	spec <- garchSpec(model = list(mu = 0.0003, omega = 2e-6, alpha = 0.08, beta = 0.9))
	as.numeric(garchSim(spec, n = n))
})
writeLines(vapply(series, function(x) paste(sprintf("%.17g", x), collapse = ","), ""), out)
best <- Inf
for (r in seq_len(runs)) {
	t0 <- proc.time()[["elapsed"]]
	for (x in series) garchFit(~garch(1, 1), data = x, cond.dist = "norm", include.mean = TRUE, trace = FALSE)
	best <- min(best, (proc.time()[["elapsed"]] - t0) / k)
}
cat(sprintf("%.3f\n", best * 1000))
R
)
# One array literal per line, for \copy.
sed -i -e 's/^/{/' -e 's/$/}/' "$DATA"

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\set QUIET on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP SCHEMA IF EXISTS bench_risk CASCADE;
CREATE SCHEMA bench_risk;
SET search_path = bench_risk, amplified, public;
CREATE TABLE s (i serial, r float8[]);
SQL
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy bench_risk.s (r) FROM '$DATA'"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$RUNS" -v r_ms="$R_OUT" -v n="$N" <<'SQL'
\set QUIET on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET search_path = bench_risk, amplified, public;

-- Best of runs: the time of fitting every series, per series.
CREATE FUNCTION best_ms(q text, runs int, per int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	best float8 := 'Infinity';
BEGIN
	FOR k IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000 / per);
	END LOOP;
	RETURN best;
END
$$;
SELECT round(best_ms('SELECT count((risk_garch_fit(r)).loglik) FROM bench_risk.s', :runs, (SELECT count(*)::int FROM s))::numeric, 2) AS ours_ms \gset
SELECT :'n' AS returns, :ours_ms AS amplified_ms_per_fit, :r_ms AS fgarch_ms_per_fit,
	   round(:r_ms / :ours_ms, 1) || 'x' AS ratio, 'a few ms per 2000' AS goal;
SQL

# The Monte Carlo VaR, when the function exists.
if [ "$(psql -X -A -t -c "SELECT count(*) FROM pg_proc WHERE proname = 'risk_var_mc'")" != 0 ]; then
	R_MC=$(Rscript --vanilla - "$RUNS" <<'R'
a <- commandArgs(trailingOnly = TRUE); runs <- as.integer(a[1])
n <- 10; paths <- 100000
set.seed(1)
s <- seq(0.01, 0.03, length.out = n)
cov <- outer(s, s) * (0.3 + 0.7 * diag(n))
w <- rep(1 / n, n)
best <- Inf
for (r in seq_len(runs)) {
	t0 <- proc.time()[["elapsed"]]
	L <- chol(cov)
	z <- matrix(rnorm(paths * n), paths, n) %*% L
	pnl <- z %*% w
	v <- -quantile(pnl, 0.01, type = 1)
	best <- min(best, proc.time()[["elapsed"]] - t0)
}
cat(sprintf("%.3f\n", best * 1000))
R
)
	psql -X -q -v ON_ERROR_STOP=1 -v runs="$RUNS" -v r_ms="$R_MC" <<'SQL'
\set QUIET on
SET search_path = bench_risk, amplified, public;
-- The same portfolio: 10 assets, volatilities 1 % .. 3 %, correlation 0.3.
CREATE TABLE p AS
	SELECT array_fill(0.1::float8, ARRAY[10]) AS w,
		   (SELECT array_agg(row ORDER BY i) FROM (
			  SELECT i, array_agg((0.01 + 0.02 * (i - 1) / 9.0) * (0.01 + 0.02 * (j - 1) / 9.0)
								  * CASE WHEN i = j THEN 1 ELSE 0.3 END ORDER BY j) AS row
				FROM generate_series(1, 10) i, generate_series(1, 10) j GROUP BY i) x) AS cov;
SELECT round(best_ms('SELECT (risk_var_mc(w, cov, 0.99, 100000, 1)).var FROM bench_risk.p', :runs, 1)::numeric, 1) AS ours_ms \gset
SELECT '10 assets, 100000 paths' AS monte_carlo_var, :ours_ms AS amplified_ms, :r_ms AS r_ms,
	   round(:r_ms / :ours_ms, 1) || 'x' AS ratio, 'well under 1 s' AS goal;
SQL
fi
psql -X -q -c 'DROP SCHEMA bench_risk CASCADE' >/dev/null 2>&1 || true
