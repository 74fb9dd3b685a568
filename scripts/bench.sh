#!/usr/bin/env bash
# scripts/bench.sh: runs every benchmark in bench/*.sh, each against a
# throwaway stack "bench" of its own (a new cluster and a new anvil, so no
# bench sees what another left behind).  Each benchmark prints its own
# ratios against a baseline it measures in the same run, and its goals as
# ratios too; nothing here asserts on time.
# BENCH="bench/uint256.sh" runs only the ones named; STACK names the
# throwaway stack (default "bench"), so two runs on one machine do not meet.
set -uo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK:-bench}
trap 'scripts/stack.sh stop "$STACK" >/dev/null 2>&1 || true' EXIT
export PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"

# A new stack: the old one (if any) is stopped and removed first.
fresh_stack() {
	scripts/stack.sh stop "$STACK" >/dev/null 2>&1 || true
	scripts/stack.sh start "$STACK" || return 1
	eval "$(scripts/stack.sh env "$STACK")"
	psql -X -q -c 'CREATE EXTENSION IF NOT EXISTS amplified'
}

benches=${BENCH:-$(ls bench/*.sh 2>/dev/null)}
[ -n "$benches" ] || { echo "bench: no benchmarks in bench/"; exit 0; }
rc=0
for b in $benches; do
	echo "==== $b"
	if ! fresh_stack; then echo "bench: no stack for $b"; rc=1; continue; fi
	bash "$b" || { echo "bench: $b failed"; rc=1; }
done
exit $rc
