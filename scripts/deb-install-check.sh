#!/usr/bin/env bash
# deb-install-check.sh installs a Belfry package of this machine's
# architecture in a throwaway Debian root (a chroot, never this machine's
# own system), starts Belfry the way the unit does — as the user belfry,
# with /etc/belfry/belfry.env and the unit's environment — asks its health
# check, stops it with SIGTERM, removes the package (data and settings
# stay) and purges it (nothing of it stays: no user, no /var/lib/belfry, no
# /etc/belfry, no file that was not there before).
#
#   scripts/deb-install-check.sh dist/belfry_1.2.3_amd64.deb
#
# The root is Debian bookworm minbase from debootstrap, kept as a tarball in
# $BELFRY_ROOT_CACHE (default /var/cache/belfry-ci/bookworm-minbase.tar.gz)
# so that only the first run downloads it (about two minutes). With
# DEB_INSTALL_CHECK=if-cached it only runs when that tarball exists (make
# test); it needs root, and debootstrap for the first run.
set -euo pipefail

say() { echo "deb-install-check: $*" >&2; }
fail() {
	say "FAIL: $*"
	exit 1
}

deb=$(realpath "${1:?usage: $0 PACKAGE.deb}")
cache=${BELFRY_ROOT_CACHE:-/var/cache/belfry-ci/bookworm-minbase.tar.gz}
if [ "$(id -u)" != 0 ]; then
	say "skipped: needs root for chroot"
	exit 0
fi
if [ ! -f "$cache" ]; then
	if [ "${DEB_INSTALL_CHECK:-}" = if-cached ]; then
		say "skipped: no Debian root in $cache yet (make deb or make release makes it once, about two minutes)"
		exit 0
	fi
	if ! command -v debootstrap >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
			{ say "skipped: debootstrap cannot be installed"; exit 0; }
	fi
	say "making a Debian bookworm root once with debootstrap (cached in $cache)"
	tmp=$(mktemp -d)
	debootstrap --variant=minbase --include=adduser bookworm "$tmp" http://deb.debian.org/debian >/dev/null ||
		{ rm -rf "$tmp"; say "skipped: debootstrap failed"; exit 0; }
	mkdir -p "$(dirname "$cache")"
	tar -C "$tmp" -czf "$cache.part" . && mv "$cache.part" "$cache"
	rm -rf "$tmp"
fi

root=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
	for m in proc dev; do umount "$root/$m" 2>/dev/null || true; done
	rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xzf "$cache"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
in_root() { chroot "$root" "$@"; }
# snapshot lists the root's files, without those that dpkg, adduser and the
# system keep for themselves (logs, caches, dpkg's database, /run, the
# backups of passwd and shadow).
snapshot() {
	in_root find / -xdev \( -path /proc -o -path /dev -o -path /tmp -o -path /run -o -path /var/log -o -path /var/cache \
		-o -path /var/lib/dpkg -o -path /var/lib/apt -o -path '/etc/*-' \) -prune -o -print | sort
}

before=$(snapshot)
cp "$deb" "$root/tmp/belfry.deb"
in_root dpkg -i /tmp/belfry.deb >/dev/null || fail "dpkg -i"
rm "$root/tmp/belfry.deb"
in_root getent passwd belfry | grep -q ':/var/lib/belfry:/usr/sbin/nologin$' || fail "no system user belfry"
[ "$(in_root stat -c '%U:%G %a' /var/lib/belfry)" = "belfry:belfry 750" ] || fail "/var/lib/belfry: $(in_root stat -c '%U:%G %a' /var/lib/belfry)"
[ "$(in_root stat -c '%U:%G %a' /etc/belfry)" = "root:belfry 750" ] || fail "/etc/belfry: $(in_root stat -c '%U:%G %a' /etc/belfry)"
[ "$(in_root stat -c '%U:%G %a' /etc/belfry/config.toml)" = "root:belfry 640" ] || fail "/etc/belfry/config.toml: $(in_root stat -c '%U:%G %a' /etc/belfry/config.toml)"

# Start it as the unit does: its Environment=, the env file, its
# ExecStart, as belfry in /var/lib/belfry; on a free loopback port rather
# than the env file's 0.0.0.0:8080.
unit="$root/lib/systemd/system/belfry.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
unit_env=$(sed -n 's/^Environment=//p' "$unit")
env_file=$(grep -v '^#' "$root/etc/belfry/belfry.env" | grep '=' | tr '\n' ' ')
# shellcheck disable=SC2086 # word splitting of the KEY=VALUE lists is meant
chroot --userspec=belfry:belfry "$root" /usr/bin/env -i $unit_env $env_file BELFRY_SERVER_LISTEN=127.0.0.1:0 \
	sh -c "cd /var/lib/belfry && exec $exec_start" >"$root/tmp/out" 2>&1 &
pid=$!
healthy=""
for _ in $(seq 1 300); do
	url=$(sed -n 's/^Belfry listening on //p' "$root/tmp/out")
	if [ -n "$url" ] && in_root /usr/bin/belfry healthcheck --url "$url" >/dev/null 2>&1; then
		healthy=yes
		break
	fi
	kill -0 "$pid" 2>/dev/null || fail "belfry serve exited: $(cat "$root/tmp/out")"
	sleep 0.1
done
[ -n "$healthy" ] || fail "not healthy within 30 s: $(cat "$root/tmp/out")"
[ -f "$root/var/lib/belfry/belfry.db" ] || fail "no database in /var/lib/belfry"
[ "$(in_root stat -c '%U' /var/lib/belfry/belfry.db)" = belfry ] || fail "the database is not the user's"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || fail "belfry serve exited $rc after SIGTERM: $(cat "$root/tmp/out")"
rm -f "$root/tmp/out"

in_root dpkg --remove belfry >/dev/null || fail "dpkg --remove"
[ -f "$root/var/lib/belfry/belfry.db" ] && [ -f "$root/etc/belfry/belfry.env" ] || fail "remove deleted the data or the settings"
in_root dpkg --purge belfry >/dev/null || fail "dpkg --purge"
if in_root getent passwd belfry >/dev/null; then fail "purge left the user belfry"; fi
after=$(snapshot)
left=$(comm -13 <(echo "$before") <(echo "$after"))
[ -z "$left" ] || fail "purge left files behind:"$'\n'"$left"
say "$(basename "$deb"): installed (user, /var/lib/belfry, /etc/belfry), started as the unit does and healthy, stopped cleanly, removed (data kept), purged (nothing left) in a throwaway Debian root"
