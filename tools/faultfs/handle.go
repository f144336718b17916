package faultfs

import (
	"context"
	"strconv"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// handle is one open file of the mount. All handles of a backing file share
// its state, so every descriptor sees every write and an fsync through any
// of them syncs them all, as on Linux.
type handle struct {
	fsys *FS
	file *file
	once sync.Once
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileFsyncer   = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileGetattrer = (*handle)(nil)
	_ fs.FileSetattrer = (*handle)(nil)
	_ fs.FileAllocater = (*handle)(nil)
)

// openFlags are the FUSE open flags of the handle. A volatile file keeps
// the kernel's page cache across opens: it is what SQLite's mmap of the
// wal-index shares between processes, and dropping it at each open would
// race with pages another process has dirtied.
func (h *handle) openFlags() uint32 {
	if h.file.volatile {
		return fuse.FOPEN_KEEP_CACHE
	}
	return 0
}

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if h.fsys.dead.Load() {
		return nil, syscall.EIO
	}
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	n, err := h.file.readAt(dest, off)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if h.fsys.dead.Load() {
		return 0, syscall.EIO
	}
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	n, err := h.file.writeAt(data, off)
	h.fsys.writes.Add(1)
	h.fsys.writtenBytes.Add(uint64(n))
	if err != nil {
		return uint32(n), fs.ToErrno(err)
	}
	return uint32(n), 0
}

// Fsync makes the file's changes durable. It fails if the power was cut
// before it finished, even when part of it reached the backing file.
func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	if h.file.fd < 0 {
		return syscall.EIO
	}
	n, err := h.file.sync(h.fsys.syncBack)
	h.fsys.syncs.Add(1)
	h.fsys.syncedBytes.Add(uint64(n))
	if err != nil {
		return fs.ToErrno(err)
	}
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	return 0
}

// Flush is close(2) on one descriptor: not a sync.
func (h *handle) Flush(ctx context.Context) syscall.Errno {
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	return 0
}

func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.once.Do(func() { h.fsys.release(h.file) })
	return 0
}

func (h *handle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	var st syscall.Stat_t
	if err := syscall.Fstat(h.file.fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStat(&st)
	h.file.attr(&st, &out.Attr)
	return 0
}

func (h *handle) Setattr(ctx context.Context, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	if size, ok := in.GetSize(); ok {
		if errno := h.truncate(int64(size)); errno != 0 {
			return errno
		}
	}
	if errno := setMeta(h.path(), h.file.fd, in); errno != 0 {
		return errno
	}
	return h.Getattr(ctx, out)
}

// path names the backing file for the one metadata call that has no
// descriptor form here (utimes); /proc resolves it even after an unlink.
func (h *handle) path() string {
	return "/proc/self/fd/" + strconv.Itoa(h.file.fd)
}

// truncate sets the length processes see (durable at the next sync).
func (h *handle) truncate(size int64) syscall.Errno {
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	return fs.ToErrno(h.file.truncate(size))
}

// Allocate is fallocate(2). Mode 0 (posix_fallocate) only grows the length
// processes see; reserving space has no meaning in the overlay. Other modes
// (punching holes, zeroing ranges) are not supported.
func (h *handle) Allocate(ctx context.Context, off, size uint64, mode uint32) syscall.Errno {
	if h.fsys.dead.Load() {
		return syscall.EIO
	}
	if h.file.volatile {
		return fs.ToErrno(syscall.Fallocate(h.file.fd, mode, int64(off), int64(size)))
	}
	if mode != 0 {
		return syscall.EOPNOTSUPP
	}
	h.file.mu.Lock()
	grow := int64(off+size) > h.file.size
	h.file.mu.Unlock()
	if !grow {
		return 0
	}
	return h.truncate(int64(off + size))
}
