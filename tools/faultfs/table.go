package faultfs

import (
	"golang.org/x/sys/unix"
	"syscall"
)

// keyOf returns the identity of a stat result.
func keyOf(st *syscall.Stat_t) fileKey {
	return fileKey{dev: st.Dev, ino: st.Ino}
}

// acquire returns the file at the backing path p with one more open handle,
// opening its backing descriptor the first time. fresh says the caller has
// just created the file, so any state left under its identity is stale.
func (f *FS) acquire(p, name string, fresh bool) (*file, error) {
	fd, err := unix.Open(p, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err == unix.EACCES || err == unix.EROFS || err == unix.EISDIR {
		fd, err = unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	key := keyOf(&st)
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.files[key]; ok {
		if !fresh {
			unix.Close(fd)
			fl.mu.Lock()
			fl.opens++
			fl.mu.Unlock()
			return fl, nil
		}
		unix.Close(fl.fd)
		delete(f.files, key)
	}
	fl := newFile(key, fd, st.Size, f.volatile(name))
	fl.opens = 1
	f.files[key] = fl
	return fl, nil
}

// lookupFile returns the file state of the backing file described by st,
// or nil when nothing of it is open or unsynced.
func (f *FS) lookupFile(st *syscall.Stat_t) *file {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.files[keyOf(st)]
}

// hold returns the file state at backing path p for an operation without a
// handle (truncate by name), creating it if needed, with one more open that
// the caller gives back with release.
func (f *FS) hold(p, name string) (*file, error) {
	return f.acquire(p, name, false)
}

// release gives back one open handle. The state is forgotten when nothing
// holds it: no handle is open and either nothing is unsynced or the file has
// no name left (its data is unreachable, so a cut has nothing to lose).
func (f *FS) release(fl *file) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.opens--
	f.forgetLocked(fl)
}

// forget drops the state of the backing file described by st if nothing
// holds it any more (after an unlink).
func (f *FS) forget(st *syscall.Stat_t) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.files[keyOf(st)]
	if !ok {
		return
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	f.forgetLocked(fl)
}

// forgetLocked is forget and release's common part; callers hold f.mu and
// fl.mu.
func (f *FS) forgetLocked(fl *file) {
	if fl.opens > 0 || fl.fd < 0 {
		return
	}
	var st syscall.Stat_t
	gone := syscall.Fstat(fl.fd, &st) == nil && st.Nlink == 0
	if !fl.clean() && !gone {
		return
	}
	unix.Close(fl.fd)
	fl.fd = -1
	if f.files[fl.key] == fl {
		delete(f.files, fl.key)
	}
}
