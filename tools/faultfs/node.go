package faultfs

import (
	"context"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// node is a file or directory of the mount. It answers the operations
// SQLite and ordinary tools need; the others fail with ENOSYS, which the
// kernel turns into a local fallback (locks, lseek, statx) or an error.
type node struct {
	fs.Inode
	fsys *FS
}

var (
	_ fs.NodeLookuper  = (*node)(nil)
	_ fs.NodeGetattrer = (*node)(nil)
	_ fs.NodeSetattrer = (*node)(nil)
	_ fs.NodeOpener    = (*node)(nil)
	_ fs.NodeCreater   = (*node)(nil)
	_ fs.NodeUnlinker  = (*node)(nil)
	_ fs.NodeRenamer   = (*node)(nil)
	_ fs.NodeMkdirer   = (*node)(nil)
	_ fs.NodeRmdirer   = (*node)(nil)
	_ fs.NodeReaddirer = (*node)(nil)
	_ fs.NodeStatfser  = (*node)(nil)
)

// path returns the node's path in the backing directory.
func (n *node) path() string {
	return filepath.Join(n.fsys.backing, n.Path(nil))
}

// child makes the inode of a backing entry described by st.
func (n *node) child(ctx context.Context, p string, st *syscall.Stat_t) *fs.Inode {
	return n.NewInode(ctx, &node{fsys: n.fsys}, fs.StableAttr{
		Mode: st.Mode & syscall.S_IFMT,
		Ino:  st.Ino,
		Gen:  generation(p),
	})
}

// generation tells apart two files that had the same inode number one after
// the other, by birth time.
func generation(p string) uint64 {
	var x unix.Statx_t
	if unix.Statx(unix.AT_FDCWD, p, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_BTIME, &x) != nil || x.Mask&unix.STATX_BTIME == 0 {
		return 1
	}
	return uint64(x.Btime.Sec)*1e9 + uint64(x.Btime.Nsec) + 1
}

// fillAttr converts st to out with the size processes see.
func (n *node) fillAttr(st *syscall.Stat_t, out *fuse.Attr) {
	out.FromStat(st)
	if fl := n.fsys.lookupFile(st); fl != nil {
		fl.mu.Lock()
		fl.attr(st, out)
		fl.mu.Unlock()
	}
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if n.fsys.dead.Load() {
		return nil, syscall.EIO
	}
	p := filepath.Join(n.path(), name)
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return nil, fs.ToErrno(err)
	}
	n.fillAttr(&st, &out.Attr)
	return n.child(ctx, p, &st), 0
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	if h, ok := f.(*handle); ok {
		return h.Getattr(ctx, out)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(n.path(), &st); err != nil {
		return fs.ToErrno(err)
	}
	n.fillAttr(&st, &out.Attr)
	return 0
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	if h, ok := f.(*handle); ok {
		return h.Setattr(ctx, in, out)
	}
	p := n.path()
	if size, ok := in.GetSize(); ok {
		fl, err := n.fsys.hold(p, filepath.Base(p))
		if err != nil {
			return fs.ToErrno(err)
		}
		h := &handle{fsys: n.fsys, file: fl}
		defer n.fsys.release(fl)
		if errno := h.truncate(int64(size)); errno != 0 {
			return errno
		}
	}
	if errno := setMeta(p, -1, in); errno != 0 {
		return errno
	}
	return n.Getattr(ctx, nil, out)
}

// setMeta applies the mode, owner and times of in, by descriptor when fd is
// not negative, else by path. These are metadata: durable at once.
func setMeta(p string, fd int, in *fuse.SetAttrIn) syscall.Errno {
	if m, ok := in.GetMode(); ok {
		var err error
		if fd >= 0 {
			err = syscall.Fchmod(fd, m)
		} else {
			err = syscall.Chmod(p, m)
		}
		if err != nil {
			return fs.ToErrno(err)
		}
	}
	uid, uok := in.GetUID()
	gid, gok := in.GetGID()
	if uok || gok {
		u, g := -1, -1
		if uok {
			u = int(uid)
		}
		if gok {
			g = int(gid)
		}
		var err error
		if fd >= 0 {
			err = syscall.Fchown(fd, u, g)
		} else {
			err = syscall.Lchown(p, u, g)
		}
		if err != nil {
			return fs.ToErrno(err)
		}
	}
	mtime, mok := in.GetMTime()
	atime, aok := in.GetATime()
	if mok || aok {
		ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		if aok {
			ts[0] = unix.NsecToTimespec(atime.UnixNano())
		}
		if mok {
			ts[1] = unix.NsecToTimespec(mtime.UnixNano())
		}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fs.ToErrno(err)
		}
	}
	return 0
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if n.fsys.dead.Load() {
		return nil, 0, syscall.EIO
	}
	p := n.path()
	fl, err := n.fsys.acquire(p, filepath.Base(p), false)
	if err != nil {
		return nil, 0, fs.ToErrno(err)
	}
	h := &handle{fsys: n.fsys, file: fl}
	if flags&syscall.O_TRUNC != 0 {
		if errno := h.truncate(0); errno != 0 {
			n.fsys.release(fl)
			return nil, 0, errno
		}
	}
	return h, h.openFlags(), 0
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if n.fsys.dead.Load() {
		return nil, nil, 0, syscall.EIO
	}
	p := filepath.Join(n.path(), name)
	var st syscall.Stat_t
	existed := syscall.Lstat(p, &st) == nil
	// The name and the empty file are durable at once; O_TRUNC is a length
	// change and goes through the overlay like any other.
	fd, err := syscall.Open(p, int(flags&^(syscall.O_TRUNC|syscall.O_APPEND))|syscall.O_CREAT|syscall.O_CLOEXEC, mode)
	if err != nil {
		return nil, nil, 0, fs.ToErrno(err)
	}
	syscall.Close(fd)
	if caller, ok := fuse.FromContext(ctx); ok && os.Getuid() == 0 && !existed {
		_ = syscall.Lchown(p, int(caller.Uid), int(caller.Gid))
	}
	fl, err := n.fsys.acquire(p, name, !existed)
	if err != nil {
		return nil, nil, 0, fs.ToErrno(err)
	}
	h := &handle{fsys: n.fsys, file: fl}
	if existed && flags&syscall.O_TRUNC != 0 {
		if errno := h.truncate(0); errno != 0 {
			n.fsys.release(fl)
			return nil, nil, 0, errno
		}
	}
	if err := syscall.Lstat(p, &st); err != nil {
		n.fsys.release(fl)
		return nil, nil, 0, fs.ToErrno(err)
	}
	n.fillAttr(&st, &out.Attr)
	return n.child(ctx, p, &st), h, h.openFlags(), 0
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	p := filepath.Join(n.path(), name)
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return fs.ToErrno(err)
	}
	if err := syscall.Unlink(p); err != nil {
		return fs.ToErrno(err)
	}
	n.fsys.forget(&st)
	return 0
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	np, ok := newParent.(*node)
	if !ok {
		return syscall.EXDEV
	}
	from, to := filepath.Join(n.path(), name), filepath.Join(np.path(), newName)
	var st syscall.Stat_t
	replaced := syscall.Lstat(to, &st) == nil
	if err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, uint(flags)); err != nil {
		return fs.ToErrno(err)
	}
	if replaced {
		n.fsys.forget(&st)
	}
	return 0
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if n.fsys.dead.Load() {
		return nil, syscall.EIO
	}
	p := filepath.Join(n.path(), name)
	if err := syscall.Mkdir(p, mode); err != nil {
		return nil, fs.ToErrno(err)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return nil, fs.ToErrno(err)
	}
	out.Attr.FromStat(&st)
	return n.child(ctx, p, &st), 0
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	return fs.ToErrno(syscall.Rmdir(filepath.Join(n.path(), name)))
}

func (n *node) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	if n.fsys.dead.Load() {
		return nil, syscall.EIO
	}
	return fs.NewLoopbackDirStream(n.path())
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if n.fsys.dead.Load() {
		return syscall.EIO
	}
	var s syscall.Statfs_t
	if err := syscall.Statfs(n.fsys.backing, &s); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStatfsT(&s)
	return 0
}
