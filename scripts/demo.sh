#!/usr/bin/env bash
# scripts/demo.sh: the main job.  Starts (or keeps) the demo stack, a
# PostgreSQL cluster with amplified and pg_cron preloaded and a local anvil
# chain, creates the extensions, and shows what runs and how to use it.  The
# stack stays up: "make psql" opens psql on it, "make stop" stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/stack.sh start demo
eval "$(scripts/stack.sh env demo)"
export PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

q -c 'CREATE EXTENSION IF NOT EXISTS amplified; CREATE EXTENSION IF NOT EXISTS pg_cron;'

# The launcher starts its workers within a second or two of the extension.
for _ in $(seq 1 50); do
	[ "$(q -Atc "SELECT count(*) FROM amplified.workers() WHERE state = 'running'")" -ge 2 ] && break
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
cat <<TXT
Use it:
  make psql                       psql on the demo database (or: echo 'SELECT ...' | make psql)
  psql "host=127.0.0.1 port=$PGPORT user=postgres dbname=$PGDATABASE"
  make stop                       stop the cluster and the chain
Read on: docs/index.md
TXT
