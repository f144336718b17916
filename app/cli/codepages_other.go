//go:build !linux

package cli

// releaseCodePages is Linux's (see codepages_linux.go); elsewhere the
// kernel keeps the executable's pages as it sees fit.
func releaseCodePages() (int, error) { return 0, nil }
