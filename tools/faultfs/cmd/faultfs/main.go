// Command faultfs mounts a backing directory through package faultfs, for
// trying power loss by hand:
//
//	faultfs [-debug] [-sync-backing] BACKING MOUNTPOINT
//
// It serves until SIGINT or SIGTERM, then unmounts. SIGUSR1 cuts the power:
// every unsynced change is discarded, the loss is printed, and the mount
// refuses I/O until faultfs is stopped and started again. Needs root and
// /dev/fuse.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/belfry/belfry/tools/faultfs"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "faultfs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("faultfs", flag.ContinueOnError)
	debug := fl.Bool("debug", false, "log every FUSE request")
	syncBacking := fl.Bool("sync-backing", false, "fdatasync backing files on every sync")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 2 {
		return fmt.Errorf("usage: faultfs [-debug] [-sync-backing] BACKING MOUNTPOINT")
	}
	if err := faultfs.Available(); err != nil {
		return err
	}
	fsys, err := faultfs.Mount(fl.Arg(0), fl.Arg(1), faultfs.Options{Debug: *debug, SyncBacking: *syncBacking})
	if err != nil {
		return err
	}
	fmt.Printf("faultfs: %s mounted on %s (pid %d: kill -USR1 cuts the power)\n", fl.Arg(0), fl.Arg(1), os.Getpid())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1)
	for s := range sig {
		if s != syscall.SIGUSR1 {
			break
		}
		loss := fsys.PowerCut()
		fmt.Printf("faultfs: power cut: %d unsynced bytes in %d files discarded; I/O now fails until restart\n", loss.Bytes, loss.Files)
	}
	return fsys.Unmount()
}
