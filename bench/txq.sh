#!/usr/bin/env bash
# bench/txq.sh: the tx worker's signing throughput and its enqueue-to-
# broadcast latency, with the commit wake-up and with polling only.
#
# Run by scripts/bench.sh (PGHOST etc. and CHAIN_RPC_URL set, extension
# created, amplified preloaded, a fresh anvil); alone:
#   BENCH=bench/txq.sh scripts/bench.sh
# 1. Latency (goal: p50 with the wake-up at most a tenth of p50 with polling
#    only, i.e. ratio >= 10; about 50 ms at the default 1 s poll): BENCH_LATENCY intents (default 200) of a
#    funded signer, enqueued one at a time, 20 ms apart, with default
#    options (eth_call and eth_estimateGas on the node, automine on); the
#    latency is the time from the "enqueued" event to the "sent" event of
#    tx_events (both clock_timestamp()).  Run twice: as shipped (the enqueue
#    wakes the worker at commit), then with the wake-up trigger disabled
#    (polling every amplified.txq_poll_interval, 1 s by default).
# 2. Throughput (goal: ratio queue/bare signing >= 0.22, which was 2,000
#    signed intents/s where bare signing ran 8,993/s; absolute rates differ
#    threefold between machines, the ratio does not): a key_file signer whose
#    address holds no ether, BENCH_INTENTS intents (default 10000) enqueued
#    in one transaction with a gas limit and simulate = false, so the worker
#    claims, reserves nonces, signs with the local key and persists raw
#    bytes and hashes without asking the node anything but fee levels.  The
#    node refuses to take the transactions (insufficient funds), so nothing
#    is mined; each new batch costs one refused broadcast (a refused attempt
#    then waits for its backoff).  The rate is the number of persisted
#    attempts over the time from the enqueue commit to the last attempt's
#    creation, polled with short queries (a long polling statement would
#    hold back the xmin horizon and slow every index scan of the worker).  Baseline in the same run: the
#    bare signing rate of txq_sign_transaction() for the same signer in one
#    SQL loop (key file read, sign, recover; no queue at all).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_INTENTS:-10000}
L=${BENCH_LATENCY:-200}
CHAIN_ID=31337
: "${CHAIN_RPC_URL:?CHAIN_RPC_URL is not set (run through scripts/bench.sh)}"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)

if [ "$("${PSQL[@]}" -c "SELECT count(*) FROM amplified.chains WHERE chain_id = $CHAIN_ID")" != 0 ]; then
	echo "bench/txq: chain $CHAIN_ID is configured already; this bench needs a fresh stack" >&2
	exit 1
fi

