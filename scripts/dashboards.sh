#!/usr/bin/env bash
# scripts/dashboards.sh: builds and serves the dashboards (dashboards/, an
# Observable Framework app; docs/dashboards.md).
#
#   dashboards.sh build         npm ci from the lock file when it changed, then
#                               "observable build" into dashboards/dist; the
#                               data loaders read the database that PGHOST,
#                               PGPORT, PGDATABASE and PGUSER name (default: the
#                               demo stack, as amplified_dashboard)
#   dashboards.sh serve [PORT]  serve dashboards/dist on 127.0.0.1:PORT (default
#                               18580) in the background; prints the URL
#   dashboards.sh stop          stop that server
#
# The build needs no network: Framework's npm: imports are not used, every
# library comes from dashboards/node_modules (observablehq.config.js), and
# the build's Node runs with dashboards/scripts/no-network.cjs preloaded, so
# that any fetch (npm registry, jsDelivr) fails the build instead of
# reaching out.  The loaders refuse a superuser or an operator/admin role
# (dashboards/src/data/db.js).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-build}
run_dir=${DASHBOARDS_RUN_DIR:-/tmp/amplified-demo}
pidfile=$run_dir/dashboards.pid

install_deps() {  # the npm packages of dashboards/, pinned by its lock file
	local lock=dashboards/package-lock.json stamp=dashboards/node_modules/.amplified-lock-sha want
	want=$(sha256sum "$lock" | cut -d' ' -f1)
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "dashboards: installing npm packages (npm ci)"
		(cd dashboards && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
		echo "$want" >"$stamp"
	fi
}

# running: the pid file names a live process that is our server (serve.js),
# not some other process that reused the pid.
running() {
	local pid
	[ -f "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	case "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" in
	*serve.js*) return 0 ;;
	*) return 1 ;;
	esac
}

case "$cmd" in
build)
	install_deps
	if [ -z "${PGHOST:-}" ]; then
		scripts/stack.sh status demo | grep -q '^postgres: running' ||
			{ echo "dashboards: the demo stack is not running: run make demo, or set PGHOST, PGPORT, PGDATABASE and PGUSER" >&2; exit 1; }
		eval "$(scripts/stack.sh env demo)"
		export PGUSER=amplified_dashboard
	fi
	log=$(mktemp /tmp/amplified-dashboards-build.XXXXXX)
	(cd dashboards && rm -rf dist && node --require ./scripts/no-network.cjs node_modules/.bin/observable build >"$log" 2>&1) ||
		{ tail -30 "$log" >&2; echo "dashboards: build failed (log: $log)" >&2; exit 1; }
	rm -f "$log"
	echo "dashboards: built into dashboards/dist"
	;;
serve)
	port=${2:-18580}
	[ -f dashboards/dist/index.html ] || { echo "dashboards: not built (make dashboards)" >&2; exit 1; }
	mkdir -p "$run_dir"
	if running; then kill "$(cat "$pidfile")" 2>/dev/null || true; sleep 0.2; fi
	nohup node dashboards/scripts/serve.js "$port" "$(pwd)/dashboards/dist" >"$run_dir/dashboards.log" 2>&1 </dev/null &
	echo $! >"$pidfile"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		running || { cat "$run_dir/dashboards.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "dashboards: http://127.0.0.1:$port/"
	;;
stop)
	if running; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
	rm -f "$pidfile"
	;;
*) echo "usage: $0 build|serve [PORT]|stop" >&2; exit 2 ;;
esac
