package faultfs

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileOverlayMatchesModel drives the overlay of one backing file with
// random writes, truncations, syncs and power cuts, and checks after every
// step what a process reads against a plain byte slice, and after every
// sync and cut what the backing file holds against the last synced slice.
func TestFileOverlayMatchesModel(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 19))
		path := filepath.Join(t.TempDir(), "f")
		initial := randomBytes(rng, rng.IntN(3*blockSize))
		if err := os.WriteFile(path, initial, 0o644); err != nil {
			t.Fatal(err)
		}
		fl := openModelFile(t, path)
		visible, durable := bytes.Clone(initial), bytes.Clone(initial)
		for step := range 300 {
			switch op := rng.IntN(10); {
			case op < 5:
				off := rng.IntN(6 * blockSize)
				data := randomBytes(rng, 1+rng.IntN(2*blockSize))
				if _, err := fl.writeAt(data, int64(off)); err != nil {
					t.Fatal(err)
				}
				if end := off + len(data); end > len(visible) {
					visible = append(visible, make([]byte, end-len(visible))...)
				}
				copy(visible[off:], data)
			case op < 7:
				size := rng.IntN(6 * blockSize)
				if err := fl.truncate(int64(size)); err != nil {
					t.Fatal(err)
				}
				if size <= len(visible) {
					visible = visible[:size]
				} else {
					visible = append(visible, make([]byte, size-len(visible))...)
				}
			case op < 9:
				if _, err := fl.sync(false); err != nil {
					t.Fatal(err)
				}
				durable = bytes.Clone(visible)
				checkBacking(t, path, durable, seed, step, "sync")
			default:
				// A cut: the overlay is thrown away, the backing file is what is left.
				syscall.Close(fl.fd)
				checkBacking(t, path, durable, seed, step, "cut")
				fl = openModelFile(t, path)
				visible = bytes.Clone(durable)
			}
			off := min(rng.IntN(blockSize), len(visible))
			got := make([]byte, len(visible)+blockSize)
			n, err := fl.readAt(got, int64(off))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[:n], visible[off:]) {
				t.Fatalf("seed %d step %d: a process reads %d bytes at %d that differ from the %d written", seed, step, n, off, len(visible)-off)
			}
		}
		syscall.Close(fl.fd)
	}
}

func openModelFile(t *testing.T, path string) *file {
	t.Helper()
	fd, err := syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return newFile(keyOf(&st), fd, st.Size, false)
}

func checkBacking(t *testing.T, path string, want []byte, seed uint64, step int, after string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("seed %d step %d: after a %s the backing file has %d bytes, not the %d synced", seed, step, after, len(got), len(want))
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(255) + 1)
	}
	return b
}
