package faultfs

import (
	"github.com/hanwen/go-fuse/v2/fuse"
	"math"
	"slices"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// blockSize is the granularity of the dirty overlay: a write dirties the
// blocks it touches, and a sync writes whole dirty blocks back.
const blockSize = 4096

// noCut marks a file with no unsynced truncation.
const noCut = math.MaxInt64

// fileKey names a backing file by device and inode number, so that every
// open of one file, under any name, shares one overlay.
type fileKey struct {
	dev, ino uint64
}

// file is one backing file as the processes on the mount see it: the
// durable bytes of the backing file with the unsynced changes laid over them.
//
// The model: size is the length processes see; dirty holds every block
// written since the last sync; cut is the lowest length the file was
// truncated to since the last sync — backing bytes at or past cut are no
// longer visible (they read as zeros if the file grows again), but they are
// still on "disk" until a sync makes the truncation durable. Invariant: the
// visible backing bytes, min(backing length, cut), never exceed size.
//
// A volatile file has no overlay: every change goes to the backing file at
// once and a power cut keeps it (SQLite's -shm wal-index, which SQLite
// never trusts after a crash).
type file struct {
	mu       sync.Mutex
	key      fileKey
	fd       int // the backing file, read-write when it could be opened so
	volatile bool
	opens    int // open handles on the mount
	size     int64
	cut      int64
	dirty    map[int64][]byte // block index → blockSize bytes
}

func newFile(key fileKey, fd int, size int64, volatile bool) *file {
	return &file{key: key, fd: fd, size: size, cut: noCut, volatile: volatile, dirty: map[int64][]byte{}}
}

// attr overrides the length in out, converted from the backing file's st,
// with the length processes see. Callers hold f.mu.
func (f *file) attr(st *syscall.Stat_t, out *fuse.Attr) {
	if f.volatile {
		return
	}
	out.Size = uint64(f.size)
	out.Blocks = (out.Size + 511) / 512
}

// clean reports whether the file has nothing unsynced. Callers hold f.mu.
func (f *file) clean() bool {
	return len(f.dirty) == 0 && f.cut == noCut
}

// unsyncedBytes is how much a power cut would discard now. Callers hold f.mu.
func (f *file) unsyncedBytes() int64 {
	return int64(len(f.dirty)) * blockSize
}

// readAt reads what a process sees at off: dirty blocks from memory, the
// rest from the backing file. It returns fewer bytes than len(p) only at the
// end of the file. Callers hold f.mu.
func (f *file) readAt(p []byte, off int64) (int, error) {
	if f.volatile {
		return preadFull(f.fd, p, off)
	}
	if off >= f.size {
		return 0, nil
	}
	if rest := f.size - off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		bi, bo := pos/blockSize, int(pos%blockSize)
		if b, ok := f.dirty[bi]; ok {
			n += copy(p[n:], b[bo:])
			continue
		}
		// Coalesce the run of clean blocks into one read of the backing file.
		end := n + blockSize - bo
		for end < len(p) {
			if _, ok := f.dirty[(off+int64(end))/blockSize]; ok {
				break
			}
			end += blockSize
		}
		end = min(end, len(p))
		if err := f.readBacking(p[n:end], pos); err != nil {
			return n, err
		}
		n = end
	}
	return n, nil
}

// readBacking fills dst with the backing file's bytes at off, and zeros past
// the backing file's end or past an unsynced truncation.
func (f *file) readBacking(dst []byte, off int64) error {
	visible := dst
	switch {
	case off >= f.cut:
		visible = nil
	case off+int64(len(dst)) > f.cut:
		visible = dst[:f.cut-off]
	}
	got, err := preadFull(f.fd, visible, off)
	if err != nil {
		return err
	}
	clear(dst[got:])
	return nil
}

// writeAt lays p over the file at off, in memory only (volatile files: in
// the backing file). Callers hold f.mu.
func (f *file) writeAt(p []byte, off int64) (int, error) {
	if f.volatile {
		return pwriteFull(f.fd, p, off)
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		bi, bo := pos/blockSize, int(pos%blockSize)
		chunk := min(len(p)-n, blockSize-bo)
		b, err := f.block(bi, chunk == blockSize)
		if err != nil {
			return n, err
		}
		copy(b[bo:], p[n:n+chunk])
		n += chunk
	}
	f.size = max(f.size, off+int64(n))
	return n, nil
}

// block returns dirty block bi, creating it from what a process sees there
// now unless whole says the caller overwrites all of it.
func (f *file) block(bi int64, whole bool) ([]byte, error) {
	if b, ok := f.dirty[bi]; ok {
		return b, nil
	}
	b := make([]byte, blockSize)
	if !whole {
		start := bi * blockSize
		if start < f.size {
			// Bytes past size are zeros: by the invariant nothing of the
			// backing file is visible there.
			if err := f.readBacking(b[:min(blockSize, f.size-start)], start); err != nil {
				return nil, err
			}
		}
	}
	f.dirty[bi] = b
	return b, nil
}

// truncate sets the size processes see; the backing file keeps its length
// until the next sync. Callers hold f.mu.
func (f *file) truncate(size int64) error {
	if f.volatile {
		return unix.Ftruncate(f.fd, size)
	}
	if size < f.size {
		for bi := range f.dirty {
			if bi*blockSize >= size {
				delete(f.dirty, bi)
			}
		}
		if tail := size % blockSize; tail != 0 {
			if b, ok := f.dirty[size/blockSize]; ok {
				clear(b[tail:])
			}
		}
		f.cut = min(f.cut, size)
	}
	f.size = size
	return nil
}

// sync makes what processes see durable: an unsynced truncation first, then
// the dirty blocks in file order, then the length; with syncBacking the
// backing file is fdatasync'ed too. After an error the overlay is kept, so a
// later sync can retry. Callers hold f.mu.
func (f *file) sync(syncBacking bool) (int64, error) {
	if f.volatile {
		return 0, nil
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return 0, err
	}
	if st.Size > f.cut {
		if err := unix.Ftruncate(f.fd, f.cut); err != nil {
			return 0, err
		}
	}
	blocks := make([]int64, 0, len(f.dirty))
	for bi := range f.dirty {
		blocks = append(blocks, bi)
	}
	slices.Sort(blocks)
	var written int64
	for _, bi := range blocks {
		start := bi * blockSize
		b := f.dirty[bi][:min(blockSize, f.size-start)]
		if _, err := pwriteFull(f.fd, b, start); err != nil {
			return written, err
		}
		written += int64(len(b))
	}
	if err := unix.Ftruncate(f.fd, f.size); err != nil {
		return written, err
	}
	if syncBacking {
		if err := unix.Fdatasync(f.fd); err != nil {
			return written, err
		}
	}
	clear(f.dirty)
	f.cut = noCut
	return written, nil
}

// preadFull reads len(p) bytes at off unless the file ends first.
func preadFull(fd int, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Pread(fd, p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// pwriteFull writes all of p at off.
func pwriteFull(fd int, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Pwrite(fd, p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}
