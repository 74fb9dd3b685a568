#!/usr/bin/env bash
# scripts/test.sh: runs every test suite against a throwaway stack and ends
# with one line "N passed, N failed" that counts the tests of all suites.
#
#   regress    pg_regress (make installcheck): sql/*.sql against expected/
#   isolation  pg_isolation_regress: test/specs/*.spec against test/expected/
#   pgtap      pg_prove: test/pgtap/*.sql, every assertion counts
#   perl       prove: test/t/*.pl (PostgreSQL::Test::Cluster), every assertion
#
# SUITES="regress pgtap" limits the run; TESTS="test/t/010_launcher.pl" (or
# pgTAP files) limits the TAP suites to those files.  The stack "test" is
# stopped at the end, on failure too.  Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SUITES=${SUITES:-"regress isolation pgtap perl"}
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
PGXS_DIR=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)
STACK=${STACK:-test}
LOGDIR=$ROOT/log${LOG_SUFFIX:-}
mkdir -p "$LOGDIR"

passed=0; failed=0
count() {  # count SUITE PASSED FAILED
	printf '%-10s %d passed, %d failed\n' "$1:" "$2" "$3"
	passed=$((passed + $2)); failed=$((failed + $3))
}

cleanup() { scripts/stack.sh stop "$STACK" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/stack.sh stop "$STACK" >/dev/null 2>&1 || true
scripts/stack.sh start "$STACK" || { echo "0 passed, 1 failed"; exit 1; }
eval "$(scripts/stack.sh env "$STACK")"
export PATH="$BINDIR:$PATH"

# Count "ok"/"not ok" lines of TAP output at the top level (unindented),
# so that subtests are counted once, by their summary line.
tap_count() {  # tap_count LOGFILE EXITCODE SUITE
	local ok notok
	ok=$(grep -cE '^ok [0-9]+' "$1")
	notok=$(grep -cE '^not ok [0-9]+' "$1")
	# A script that died or broke its plan without a failing assertion is one failure.
	if [ "$2" -ne 0 ] && [ "$notok" -eq 0 ]; then notok=1; fi
	count "$3" "$ok" "$notok"
}

for suite in $SUITES; do
	case "$suite" in
	regress|isolation)
		log=$LOGDIR/$suite.log
		rm -rf results output_iso regression.diffs
		if [ "$suite" = regress ]; then
			make -s --no-print-directory installcheck ISOLATION= >"$log" 2>&1; rc=$?
		else
			make -s --no-print-directory installcheck REGRESS= >"$log" 2>&1; rc=$?
		fi
		# pg_regress 15 prints "test NAME ... ok"; 16+ prints TAP "ok N - NAME".
		ok=$(grep -cE '(^(test| )? *[a-z0-9_]+ +\.\.\. ok)|(^ok [0-9]+ +[-+] )|(^ +[a-z0-9_]+ +\.\.\. ok)' "$log")
		bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$log")
		if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
		count "$suite" "$ok" "$bad"
		if [ "$bad" -ne 0 ]; then
			echo "---- $suite failed; log: $log"; tail -30 "$log"
			for d in regression.diffs output_iso/regression.diffs; do [ -f "$d" ] && head -100 "$d"; done
		fi
		;;
	pgtap)
		log=$LOGDIR/pgtap.log
		files=$(ls test/pgtap/*.sql 2>/dev/null)
		[ -n "${TESTS:-}" ] && files=$(printf '%s\n' $TESTS | grep '^test/pgtap/' || true)
		[ -z "$files" ] && continue
		psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pgtap; CREATE EXTENSION IF NOT EXISTS amplified;' >"$log" 2>&1
		pg_prove -v --ext .sql $files >>"$log" 2>&1; rc=$?
		tap_count "$log" $rc pgtap
		[ $rc -ne 0 ] && { echo "---- pgtap failed; log: $log"; grep -E '^not ok|^#' "$log" | head -60; }
		;;
	perl)
		log=$LOGDIR/perl.log
		files=$(ls test/t/*.pl 2>/dev/null)
		[ -n "${TESTS:-}" ] && files=$(printf '%s\n' $TESTS | grep '^test/t/' || true)
		[ -z "$files" ] && continue
		# The TAP clusters run as the postgres OS user; if that user cannot
		# read this checkout (a clone under /root, say), run from a copy.
		src=$ROOT
		if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -r "$ROOT/test/t/$(basename "$(echo "$files" | head -1)")"; then
			src=$STACK_DIR/src
			mkdir -p "$src"
			cp -a "$ROOT/test" "$ROOT/scripts" "$ROOT/src" "$ROOT/dashboards" "$ROOT/Makefile" "$ROOT/amplified.control" "$src/"
			chown -R postgres:postgres "$src"
		fi
		# A key file owned by another OS user than the cluster's, for the
		# signer tests (the checked-in fixture is that only when the
		# checkout's owner is not the cluster's user).
		if [ "$(id -u)" -eq 0 ]; then
			export AMP_FOREIGN_KEYS_DIR=$STACK_DIR/foreign-keys
			mkdir -p "$AMP_FOREIGN_KEYS_DIR"
			cp "$ROOT"/test/t/080_foreign_keys/*.key "$AMP_FOREIGN_KEYS_DIR/"
			chown -R root:root "$AMP_FOREIGN_KEYS_DIR"; chmod 755 "$AMP_FOREIGN_KEYS_DIR"
		fi
		tapdir=$STACK_DIR/tap; mkdir -p "$tapdir"
		[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$tapdir"
		as_pg=(); [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
		(cd "$src" && "${as_pg[@]}" env PATH="$PATH" PERL5LIB="$PGXS_DIR/src/test/perl:$src/test/perl" \
			TESTDIR="$tapdir" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			AMP_ROOT="$src" CHAIN_RPC_URL="$CHAIN_RPC_URL" AMP_FOREIGN_KEYS_DIR="${AMP_FOREIGN_KEYS_DIR:-}" \
			prove -v $files) >"$log" 2>&1; rc=$?
		tap_count "$log" $rc perl
		if [ $rc -ne 0 ]; then
			echo "---- perl failed; log: $log"; grep -E '^not ok|^#|Dubious|Bad plan' "$log" | head -60
			rm -rf "$LOGDIR/tap-logs"; cp -a "$tapdir/tmp_check/log" "$LOGDIR/tap-logs" 2>/dev/null || true
		fi
		;;
	*) echo "test: unknown suite \"$suite\""; count "$suite" 0 1 ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
