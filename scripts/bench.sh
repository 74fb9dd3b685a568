#!/usr/bin/env bash
# scripts/bench.sh: runs every benchmark in bench/*.sh against a throwaway
# stack "bench".  Each benchmark prints its own ratios against a baseline it
# measures in the same run; nothing here asserts on time.
# BENCH="bench/uint256.sh" runs only the ones named.
set -uo pipefail
cd "$(dirname "$0")/.."
trap 'scripts/stack.sh stop bench >/dev/null 2>&1 || true' EXIT
scripts/stack.sh stop bench >/dev/null 2>&1 || true
scripts/stack.sh start bench || exit 1
eval "$(scripts/stack.sh env bench)"
export PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"
psql -X -q -c 'CREATE EXTENSION IF NOT EXISTS amplified' || exit 1

benches=${BENCH:-$(ls bench/*.sh 2>/dev/null)}
[ -n "$benches" ] || { echo "bench: no benchmarks in bench/"; exit 0; }
rc=0
for b in $benches; do
	echo "==== $b"
	bash "$b" || { echo "bench: $b failed"; rc=1; }
done
exit $rc
