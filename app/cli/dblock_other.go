//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package cli

import "os"

// lockFile cannot lock on this system: neither a second server nor a
// restore can tell whether a server runs, so the operator must make sure
// (docs/operations.md).
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
