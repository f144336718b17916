#!/bin/sh
# Writes the three secret files compose.yaml reads, once: a database
# password (in postgres_password.txt and inside database_url.txt) and the
# first admin's password. Keep them out of version control.
set -eu
cd "$(dirname "$0")"
umask 077
if [ -e postgres_password.txt ]; then
	echo "secrets.sh: the secret files exist already; remove them to start over" >&2
	exit 1
fi
random() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }
db=$(random)
printf '%s\n' "$db" > postgres_password.txt
printf 'postgres://belfry:%s@postgres:5432/belfry?sslmode=disable\n' "$db" > database_url.txt
random > admin_password.txt
echo "admin password: $(cat admin_password.txt)"
