//go:build race

package main

// raceEnabled mirrors -race into the belfry binary the test builds, so the
// build reuses the packages `go test -race` has compiled.
const raceEnabled = true
