#!/usr/bin/env bash
# scripts/demo.sh: the main job.  Starts (or keeps) the demo stack, a
# PostgreSQL cluster with amplified and pg_cron preloaded and a local anvil
# chain, creates the extensions, deploys the chain fixture, has amplified
# ingest it while traffic runs, and shows what runs and how to use it.  The
# stack stays up: "make psql" opens psql on it, "make stop" stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/stack.sh start demo
eval "$(scripts/stack.sh env demo)"
export PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

q -c 'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS amplified; CREATE EXTENSION IF NOT EXISTS pg_cron;'

# The launcher starts its workers within a second or two of the extension.
for _ in $(seq 1 50); do
	[ "$(q -Atc "SELECT count(*) FROM amplified.workers() WHERE state = 'running'")" -ge 2 ] && break
	sleep 0.2
done

# The chain fixture: tokens (WETH, an LST and an LRT whose rates grow, USDC,
# DAI), Uniswap v3 pools and oracles, deployed once per chain (--reuse).
deployment=$STACK_DIR/deployment.json
AMP_QUIET=1 node test/chain/deploy.js --rpc "$CHAIN_RPC_URL" --out "$deployment" --reuse >/dev/null

# Ingest the chain: every pool, token and oracle of the fixture.
q >/dev/null <<SQL
SET search_path = amplified, public;
SELECT amplified.add_chain(31337, 'anvil', ARRAY['$CHAIN_RPC_URL'], confirmations => 0,
                           poll_interval => '500 ms')
 WHERE NOT EXISTS (SELECT 1 FROM amplified.chains WHERE chain_id = 31337);
SELECT amplified.watch_contract(31337, (c->>'address')::amplified.address, c->>'label', c->>'kind', 0)
  FROM jsonb_array_elements(
         (SELECT jsonb_agg(jsonb_build_object('address', p->>'address', 'label', 'pool ' || k, 'kind', 'univ3_pool'))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'pools') AS e(k, p))
      || (SELECT jsonb_agg(jsonb_build_object('address', t->>'address', 'label', k,
                 'kind', CASE WHEN t ? 'rate' THEN 'lst' ELSE 'erc20' END))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'tokens') AS e(k, t))
      || (SELECT jsonb_agg(jsonb_build_object('address', o->>'address', 'label', 'oracle ' || k, 'kind', 'oracle'))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'oracles') AS e(k, o))) AS c
 WHERE NOT EXISTS (SELECT 1 FROM amplified.watched_contracts w
                    WHERE w.chain_id = 31337 AND w.address = (c->>'address')::amplified.address);
SQL

# Some traffic: swaps that move prices, mints, burns, transfers, rate and oracle updates.
AMP_QUIET=1 node test/chain/traffic.js --rpc "$CHAIN_RPC_URL" --deployment "$deployment" --rounds 3 >/dev/null
head=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')
for _ in $(seq 1 150); do
	[ "$(q -Atc "SELECT coalesce(indexed_block >= $((head)) AND backfill_done_blocks = backfill_total_blocks, false) FROM amplified.v_ingest_status WHERE chain_id = 31337")" = t ] && break
	sleep 0.2
done

chain_id=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')
block=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')

cat <<TXT

amplified demo
==============
PostgreSQL  $(q -Atc 'SHOW server_version') on port $PGPORT, database $PGDATABASE (socket $PGHOST; TCP 127.0.0.1)
extensions  $(q -Atc "SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname) FROM pg_extension WHERE extname IN ('amplified', 'pg_cron')")
chain       anvil at $CHAIN_RPC_URL, chain id $((chain_id)), block $((block))

Background workers (SELECT * FROM amplified.v_workers):
TXT
q -c "SELECT kind, pid, state, coalesce(detail, '') AS detail, restarts, last_heartbeat_at FROM amplified.v_workers ORDER BY kind"
echo "Ingestion (SELECT * FROM amplified.v_ingest_status):"
q -c "SELECT chain_id, name, state, head, indexed_block, lag, blocks_total, logs_total, reorgs FROM amplified.v_ingest_status"
echo "Latest swaps, decoded (amplified.univ3_swaps):"
q -c "SELECT s.block_number, w.label AS pool, s.amount0::numeric AS amount0, s.amount1::numeric AS amount1, s.tick
        FROM amplified.univ3_swaps s JOIN amplified.watched_contracts w ON w.chain_id = s.chain_id AND w.address OPERATOR(amplified.=) s.pool
       ORDER BY s.block_number DESC, s.log_index DESC LIMIT 5"
cat <<TXT
Use it:
  make psql                       psql on the demo database (or: echo 'SELECT ...' | make psql)
  psql "host=127.0.0.1 port=$PGPORT user=postgres dbname=$PGDATABASE"
  make stop                       stop the cluster and the chain
Read on: docs/index.md
TXT
