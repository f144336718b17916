// Package faultfs is a FUSE file system that simulates power loss. It passes
// every operation through to a backing directory, except that what is
// written to a file stays in memory until the file is fsynced: reads see it
// at once (a process sees its own writes, as through a page cache), but
// PowerCut throws every unsynced change away, as a power loss would, and
// makes the mount refuse all further I/O until it is mounted again.
//
// The model, chosen to be the simplest one that still catches a database
// that trusts writes it never synced:
//
//   - Data: writes and the length of a file (truncate, ftruncate, growth by
//     writing) become durable only when that file is synced (fsync or
//     fdatasync, through any of its descriptors). sync_file_range is not a
//     sync. A torn sync is possible: a cut during a sync keeps what the sync
//     had written back so far, and the sync itself fails.
//   - Metadata: create, unlink, rename, mkdir, rmdir, chmod, chown and utimes
//     are durable at once (a journaling file system that commits them
//     promptly). A new file that was never synced survives a cut empty.
//   - Volatile files (by default SQLite's "-shm" wal-index, which SQLite
//     mmaps and rebuilds from the WAL after every crash) pass straight
//     through and keep their contents at a cut.
//   - Locks: POSIX advisory locks are left to the kernel, which keeps them
//     per mount for every process on this machine.
//
// Mounting needs root and /dev/fuse; it calls mount(2) itself, so no
// fusermount is needed.
//
// Use the mount from other processes than the one serving it, whenever
// files of the mount are mmap'ed (SQLite's -shm is): a page fault on such a
// mapping blocks a thread where Go's garbage collector cannot stop it, while
// the goroutines that would answer the fault are stopped, and the serving
// process deadlocks. Plain system calls from the serving process are safe.
package faultfs

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// Options configure Mount. The zero value is the model described in the
// package comment.
type Options struct {
	// Volatile reports whether the file with this base name passes through
	// without an overlay. Nil: names ending in "-shm".
	Volatile func(name string) bool
	// SyncBacking makes a sync also fdatasync the backing file, for a
	// backing directory that must itself survive a real crash. Off, a sync
	// only writes the overlay back, which is all a simulated cut needs.
	SyncBacking bool
	// Debug logs every FUSE request.
	Debug bool
}

// Stats counts what the mount did since it was mounted.
type Stats struct {
	Syncs        uint64 // fsync and fdatasync calls on files
	SyncedBytes  uint64 // bytes written back to backing files by syncs
	Writes       uint64 // write calls
	WrittenBytes uint64
}

// Loss is what a power cut threw away.
type Loss struct {
	Files int   // files that had unsynced changes
	Bytes int64 // unsynced bytes, counted in whole blocks
}

// FS is one mount of a backing directory. Its methods are safe to call
// concurrently.
type FS struct {
	backing    string
	mountpoint string
	server     *fuse.Server
	volatile   func(string) bool
	syncBack   bool

	dead atomic.Bool // after PowerCut: every operation fails with EIO

	mu    sync.Mutex
	files map[fileKey]*file

	syncs, syncedBytes, writes, writtenBytes atomic.Uint64
}

// Mount mounts backing at mountpoint (an existing, empty directory) and
// serves it until Unmount.
func Mount(backing, mountpoint string, o Options) (*FS, error) {
	f := &FS{backing: backing, mountpoint: mountpoint, volatile: o.Volatile, syncBack: o.SyncBacking,
		files: map[fileKey]*file{}}
	if f.volatile == nil {
		f.volatile = func(name string) bool { return strings.HasSuffix(name, "-shm") }
	}
	var st unix.Stat_t
	if err := unix.Stat(backing, &st); err != nil {
		return nil, fmt.Errorf("faultfs: backing directory: %w", err)
	}
	// Attributes are not cached: the size a process sees lives in the
	// overlay, and every lookup must reach it. Names may be cached briefly.
	attr, entry := time.Duration(0), time.Second
	opts := &fs.Options{
		AttrTimeout:     &attr,
		EntryTimeout:    &entry,
		NegativeTimeout: &attr,
		MountOptions: fuse.MountOptions{
			FsName:            "faultfs",
			Name:              "faultfs",
			DirectMountStrict: true,
			Debug:             o.Debug,
		},
	}
	srv, err := fs.Mount(mountpoint, &node{fsys: f}, opts)
	if err != nil {
		return nil, fmt.Errorf("faultfs: mount %s: %w", mountpoint, err)
	}
	f.server = srv
	return f, nil
}

// Available returns why this machine cannot mount a faultfs, or nil: it
// needs root (mount(2) without fusermount) and a /dev/fuse that opens.
func Available() error {
	if unix.Geteuid() != 0 {
		return errors.New("faultfs needs root to mount a FUSE file system (mount(2) without fusermount)")
	}
	fd, err := unix.Open("/dev/fuse", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("faultfs needs /dev/fuse (the kernel's fuse module; in a container --device /dev/fuse): %w", err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return errors.New("faultfs needs /dev/fuse, and /dev/fuse is not a character device")
	}
	return nil
}

// Mountpoint returns the directory the file system is mounted on.
func (f *FS) Mountpoint() string { return f.mountpoint }

// PowerCut simulates a power loss: it discards every unsynced change of
// every file and makes every later operation on the mount fail with EIO.
// Only Unmount and a new Mount of the same backing directory follow. A sync
// in flight either completed before the cut or fails.
func (f *FS) PowerCut() Loss {
	f.dead.Store(true)
	f.mu.Lock()
	defer f.mu.Unlock()
	var loss Loss
	for k, fl := range f.files {
		fl.mu.Lock()
		if !fl.clean() {
			loss.Files++
			loss.Bytes += fl.unsyncedBytes()
		}
		clear(fl.dirty)
		fl.cut = noCut
		unix.Close(fl.fd)
		fl.fd = -1
		fl.mu.Unlock()
		delete(f.files, k)
	}
	return loss
}

// Unmount unmounts the file system and waits for its server to stop. Files
// still open on the mount (a process that was just killed may take a moment
// to release them) are waited for up to a few seconds, then the mount is
// detached lazily.
func (f *FS) Unmount() error {
	var err error
	for range 50 {
		if err = f.server.Unmount(); err == nil || !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		if derr := unix.Unmount(f.mountpoint, unix.MNT_DETACH); derr != nil {
			return fmt.Errorf("faultfs: unmount %s: %w (detach: %v)", f.mountpoint, err, derr)
		}
	}
	f.server.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, fl := range f.files {
		if fl.fd >= 0 {
			unix.Close(fl.fd)
		}
		delete(f.files, k)
	}
	return nil
}

// Stats returns the counters of the mount.
func (f *FS) Stats() Stats {
	return Stats{Syncs: f.syncs.Load(), SyncedBytes: f.syncedBytes.Load(),
		Writes: f.writes.Load(), WrittenBytes: f.writtenBytes.Load()}
}

// Unsynced returns how many bytes a power cut would discard now.
func (f *FS) Unsynced() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for _, fl := range f.files {
		fl.mu.Lock()
		n += fl.unsyncedBytes()
		fl.mu.Unlock()
	}
	return n
}
