#!/usr/bin/env bash
# qemu-smoke.sh runs Linux ARM builds of Belfry (arm64 and 32-bit arm) under
# qemu-user, the way a Raspberry Pi would run them: print the version,
# migrate a fresh database, add a user and create a publish token with the
# command line, serve on 127.0.0.1, wait for GET /healthz, publish one event
# with `belfry notify`, and stop with SIGTERM, which must exit 0. It prints
# the time from start to ready for each binary.
#
#   scripts/qemu-smoke.sh dist/belfry-*-linux-arm64 dist/belfry-*-linux-armv6
#
# Debian's qemu-user-static is installed with apt-get when missing (as root);
# `make smoke-qemu` builds the binaries and runs this.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 BINARY... (linux/arm64 or linux/arm builds of belfry)" >&2
	exit 2
fi

say() { echo "qemu-smoke: $*" >&2; }
fail() {
	say "FAIL: $*"
	exit 1
}

ensure_qemu() {
	if command -v qemu-aarch64-static >/dev/null && command -v qemu-arm-static >/dev/null; then
		return
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		fail "qemu-user-static is missing (Debian: sudo apt-get install qemu-user-static)"
	fi
	say "installing qemu-user-static with apt-get"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
}

# elf_machine prints the ELF e_machine of a file: 183 aarch64, 40 arm.
elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }

# http_status prints the status code of GET http://$1:$2$3, using bash's
# /dev/tcp so that no HTTP client is needed.
http_status() {
	local line
	exec 3<>"/dev/tcp/$1/$2" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$3" "$1" "$2" >&3
	read -r line <&3 || true
	exec 3<&-
	line=${line#* }
	echo "${line%% *}"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

smoke() {
	local bin=$1 qemu name url hostport host port start ready id rc
	name=$(basename "$bin")
	case $(elf_machine "$bin") in
	183) qemu=qemu-aarch64-static ;;
	40) qemu=qemu-arm-static ;;
	*) fail "$bin is not a linux/arm64 or linux/arm binary" ;;
	esac
	work=$(mktemp -d)
	pid=""
	export BELFRY_DATABASE_PATH="$work/belfry.db" BELFRY_SERVER_LISTEN=127.0.0.1:0 BELFRY_LOG_LEVEL=warn \
		BELFRY_AUTH_ADMIN_PASSWORD="qemu smoke admin"
	run() { "$qemu" "$bin" "$@"; }

	run version | grep -q '^belfry ' || fail "$name: version"
	run migrate up >/dev/null || fail "$name: migrate"
	echo "qemu smoke password" | run user add smoke --password-stdin >/dev/null || fail "$name: user add"
	token=$(run token create smoke --scope publish --name qemu-smoke) || fail "$name: token create"

	start=$(now_ms)
	# Not through run: a backgrounded function is a subshell, and SIGTERM
	# must reach qemu (which hands it to belfry), not a shell.
	"$qemu" "$bin" serve >"$work/out" 2>"$work/err" &
	pid=$!
	url=""
	for _ in $(seq 1 1200); do
		url=$(sed -n 's/^Belfry listening on //p' "$work/out")
		[ -n "$url" ] && break
		kill -0 "$pid" 2>/dev/null || fail "$name: serve exited: $(cat "$work/err")"
		sleep 0.05
	done
	[ -n "$url" ] || fail "$name: serve did not listen within a minute"
	hostport=${url#http://}
	host=${hostport%:*}
	port=${hostport##*:}
	until [ "$(http_status "$host" "$port" /healthz 2>/dev/null)" = 200 ]; do
		kill -0 "$pid" 2>/dev/null || fail "$name: serve exited: $(cat "$work/err")"
		[ $(($(now_ms) - start)) -lt 60000 ] || fail "$name: /healthz not 200 within a minute"
		sleep 0.05
	done
	ready=$(($(now_ms) - start))

	id=$(run notify --server "$url" --token "$token" --type job_completed --title "qemu smoke") ||
		fail "$name: notify"
	[[ $id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "$name: notify printed '$id'"
	[ "$(http_status "$host" "$port" /readyz)" = 200 ] || fail "$name: /readyz"

	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=""
	[ "$rc" = 0 ] || fail "$name: serve exited $rc after SIGTERM: $(cat "$work/err")"
	say "$name ok: ready in ${ready} ms under $qemu, published $id, clean shutdown"
	rm -rf "$work"
	work=""
}

# work and pid are the current smoke's folder and server, for cleanup.
work=""
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
	if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

ensure_qemu
for bin in "$@"; do
	smoke "$bin"
done
