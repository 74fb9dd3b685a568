#!/usr/bin/env bash
# scripts/stack.sh: a throwaway PostgreSQL cluster and a local anvil chain for
# the demo, the tests and the benchmarks.
#
#   stack.sh start NAME    start (or keep) the cluster and chain called NAME
#   stack.sh stop NAME     stop them; "test" and other non-demo stacks are removed
#   stack.sh status NAME   say what runs
#   stack.sh psql NAME     psql on NAME's database (SQL on standard input works)
#   stack.sh env NAME      print the environment (PGHOST, PGPORT, ...) to eval
#   stack.sh resetdb NAME  drop and create NAME's database again (the cluster stays)
#
# The demo stack keeps its state across "stop": the cluster's data folder
# stays, and anvil dumps its chain (blocks, hashes and the current state;
# not the states of past blocks, which would make the file 40 times larger)
# to $DIR/anvil-state.json every 60 s and on exit, and loads it on start, so
# the chain goes on where it stopped and matches the database.  Other stacks
# are removed on stop and start empty.
#
# PostgreSQL refuses to run as root, so the cluster runs as the "postgres" OS
# user the Debian package creates, in /tmp/amplified-NAME which that user owns.
# Ports: demo 54320 and chain 18545, test 54330 and 18555; any other NAME takes
# a port pair from its name; STACK_PGPORT and STACK_CHAIN_PORT override.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

cmd=${1:-}; name=${2:-demo}
[[ "$name" =~ ^[a-z0-9_]+$ ]] || { echo "stack: bad stack name \"$name\"" >&2; exit 2; }

case "$name" in
	demo) pgport=54320; chainport=18545 ;;
	test) pgport=54330; chainport=18555 ;;
	*)    n=$(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 40 ))
	      pgport=$((54340 + n)); chainport=$((18560 + n)) ;;
esac
pgport=${STACK_PGPORT:-$pgport}
chainport=${STACK_CHAIN_PORT:-$chainport}

PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
DIR=/tmp/amplified-$name
DATA=$DIR/data
SOCK=$DIR/sock
DB=amplified
ANVIL=$ROOT/test/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil

# Run as the postgres OS user, from / (it may not be able to enter the checkout).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_running() { [ -f "$DATA/postmaster.pid" ] && as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
chain_running() { [ -f "$DIR/anvil.pid" ] && kill -0 "$(cat "$DIR/anvil.pid")" 2>/dev/null; }

rpc() {
	curl -s -m 2 -H 'content-type: application/json' \
		--data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[]}" \
		"http://127.0.0.1:$chainport"
}

start_pg() {
	mkdir -p "$DIR" "$SOCK"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$SOCK"
	if [ ! -f "$DATA/PG_VERSION" ]; then
		as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
			--locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
			{ cat "$DIR/initdb.log" >&2; exit 1; }
		cat >>"$DATA/postgresql.conf" <<CONF

# ---- amplified throwaway cluster "$name"
port = $pgport
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'amplified,pg_cron'
cron.database_name = '$DB'
amplified.database = '$DB'
max_worker_processes = 32
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %b '
log_min_messages = info
CONF
		if [ "$name" != demo ]; then
			echo "amplified.heartbeat_interval = 1" >>"$DATA/postgresql.conf"
			echo "amplified.launcher_naptime = 1" >>"$DATA/postgresql.conf"
		fi
	fi
	if ! pg_running; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start >/dev/null ||
			{ tail -20 "$DIR/postgres.log" >&2; exit 1; }
	fi
	if ! as_pg "$BINDIR/psql" -h "$SOCK" -p "$pgport" -U postgres -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
		as_pg "$BINDIR/createdb" -h "$SOCK" -p "$pgport" -U postgres "$DB"
		# The launchers (ours, pg_cron's) wait for their database with a
		# restart delay; a restart gives them the new database at once.
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 -m fast restart >/dev/null
	fi
}

start_chain() {
	chain_running && return 0
	[ -x "$ANVIL" ] || { echo "stack: anvil is not installed (run scripts/deps.sh)" >&2; exit 1; }
	mkdir -p "$DIR"
	# anvil keeps block states under $HOME/.foundry/anvil/tmp and never
	# removes them: give it a home of its own, removed on stop.
	mkdir -p "$DIR/anvil-home"
	local keep=() state=$DIR/anvil-state.json
	[ "$name" = demo ] && keep=(--state "$state" --state-interval 60)
	spawn_chain "${keep[@]}" && return 0
	# A dump that anvil cannot load (cut short by a crash, say) is set aside
	# and the chain starts empty; demo.sh then sees that the database
	# describes another chain and starts it afresh too.
	if [ "$name" = demo ] && [ -f "$state" ]; then
		mv -f "$state" "$state.unreadable"
		echo "stack: anvil could not load $state (kept as $state.unreadable); starting an empty chain" >&2
		spawn_chain "${keep[@]}" && return 0
	fi
	echo "stack: anvil did not start; its log:" >&2; tail -20 "$DIR/anvil.log" >&2; exit 1
}

spawn_chain() {  # spawn_chain ARGS...: start anvil, wait until it answers; false if it died
	HOME="$DIR/anvil-home" nohup "$ANVIL" --host 127.0.0.1 --port "$chainport" --chain-id 31337 "$@" \
		>"$DIR/anvil.log" 2>&1 </dev/null &
	echo $! >"$DIR/anvil.pid"
	for _ in $(seq 1 300); do
		rpc eth_chainId | grep -q result && return 0
		chain_running || return 1
		sleep 0.1
	done
	return 1
}

stop_all() {
	if chain_running; then
		kill "$(cat "$DIR/anvil.pid")" 2>/dev/null || true
		for _ in $(seq 1 50); do chain_running || break; sleep 0.1; done
		chain_running && kill -9 "$(cat "$DIR/anvil.pid")" 2>/dev/null || true
	fi
	rm -f "$DIR/anvil.pid"
	rm -rf "$DIR/anvil-home"
	if [ -f "$DATA/postmaster.pid" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	# make demo's dashboards server (scripts/dashboards.sh serve)
	[ "$name" = demo ] && DASHBOARDS_RUN_DIR=$DIR "$ROOT/scripts/dashboards.sh" stop
	[ "$name" = demo ] || rm -rf "$DIR"
}

case "$cmd" in
	start)  start_pg; start_chain ;;
	stop)   stop_all ;;
	status)
		if pg_running; then echo "postgres: running on port $pgport (socket $SOCK), database $DB"; else echo "postgres: stopped"; fi
		if chain_running; then echo "chain: anvil on http://127.0.0.1:$chainport (chain id 31337)"; else echo "chain: stopped"; fi ;;
	psql)
		pg_running || { echo "stack: the $name cluster is not running (make demo starts it)" >&2; exit 1; }
		exec "$BINDIR/psql" -h "$SOCK" -p "$pgport" -U postgres -d "$DB" ;;
	resetdb)
		pg_running || { echo "stack: the $name cluster is not running" >&2; exit 1; }
		as_pg "$BINDIR/dropdb" -h "$SOCK" -p "$pgport" -U postgres --force --if-exists "$DB"
		start_pg ;;
	env)
		echo "export PGHOST=$SOCK PGPORT=$pgport PGUSER=postgres PGDATABASE=$DB STACK_DIR=$DIR CHAIN_RPC_URL=http://127.0.0.1:$chainport" ;;
	*) echo "usage: $0 start|stop|status|psql|env|resetdb [NAME]" >&2; exit 2 ;;
esac
