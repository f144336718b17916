#!/usr/bin/env bash
# faults.sh runs the fault tests: tools/faultfs (the FUSE file system that
# simulates power loss) and tools/faults (the real belfry binary under a
# power loss, a full disk and a WAL that fills the disk). They mount file
# systems, so they need root; the power-loss part also needs /dev/fuse.
# faultfs calls mount(2) itself, so no fuse3/fusermount package is needed:
# only the kernel's fuse module. When /dev/fuse is missing this script tries
# to load it (installing kmod with apt-get first if modprobe is missing);
# when it still cannot, the power-loss tests skip and this script says so in
# a banner, and the other fault tests run anyway. It prints every figure the
# tests log (trials, losses, the disk-full sequence) and fails if a test does.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

banner() {
	echo
	echo "################################################################################"
	printf '# %s\n' "$@"
	echo "################################################################################"
	echo
}

if [ "$(id -u)" -ne 0 ]; then
	banner "FAULT TESTS SKIPPED: they mount file systems and need root (CI runs as root)."
elif [ ! -c /dev/fuse ]; then
	if ! command -v modprobe >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update && apt-get install -y kmod || true
	fi
	modprobe fuse 2>/dev/null || true
	if [ ! -c /dev/fuse ] && [ -d /sys/module/fuse ]; then
		mknod -m 0666 /dev/fuse c 10 229 || true
	fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# -v so that the figures (t.Logf) and the reasons of skips reach the CI log;
# the === lines are only noise.
$GO test -race -count=1 -v ./tools/faultfs/... ./tools/faults/... >"$log" 2>&1 || status=$?
grep -v -E '^=== (RUN|PAUSE|CONT)' "$log" || true

if grep -q 'needs /dev/fuse' "$log"; then
	banner "POWER-LOSS TESTS SKIPPED: /dev/fuse is not usable on this machine (reasons above)" \
		"(modprobe fuse did not help; in a container, run it with --device /dev/fuse)." \
		"The disk-full and WAL-growth tests ran; power loss was NOT checked."
fi
exit "$status"
