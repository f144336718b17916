// Command belfry is a self-hosted notification hub: run `belfry serve` to
// start it and `belfry --help` for the other commands. The command line
// itself lives in package app/cli.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/belfry/belfry/app/cli"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts the graceful shutdown, a second one
		// kills the process the default way.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "belfry: %s\n", cli.Reason(err))
	}
	os.Exit(cli.ExitCode(err))
}

// run runs the command line: exit status 0 for nil, 2 for a *cli.UsageError
// (bad usage or configuration), 1 for any other error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return cli.Run(ctx, args, stdout, stderr, version)
}
