#!/usr/bin/env bash
# bench/history.sh: queries on recent blocks, with a small history and with a
# large one (the history is partitioned by block range, src/ingest/partitions.sql).
#
# Run by scripts/bench.sh (PGHOST etc. set, extension created); alone:
#   BENCH=bench/history.sh scripts/bench.sh
# No node is needed: a chain (id 1, disabled) gets synthetic rows by SQL.
# 1. Small history: BENCH_RECENT_BLOCKS blocks (default 100 000: one full
#    range of the default partition_blocks, as the range being ingested is at
#    most) just below block 2 100 000, with two logs each (50 emitters) and a
#    state row of each of 5 Uniswap v3 pools every 10 blocks.
# 2. Six recent-block queries, each run BENCH_REPEAT times (default 300),
#    their mean time in ms:
#      logs   the logs of one address in the last 1000 blocks
#      at     ingest_block_at: the block of an hour ago, by time
#      pool   univ3_pool_state_at: one pool's state at the newest block
#      head   ingest_head_block: the chain's newest stored block
#    and two plain table queries, for reference (no goal: they cannot prune
#    and read one index per range of the chain, as the read models above
#    did before they searched the newest ranges first, ingest_window_from):
#      time   the blocks of the last hour, by time (blocks_time_idx)
#      state  the latest state row of one pool, ORDER BY block DESC LIMIT 1
#    and the partitions each one read: from EXPLAIN (ANALYZE) for a query,
#    from auto_explain (nested statements, at NOTICE) for a read model.
# 3. Large history: BENCH_HISTORY_BLOCKS older blocks (default 2 000 000),
#    with the same rows per block, are inserted below them, then ANALYZE; the
#    same queries again.  Prints the ratio large/small per query (goal ~1,
#    <= 1.2 for logs, at and pool: they read the partitions of their range
#    only).
# Asserts nothing on time.
set -euo pipefail
cd "$(dirname "$0")/.."
RECENT=${BENCH_RECENT_BLOCKS:-100000}
HIST=${BENCH_HISTORY_BLOCKS:-2000000}
REPEAT=${BENCH_REPEAT:-300}
TOP=2100000
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
# The queries compare amplified types, whose operators live in its schema.
export PGOPTIONS="${PGOPTIONS:-} -c search_path=amplified,public"

# fill FROM TO: blocks FROM..TO-1 of chain 1 with their logs and pool states.
fill() {
	"${PSQL[@]}" <<SQL
SELECT amplified.ingest_partitions_maintain(1, $1, $2 - 1) \g /dev/null
INSERT INTO amplified.blocks
SELECT 1, n, ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32, ('0x' || lpad(to_hex(n + 1), 64, 'f'))::amplified.bytes32,
	   to_timestamp(1600000000 + n * 12), NULL
  FROM generate_series($1, $2 - 1) AS n;
INSERT INTO amplified.logs
SELECT 1, n, i, ('0x' || lpad(to_hex(n), 64, 'a'))::amplified.bytes32, i,
	   ('0x' || lpad(to_hex((n * 2 + i) % 50 + 1), 40, '0'))::amplified.address,
	   ARRAY[('0x' || lpad(to_hex(n % 7), 64, '0'))::amplified.bytes32], '\x00'
  FROM generate_series($1, $2 - 1) AS n, generate_series(0, 1) AS i;
INSERT INTO amplified.univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
SELECT 1, n, ('0x' || lpad(to_hex(1000 + p), 40, '0'))::amplified.address, '79228162514264337593543950336', 0, 0, 1, 1, 0, true, '1000'
  FROM generate_series($1, $2 - 1, 10) AS n, generate_series(1, 5) AS p;
VACUUM ANALYZE amplified.blocks, amplified.logs, amplified.univ3_pool_states;
SQL
}

