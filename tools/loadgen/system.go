package main

import (
	"context"
	"net/http"
)

// system is a notification server under test, started fresh for every run
// of a workload. Belfry is the one the table is about; peers can implement
// it too.
type system interface {
	// Name labels the system's column in the table.
	Name() string
	// Prepare creates the recipients a workload needs: users recipients,
	// each with the credentials to listen, and a way to publish one
	// message to all of them at once. It is called once per run, before
	// any Listener or Publish.
	Prepare(ctx context.Context, users int) error
	// Listener returns the URL and handshake headers of a socket listening
	// as recipient user (0 ≤ user < users).
	Listener(user int) (url string, header http.Header)
	// Publish sends one message with title to every recipient and returns
	// once the server has accepted it.
	Publish(ctx context.Context, c *http.Client, title string) error
	// Decode classifies one frame a listener received.
	Decode(frame []byte) (kind frameKind, title string)
	// PID is the server's process id, for its resident memory.
	PID() int
	// Stop ends the server and reports the warnings and errors it logged,
	// by message.
	Stop() (logCounts map[string]int, err error)
}

// frameKind is what a received frame is.
type frameKind uint8

const (
	// frameMessage carries a message with its title (for /ws/notification/,
	// a notification frame with a notification object: a toast).
	frameMessage frameKind = iota
	// frameCountOnly carries no message: a notification frame whose
	// notification is null (only the unread count and reload_widget).
	frameCountOnly
	// frameReload is a count-only frame with reload_widget true: what a
	// client gets instead of frames the server gave up on.
	frameReload
	// frameOther is anything else: another type, or not JSON.
	frameOther
	// frameControl is a frame of the protocol that carries no message and
	// is not counted (ntfy's open and keepalive events).
	frameControl
)

// systemOptions configure a system started for one run.
type systemOptions struct {
	Durability string   // database durability: full or normal
	SendBuffer int      // websocket.send_buffer, 0: the server's default
	Env        []string // extra KEY=VALUE for the server
	Keep       bool     // keep the run's directory (database, log)
}

// starter starts a system for one run.
type starter func(ctx context.Context, o systemOptions) (system, error)
