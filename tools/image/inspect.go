package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// inspectLayout checks the layout in dir; see the package comment.
func inspectLayout(dir, version string, tags []string, run, podman bool) error {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return err
	}
	images, err := layoutImages(lp, tags)
	if err != nil {
		return err
	}
	var problems []string
	for _, pi := range images {
		for _, p := range checkImage(pi.img, pi.platform, version) {
			problems = append(problems, archName(pi.platform)+": "+p)
		}
		size, err := imageSize(pi.img)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "inspect: linux/%s: %.1f MiB compressed, config, labels, entrypoint, health check and files checked\n",
			archName(pi.platform), float64(size)/(1<<20))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s:\n  %s", dir, strings.Join(problems, "\n  "))
	}
	if run {
		for _, pi := range images {
			if err := runExtracted(pi.img, pi.platform, version); err != nil {
				return fmt.Errorf("linux/%s: %w", archName(pi.platform), err)
			}
		}
	}
	if podman {
		if _, ok := hostImage(images); ok {
			return runPodman(dir, tags[0])
		}
	}
	return nil
}

// platformImage is one platform's image of the index.
type platformImage struct {
	platform v1.Platform
	img      v1.Image
}

// layoutImages checks that every tag names the same multi-platform index
// and returns its images.
func layoutImages(lp layout.Path, tags []string) ([]platformImage, error) {
	top, err := lp.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := top.IndexManifest()
	if err != nil {
		return nil, err
	}
	byTag := map[string]v1.Descriptor{}
	for _, d := range im.Manifests {
		byTag[d.Annotations[refName]] = d
	}
	var index *v1.Descriptor
	for _, tag := range tags {
		d, ok := byTag[tag]
		if !ok {
			return nil, fmt.Errorf("no tag %q in the layout (it has %v)", tag, keys(byTag))
		}
		if index != nil && d.Digest != index.Digest {
			return nil, fmt.Errorf("tags %v name different images", tags)
		}
		index = &d
	}
	if index == nil {
		return nil, errors.New("no -tag to inspect")
	}
	if index.MediaType != types.OCIImageIndex {
		return nil, fmt.Errorf("tag %q is a %s, not an OCI image index (which skopeo and podman find in a layout)", tags[0], index.MediaType)
	}
	idx, err := top.ImageIndex(index.Digest)
	if err != nil {
		return nil, err
	}
	children, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []platformImage
	for _, d := range children.Manifests {
		if d.Platform == nil {
			return nil, fmt.Errorf("manifest %s has no platform", d.Digest)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		out = append(out, platformImage{platform: *d.Platform, img: img})
	}
	return out, nil
}

func keys(m map[string]v1.Descriptor) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// elfMachine is the ELF machine of each architecture.
var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM}

// checkImage returns what is wrong with one platform's image.
func checkImage(img v1.Image, p v1.Platform, version string) []string {
	var bad []string
	badf := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	cf, err := img.ConfigFile()
	if err != nil {
		return []string{err.Error()}
	}
	if mt, err := img.MediaType(); err != nil || mt != types.DockerManifestSchema2 {
		badf("manifest media type %s, want %s (OCI configs have no health check)", mt, types.DockerManifestSchema2)
	}
	if cf.OS != p.OS || cf.Architecture != p.Architecture || cf.Variant != p.Variant {
		badf("config is for %s/%s/%s, the index says %s", cf.OS, cf.Architecture, cf.Variant, p)
	}
	c := cf.Config
	for what, pair := range map[string][2]any{
		"user": {c.User, user}, "entrypoint": {c.Entrypoint, entrypoint}, "cmd": {c.Cmd, cmd},
		"working dir": {c.WorkingDir, dataDir}, "env": {c.Env, env},
		"volumes": {c.Volumes, map[string]struct{}{dataDir: {}}}, "ports": {c.ExposedPorts, map[string]struct{}{port: {}}},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			badf("%s is %v, want %v", what, pair[0], pair[1])
		}
	}
	if c.Healthcheck == nil || !reflect.DeepEqual(*c.Healthcheck, healthcheck) {
		badf("health check %+v, want %+v", c.Healthcheck, healthcheck)
	}
	for k := range (meta{}).labels() {
		if c.Labels[k] == "" {
			badf("label %s is missing", k)
		}
	}
	if got := c.Labels["org.opencontainers.image.version"]; got != version {
		badf("label org.opencontainers.image.version is %q, want %q", got, version)
	}
	files, err := imageFiles(img)
	if err != nil {
		return append(bad, err.Error())
	}
	want := map[string]file{}
	for _, f := range layerFiles(nil, nil) {
		want[f.name] = f
	}
	for name, w := range want {
		got, ok := files[name]
		switch {
		case !ok:
			badf("no /%s", name)
		case got.mode != w.mode || got.uid != w.uid || got.dir != w.dir:
			badf("/%s: mode %o uid %d, want %o uid %d", name, got.mode, got.uid, w.mode, w.uid)
		case !w.dir && w.data != nil && !bytes.Equal(got.data, w.data):
			badf("/%s differs: %q", name, got.data)
		case !w.dir && len(got.data) == 0:
			badf("/%s is empty", name)
		}
	}
	for name := range files {
		if _, ok := want[name]; !ok {
			badf("unexpected file /%s", name)
		}
	}
	if bin, ok := files[strings.TrimPrefix(binPath, "/")]; ok {
		bad = append(bad, checkBinary(bin.data, p)...)
	}
	return bad
}

// checkBinary checks that bin is a static ELF executable for p.
func checkBinary(bin []byte, p v1.Platform) []string {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return []string{binPath + " is not an ELF executable: " + err.Error()}
	}
	var bad []string
	if f.Machine != elfMachine[p.Architecture] {
		bad = append(bad, fmt.Sprintf("%s is built for %s, not %s", binPath, f.Machine, p.Architecture))
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			bad = append(bad, binPath+" is dynamically linked: a scratch image has no libc")
		}
	}
	return bad
}

// imageFiles reads the flattened file system of img.
func imageFiles(img v1.Image) (map[string]file, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "./")
		f := file{name: name, mode: h.Mode & 0o7777, uid: h.Uid, dir: h.Typeflag == tar.TypeDir}
		if f.dir && !strings.HasSuffix(name, "/") {
			f.name += "/"
		}
		if h.Typeflag == tar.TypeReg {
			if f.data, err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
		out[f.name] = f
	}
}
