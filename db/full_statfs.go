//go:build linux || darwin || freebsd

package db

import "syscall"

// freeSpace returns the bytes an unprivileged process may still write on
// the file system holding dir.
func freeSpace(dir string) (int64, bool) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		return 0, false
	}
	return int64(s.Bavail) * int64(s.Bsize), true
}
