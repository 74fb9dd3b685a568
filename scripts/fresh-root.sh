#!/usr/bin/env bash
# scripts/fresh-root.sh: runs a command of this checkout (make test, by
# default) inside a freshly bootstrapped minimal Debian 12 root, so that no
# package installed by hand on this machine can hide a missing install step.
#
#   scripts/fresh-root.sh [MAKE-TARGET-AND-ARGS...]   e.g.  test COPT="-Wall -Werror"
#
# What it does, as root:
#   1. installs debootstrap on the host if it is missing (deps.sh --fresh-root);
#   2. bootstraps "debootstrap --variant=minbase bookworm" into a new folder
#      under $FRESH_ROOT_DIR (default /var/tmp);
#   3. copies in the host's package-manager configuration, so the root reaches
#      the same registries: apt sources, apt.conf.d and keyrings, npm's
#      configuration, the CA certificates (with the host's own CAs), DNS;
#   4. copies in the checkout (tracked and untracked files, not ignored ones);
#   5. mounts /proc, /sys, /dev, /dev/pts and a fresh /dev/shm;
#   6. installs only git and make in the root, then runs "make ARGS" there;
#   7. unmounts and removes everything on exit, success or failure, keeping
#      the suites' logs in log-fresh/ of the checkout.
# The last line of its output is the command's (for make test, "N passed,
# N failed"); when the root cannot be made, it is "0 passed, 1 failed".
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
[ $# -gt 0 ] || set -- test
[ "$(id -u)" -eq 0 ] || { echo "fresh-root: run as root (it bootstraps and mounts a Debian root)"; echo "0 passed, 1 failed"; exit 1; }

# Every mount below goes into a mount namespace of this script's own, with
# private propagation: on a host whose /dev is a shared mount (systemd), a
# bind of /dev would otherwise carry the root's devpts and /dev/shm mounts
# onto the host's own.  The namespace's mounts also vanish with it.
if [ -z "${AMP_FRESH_ROOT_NS:-}" ] && command -v unshare >/dev/null 2>&1 &&
	unshare --mount --propagation private true 2>/dev/null; then
	exec env AMP_FRESH_ROOT_NS=1 unshare --mount --propagation private "$SRC/scripts/fresh-root.sh" "$@"
fi
[ -n "${AMP_FRESH_ROOT_NS:-}" ] || echo "fresh-root: no private mount namespace (unshare); mounting in the host's" >&2

SUITE=${FRESH_ROOT_SUITE:-bookworm}
ROOT=$(mktemp -d "${FRESH_ROOT_DIR:-/var/tmp}/amplified-fresh.XXXXXX")
chmod 755 "$ROOT"  # apt downloads as _apt, which must reach the root
mounts=()

fail() { echo "fresh-root: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# Unmount in reverse order (lazily when busy), then remove the root, staying
# on its own file system so a mount left behind is never followed.
cleanup() {
	local i
	# The suites' logs outlive the root, in log-fresh/ of the checkout.
	if [ -d "$ROOT/build/amplified/log" ]; then
		rm -rf "$SRC/log-fresh"
		cp -a "$ROOT/build/amplified/log" "$SRC/log-fresh" 2>/dev/null || true
	fi
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
	done
	if ! grep -q " $ROOT/" /proc/mounts; then
		rm -rf --one-file-system "$ROOT"
	else
		echo "fresh-root: $ROOT still has mounts; left in place" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mnt() {  # mnt TARGET MOUNT-ARGS...: mount and remember it for cleanup
	local target=$ROOT$1; shift
	mkdir -p "$target"
	mount "$@" "$target" || fail "cannot mount $target"
	mounts+=("$target")
}

# 1. debootstrap on the host (scripts/deps.sh --fresh-root).
"$SRC/scripts/deps.sh" --fresh-root >&2 || fail "cannot install debootstrap"

# 2. The minimal root, from the first Debian mirror the host's sources name.
mirror=$(grep -hoE '^(deb |URIs:) *[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | sed -E 's/^(deb|URIs:) *//; s/ *$//' || true)
mirror=${mirror:-http://deb.debian.org/debian}
echo "fresh-root: debootstrap --variant=minbase $SUITE from $mirror into $ROOT"
t0=$(date +%s)
debootstrap --variant=minbase "$SUITE" "$ROOT" "$mirror" >"$ROOT.debootstrap.log" 2>&1 ||
	{ tail -20 "$ROOT.debootstrap.log" >&2; rm -f "$ROOT.debootstrap.log"; fail "debootstrap failed"; }
rm -f "$ROOT.debootstrap.log"
echo "fresh-root: bootstrapped in $(($(date +%s) - t0)) s"

# 3. The host's package-manager configuration, CA certificates and DNS.
copy() {  # copy PATH...: each host path that exists, into the same place in the root
	local p
	for p in "$@"; do
		[ -e "$p" ] || continue
		mkdir -p "$ROOT$(dirname "$p")"
		# Symbolic links are followed: /etc/resolv.conf (systemd-resolved)
		# and /etc/ssl/certs point at files the minimal root does not have.
		cp -rL --preserve=mode,timestamps "$p" "$ROOT$(dirname "$p")/" ||
			echo "fresh-root: could not copy all of $p" >&2
	done
}
rm -f "$ROOT"/etc/apt/sources.list "$ROOT"/etc/apt/sources.list.d/*
copy /etc/apt/sources.list /etc/apt/sources.list.d /etc/apt/apt.conf.d /etc/apt/preferences.d \
	/etc/apt/trusted.gpg /etc/apt/trusted.gpg.d /etc/apt/keyrings /usr/share/keyrings \
	/etc/npmrc /usr/etc/npmrc /root/.npmrc \
	/usr/local/share/ca-certificates /etc/ssl/certs \
	/etc/resolv.conf /etc/hosts
# No service starts at package install time inside the root (Debian's
# postgresql-common would start a "main" cluster on the host's port 5432).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

# 4. The checkout: tracked files and untracked ones that are not ignored.
mkdir -p "$ROOT/build/amplified"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -xf - -C "$ROOT/build/amplified" ||
	fail "cannot copy the checkout"

# 5. What PostgreSQL and Node need of the kernel's file systems.
mnt /proc -t proc proc
mnt /sys -t sysfs sysfs
mnt /dev --bind /dev
mnt /dev/pts -t devpts -o newinstance,ptmxmode=0666 devpts
mnt /dev/shm -t tmpfs -o mode=1777,size=2g tmpfs

# 6. git and make, then the command, with a clean environment that keeps
# only what reaches the registries (proxies, Node's extra CA file) and CI.
envs=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
for v in CI NODE_EXTRA_CA_CERTS http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
	[ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
echo "fresh-root: installing git and make in the root"
chroot "$ROOT" /usr/bin/env -i "${envs[@]}" sh -c \
	'apt-get update -qq && apt-get install -y -qq --no-install-recommends git make' >"$ROOT/tmp/bootstrap-apt.log" 2>&1 ||
	{ tail -20 "$ROOT/tmp/bootstrap-apt.log" >&2; fail "cannot install git and make in the root"; }
quoted=$(printf ' %q' "$@")
echo "fresh-root: make$quoted"
set +e
chroot "$ROOT" /usr/bin/env -i "${envs[@]}" bash -c "cd /build/amplified && exec make$quoted" 2>&1 |
	tee "$ROOT/tmp/make.log"
rc=${PIPESTATUS[0]}
set -e
# make's own "Error 1" line follows a failed run's count: end with the count.
if [ "$rc" -ne 0 ]; then
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$ROOT/tmp/make.log" | tail -1)
	echo "${last:-0 passed, 1 failed}"
fi
exit "$rc"
