package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// readyWithin bounds how long a started Belfry may take to become healthy
// (a cold start under qemu takes seconds; the loop ends as soon as it is).
const readyWithin = 90 * time.Second

// hostImage returns the image this machine runs natively.
func hostImage(images []platformImage) (platformImage, bool) {
	for _, pi := range images {
		if pi.platform.Architecture == runtime.GOARCH {
			return pi, true
		}
	}
	return platformImage{}, false
}

// qemuFor is the qemu-user emulator of each foreign architecture.
var qemuFor = map[string]string{"arm64": "qemu-aarch64-static", "arm": "qemu-arm-static"}

// runExtracted unpacks img into a temporary folder and runs it there the
// way a container engine would: the entrypoint with the image's
// environment. The host's platform is started, its health check must fail
// before it listens and pass once it does, and SIGTERM must stop it
// cleanly; another platform's binary prints its version under qemu when
// qemu-user-static is installed.
func runExtracted(img v1.Image, p v1.Platform, version string) error {
	files, err := imageFiles(img)
	if err != nil {
		return err
	}
	root, err := os.MkdirTemp("", "belfry-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	for _, f := range files {
		path := filepath.Join(root, f.name)
		if f.dir {
			err = os.MkdirAll(path, 0o755)
		} else if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = os.WriteFile(path, f.data, os.FileMode(f.mode))
		}
		if err != nil {
			return err
		}
	}
	exe := filepath.Join(root, binPath)
	var prefix []string
	if p.Architecture != runtime.GOARCH {
		qemu, err := exec.LookPath(qemuFor[p.Architecture])
		if err != nil {
			fmt.Fprintf(os.Stderr, "inspect: linux/%s: not run (%s is not installed)\n", archName(p), qemuFor[p.Architecture])
			return nil
		}
		prefix = []string{qemu}
	}
	argv := append(prefix, exe, "version")
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil || string(out) != "belfry "+version+"\n" {
		return fmt.Errorf("belfry version printed %q (%v), want belfry %s", out, err, version)
	}
	if len(prefix) > 0 {
		fmt.Fprintf(os.Stderr, "inspect: linux/%s: the binary runs under qemu (%s)\n", archName(p), strings.TrimSpace(string(out)))
		return nil
	}
	return serveExtracted(root, exe)
}

// freePort returns a loopback port nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// serveExtracted runs the entrypoint and the health check of the image
// from root, on a free loopback port instead of 0.0.0.0:8080.
func serveExtracted(root, exe string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	environ := append(append([]string{}, env...), "BELFRY_DATABASE_PATH="+filepath.Join(root, dataDir, "belfry.db"),
		"BELFRY_SERVER_LISTEN=127.0.0.1:"+port, "BELFRY_LOG_LEVEL=warn")
	check := func() error {
		c := exec.Command(exe, healthcheck.Test[2:]...)
		c.Env = environ
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, bytes.TrimSpace(out))
		}
		return nil
	}
	if err := check(); err == nil {
		return errors.New("the health check passes before belfry runs")
	}
	serve := exec.Command(exe, cmd...)
	serve.Env, serve.Dir = environ, filepath.Join(root, dataDir)
	var stderr bytes.Buffer
	serve.Stdout, serve.Stderr = &stderr, &stderr
	if err := serve.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	ready := false
	for deadline := time.Now().Add(readyWithin); !ready && time.Now().Before(deadline); {
		select {
		case err := <-done:
			return fmt.Errorf("serve exited (%v):\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
			err := check()
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.ExitCode() == 2 { // bad usage: waiting will not help
				_ = serve.Process.Kill()
				<-done
				return fmt.Errorf("the health check is refused: %v", err)
			}
			ready = err == nil
		}
	}
	if !ready {
		_ = serve.Process.Kill()
		<-done
		return fmt.Errorf("the health check did not pass within %s: %v\n%s", readyWithin, check(), stderr.String())
	}
	_ = serve.Process.Signal(syscall.SIGTERM)
	if err := <-done; err != nil {
		return fmt.Errorf("serve exited with %v after SIGTERM:\n%s", err, stderr.String())
	}
	fmt.Fprintf(os.Stderr, "inspect: linux/%s: serve from the extracted image became healthy (belfry healthcheck exit 0) and stopped cleanly on SIGTERM\n", runtime.GOARCH)
	return nil
}

// podmanRun runs podman with args and returns its trimmed standard output
// (Podman logs to standard error, which only errors show).
func podmanRun(args ...string) (string, error) {
	var stderr bytes.Buffer
	c := exec.Command("podman", args...)
	c.Stderr = &stderr
	out, err := c.Output()
	s := strings.TrimSpace(string(out))
	if err != nil {
		return s, fmt.Errorf("podman %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return s, nil
}

// runPodman pulls the image of tag from the layout in dir into Podman, the
// way a user does, runs it with its own health check until that passes,
// then stops it. A machine without a working Podman skips this.
func runPodman(dir, tag string) error {
	if _, err := exec.LookPath("podman"); err != nil {
		fmt.Fprintln(os.Stderr, "inspect: podman is not installed: the image was checked without a container engine")
		return nil
	}
	if _, err := podmanRun("info"); err != nil {
		fmt.Fprintf(os.Stderr, "inspect: podman does not work on this machine, skipped: %v\n", err)
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	image, err := podmanRun("pull", "-q", "oci:"+abs+":"+tag)
	if err != nil {
		return err
	}
	defer podmanRun("rmi", "-f", image) //nolint:errcheck // best effort cleanup
	test, err := podmanRun("image", "inspect", "--format", "{{.HealthCheck.Test}}", image)
	if err != nil {
		return err
	}
	if !strings.Contains(test, "healthcheck") {
		return fmt.Errorf("podman sees the health check %q", test)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	id, err := podmanRun(append(podmanRuntime(), "run", "-d", "--network", "host",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
		"-e", "BELFRY_SERVER_LISTEN=127.0.0.1:"+port, image)...)
	if err != nil {
		return err
	}
	defer podmanRun("rm", "-f", "-v", id) //nolint:errcheck // best effort cleanup
	var last error
	healthy := false
	for deadline := time.Now().Add(readyWithin); !healthy && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, last = podmanRun(append(podmanRuntime(), "healthcheck", "run", id)...)
		healthy = last == nil
	}
	if !healthy {
		logs, _ := podmanRun("logs", id)
		return fmt.Errorf("podman healthcheck run did not pass within %s: %v\n%s", readyWithin, last, logs)
	}
	if _, err := podmanRun(append(podmanRuntime(), "stop", "-t", "15", id)...); err != nil {
		return err
	}
	code, err := podmanRun("inspect", "--format", "{{.State.ExitCode}}", id)
	if err != nil || code != "0" {
		logs, _ := podmanRun("logs", id)
		return fmt.Errorf("the container exited %s after podman stop (%v):\n%s", code, err, logs)
	}
	fmt.Fprintf(os.Stderr, "inspect: podman pulled oci:%s:%s and ran it: healthy by its own HEALTHCHECK, stopped cleanly\n", dir, tag)
	return nil
}

// podmanRuntime chooses runc when it is installed: crun (Podman's default
// on Debian) refuses the hybrid cgroup layout of some VMs, runc does not.
// The ulimits of the run are set low because such machines may lack
// CAP_SYS_RESOURCE, without which Podman's defaults cannot be applied.
func podmanRuntime() []string {
	if _, err := exec.LookPath("runc"); err == nil {
		return []string{"--runtime", "runc"}
	}
	return nil
}