Q_LOGS="SELECT count(*) FROM amplified.logs WHERE chain_id = 1 AND address = '0x0000000000000000000000000000000000000007' AND block_number > $TOP - 1000"
Q_TIME="SELECT count(*) FROM amplified.blocks WHERE chain_id = 1 AND timestamp > to_timestamp(1600000000 + ($TOP - 1) * 12) - interval '1 hour'"
Q_STATE="SELECT block_number FROM amplified.univ3_pool_states WHERE chain_id = 1 AND pool = '0x00000000000000000000000000000000000003eb' ORDER BY block_number DESC LIMIT 1"
Q_AT="SELECT amplified.ingest_block_at(1, to_timestamp(1600000000 + ($TOP - 1) * 12) - interval '1 hour')"
Q_POOL="SELECT * FROM amplified.univ3_pool_state_at(1, '0x00000000000000000000000000000000000003eb', $TOP - 1)"
Q_HEAD="SELECT amplified.ingest_head_block(1)"
QUERIES="logs at pool head time state"

# mean_ms QUERY: its mean time over REPEAT runs (after 20 warm-up runs).
mean_ms() {
	"${PSQL[@]}" <<SQL
DO \$\$
DECLARE
	t0 timestamptz;
	x record;
BEGIN
	FOR i IN 1 .. 20 LOOP EXECUTE \$q\$$1\$q\$ INTO x; END LOOP;
	t0 := clock_timestamp();
	FOR i IN 1 .. $REPEAT LOOP EXECUTE \$q\$$1\$q\$ INTO x; END LOOP;
	PERFORM set_config('bench.ms', round((extract(epoch FROM clock_timestamp() - t0) * 1000 / $REPEAT)::numeric, 4)::text, false);
END
\$\$;
SELECT current_setting('bench.ms');
SQL
}

# scanned QUERY: the partitions EXPLAIN ANALYZE shows it read (not "never
# executed"); a read model's inner statements, as auto_explain logs them.
scanned() {
	{
		case "$1" in
			*univ3_pool_state_at*|*ingest_block_at*|*ingest_head_block*)
				"${PSQL[@]}" -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
					-c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_analyze = on" \
					-c "SET auto_explain.log_timing = off" -c "SET auto_explain.log_level = notice" \
					-c "SET client_min_messages = notice" -c "$1" 2>&1 >/dev/null ;;
			*) "${PSQL[@]}" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $1" ;;
		esac
	} |
		grep -E '(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)( Backward)?( using [a-z0-9_]+)? on [a-z0-9_]+_(c1_[0-9]+|default)\b' |
		grep -v 'never executed' |
		sed -E 's/.* on ([a-z0-9_]+).*/\1/' | sort -u | tr '\n' ' '
}

"${PSQL[@]}" -c "SELECT 1 FROM amplified.add_chain(1, 'history', ARRAY['http://127.0.0.1:9'], enabled => false)" >/dev/null

# ---- 1. small history
t0=$(date +%s)
fill $((TOP - RECENT)) $TOP
echo "small history: $RECENT blocks, $((RECENT * 2)) logs, $((RECENT / 2)) pool states in $(( $(date +%s) - t0 )) s"
declare -A small
for q in $QUERIES; do
	var="Q_${q^^}"
	small[$q]=$(mean_ms "${!var}")
	echo "  $q: ${small[$q]} ms; partitions read: $(scanned "${!var}")"
done

# ---- 2. large history below it
t0=$(date +%s)
fill $((TOP - RECENT - HIST)) $((TOP - RECENT))
echo "large history: $HIST more blocks below, $((HIST * 2)) logs, $((HIST / 2)) pool states in $(( $(date +%s) - t0 )) s;" \
	"$("${PSQL[@]}" -c "SELECT count(*) FROM amplified.ingest_partitions WHERE chain_id = 1") ranges"
for q in $QUERIES; do
	var="Q_${q^^}"
	large=$(mean_ms "${!var}")
	echo "  $q: $large ms; partitions read: $(scanned "${!var}")"
	case $q in time|state) goal="table query, reads every range: no goal" ;; *) goal="goal <= 1.2" ;; esac
	awk -v a="$large" -v b="${small[$q]}" -v q="$q" -v g="$goal" 'BEGIN { printf "  ratio large/small %s: %.2f (%s)\n", q, a / b, g }'
done
