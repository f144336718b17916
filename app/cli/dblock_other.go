//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package cli

import "os"

// lockFile cannot lock on this system: restore cannot tell whether a
// server runs, so the operator must stop it first (docs/operations.md).
func lockFile(*os.File, bool) error { return nil }

func unlockFile(*os.File) error { return nil }
