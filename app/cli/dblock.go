package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// A running `belfry serve` holds a shared lock on a file beside the
// database (PATH.lock) for as long as it runs; `belfry restore` takes the
// same lock exclusively, so it refuses while any server uses the database
// and no server starts while a restore is replacing it. The lock is the
// operating system's (flock on Unix, LockFileEx on Windows): it ends with
// the process however the process ends, so a crash leaves no stale lock.
// The file itself stays and is harmless.

// errLocked reports that another process holds the lock.
var errLocked = errors.New("locked by another process")

// dbLock is a held lock on a database's lock file.
type dbLock struct{ f *os.File }

// lockPath returns the lock file of the database at path.
func lockPath(path string) string { return path + ".lock" }

// lockDatabase takes the lock of the database at path without waiting:
// shared for a server, exclusive for a restore. It creates the lock file
// (and the database's directory) when missing.
func lockDatabase(path string, exclusive bool) (*dbLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := lockFile(f, exclusive); err != nil {
		f.Close()
		if errors.Is(err, errLocked) && !exclusive {
			return nil, fmt.Errorf("database %s is being restored (lock file %s is held): try again when the restore has finished", path, lockPath(path))
		}
		return nil, err
	}
	return &dbLock{f: f}, nil
}

// Close releases the lock.
func (l *dbLock) Close() error {
	_ = unlockFile(l.f)
	return l.f.Close()
}
