// Package faults holds the tests that check Belfry's promises under faults
// a unit test cannot produce: a power loss (the database on a faultfs mount
// that discards every unsynced write), a full disk (the database on a small
// tmpfs) and a write-ahead log that grows while a long reader holds a
// snapshot; and an operator's mistakes: a second server on the same
// database, files other users could read. Each test runs the real belfry
// binary as a separate process and talks to it only through its command
// line, its files and its HTTP API, as an operator and a publisher would.
//
// The fault tests need root (to mount); without it, or without /dev/fuse for
// the power-loss test, they skip and say why (scripts/faults.sh adds a
// banner). They build the binary from this
// module unless BELFRY_BIN names one. BELFRY_FAULTS_TRIALS sets the number
// of power-loss trials per durability (default 3).
package faults
