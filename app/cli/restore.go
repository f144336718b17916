package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/belfry/belfry/db"
)

func (r *runner) restore(ctx context.Context, args []string) error {
	fs := r.flags("restore", "FILE",
		"Replace the database with FILE, a copy made by belfry backup. The server must be stopped:\n"+
			"restore refuses while one uses the database. FILE is copied beside the database and\n"+
			"checked (SQLite integrity check, schema not newer than this belfry) before anything is\n"+
			"replaced; the previous database is kept as DATABASE.before-restore-TIME.")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	if err := sqliteOnly(cfg.Database, "restore", "stop the replicas and restore a pg_dump copy with pg_restore (pg_restore --clean --if-exists --dbname=DATABASE belfry.dump)"); err != nil {
		return err
	}
	src, path := pos[0], cfg.Database.Path
	if err := checkRestoreSource(src, path); err != nil {
		return err
	}
	lock, err := lockDatabase(path, "restore")
	if errors.Is(err, errLocked) {
		return fmt.Errorf("%s is using %s (it holds %s): stop it first (e.g. sudo systemctl stop belfry), then run restore again",
			lockHolder(path), path, lockPath(path))
	}
	if err != nil {
		return err
	}
	defer lock.Close()

	tmp := path + ".restoring"
	if err := copyFileSynced(src, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	version, err := db.CheckFile(ctx, tmp, cfg.Database.BusyTimeout.Duration)
	if err != nil {
		removeDatabaseFiles(tmp)
		return err
	}
	kept, err := keepPrevious(ctx, path, cfg.Database.BusyTimeout.Duration)
	if err != nil {
		removeDatabaseFiles(tmp)
		return err
	}
	// The old write-ahead log belongs to the old file: left beside the new
	// one, SQLite would replay it into it.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			removeDatabaseFiles(tmp)
			return fmt.Errorf("remove %s: %w", path+suffix, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		removeDatabaseFiles(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	fmt.Fprintf(r.stdout, "Restored %s to %s (integrity ok, schema version %d).\n", src, path, version)
	if kept != "" {
		fmt.Fprintf(r.stdout, "The previous database is kept as %s; delete it once you are satisfied.\n", kept)
	}
	return nil
}

// checkRestoreSource refuses a FILE that is missing, not a regular file,
// the database itself, or a live database with a write-ahead log beside it
// (copying it alone would lose what the log holds).
func checkRestoreSource(src, path string) error {
	st, err := os.Stat(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s does not exist", src)
		}
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	if cur, err := os.Stat(path); err == nil && os.SameFile(st, cur) {
		return fmt.Errorf("%s is the database itself: restore from a copy made by belfry backup", src)
	}
	if wal, err := os.Stat(src + "-wal"); err == nil && wal.Size() > 0 {
		return fmt.Errorf("%s has a write-ahead log (%s-wal) beside it: it is a live database, not a backup; copy it with belfry backup first", src, src)
	}
	return nil
}

// copyFileSynced copies src to dst (which must not exist) and flushes dst
// to disk.
func copyFileSynced(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, db.FileMode)
	if err != nil {
		return fmt.Errorf("create %s: %w (remove it if a previous restore was interrupted)", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// keepPrevious preserves the database at path, if there is one, as
// path.before-restore-TIME and returns that name. Its write-ahead log is
// folded in first, so the kept file is complete on its own; when that
// fails (a damaged database is a reason to restore) the log is kept
// beside it instead.
func keepPrevious(ctx context.Context, path string, busy time.Duration) (string, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	checkpointErr := db.Checkpoint(ctx, path, busy)
	kept := path + ".before-restore-" + time.Now().Format("20060102-150405")
	if err := linkOrCopy(path, kept); err != nil {
		return "", fmt.Errorf("keep the previous database: %w", err)
	}
	if wal, err := os.Stat(path + "-wal"); checkpointErr != nil && err == nil && wal.Size() > 0 {
		if err := linkOrCopy(path+"-wal", kept+"-wal"); err != nil {
			return "", fmt.Errorf("keep the previous database's log: %w", err)
		}
	}
	return kept, nil
}

// linkOrCopy makes dst a hard link of src, or a copy where links fail.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFileSynced(src, dst)
}

// removeDatabaseFiles removes a database file and its -wal and -shm.
func removeDatabaseFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// syncDir flushes a directory entry change (a rename) to disk where the
// system allows it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}
