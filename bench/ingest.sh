#!/usr/bin/env bash
# bench/ingest.sh: the ingest worker's rate against the node's own, and its
# memory over a longer run.
#
# Run by scripts/bench.sh (PGHOST etc. and CHAIN_RPC_URL set, extension
# created, amplified preloaded, a fresh anvil); alone:
#   BENCH=bench/ingest.sh scripts/bench.sh
# 1. Deploys the chain fixture (test/chain/deploy.js) into the stack's anvil
#    and makes heavy traffic with test/chain/bench_traffic.js: BENCH_BLOCKS
#    blocks (default 2500) of BENCH_TXS transactions (default 8; transfers
#    and Uniswap v3 swaps, about two logs per transaction).
# 2. The node's rate: test/chain/bench_getlogs.js reads every block from 0 to
#    the head the way the worker does (one eth_getLogs for all the fixture's
#    contracts per BENCH_RANGE blocks, default 500; headers in JSON-RPC
#    batches of BENCH_BATCH, default 100), stores nothing; best of 2 runs.
#    500 is also the most blocks the worker's head step takes at a time
#    (INGEST_MAX_HEADERS), whatever its adaptive eth_getLogs range.
# 3. amplified's rate: add_chain (confirmations 0, poll_interval 100 ms, the
#    same logs_range and batch_size) and watch_contract for every contract of
#    the fixture, in one transaction; the time runs from that commit until
#    v_ingest_status says the head stream has stored the head and the
#    backfill is done.  Rates are the row counts of amplified.logs and
#    amplified.blocks over that time.  Prints both and the ratio (goal
#    >= 0.5); asserts nothing on time, but fails if the stored logs differ in
#    number from the node's.  Contracts are watched with their kinds (erc20,
#    lst, oracle, univ3_pool, univ3_position_manager), so Transfer, Swap,
#    Mint, Burn and Collect logs are decoded too.
# 4. Memory: traffic goes on for BENCH_MEM_SECONDS (default 75) while the
#    worker follows it; the worker's VmRSS and RssShmem (/proc/PID/status
#    of the backend whose backend_type is "amplified ingest worker") are
#    sampled every 5 s.  Prints first, the value after warm-up (the sample at
#    15 s), last and max, and "flat" when last <= 1.2 x the warm-up value, for
#    VmRSS, RssShmem and the private part VmRSS - RssShmem.  The private part
#    is what a leak would grow; VmRSS also counts every shared buffer the
#    worker has touched, which grows with the tables it appends to (up to
#    shared_buffers) and is not the worker's own memory.
# 5. History: the chain is dropped and ingested again as in step 3 (now
#    longer by step 4's traffic), the baseline; dropped again,
#    BENCH_HISTORY_BLOCKS (default 2 000 000) blocks and as many logs of
#    another chain are inserted by SQL, and the same chain ingested again.  Prints the ratio of the rates with and without that history
#    (goal near 1: the worker's writes and reads touch the partitions of
#    their own chain and range only).
set -euo pipefail
cd "$(dirname "$0")/.."
BLOCKS=${BENCH_BLOCKS:-2500}
TXS=${BENCH_TXS:-8}
RANGE=${BENCH_RANGE:-500}
BATCH=${BENCH_BATCH:-100}
MEM_SECONDS=${BENCH_MEM_SECONDS:-75}
CHAIN_ID=31337
: "${CHAIN_RPC_URL:?CHAIN_RPC_URL is not set (run through scripts/bench.sh)}"
WORK=$(mktemp -d)
TRAFFIC_PID=
cleanup() {
	[ -n "$TRAFFIC_PID" ] && kill "$TRAFFIC_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
export AMP_QUIET=1
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)

rpc_head() {
	curl -s -m 5 -H 'content-type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(parseInt(JSON.parse(s).result,16)))'
}
# The JSON field $2 of the one-line JSON $1.
field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }

