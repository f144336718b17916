#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target of the repository — each func FuzzXxx
# in a _test.go file, found anew on every run — for FUZZTIME each (a short
# budget in make test) and prints one line per target: executions and
# crashes. It fails if any target failed.
#
# One target runs alone first, to build the instrumented packages once
# (see below); then FUZZJOBS targets run at once (default 2, one fuzzing
# worker each), so that one target's build overlaps another's fuzzing.
# Without FUZZTIME each
# target gets 8 s, or less (3 s at least) when all of them would not fit in
# FUZZBUDGET (90 s) with about 4 s each to build and start. Longer runs by
# hand: FUZZTIME=60s bash scripts/fuzz.sh; one target: FUZZ=FuzzEvent.
#
# go test writes an input that fails to the package's testdata/fuzz/<target>/:
# fix the bug, add a regular test for it and commit the input with the fix;
# from then on it runs with go test like every committed corpus file.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-}
FUZZJOBS=${FUZZJOBS:-2}
FUZZBUDGET=${FUZZBUDGET:-90}
# go test minimises every input that finds new code for up to a minute by
# default, which would eat a short budget (no executions are counted then).
FUZZMINIMIZE=${FUZZMINIMIZE:-2s}
only=${FUZZ:-}

targets=$(git ls-files --cached --others --exclude-standard -- '*_test.go' |
	xargs grep -Ho '^func Fuzz[A-Za-z0-9_]*' | sed 's/:func / /' | sort -k2)
if [ -n "$only" ]; then
	targets=$(awk -v t="$only" '$2 == t' <<<"$targets")
fi
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz target${only:+ called $only}" >&2
	exit 1
fi

if [ -z "$FUZZTIME" ]; then
	per=$((FUZZBUDGET * FUZZJOBS / $(wc -l <<<"$targets") - 4))
	FUZZTIME=$((per > 8 ? 8 : per < 3 ? 3 : per))s
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# fuzz runs one target and writes its summary line to $out/N.line (and
# its output to $out/N.log); N keeps the lines in the order of targets.
fuzz() {
	local n=$1 file=$2 name=$3 pkg began status=0 execs crashes=0
	pkg=./$(dirname "$file")
	began=$SECONDS
	$GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZE" -parallel 1 "$pkg" </dev/null >"$out/$n.log" 2>&1 || status=$?
	execs=$(grep -o 'execs: [0-9]*' "$out/$n.log" | tail -1 | cut -d' ' -f2 || true)
	# Go's fuzzer can fail with only "context deadline exceeded" when
	# -fuzztime ends while a worker still processes a new input; a real
	# failure always writes its input ("Failing input written to …").
	if [ "$status" -ne 0 ] && grep -q 'context deadline exceeded' "$out/$n.log" && ! grep -q 'Failing input written' "$out/$n.log"; then
		status=0
		echo "(the fuzzer's time ran out while it handled a new input: not a failure)" >>"$out/$n.log"
	fi
	[ "$status" -eq 0 ] || crashes=1
	printf '%-18s %-16s %9s execs  %d crashes  %3ds\n' "$name" "$pkg" "${execs:-0}" "$crashes" $((SECONDS - began)) >"$out/$n.line"
	[ "$status" -eq 0 ] || sed 's/^/    /' "$out/$n.log" | tail -25 >>"$out/$n.line"
}

# The first target fuzzed builds every package it imports with the
# fuzzer's instrumentation; the others find those in the build cache. Two
# targets started together on a cold cache would each build them (the
# modernc SQLite translation alone takes minutes), so the target whose
# package imports the most runs alone first.
first=$(cut -d' ' -f1 <<<"$targets" | xargs -n1 dirname | sort -u | while read -r dir; do
	printf '%s %s\n' "$($GO list -deps "./$dir" | wc -l)" "$dir"
done | sort -rn | head -1 | cut -d' ' -f2)
targets=$(awk -v d="$first/" 'index($1, d) == 1 && !seen++ { print; next } { rest = rest $0 "\n" } END { printf "%s", rest }' <<<"$targets")

printf 'fuzzing each target for %s, %s at a time\n' "$FUZZTIME" "$FUZZJOBS"
start=$SECONDS
n=0
while read -r file name; do
	while [ "$(jobs -rp | wc -l)" -ge "$FUZZJOBS" ]; do
		wait -n || true
	done
	n=$((n + 1))
	fuzz "$n" "$file" "$name" &
	[ "$n" -gt 1 ] || wait # the first fills the build cache for the rest
done <<<"$targets"
wait

failed=0
for i in $(seq 1 "$n"); do
	cat "$out/$i.line"
	grep -q ' 0 crashes ' "$out/$i.line" || failed=$((failed + 1))
done
printf '%d targets in %ds, %d failed\n' "$n" $((SECONDS - start)) "$failed"
[ "$failed" -eq 0 ]
