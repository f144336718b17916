//go:build !race

package main

// raceEnabled mirrors -race into the belfry binary the test builds.
const raceEnabled = false
