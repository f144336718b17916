#!/usr/bin/env bash
# release.sh cross-compiles Belfry for every supported platform into dist/:
# static (CGO_ENABLED=0), stripped, -trimpath, -tags nomsgpack, version
# stamped; then, from the Linux binaries, the container image and the
# Debian packages; and SHA256SUMS of every file. `make release` runs it
# after the UI assets step; `make image`, `make deb` and `make test`'s
# dist-check step run it with fewer targets or packages.
#
#   VERSION   the version to stamp (default: git describe)
#   TARGETS   space-separated GOOS/GOARCH[/GOARM] list (default: all below)
#   DIST      output folder (default: dist; emptied first)
#   PACKAGES  what to make from the Linux binaries: "image deb" (default),
#             "image", "deb" or "" (binaries only)
#   DEB_INSTALL_CHECK  "if-cached": install-test the package only when the
#             throwaway Debian root is cached (scripts/deb-install-check.sh)
#
# File names: belfry-VERSION-GOOS-GOARCH[vGOARM][.exe]; the image is the OCI
# layout belfry-VERSION-oci/ (tags from scripts/image-tags.sh: latest, vX,
# vX.Y, vX.Y.Z for a release) plus belfry-VERSION-image-ARCH.tar for
# `docker load`; the packages are belfry_VERSION_ARCH.deb.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
DIST=${DIST:-dist}
TARGETS=${TARGETS:-"linux/amd64 linux/arm64 linux/arm/6 linux/arm/7 windows/amd64 darwin/arm64 darwin/amd64"}
PACKAGES=${PACKAGES-"image deb"}

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
echo "release: $(ls "$DIST"/belfry-* | wc -l) binaries in $DIST/" >&2
ls -l "$DIST"/belfry-* | awk '{printf "  %-48s %6.1f MiB\n", $NF, $5/1048576}' >&2

# The Linux binaries, by container platform (linux/arm/v7).
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
image_bins=()
for f in "$DIST"/belfry-"$VERSION"-linux-*; do
	[ -e "$f" ] || continue
	case ${f##*-linux-} in
	amd64) image_bins+=(-bin "linux/amd64=$f") ;;
	arm64) image_bins+=(-bin "linux/arm64=$f") ;;
	armv7) image_bins+=(-bin "linux/arm/v7=$f") ;;
	armv6) image_bins+=(-bin "linux/arm/v6=$f") ;;
	esac
done

if [[ " $PACKAGES " == *" image "* ]] && [ ${#image_bins[@]} -gt 0 ]; then
	tags=()
	while read -r tag; do tags+=(-tag "$tag"); done < <(bash scripts/image-tags.sh "$VERSION")
	"$GO" run ./tools/image -out "$DIST/belfry-$VERSION-oci" -archives "$DIST" -version "$VERSION" \
		-revision "$revision" -created "$created" "${image_bins[@]}" "${tags[@]}"
	"$GO" run ./tools/image -inspect "$DIST/belfry-$VERSION-oci" -version "$VERSION" "${tags[@]}" -run -podman
fi

if [[ " $PACKAGES " == *" deb "* ]]; then
	debv=$(bash scripts/deb-version.sh "$VERSION")
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	# The unit of deploy/, with the package's paths.
	{
		echo "# Installed by the belfry Debian package; edit /etc/belfry/belfry.env or config.toml,"
		echo "# or add a drop-in with: systemctl edit belfry"
		sed -e 's|^ExecStart=/usr/local/bin/belfry serve$|ExecStart=/usr/bin/belfry serve --config /etc/belfry/config.toml|' deploy/belfry.service
	} >"$stage/belfry.service"
	grep -qx 'ExecStart=/usr/bin/belfry serve --config /etc/belfry/config.toml' "$stage/belfry.service" ||
		{ echo "release: deploy/belfry.service has no ExecStart=/usr/local/bin/belfry serve to adapt" >&2; exit 1; }
	printf 'belfry (%s) unstable; urgency=medium\n\n  * Belfry %s (revision %s).\n\n -- Belfry maintainers <maintainers@belfry.invalid>  %s\n' \
		"$debv" "$VERSION" "$revision" "$(date -u -R -d "$created" 2>/dev/null || date -u -R)" | gzip -9n >"$stage/changelog.gz"
	gzip -9n <deploy/debian/belfry.1 >"$stage/belfry.1.gz"
	debs=()
	for f in "$DIST"/belfry-"$VERSION"-linux-*; do
		case ${f##*-linux-} in
		amd64) arch=amd64 ;;
		arm64) arch=arm64 ;;
		armv7) arch=armhf ;;
		*) continue ;;
		esac
		deb="$DIST/belfry_${debv}_${arch}.deb"
		DEB_ARCH=$arch DEB_VERSION=$debv BIN=$f STAGE=$stage "$GO" tool nfpm pkg -f deploy/nfpm.yaml -p deb -t "$deb" >/dev/null
		echo "release: $deb $(du -k "$deb" | cut -f1) KiB" >&2
		debs+=("$deb")
	done
	if [ ${#debs[@]} -gt 0 ]; then bash scripts/deb-check.sh "${debs[@]}"; fi
	host_deb="$DIST/belfry_${debv}_$(dpkg --print-architecture 2>/dev/null || echo none).deb"
	if [ -f "$host_deb" ]; then bash scripts/deb-install-check.sh "$host_deb"; fi
fi

cd "$DIST"
files=()
for f in belfry-* belfry_*; do
	if [ -f "$f" ]; then files+=("$f"); fi
done
if command -v sha256sum >/dev/null 2>&1; then
	sha256sum "${files[@]}" >SHA256SUMS
else
	shasum -a 256 "${files[@]}" >SHA256SUMS
fi
echo "release: ${#files[@]} files in $DIST/ with SHA256SUMS" >&2
