#!/usr/bin/env bash
# deb-check.sh checks Belfry's Debian packages with Debian's own tools:
# dpkg-deb for the control fields, the contents (paths, modes, owners), the
# conffiles and the maintainer scripts; the packaged binary (ELF machine of
# the package's architecture; on this machine's architecture it runs, and
# the packaged config and environment pass `belfry config check`, the
# packaged unit `systemd-analyze verify`; another architecture prints its
# version under qemu-user when installed); and lintian, when installed,
# which must find no error and no warning. scripts/release.sh runs it.
#
#   scripts/deb-check.sh dist/belfry_1.2.3_amd64.deb ...
set -euo pipefail

say() { echo "deb-check: $*" >&2; }
fail() {
	say "FAIL: $*"
	exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# elf_machine prints the ELF e_machine of a file: 62 x86-64, 183 aarch64, 40 arm.
elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }

host=$(dpkg --print-architecture 2>/dev/null || echo unknown)
for deb in "$@"; do
	name=$(basename "$deb")
	field() { dpkg-deb -f "$deb" "$1"; }
	arch=$(field Architecture)
	[ "$(field Package)" = belfry ] || fail "$name: Package is $(field Package)"
	[ "$name" = "belfry_$(field Version)_$arch.deb" ] || fail "$name: not named after its version $(field Version) and architecture $arch"
	field Depends | grep -qw adduser || fail "$name: does not depend on adduser"
	[ -n "$(field Description)" ] && [ -n "$(field Maintainer)" ] || fail "$name: no description or maintainer"

	listing=$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}')
	for want in \
		"-rwxr-xr-x root/root ./usr/bin/belfry" \
		"-rw-r--r-- root/root ./lib/systemd/system/belfry.service" \
		"-rw-r----- root/root ./etc/belfry/belfry.env" \
		"-rw-r----- root/root ./etc/belfry/config.toml" \
		"-rw-r--r-- root/root ./usr/share/doc/belfry/copyright" \
		"-rw-r--r-- root/root ./usr/share/doc/belfry/changelog.gz" \
		"-rw-r--r-- root/root ./usr/share/man/man1/belfry.1.gz"; do
		grep -qxF -- "$want" <<<"$listing" || fail "$name: no '$want' in:"$'\n'"$listing"
	done
	if grep -vqE ' \./((etc|lib|usr)(/.*)?)?$' <<<"$listing"; then
		fail "$name: files outside /usr, /etc and /lib:"$'\n'"$listing"
	fi

	ctrl="$work/$name.control"
	dpkg-deb -e "$deb" "$ctrl"
	[ "$(sort "$ctrl/conffiles")" = $'/etc/belfry/belfry.env\n/etc/belfry/config.toml' ] ||
		fail "$name: conffiles are $(cat "$ctrl/conffiles")"
	for script in postinst prerm postrm; do
		[ -x "$ctrl/$script" ] || fail "$name: no executable $script"
		sh -n "$ctrl/$script" || fail "$name: $script does not parse"
	done
	grep -q 'adduser --system' "$ctrl/postinst" || fail "$name: postinst creates no system user"
	grep -q 'install -d -o belfry -g belfry -m 0750 /var/lib/belfry' "$ctrl/postinst" || fail "$name: postinst makes no /var/lib/belfry"
	grep -q 'rm -rf /var/lib/belfry' "$ctrl/postrm" || fail "$name: purge leaves /var/lib/belfry"

	root="$work/$name.root"
	dpkg-deb -x "$deb" "$root"
	bin="$root/usr/bin/belfry"
	want_machine=$(case $arch in amd64) echo 62 ;; arm64) echo 183 ;; armhf) echo 40 ;; esac)
	[ "$(elf_machine "$bin")" = "$want_machine" ] || fail "$name: usr/bin/belfry is not a $arch binary"
	unit="$root/lib/systemd/system/belfry.service"
	grep -qx 'ExecStart=/usr/bin/belfry serve --config /etc/belfry/config.toml' "$unit" || fail "$name: the unit does not run /usr/bin/belfry"

	if [ "$arch" = "$host" ]; then
		"$bin" version | grep -q '^belfry ' || fail "$name: belfry version"
		# The packaged settings, as the unit reads them: env file, then the unit's own Environment=.
		(
			set -a
			# shellcheck disable=SC1091
			. "$root/etc/belfry/belfry.env"
			set +a
			BELFRY_DATABASE_PATH=/var/lib/belfry/belfry.db "$bin" config check --config "$root/etc/belfry/config.toml" >/dev/null
		) || fail "$name: the packaged config and environment do not pass belfry config check"
		if command -v systemd-analyze >/dev/null; then
			sed "s|^ExecStart=/usr/bin/belfry|ExecStart=$bin|" "$unit" >"$work/belfry.service"
			out=$(systemd-analyze verify "$work/belfry.service" 2>&1) || fail "$name: systemd-analyze verify: $out"
			if grep -q 'belfry.service' <<<"$out"; then fail "$name: systemd-analyze verify: $out"; fi
		fi
		say "$name: contents, conffiles, scripts checked; the binary runs, config check and systemd-analyze pass"
	else
		qemu=$(case $arch in arm64) echo qemu-aarch64-static ;; armhf) echo qemu-arm-static ;; esac)
		if command -v "$qemu" >/dev/null; then
			"$qemu" "$bin" version | grep -q '^belfry ' || fail "$name: belfry version under $qemu"
			say "$name: contents, conffiles, scripts checked; the binary runs under $qemu"
		else
			say "$name: contents, conffiles, scripts checked ($qemu is not installed: not run)"
		fi
	fi
done

if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$@" ||
		fail "lintian found errors or warnings"
	say "lintian: no error, no warning in $*"
else
	say "lintian is not installed (Debian: apt-get install lintian): skipped"
fi
