// Command image builds Belfry's container image from release binaries,
// without a container engine: a multi-architecture OCI image layout (an
// index of one image per platform, tagged by annotations), and optionally
// one `docker load` / `podman load` archive per architecture. With
// -inspect it checks a layout instead: config, labels, entrypoint, health
// check and files of every platform, the binary run from the extracted
// file system (and its health check answering), and, where Podman is
// installed, the image run for real.
//
//	go run ./tools/image -out dist/belfry-v1.2.3-oci -version v1.2.3 -revision abc123 \
//	    -bin linux/amd64=dist/belfry-v1.2.3-linux-amd64 -bin linux/arm64=… -tag latest -tag v1.2.3 -archives dist
//	go run ./tools/image -inspect dist/belfry-v1.2.3-oci -version v1.2.3 -tag latest -run -podman
//
// `make image` and scripts/release.sh run it; see docs/install.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// list is a repeatable flag.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

// Set appends one value.
func (l *list) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// refName is the annotation that names a tag in an OCI layout's index.json.
const refName = "org.opencontainers.image.ref.name"

func main() {
	var bins, tags list
	out := flag.String("out", "", "write the OCI image layout to this `folder` (emptied first)")
	inspect := flag.String("inspect", "", "check the OCI image layout in this `folder` instead of building one")
	version := flag.String("version", "dev", "the version the binaries were stamped with")
	revision := flag.String("revision", "", "the git commit of the build")
	created := flag.String("created", "", "build time, RFC 3339 (default: now); every file gets it")
	ca := flag.String("ca", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to ship")
	archives := flag.String("archives", "", "also write belfry-VERSION-image-ARCH.tar (docker/podman load) per platform into this `folder`")
	run := flag.Bool("run", false, "with -inspect: run the binary of this machine's platform from the extracted image, with its health check")
	podman := flag.Bool("podman", false, "with -inspect: also load and run the image with podman, when installed")
	flag.Var(&bins, "bin", "`platform=file`: a binary of the image (linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6); repeat")
	flag.Var(&tags, "tag", "a `tag` (latest, v1, v1.2, v1.2.3); repeat")
	flag.Parse()

	var err error
	switch {
	case *inspect != "":
		err = inspectLayout(*inspect, *version, tags, *run, *podman)
	case *out != "" && len(bins) > 0 && len(tags) > 0:
		err = build(*out, *archives, bins, tags, *ca, *version, *revision, *created)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "image: %v\n", err)
		os.Exit(1)
	}
}

// build writes the layout (and the archives) and prints the size of each
// platform's image.
func build(out, archives string, bins, tags []string, ca, version, revision, created string) error {
	m := meta{version: version, revision: revision, created: time.Now().UTC().Truncate(time.Second)}
	if created != "" {
		t, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return fmt.Errorf("-created: %w", err)
		}
		m.created = t
	}
	// An OCI index (what skopeo and podman look up in an OCI layout) of
	// Docker manifests (which keep the health check).
	var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, b := range bins {
		plat, file, ok := strings.Cut(b, "=")
		if !ok {
			return fmt.Errorf("-bin %q: want platform=file", b)
		}
		p, err := v1.ParsePlatform(plat)
		if err != nil {
			return err
		}
		img, err := buildImage(*p, file, ca, m)
		if err != nil {
			return fmt.Errorf("%s: %w", plat, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
		size, err := imageSize(img)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "image: %-14s %6.1f MiB compressed\n", plat, float64(size)/(1<<20))
		if archives != "" {
			if err := writeArchive(archives, *p, img, version, tags); err != nil {
				return err
			}
		}
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	lp, err := layout.Write(out, empty.Index)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{refName: tag})); err != nil {
			return err
		}
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "image: %s (%s) tagged %s\n", out, digest, strings.Join(tags, ", "))
	return nil
}

// imageSize is what a registry stores for one platform: manifest, config
// and compressed layers.
func imageSize(img v1.Image) (int64, error) {
	m, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return 0, err
	}
	size := int64(len(raw)) + m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	return size, nil
}

// archName is a platform's name in file names: amd64, arm64, armv7, armv6.
func archName(p v1.Platform) string {
	return p.Architecture + p.Variant
}

// writeArchive writes one platform's image as a docker-archive tarball
// tagged belfry:TAG for every tag.
func writeArchive(dir string, p v1.Platform, img v1.Image, version string, tags []string) error {
	refs := map[name.Reference]v1.Image{}
	for _, tag := range tags {
		ref, err := name.NewTag("belfry:" + tag)
		if err != nil {
			return err
		}
		refs[ref] = img
	}
	path := filepath.Join(dir, fmt.Sprintf("belfry-%s-image-%s.tar", version, archName(p)))
	if err := tarball.MultiRefWriteToFile(path, refs); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "image: %s\n", path)
	return nil
}
