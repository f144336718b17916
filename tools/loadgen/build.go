package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildBelfry builds the belfry binary of the module containing the working
// directory to out and returns out. release builds it as `make build` does
// (static, nomsgpack); race adds the race detector, so that a test run with
// -race reuses the packages `go test` has just compiled.
func buildBelfry(ctx context.Context, out string, release, race bool) (string, error) {
	mod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(mod)))
	args := []string{"build", "-o", out}
	env := os.Environ()
	if race {
		args = append(args, "-race")
	}
	if release {
		args = append(args, "-tags", "nomsgpack", "-trimpath")
		env = append(env, "CGO_ENABLED=0")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir, cmd.Env = root, env
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %v\n%s", root, err, b)
	}
	return out, nil
}
