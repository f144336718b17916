package faultfs

import (
	"os"
	"path/filepath"
	"testing"
)

// mountForTest mounts a fresh backing directory, or skips the test when
// this machine cannot mount FUSE file systems (not root, no /dev/fuse).
// It returns the mount, and the function that remounts the same backing
// directory after a power cut.
func mountForTest(t *testing.T) (*FS, func() *FS) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	backing, mnt := filepath.Join(dir, "backing"), filepath.Join(dir, "mnt")
	for _, d := range []string{backing, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var cur *FS
	mount := func() *FS {
		t.Helper()
		if cur != nil {
			if err := cur.Unmount(); err != nil {
				t.Fatal(err)
			}
		}
		f, err := Mount(backing, mnt, Options{})
		if err != nil {
			t.Fatal(err)
		}
		cur = f
		return f
	}
	t.Cleanup(func() {
		if cur != nil {
			if err := cur.Unmount(); err != nil {
				t.Error(err)
			}
		}
	})
	return mount(), mount
}
