#!/usr/bin/env bash
# deb-version.sh prints the Debian package version of a Belfry version:
# v1.2.3 is 1.2.3; a pre-release v1.2.3-rc.1 is 1.2.3~rc.1 (older than
# 1.2.3); a build after a tag, v1.2.3-4-gabc1234[-dirty], is
# 1.2.3+4.gabc1234[.dirty] (newer); anything else (a bare commit) is
# 0~COMMIT, older than every release.
#
#   scripts/deb-version.sh v1.2.3
set -euo pipefail
version=${1:?usage: $0 VERSION}
v=${version#v}
if [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "$v"
elif [[ $v =~ ^([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+)-(g[0-9a-f]+)(-dirty)?$ ]]; then
	echo "${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.${BASH_REMATCH[3]}${BASH_REMATCH[4]:+.dirty}"
elif [[ $v =~ ^([0-9]+\.[0-9]+\.[0-9]+)-([A-Za-z0-9.]+)$ ]]; then
	echo "${BASH_REMATCH[1]}~${BASH_REMATCH[2]}"
else
	echo "0~$(printf '%s' "$v" | tr -c 'A-Za-z0-9.+~' '.')"
fi
