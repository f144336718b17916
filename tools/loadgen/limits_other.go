//go:build !linux

package main

import (
	"errors"
	"syscall"
)

// raiseFileLimit is a no-op outside Linux: raise the limit with ulimit -n.
func raiseFileLimit() (uint64, error) {
	return 0, errors.New("not supported on this system: use ulimit -n")
}

// childAttr sets nothing outside Linux.
func childAttr() *syscall.SysProcAttr { return nil }
