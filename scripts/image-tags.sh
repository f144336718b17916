#!/usr/bin/env bash
# image-tags.sh prints the container image tags of a version, one a line:
# a release vX.Y.Z is latest, vX, vX.Y and vX.Y.Z; a pre-release
# (vX.Y.Z-rc.1) or any other build (git describe: v1.2.3-4-gabc123-dirty,
# a bare commit) is only its own version, with characters a tag cannot
# hold replaced by "-", so that `latest` always names the newest release.
#
#   scripts/image-tags.sh v1.2.3
set -euo pipefail
version=${1:?usage: $0 VERSION}
if [[ $version =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
	echo latest
	echo "v${BASH_REMATCH[1]}"
	echo "v${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
	echo "$version"
else
	tag=$(printf '%s' "$version" | tr -c 'A-Za-z0-9_.-' '-')
	echo "${tag:0:128}"
fi
