package main

import (
	"os"
	"syscall"
)

// datasync makes f's data durable without its times (fdatasync(2)).
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
