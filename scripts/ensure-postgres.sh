#!/usr/bin/env bash
# ensure-postgres.sh installs Debian's PostgreSQL server binaries (initdb,
# pg_ctl), which db/pgtest runs for the store tests on PostgreSQL, when
# none is found. It installs the package only: no cluster is created or
# started by Debian's service (the tests make their own in a temp dir).
set -euo pipefail

if command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-postgres: no pg_ctl on PATH nor in /usr/lib/postgresql/*/bin, and apt-get is not available; install PostgreSQL by hand" >&2
	exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the package from starting its own cluster service.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
	trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends postgresql
