#!/usr/bin/env bash
# ensure-chromium.sh installs Debian's Chromium, which the browser tests of
# package ui drive headless, when /usr/bin/chromium is missing.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
	exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y chromium
