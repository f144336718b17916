#!/usr/bin/env bash
# release.sh cross-compiles Belfry for every supported platform into dist/:
# static (CGO_ENABLED=0), stripped, -trimpath, -tags nomsgpack, version
# stamped, with SHA256SUMS. `make release` runs it after the UI assets step.
#
#   VERSION   the version to stamp (default: git describe)
#   TARGETS   space-separated GOOS/GOARCH[/GOARM] list (default: all below)
#   DIST      output folder (default: dist; emptied first)
#
# File names: belfry-VERSION-GOOS-GOARCH[vGOARM][.exe].
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
DIST=${DIST:-dist}
TARGETS=${TARGETS:-"linux/amd64 linux/arm64 linux/arm/6 linux/arm/7 windows/amd64 darwin/arm64 darwin/amd64"}

rm -rf "$DIST"
mkdir -p "$DIST"
for target in $TARGETS; do
	IFS=/ read -r goos goarch goarm <<<"$target"
	name="belfry-$VERSION-$goos-$goarch${goarm:+v$goarm}"
	[ "$goos" = windows ] && name="$name.exe"
	echo "release: $name" >&2
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOARM=$goarm \
		"$GO" build -tags nomsgpack -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$DIST/$name" .
done

cd "$DIST"
if command -v sha256sum >/dev/null 2>&1; then
	sha256sum belfry-* >SHA256SUMS
else
	shasum -a 256 belfry-* >SHA256SUMS
fi
echo "release: $(ls belfry-* | wc -l) binaries in $DIST/ with SHA256SUMS" >&2
ls -l belfry-* | awk '{printf "  %-48s %6.1f MiB\n", $NF, $5/1048576}' >&2
