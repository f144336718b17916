#!/usr/bin/env bash
# lint.sh is the hygiene that CI keeps: gofmt, go mod tidy, go vet,
# staticcheck, no unreachable production functions (deadcode; the test kits
# are only called by tests) and no code written twice (tools/dupcheck). It
# fails on the first problem and says what to do.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

step() { printf '\n== %s\n' "$1"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change these files (run: gofmt -w FILE):"
	echo "$unformatted"
	exit 1
fi

step "go mod tidy"
if ! $GO mod tidy -diff; then
	echo "go.mod or go.sum is not tidy: run go mod tidy and commit the result"
	exit 1
fi

step "go vet"
$GO vet ./...

step "staticcheck"
$GO tool staticcheck ./...

step "deadcode"
dead=$($GO tool deadcode ./... | grep -v -e '^app/apptest/' -e '/servertest/' -e '/clocktest/' -e '/bustest/' -e '/pgtest/' || true)
if [ -n "$dead" ]; then
	echo "production functions nothing calls (delete them, or move test helpers into a _test.go file):"
	echo "$dead"
	exit 1
fi

step "dupcheck"
$GO run ./tools/dupcheck
