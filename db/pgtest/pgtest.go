// Package pgtest runs a real PostgreSQL server for tests: Debian's
// postgresql binaries (initdb, pg_ctl), a cluster in a temporary directory
// listening on a unix socket there only, started once per test binary and
// stopped by Main. Each test gets a database of its own. initdb and the
// server refuse to run as root, so as root they run as the postgres user
// (created by Debian's package) or nobody.
//
// When PostgreSQL cannot start, the test fails and says why: it never
// skips silently (scripts/ensure-postgres.sh installs the package).
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Server is a running PostgreSQL cluster.
type Server struct {
	dir  string // the cluster's directory: data/ and the socket
	cred *syscall.Credential
	pgc  string // pg_ctl
	next atomic.Int64
	err  error
}

var (
	once, durableOnce sync.Once
	shared, durable   *Server
)

// Main runs the tests of m and stops the shared server if one started.
// Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	for _, s := range []*Server{shared, durable} {
		if s != nil && s.err == nil {
			s.stop()
		}
	}
	return code
}

// URL returns the connection string of a new, empty database on the shared
// server, starting it on first use; t fails when it cannot.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared = start(false) })
	return shared.database(t)
}

// DurableURL is URL on a second server that, like a production one, makes
// every commit durable before it answers (fsync and synchronous_commit on;
// the shared one of URL turns them off): for benchmarks that compare with
// SQLite's database.durability "full".
func DurableURL(t testing.TB) string {
	t.Helper()
	durableOnce.Do(func() { durable = start(true) })
	return durable.database(t)
}

// database creates a database on s and returns its connection string.
func (s *Server) database(t testing.TB) string {
	t.Helper()
	if s.err != nil {
		t.Fatalf("PostgreSQL for the tests: %v", s.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.next.Add(1))
	admin, err := sql.Open("pgx", s.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("PostgreSQL for the tests: create database: %v", err)
	}
	return s.url(name)
}

func (s *Server) url(db string) string {
	q := url.Values{"host": {s.dir}, "user": {"belfry"}, "sslmode": {"disable"}}
	return "postgres:///" + db + "?" + q.Encode()
}

func start(durable bool) *Server {
	s := &Server{}
	bin, err := binDir()
	if err != nil {
		s.err = err
		return s
	}
	s.pgc = filepath.Join(bin, "pg_ctl")
	if s.dir, err = os.MkdirTemp("", "pgtest"); err != nil {
		s.err = err
		return s
	}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			s.err = err
			return s
		}
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			s.err = err
			return s
		}
	}
	data := filepath.Join(s.dir, "data")
	if out, err := s.run(filepath.Join(bin, "initdb"), "-D", data, "-U", "belfry", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		s.err = fmt.Errorf("initdb: %v: %s", err, out)
		return s
	}
	// Durability is not what the tests check: no fsync makes them fast.
	opts := "-c listen_addresses='' -k " + s.dir + " -c max_connections=300"
	if !durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if out, err := s.run(s.pgc, "start", "-w", "-D", data, "-l", filepath.Join(s.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.err = fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	return s
}

func (s *Server) stop() {
	_, _ = s.run(s.pgc, "stop", "-m", "immediate", "-D", filepath.Join(s.dir, "data"))
	os.RemoveAll(s.dir)
}

func (s *Server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// binDir finds initdb and pg_ctl: on PATH, else the newest of Debian's
// /usr/lib/postgresql/<version>/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) == 0 {
		return "", errors.New("no pg_ctl on PATH nor in /usr/lib/postgresql/*/bin: install Debian's postgresql (bash scripts/ensure-postgres.sh)")
	}
	return filepath.Dir(dirs[0]), nil
}

func version(pgctl string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(pgctl))))
	return v
}

// unprivileged is the user the server runs as when the tests run as root.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and there is no postgres or nobody user to run PostgreSQL as")
}
