package main

import "syscall"

// raiseFileLimit lifts the soft limit on open files to the hard limit. It is
// set explicitly (Go raises its own soft limit at start but restores the old
// one for children) so that the server started by the generator inherits it:
// 1,000 sockets are 1,000 descriptors on each side.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}

// childAttr makes the kernel stop a server under test when the generator
// dies, so an interrupted run leaves no server behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
