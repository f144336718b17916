package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The database holds webhook secrets and session and token hashes: its
// files are the owner's alone, whatever the umask, inside systemd or not.
// Belfry creates the database file 0600 before SQLite opens it, and SQLite
// gives the -wal and -shm it creates the database file's mode; a directory
// it creates for the database is 0700. A file or directory that already
// exists keeps its mode.
const (
	// FileMode is the mode of every file Belfry creates beside or from the
	// database: the database, its lock file, backups, restore copies.
	FileMode os.FileMode = 0o600
	// DirMode is the mode of a directory Belfry creates for the database.
	DirMode os.FileMode = 0o700
)

// CreateDir creates the directory of the database at path (DirMode) when
// it is missing.
func CreateDir(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), DirMode); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	return nil
}

// CreateFile creates the empty file path with FileMode, failing when it
// exists (os.ErrExist).
func CreateFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	return f.Close()
}

// createDatabase makes the directory and the empty database file at path
// when they are missing, so that SQLite opens a file with FileMode.
func createDatabase(path string) error {
	if err := CreateDir(path); err != nil {
		return err
	}
	if err := CreateFile(path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return nil
}
