package cli

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// residentFileKB is RssFile of /proc/self/status: the resident pages of
// file mappings, the executable's among them.
func residentFileKB(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("RssFile:")); ok {
			kb, err := strconv.Atoi(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

func TestReleaseCodePagesShrinksTheResidentExecutable(t *testing.T) {
	before := residentFileKB(t)
	n, err := releaseCodePages()
	if errors.Is(err, unix.EINVAL) {
		t.Skipf("this kernel has no MADV_PAGEOUT: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 { // the code and the constant data at least
		t.Fatalf("advised %d mappings of the executable, want its code and read-only data", n)
	}
	if after := residentFileKB(t); after >= before {
		t.Fatalf("RssFile %d kB before releasing the executable's pages, %d kB after: nothing was given back", before, after)
	}
}

func TestReadOnlyMapping(t *testing.T) {
	const exe = "/usr/bin/belfry x"
	for _, tc := range []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-010c7000 r-xp 00000000 fd:01 123 /usr/bin/belfry x\n", 0x400000, 0x10c7000, true},
		{"010c7000-01ed8000 r--p 00cc7000 fd:01 123 /usr/bin/belfry x", 0x10c7000, 0x1ed8000, true},
		{"01ed8000-01f9b000 rw-p 01ad8000 fd:01 123 /usr/bin/belfry x", 0, 0, false}, // writable: never
		{"7f0000000000-7f0000001000 r--p 00000000 fd:01 9 /usr/lib/other.so", 0, 0, false},
		{"7f0000000000-7f0000001000 rw-p 00000000 00:00 0", 0, 0, false},
		{"zz-7f0000001000 r--p 00000000 fd:01 123 /usr/bin/belfry x", 0, 0, false},
		{"2000-1000 r--p 00000000 fd:01 123 /usr/bin/belfry x", 0, 0, false},
		{"", 0, 0, false},
	} {
		start, end, ok := readOnlyMapping([]byte(tc.line), exe)
		if start != tc.start || end != tc.end || ok != tc.ok {
			t.Errorf("readOnlyMapping(%q) = %#x, %#x, %v; want %#x, %#x, %v", tc.line, start, end, ok, tc.start, tc.end, tc.ok)
		}
	}
}
