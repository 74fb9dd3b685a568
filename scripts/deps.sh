#!/usr/bin/env bash
# scripts/deps.sh: installs what amplified needs to build, test and run its demo
# on Debian 12, and nothing that is already there. Idempotent, and quick when
# everything is in place. Run as root (CI and development machines are).
#
#   scripts/deps.sh              what make demo, make test and make bench use
#   scripts/deps.sh --fresh-root what scripts/fresh-root.sh (make test-fresh,
#                                CI) uses on the host: debootstrap, and
#                                unshare from util-linux; nothing else
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything the README's two commands use, named here even when another
# package pulls it in, on a machine that has nothing but git and make:
#   build     gcc and libc6-dev (PGXS compiles with gcc; libc6-dev is only a
#             Recommends of gcc), make, the server headers, the libraries we
#             link (libcurl, libsecp256k1, nettle)
#   servers   PostgreSQL 15 with pg_cron and pgTAP
#   tests     perl (prove, Test::More), IPC::Run for PostgreSQL::Test::Cluster,
#             pg_prove (libtap-parser-sourcehandler-pgtap-perl, only a
#             Recommends of postgresql-15-pgtap), clang and its runtime for
#             the fuzz targets, curl for the scripts' chain probes; R with
#             fGarch and cvar (r-cran-fgarch pulls r-cran-cvar), the
#             independent implementations the risk models are checked against
#             (run by the tests, never linked)
#   optimiser NLopt (libnlopt-dev: LGPL-2.1+/MIT, linked dynamically) for the
#             maximum-likelihood fits of the risk module
#   forecast  the forecasting library's links: XGBoost's C API
#             (libxgboost-dev, Apache-2.0), LAPACKE over the reference LAPACK
#             and BLAS (BSD); its tests' independent implementations (run,
#             never linked): scikit-learn, xgboost's Python package (the same
#             library version), pomegranate, SciPy, statsmodels, and R's
#             forecast and quadprog
#   derivs    RQuantLib (r-cran-rquantlib), the option prices and greeks the
#             derivatives tests compare with (run, never linked)
#   dashboards chromium-headless-shell, the headless Chromium the dashboards'
#             render test drives (through puppeteer-core from npm), and
#             fonts-liberation (only a Recommends of chromium-common; without
#             a font the pages render no text); the app's npm packages below
#   fresh root debootstrap, with which make test-fresh and CI build the
#             minimal Debian root they test in (scripts/fresh-root.sh); also
#             installed alone, with util-linux, by --fresh-root below
PKGS=(gcc libc6-dev make perl debootstrap
      postgresql-15 postgresql-server-dev-15 postgresql-15-cron postgresql-15-pgtap
      libcurl4-openssl-dev libsecp256k1-dev nettle-dev libnlopt-dev r-base-core r-cran-fgarch r-cran-cvar
      libxgboost-dev liblapacke-dev liblapack-dev libblas-dev
      python3 python3-numpy python3-scipy python3-sklearn python3-xgboost python3-pomegranate python3-statsmodels
      r-cran-forecast r-cran-quadprog r-cran-rquantlib
      libipc-run-perl libtap-parser-sourcehandler-pgtap-perl
      clang libclang-rt-14-dev curl ca-certificates
      chromium-headless-shell fonts-liberation)

# The host side of a run in a fresh root (scripts/fresh-root.sh, make test-fresh,
# CI): debootstrap builds the root and util-linux's unshare runs in it; both are
# installed here by "scripts/deps.sh --fresh-root", which fresh-root.sh runs first.
# The root itself gets the list above from this script, run inside it by make test.
HOST_PKGS=(debootstrap util-linux)
if [ "${1:-}" = --fresh-root ]; then PKGS=("${HOST_PKGS[@]}"); fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm: a machine may already carry them from another source
# (nodesource's nodejs bundles npm and conflicts with Debian's npm package),
# so install Debian's only when the commands are absent.
if [ "${1:-}" != --fresh-root ]; then
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "deps: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# Debian's postgresql-common starts a "main" cluster on 5432 on install;
	# we never use it, and it must not hold the ports or memory of ours.
	if command -v pg_lsclusters >/dev/null 2>&1; then
		pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' |
			while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done
	fi
fi

[ "${1:-}" = --fresh-root ] && exit 0

# npm packages of the chain fixture, pinned by test/chain/package-lock.json.
# The stamp holds the lock file's hash, so a changed lock reinstalls.
lock=test/chain/package-lock.json
stamp=test/chain/node_modules/.amplified-lock-sha
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	echo "deps: installing the chain fixture's npm packages (npm ci)"
	(cd test/chain && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	echo "$want" > "$stamp"
fi

# npm packages of the dashboards (Observable Framework, Plot, pg, and
# puppeteer-core for the render test), pinned by dashboards/package-lock.json.
lock=dashboards/package-lock.json
stamp=dashboards/node_modules/.amplified-lock-sha
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	echo "deps: installing the dashboards' npm packages (npm ci)"
	(cd dashboards && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	echo "$want" > "$stamp"
fi

# The chain fixture's Solidity mocks, compiled once into test/chain/build
# (cached by a hash of the sources; the tests read the cache).
(cd test/chain && node compile.js >/dev/null)
# Morpho Blue and its AdaptiveCurveIrm (solc 0.8.19/0.8.28, viaIR: ~10-40 s once).
(cd test/chain && node compile_morpho.js >/dev/null)
