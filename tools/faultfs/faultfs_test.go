package faultfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPowerCutKeepsOnlySyncedData writes files in every state a cut can find
// them in and checks what is left after a remount: synced data stays,
// unsynced writes and truncations are undone, a created file stays (empty).
func TestPowerCutKeepsOnlySyncedData(t *testing.T) {
	fsys, remount := mountForTest(t)
	mnt := fsys.Mountpoint()
	at := func(name string) string { return filepath.Join(mnt, name) }
	old := bytes.Repeat([]byte("durable "), 1000)

	writeSynced(t, at("synced"), old)
	writeSynced(t, at("rewritten"), old)
	writeSynced(t, at("truncated"), old)
	writeSynced(t, at("renamed"), old)

	if err := os.WriteFile(at("rewritten"), []byte("lost"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(at("truncated"), 10); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("created"), []byte("never synced"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(at("renamed"), at("moved")); err != nil {
		t.Fatal(err)
	}
	// The process sees its own unsynced writes, from any descriptor.
	if got := readFile(t, at("rewritten")); string(got) != "lost" {
		t.Fatalf("before the cut rewritten reads %q", got)
	}
	if fi, err := os.Stat(at("truncated")); err != nil || fi.Size() != 10 {
		t.Fatalf("before the cut truncated is %v bytes (%v), want 10", fi.Size(), err)
	}

	loss := fsys.PowerCut()
	if loss.Files != 3 {
		t.Errorf("the cut found %d files with unsynced changes, want 3 (rewritten, truncated, created)", loss.Files)
	}
	if _, err := os.ReadFile(at("synced")); !errors.Is(err, syscall.EIO) {
		t.Errorf("reading after the cut: %v, want EIO", err)
	}

	remount()
	for name, want := range map[string][]byte{"synced": old, "rewritten": old, "truncated": old, "moved": old, "created": {}} {
		if got := readFile(t, at(name)); !bytes.Equal(got, want) {
			t.Errorf("after the cut %s has %d bytes, want %d", name, len(got), len(want))
		}
	}
	if _, err := os.Stat(at("renamed")); !os.IsNotExist(err) {
		t.Errorf("a rename is durable at once, but the old name is still there: %v", err)
	}
}

// TestTruncateThenGrowReadsZeros checks that bytes cut off by an unsynced
// truncation do not come back when the file grows again, before and after
// the sync.
func TestTruncateThenGrowReadsZeros(t *testing.T) {
	fsys, _ := mountForTest(t)
	p := filepath.Join(fsys.Mountpoint(), "f")
	writeSynced(t, p, bytes.Repeat([]byte{0xAA}, 3*blockSize))
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(100); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 * blockSize); err != nil {
		t.Fatal(err)
	}
	want := append(bytes.Repeat([]byte{0xAA}, 100), make([]byte, 2*blockSize-100)...)
	if got := readFile(t, p); !bytes.Equal(got, want) {
		t.Fatal("after truncate and grow the cut-off bytes came back")
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); !bytes.Equal(got, want) {
		t.Fatal("after the sync the cut-off bytes came back")
	}
}

func writeSynced(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