# ---- 1. fixture and traffic
if [ "$("${PSQL[@]}" -c "SELECT count(*) FROM amplified.chains WHERE chain_id = $CHAIN_ID")" != 0 ]; then
	echo "bench/ingest: chain $CHAIN_ID is configured already; this bench needs a fresh stack" >&2
	exit 1
fi
node test/chain/deploy.js --out "$WORK/deployment.json" >/dev/null
t=$(node test/chain/bench_traffic.js --blocks "$BLOCKS" --txs "$TXS" --deployment "$WORK/deployment.json")
HEAD=$(rpc_head)
echo "traffic: $(field "$t" blocks) blocks of $TXS transactions in $(field "$t" seconds) s; head $HEAD"

# Every contract of the fixture, with the kind the decoders use.
ADDRS=$(node -e '
	const d = require(process.argv[1]);
	console.log(Object.values(d.contracts).map((c) => c.address).join(","));' "$WORK/deployment.json")
WATCH_SQL=$(node -e '
	const d = require(process.argv[1]);
	const kind = {}, label = {};
	for (const [k, c] of Object.entries(d.contracts)) { kind[c.address] = "generic"; label[c.address] = k; }
	for (const t of Object.values(d.tokens))
		kind[t.address] = (t.kind === "lst" || t.kind === "lrt") ? "lst" : "erc20";
	for (const o of Object.values(d.oracles)) kind[o.address] = "oracle";
	for (const p of Object.values(d.pools)) kind[p.address] = "univ3_pool";
	kind[d.uniswap.positionManager] = "univ3_position_manager";
	for (const a of Object.keys(kind))
		console.log(`SELECT 1 FROM amplified.watch_contract(${process.argv[2]}, '"'"'${a}'"'"', '"'"'${label[a]}'"'"', '"'"'${kind[a]}'"'"');`);
' "$WORK/deployment.json" "$CHAIN_ID")

# ---- 2. the node's rate
n=$(node test/chain/bench_getlogs.js --from 0 --to "$HEAD" --range "$RANGE" --batch "$BATCH" \
	--addresses "$ADDRS" --rpc "$CHAIN_RPC_URL")
NODE_LOGS=$(field "$n" logs)
NODE_LPS=$(field "$n" logs_per_sec)
NODE_BPS=$(field "$n" blocks_per_sec)
echo "node:      $NODE_LOGS logs, $(field "$n" blocks) blocks in $(field "$n" seconds) s: $NODE_LPS logs/s, $NODE_BPS blocks/s (eth_getLogs range $RANGE, header batches of $BATCH)"

# ---- 3. amplified's rate
# amp_rate HEAD: add the chain and watch the fixture's contracts in one
# transaction, wait until the head stream has stored HEAD and the backfill
# is done; sets secs, state, AMP_LOGS, AMP_BLOCKS, AMP_LPS, AMP_BPS.
amp_rate() {
	local head=$1 indexed err
	secs=$("${PSQL[@]}" <<SQL
BEGIN;
SELECT 1 FROM amplified.add_chain($CHAIN_ID, 'bench', ARRAY['$CHAIN_RPC_URL'], confirmations => 0,
	poll_interval => '100 ms', batch_size => $BATCH, logs_range => $RANGE) \\g /dev/null
$(echo "$WATCH_SQL" | sed 's/;$/ \\g \/dev\/null/')
COMMIT;
SELECT clock_timestamp() AS t0 \\gset
DO \$\$
BEGIN
	FOR i IN 1 .. 6000 LOOP
		PERFORM 1 FROM amplified.v_ingest_status
		  WHERE chain_id = $CHAIN_ID AND indexed_block >= $head
			AND coalesce(backfill_done_blocks >= backfill_total_blocks, true);
		EXIT WHEN FOUND;
		PERFORM pg_sleep(0.05);
	END LOOP;
END
\$\$;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 3);
SQL
)
	read -r state indexed err < <("${PSQL[@]}" -F ' ' -c \
		"SELECT state, indexed_block, coalesce(replace(last_error, ' ', '_'), '-') FROM amplified.v_ingest_status WHERE chain_id = $CHAIN_ID")
	if [ "${indexed:-0}" -lt "$head" ]; then
		echo "bench/ingest: the worker did not reach block $head in 300 s (state $state, indexed $indexed, last error $err)" >&2
		exit 1
	fi
	read -r AMP_LOGS AMP_BLOCKS < <("${PSQL[@]}" -F ' ' -c \
		"SELECT (SELECT count(*) FROM amplified.logs WHERE chain_id = $CHAIN_ID), (SELECT count(*) FROM amplified.blocks WHERE chain_id = $CHAIN_ID)")
	AMP_LPS=$(awk -v n="$AMP_LOGS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	AMP_BPS=$(awk -v n="$AMP_BLOCKS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
}
amp_rate "$HEAD"
echo "amplified: $AMP_LOGS logs, $AMP_BLOCKS blocks in $secs s: $AMP_LPS logs/s, $AMP_BPS blocks/s (add_chain to synced, state $state)"
awk -v a="$AMP_LPS" -v n="$NODE_LPS" -v b="$AMP_BPS" -v m="$NODE_BPS" 'BEGIN {
	printf "ratio amplified/node: logs %.2f, blocks %.2f (goal >= 0.5)\n", a / n, b / m }'
if [ "$AMP_LOGS" != "$NODE_LOGS" ]; then
	echo "bench/ingest: amplified stored $AMP_LOGS logs, the node has $NODE_LOGS" >&2
	exit 1
fi
EMPTY_LPS=$AMP_LPS
EMPTY_BPS=$AMP_BPS

# ---- 4. memory over a longer run
PID=$("${PSQL[@]}" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker' LIMIT 1")
[ -n "$PID" ] && [ -r "/proc/$PID/status" ] ||
	{ echo "bench/ingest: no ingest worker process to sample (pid \"$PID\")" >&2; exit 1; }
node test/chain/bench_traffic.js --seconds "$MEM_SECONDS" --txs "$TXS" --pace 20 \
	--deployment "$WORK/deployment.json" >"$WORK/traffic2.json" &
TRAFFIC_PID=$!
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
samples=()
start=$(date +%s)
while :; do
	el=$(( $(date +%s) - start ))
	kill -0 "$PID" 2>/dev/null || { echo "bench/ingest: the ingest worker (pid $PID) is gone" >&2; exit 1; }
	samples+=("$el $(kb VmRSS) $(kb RssShmem)")
	[ "$el" -ge "$MEM_SECONDS" ] && break
	sleep 5
done
wait "$TRAFFIC_PID" || { echo "bench/ingest: traffic failed" >&2; exit 1; }
TRAFFIC_PID=
t2=$(cat "$WORK/traffic2.json")
sleep 1
read -r state lag < <("${PSQL[@]}" -F ' ' -c "SELECT state, lag FROM amplified.v_ingest_status WHERE chain_id = $CHAIN_ID")
echo "memory: worker pid $PID over ${el} s while $(field "$t2" txs) more transactions came in $(field "$t2" blocks) blocks; then state $state, lag $lag"
printf '%s\n' "${samples[@]}" | awk '
	function line(name, x, note) {
		m = 0; for (i = 1; i <= NR; i++) if (x[i] > m) m = x[i]
		printf "  %-24s first %6d, after warm-up (%d s) %6d, last %6d, max %6d: %s%s\n", name, x[1], t[w], x[w], x[NR], m,
			(x[NR] <= 1.2 * x[w]) ? "flat" : "growing", note
	}
	{ t[NR] = $1; v[NR] = $2; sh[NR] = $3; p[NR] = $2 - $3 }
	END {
		w = 1; for (i = 1; i <= NR; i++) if (t[i] <= 15) w = i
		line("VmRSS kB", v, " (counts the shared buffers it has touched)")
		line("  of which RssShmem kB", sh, "")
		line("private kB (VmRSS-Shmem)", p, "  <- the leak check")
		printf "  samples (s:VmRSS/RssShmem kB):"; for (i = 1; i <= NR; i++) printf " %d:%d/%d", t[i], v[i], sh[i]; printf "\n"
	}'

# ---- 5. the rate again, over a large history of another chain
# The chain is dropped (one cascading DELETE) and ingested again as in step
# 3, now longer by step 4's traffic: the baseline.  Then it is dropped again,
# BENCH_HISTORY_BLOCKS blocks (default 2 000 000) with one log each of a
# chain 999 are inserted by SQL into their partitions, and the same chain is
# ingested once more: the ratio of the two rates (each the best of two runs)
# is the cost of the history (goal: near 1).
HIST=${BENCH_HISTORY_BLOCKS:-2000000}
drop_chain() {
	"${PSQL[@]}" -c "UPDATE amplified.chains SET enabled = false WHERE chain_id = $CHAIN_ID"
	for _ in $(seq 1 300); do
		[ "$("${PSQL[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker'")" = 0 ] && break
		sleep 0.1
	done
	"${PSQL[@]}" -c "DELETE FROM amplified.chains WHERE chain_id = $CHAIN_ID"
	"${PSQL[@]}" -c "VACUUM ANALYZE"
}
# Each rate is the best of two runs (a run is about a second: one run's
# noise on a shared machine is some 10 %).
best_rate() {
	local what=$1 lps=0 bps=0
	for run in 1 2; do
		drop_chain
		amp_rate "$HEAD"
		echo "amplified $what, run $run: $AMP_LOGS logs, $AMP_BLOCKS blocks in $secs s: $AMP_LPS logs/s, $AMP_BPS blocks/s (state $state)"
		lps=$(awk -v a="$lps" -v b="$AMP_LPS" 'BEGIN { print (b > a ? b : a) }')
		bps=$(awk -v a="$bps" -v b="$AMP_BPS" 'BEGIN { print (b > a ? b : a) }')
	done
	AMP_LPS=$lps
	AMP_BPS=$bps
}
HEAD=$(rpc_head)
best_rate "again, no history"
BASE_LPS=$AMP_LPS
BASE_BPS=$AMP_BPS
drop_chain
h0=$(date +%s.%N)
"${PSQL[@]}" <<SQL
SELECT 1 FROM amplified.add_chain(999, 'history', ARRAY['http://127.0.0.1:9'], enabled => false) \g /dev/null
SELECT amplified.ingest_partitions_maintain(999, 0, $HIST - 1) \g /dev/null
INSERT INTO amplified.blocks
SELECT 999, n, ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32, ('0x' || lpad(to_hex(n + 1), 64, 'f'))::amplified.bytes32,
	   to_timestamp(1600000000 + n * 12), NULL
  FROM generate_series(0, $HIST - 1) AS n;
INSERT INTO amplified.logs
SELECT 999, n, 0, ('0x' || lpad(to_hex(n), 64, 'a'))::amplified.bytes32, 0,
	   ('0x' || lpad(to_hex(n % 50), 40, '0'))::amplified.address,
	   ARRAY[('0x' || lpad(to_hex(n % 7), 64, '0'))::amplified.bytes32], '\x00'
  FROM generate_series(0, $HIST - 1) AS n;
VACUUM ANALYZE amplified.blocks, amplified.logs;
SQL
HIST_SECS=$(awk -v a="$h0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo "history: $HIST blocks and $HIST logs of chain 999 inserted in $HIST_SECS s ($("${PSQL[@]}" -c "SELECT count(*) FROM amplified.ingest_partitions WHERE chain_id = 999") ranges)"
best_rate "over that history"
awk -v a="$AMP_LPS" -v n="$BASE_LPS" -v b="$AMP_BPS" -v m="$BASE_BPS" 'BEGIN {
	printf "ratio with history/without: logs %.2f, blocks %.2f (goal ~1: no loss of rate)\n", a / n, b / m }'
