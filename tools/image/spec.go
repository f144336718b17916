package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// What the image is: one layer holding the static binary, CA certificates
// for HTTPS webhooks, a passwd/group naming the non-root user, and /data
// owned by that user; the database lives in the /data volume. These values
// are the image's contract: deploy/Dockerfile and deploy/compose.yaml say
// the same (checked by image_test.go).
const (
	binPath  = "/usr/local/bin/belfry"
	uid      = 65532
	user     = "65532:65532"
	dataDir  = "/data"
	port     = "8080/tcp"
	caPath   = "/etc/ssl/certs/ca-certificates.crt"
	source   = "https://github.com/belfry/belfry"
	imageDoc = source + "/blob/main/docs/install.md"
)

var (
	entrypoint = []string{binPath}
	cmd        = []string{"serve"}
	env        = []string{"PATH=/usr/local/bin", "BELFRY_DATABASE_PATH=/data/belfry.db", "BELFRY_SERVER_LISTEN=0.0.0.0:8080"}
	// healthcheck needs no shell: belfry asks its own /readyz.
	healthcheck = v1.HealthConfig{Test: []string{"CMD", binPath, "healthcheck"},
		Interval: 30 * time.Second, Timeout: 5 * time.Second, StartPeriod: 10 * time.Second, Retries: 3}
)

// meta is what the labels say about the build.
type meta struct {
	version, revision string
	created           time.Time
}

// labels are the OCI annotations of the image config.
func (m meta) labels() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":         "Belfry",
		"org.opencontainers.image.description":   "Self-hosted notification hub: web inbox, WebSocket push, REST polling, webhooks, one SQLite file.",
		"org.opencontainers.image.version":       m.version,
		"org.opencontainers.image.revision":      m.revision,
		"org.opencontainers.image.created":       m.created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.source":        source,
		"org.opencontainers.image.url":           source,
		"org.opencontainers.image.documentation": imageDoc,
	}
}

// file is one entry of the image's layer.
type file struct {
	name string // without the leading slash
	mode int64
	uid  int
	dir  bool
	data []byte
}

// layerFiles are the files of the image for the binary bin and the CA
// bundle ca.
func layerFiles(bin, ca []byte) []file {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nbelfry:x:%d:%d:Belfry:%s:/sbin/nologin\n", uid, uid, dataDir)
	group := fmt.Sprintf("root:x:0:\nbelfry:x:%d:\n", uid)
	return []file{
		{name: "data/", mode: 0o750, uid: uid, dir: true},
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: strings.TrimPrefix(caPath, "/"), mode: 0o644, data: ca},
		{name: "usr/", mode: 0o755, dir: true},
		{name: "usr/local/", mode: 0o755, dir: true},
		{name: "usr/local/bin/", mode: 0o755, dir: true},
		{name: strings.TrimPrefix(binPath, "/"), mode: 0o755, data: bin},
	}
}

// layerTar writes files as a tar stream, in name order, with every time
// set to mtime, so the same inputs give the same layer digest.
func layerTar(files []file, mtime time.Time) ([]byte, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: mtime, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// buildImage returns the image of platform p around the binary at binFile.
// The manifest and config have Docker's media types (what empty.Image
// starts from): the OCI config has no HEALTHCHECK, and Podman drops it from
// OCI images.
func buildImage(p v1.Platform, binFile, caFile string, m meta) (v1.Image, error) {
	bin, err := os.ReadFile(binFile)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA certificates for HTTPS webhooks: %w (Debian: apt-get install ca-certificates)", err)
	}
	tarBytes, err := layerTar(layerFiles(bin, ca), m.created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarBytes)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: m.created}, CreatedBy: "tools/image: " + binPath + ", CA certificates, passwd, /data",
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: m.created}
	hc := healthcheck
	cf.Config = v1.Config{
		User: user, Env: env, Entrypoint: entrypoint, Cmd: cmd, WorkingDir: dataDir,
		Volumes: map[string]struct{}{dataDir: {}}, ExposedPorts: map[string]struct{}{port: {}},
		Labels: m.labels(), Healthcheck: &hc, StopSignal: "SIGTERM",
	}
	return mutate.ConfigFile(img, cf)
}
