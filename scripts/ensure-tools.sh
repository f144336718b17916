#!/usr/bin/env bash
# ensure-tools.sh installs Debian packages that the tests use to check the
# artefacts when they are there, and skip otherwise: promtool (package
# prometheus) for the alert rules, lintian for the Debian packages, podman
# and runc to run the container image. It is optional: without apt, or not
# as root, it says what is missing and succeeds.
#
#   scripts/ensure-tools.sh PACKAGE[:COMMAND]...
set -euo pipefail

missing=()
for spec in "$@"; do
	pkg=${spec%%:*}
	cmd=${spec#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "ensure-tools: all there"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-tools: not installed (the checks that need them are skipped): ${missing[*]}; Debian: sudo apt-get install ${missing[*]}"
	exit 0
fi
echo "ensure-tools: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; }; then
	echo "ensure-tools: apt-get could not install ${missing[*]}: the checks that need them are skipped"
fi
