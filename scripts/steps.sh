#!/usr/bin/env bash
# steps.sh runs make targets one after another as the steps of a larger
# target (`make test`, `make check`): a banner before each step with its
# number and the text of its "## step: text" line in the Makefile, its
# duration after it, and the total at the end. It stops at the first step
# that fails and says which.
#
#   scripts/steps.sh LABEL STEP...
set -euo pipefail
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
label=$1
shift

# mmss prints a number of seconds as 1m05s.
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

n=$#
i=0
start=$SECONDS
for step in "$@"; do
	i=$((i + 1))
	about=$(sed -n "s/^## $step: //p" Makefile | head -n 1)
	printf '\n==> %s, step %d/%d: %s — %s\n' "$label" "$i" "$n" "$step" "${about:-?}"
	t=$SECONDS
	if ! $MAKE --no-print-directory "$step"; then
		printf '\n==> %s FAILED at step %d/%d (%s) after %s\n' "$label" "$i" "$n" "$step" "$(mmss $((SECONDS - t)))" >&2
		exit 1
	fi
	printf '==> %s, step %d/%d: %s passed in %s\n' "$label" "$i" "$n" "$step" "$(mmss $((SECONDS - t)))"
done
printf '\n==> %s: all %d steps passed in %s\n' "$label" "$n" "$(mmss $((SECONDS - start)))"
