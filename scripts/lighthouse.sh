#!/usr/bin/env bash
# lighthouse.sh measures the inbox with Lighthouse (npm, package-lock.json),
# desktop preset, in Debian's Chromium: it builds Belfry, starts it on a
# loopback port with a fresh database, adds a user with 60 notifications
# (LIGHTHOUSE_NOTIFICATIONS; a mix of levels, bodies and links), signs in through POST /login, hands
# the session cookie to Lighthouse (--extra-headers) and prints the
# accessibility and performance scores with the metrics behind them.
#
#   bash scripts/lighthouse.sh            # scores of /notifications
#   LIGHTHOUSE_RUNS=3 bash scripts/lighthouse.sh   # three runs, each printed
#   LIGHTHOUSE_PATH=/preferences bash scripts/lighthouse.sh   # another page
#
# The JSON and HTML reports land in $BELFRY_ARTIFACTS (default
# $TMPDIR/belfry-lighthouse). It exits 1 when accessibility is below 100 or
# performance below 95 (LIGHTHOUSE_MIN_A11Y, LIGHTHOUSE_MIN_PERF).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
RUNS=${LIGHTHOUSE_RUNS:-1}
PAGE=${LIGHTHOUSE_PATH:-/notifications}
SEED=${LIGHTHOUSE_NOTIFICATIONS:-60}
MIN_A11Y=${LIGHTHOUSE_MIN_A11Y:-100}
MIN_PERF=${LIGHTHOUSE_MIN_PERF:-95}
out=${BELFRY_ARTIFACTS:-${TMPDIR:-/tmp}/belfry-lighthouse}
export CHROME_PATH

[ -x "$CHROME_PATH" ] || bash scripts/ensure-chromium.sh
[ -x node_modules/.bin/lighthouse ] && [ -d ui/static/vendor ] || bash scripts/ui-assets.sh

work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

echo "lighthouse: building belfry" >&2
CGO_ENABLED=0 "$GO" build -tags nomsgpack -trimpath -o "$work/belfry" .

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
password="lighthouse-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export BELFRY_SERVER_LISTEN="127.0.0.1:$port" BELFRY_SERVER_BASE_URL="$base" BELFRY_DATABASE_PATH="$work/belfry.db" \
	BELFRY_AUTH_ADMIN_PASSWORD="$password" BELFRY_AUTH_COOKIE_SECURE=false
"$work/belfry" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
	sleep 0.1
done

# A person with their own password (no "choose your own password" banner)
# and a publish token.
printf '%s\n' "$password" | "$work/belfry" user add ann --password-stdin >/dev/null
token=$("$work/belfry" token create ann --scope publish --name lighthouse)

echo "lighthouse: publishing $SEED notifications" >&2
levels=(info info warning info error info)
types=(job_completed rule_executed quota_warning job_completed job_failed weekly_report)
for i in $(seq "$SEED"); do
	k=$((i % 6))
	body=$(printf '{"type":"%s","level":"%s","title":"Event %d: %s on nas-%02d","body":"Run **%d** finished: 1 204 files, 3.2 GB in 14 min. See `/var/log/job-%d.log`.","target_url":"https://nas.home.arpa/jobs/%d"}' \
		"${types[$k]}" "${levels[$k]}" "$i" "${types[$k]}" "$((i % 7))" "$i" "$i" "$i")
	curl -fsS -o /dev/null -X POST "$base/api/v1/events" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body"
done

# Sign in as a browser does and keep the session cookie.
cookie=$(curl -sS -o /dev/null -D - -X POST "$base/login" -H "Origin: $base" -H 'Sec-Fetch-Site: same-origin' \
	--data-urlencode username=ann --data-urlencode "password=$password" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(belfry_session=[^;]*\).*/\1/p' | head -n1)
if [ -z "$cookie" ]; then
	echo "lighthouse: signing in failed" >&2
	exit 1
fi

status=0
for run in $(seq "$RUNS"); do
	report="$out/lighthouse-$(echo "$PAGE" | tr -c 'A-Za-z0-9\n' '-' | sed 's/^-*//')-$run"
	node_modules/.bin/lighthouse "$base$PAGE" --preset=desktop --only-categories=accessibility,performance,best-practices \
		--extra-headers="{\"Cookie\":\"$cookie\"}" --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
		--output=json --output=html --output-path="$report" --quiet
	node scripts/lighthouse-scores.js "$report.report.json" "$run" "$MIN_A11Y" "$MIN_PERF" || status=1
	echo "  report: $report.report.html" >&2
done
exit $status