# Keys: a fresh unfunded one, and anvil's development account 3.
KEYS=$(mktemp -d /tmp/amplified-bench-keys.XXXXXX)
trap 'rm -rf "$KEYS"' EXIT
read -r UNFUNDED_KEY UNFUNDED < <(node -e '
	const { ethers } = require("./test/chain/lib");
	const w = ethers.Wallet.createRandom();
	console.log(w.privateKey.slice(2), w.address.toLowerCase());')
FUNDED_KEY=7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
FUNDED=0x90f79bf6eb2c4f870365e785982e1f101e93b906
printf '%s\n' "$UNFUNDED_KEY" >"$KEYS/$UNFUNDED.key"
printf '%s\n' "$FUNDED_KEY" >"$KEYS/$FUNDED.key"
chmod 700 "$KEYS"; chmod 600 "$KEYS"/*.key
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$KEYS"; fi
# The throughput part signs every intent ahead of a node that takes none of
# them: lift the signing-ahead bound (amplified.txq_max_in_flight) for it.
"${PSQL[@]}" -c "ALTER SYSTEM SET amplified.keys_dir = '$KEYS'" -c "ALTER SYSTEM SET amplified.txq_batch_size = ${BENCH_BATCH:-200}" \
	-c "ALTER SYSTEM SET amplified.txq_max_in_flight = 100000" -c "SELECT pg_reload_conf()" >/dev/null

"${PSQL[@]}" >/dev/null <<SQL
SELECT amplified.add_chain($CHAIN_ID, 'bench', ARRAY['$CHAIN_RPC_URL'], confirmations => 0);
SELECT amplified.add_signer($CHAIN_ID, '$UNFUNDED', 'key_file');
SELECT amplified.add_signer($CHAIN_ID, '$FUNDED', 'key_file');
-- Direct enqueues need a policy: 1 wei at most, no rate limit.
SELECT amplified.txq_set_signer_policy($CHAIN_ID, '$UNFUNDED', max_value => '1', max_intents_per_hour => NULL);
SELECT amplified.txq_set_signer_policy($CHAIN_ID, '$FUNDED', max_value => '1', max_intents_per_hour => NULL);
SQL
for _ in $(seq 1 100); do
	[ "$("${PSQL[@]}" -c "SELECT count(*) FROM amplified.v_signers WHERE chain_id = $CHAIN_ID AND next_nonce IS NOT NULL")" = 2 ] && break
	sleep 0.1
done

# ---- 1. latency (first, on an empty queue)
latency() {
	local tag=$1
	"${PSQL[@]}" >/dev/null <<SQL
DO \$\$
BEGIN
	FOR i IN 1 .. $L LOOP
		PERFORM amplified.txq_enqueue($CHAIN_ID, '$FUNDED', '$FUNDED', 1, '',
			jsonb_build_object('idempotency_key', '$tag-' || i));
		COMMIT;
		PERFORM pg_sleep(0.02);
	END LOOP;
END
\$\$;
SQL
	for _ in $(seq 1 600); do
		[ "$("${PSQL[@]}" -c "SELECT count(*) FROM amplified.tx_intents WHERE idempotency_key LIKE '$tag-%' AND status = 'pending'")" = 0 ] && break
		sleep 0.1
	done
	"${PSQL[@]}" <<SQL
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ' ||
	   round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ' || count(*)
  FROM (SELECT extract(epoch FROM s.at - e.at) * 1000 AS ms
		  FROM amplified.tx_intents AS i
		  JOIN amplified.tx_events AS e ON e.intent_id = i.id AND e.event = 'enqueued'
		  JOIN LATERAL (SELECT min(x.at) AS at FROM amplified.tx_events AS x
						 WHERE x.intent_id = i.id AND x.to_status = 'sent') AS s ON true
		 WHERE i.idempotency_key LIKE '$tag-%') AS t;
SQL
}
read -r P50 P99 CNT < <(latency wake)
echo "latency with the commit wake-up: p50 $P50 ms, p99 $P99 ms over $CNT intents"
"${PSQL[@]}" -c "ALTER TABLE amplified.tx_intents DISABLE TRIGGER tx_intents_wake" >/dev/null
read -r Q50 Q99 QCNT < <(latency poll)
"${PSQL[@]}" -c "ALTER TABLE amplified.tx_intents ENABLE TRIGGER tx_intents_wake" >/dev/null
echo "latency polling only ($("${PSQL[@]}" -c "SHOW amplified.txq_poll_interval")): p50 $Q50 ms, p99 $Q99 ms over $QCNT intents"
awk -v a="$P50" -v b="$Q50" 'BEGIN { printf "ratio p50 polling/wake-up: %.1f (goal >= 10)\n", b / a }'

# ---- 2. throughput
BASE=$("${PSQL[@]}" <<SQL
SELECT clock_timestamp() AS t0 \\gset
SELECT count(amplified.txq_sign_transaction($CHAIN_ID, '$UNFUNDED',
	jsonb_build_object('type', 2, 'chainId', $CHAIN_ID, 'nonce', i, 'maxPriorityFeePerGas', 1000000000,
		'maxFeePerGas', 3000000000, 'gasLimit', 50000, 'to', '$FUNDED', 'value', 0,
		'data', '0x' || lpad(to_hex(i), 64, '0'))))
  FROM generate_series(1, 2000) AS i \\g /dev/null
SELECT round(2000 / extract(epoch FROM clock_timestamp() - :'t0')::numeric);
SQL
)
echo "baseline: txq_sign_transaction() in a SQL loop: $BASE signed transactions/s"

# The enqueue commits at t0; then poll from here, one short query at a time
# (a long-running polling statement would hold back the xmin horizon and
# make every index scan of the worker wade through dead tuples).
T0=$("${PSQL[@]}" <<SQL
SELECT count(amplified.txq_enqueue($CHAIN_ID, '$UNFUNDED', '$FUNDED', 0,
	decode(lpad(to_hex(i), 64, '0'), 'hex'), '{"gas_limit": 50000, "simulate": false}'))
  FROM generate_series(1, $N) AS i \\g /dev/null
SELECT clock_timestamp();
SQL
)
for _ in $(seq 1 6000); do
	[ "$("${PSQL[@]}" -c "SELECT count(*) >= $N FROM amplified.tx_attempts WHERE chain_id = $CHAIN_ID AND lower(sender::text) = '$UNFUNDED'")" = t ] && break
	sleep 0.1
done
read -r SECS SIGNED < <("${PSQL[@]}" -F ' ' -c "SELECT round(extract(epoch FROM max(created_at) - '$T0')::numeric, 3), count(*)
  FROM amplified.tx_attempts WHERE chain_id = $CHAIN_ID AND lower(sender::text) = '$UNFUNDED'")
if [ "$SIGNED" -lt "$N" ]; then
	echo "bench/txq: only $SIGNED of $N intents were signed in 600 s" >&2
	"${PSQL[@]}" -c "SELECT kind, state, last_error FROM amplified.workers()" >&2
	exit 1
fi
awk -v n="$SIGNED" -v s="$SECS" -v b="$BASE" 'BEGIN {
	r = n / s
	printf "queue: %d intents claimed, reserved, signed and persisted in %.3f s: %.0f intents/s\n", n, s, r
	printf "ratio queue/bare signing: %.2f (goal >= 0.22)\n", r / b }'

