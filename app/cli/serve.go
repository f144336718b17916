package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/server"
)

func (r *runner) serve(ctx context.Context, args []string) error {
	fs := r.flags("serve", "[--config FILE]",
		"Run the hub: open and migrate the database, create the first admin, and answer HTTP on\n"+
			"server.listen until interrupted (SIGINT or SIGTERM), then shut down gracefully.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, r.stderr)
	// While serve runs it holds the database's lock file: a second serve on
	// the same database refuses to start, and belfry restore refuses to
	// replace the database under it.
	// On PostgreSQL there is no file to lock: several replicas share the
	// database by design (docs/cluster.md).
	lock, err := lockServe(cfg.Database)
	if path := cfg.Database.Path; errors.Is(err, errLocked) {
		holder := lockHolder(path)
		if strings.HasPrefix(holder, "belfry restore") {
			return fmt.Errorf("database %s is being restored (%s holds %s): start serve again when the restore has finished",
				path, holder, lockPath(path))
		}
		return fmt.Errorf("database %s is in use by %s, which holds %s: only one belfry serve may use a database; stop that one first, or give this one its own database.path",
			path, holder, lockPath(path))
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	// Listen first: a taken port fails before anything is created.
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Server.Listen, err)
	}
	mln, err := server.ListenMetrics(cfg.Metrics)
	if err != nil {
		ln.Close()
		return err
	}
	s, err := server.New(ctx, cfg, logger, server.WithVersion(r.version))
	if err != nil {
		ln.Close()
		if mln != nil {
			mln.Close()
		}
		if app.ErrorKind(err) == app.EINVALID { // a setting that only start-up can check
			return &UsageError{Err: placeConfigError(err, r.configPath(fs), r.environ)}
		}
		return err
	}
	if s.AdminPassword != "" {
		fmt.Fprintf(r.stdout, "Created user %q with password: %s (change it with: belfry user passwd %s)\n",
			auth.AdminUsername, s.AdminPassword, auth.AdminUsername)
	}
	if mln != nil {
		s.ServeMetrics(mln)
		fmt.Fprintf(r.stdout, "Metrics on http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(r.stdout, "Belfry listening on http://%s\n", ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.Server.BaseURL, "version", r.version,
		"database", databaseName(cfg.Database))
	// Start-up allocates far more than serving needs — hashing the first
	// admin's password (argon2id, 19 MiB), parsing the migrations,
	// compressing the UI's assets — and the runtime would hold on to that
	// memory for minutes: an idle hub gives it back at once.
	debug.FreeOSMemory()
	go trimWhenIdle(ctx)
	return s.Serve(ctx, ln)
}
