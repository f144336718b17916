package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The floor is a server in the generator's own binary, started as a child
// process like the others: it does the least any server of these workloads
// must do, so its column is what this machine and this generator allow,
// whatever the server. It speaks the subset of ntfy's protocol the
// generator uses (POST /loadgen, GET /loadgen/ws, message and open events)
// for one topic, and sends each message to every subscriber as it comes,
// in the order the messages were accepted, from a goroutine of the
// subscriber's own that writes every frame waiting for it in one system
// call. It stores nothing, renders nothing, counts nothing.
//
// "floor fsync" writes each message to disk first, as durable servers do,
// in the cheapest form a disk offers: group commit of the messages that
// arrive during a sync, written over a file filled in advance (no block
// allocation, no size change) and made durable with one fdatasync per
// group. What separates a durable server's column from it is that server's
// own work: its database, rendering and checks.

// Environment of the floor's child process: its address and, for the
// durable floor, the directory of its file.
const (
	floorAddrEnv = "LOADGEN_FLOOR_ADDR"
	floorDirEnv  = "LOADGEN_FLOOR_DIR"
)

// floorFileBytes is the size of the durable floor's file; writes wrap around.
const floorFileBytes = 16 << 20

// startFloor returns the starter of floor servers, durable or not.
func startFloor(durable bool) starter {
	name := "floor"
	if durable {
		name = "floor fsync"
	}
	return func(ctx context.Context, o systemOptions) (system, error) {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		env := []string{floorAddrEnv + "=127.0.0.1:{port}"}
		if durable {
			env = append(env, floorDirEnv+"={dir}")
		}
		p, err := launchPeer(ctx, name, self, "LOADGEN_", nil, env, "/v1/health", nil, o.Keep)
		if err != nil {
			return nil, err
		}
		return ntfy{p}, nil
	}
}

// floorChild runs the floor when the process was started as one, and
// reports whether it was.
func floorChild() bool {
	addr := os.Getenv(floorAddrEnv)
	if addr == "" {
		return false
	}
	if err := serveFloor(addr, os.Getenv(floorDirEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen floor:", err)
		os.Exit(1)
	}
	return true
}

// floor is the floor server's state.
type floor struct {
	log *floorLog // nil: nothing stored

	mu   sync.Mutex // orders the messages: ids and the subscribers' queues
	next int
	subs map[*floorSub]struct{}
}

// floorSub is one subscriber: its frames, written by its own goroutine.
type floorSub struct {
	frames chan []byte
	gone   chan struct{} // the client left
	behind chan struct{} // its frames did not fit: it is disconnected
	once   sync.Once
}

// fallBehind disconnects s, which is too far behind to queue more frames,
// so that the generator counts it dropped instead of missing frames on a
// socket that stayed open.
func (s *floorSub) fallBehind() { s.once.Do(func() { close(s.behind) }) }

func serveFloor(addr, dir string) error {
	f := &floor{subs: map[*floorSub]struct{}{}}
	if dir != "" {
		l, err := openFloorLog(filepath.Join(dir, "messages"))
		if err != nil {
			return err
		}
		f.log = l
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"healthy":true}`)
	})
	mux.HandleFunc("GET /loadgen/ws", f.subscribe)
	mux.HandleFunc("POST /loadgen", f.publish)
	return http.ListenAndServe(addr, mux)
}

// floorMessage is the frame of one message, shaped as ntfy's.
type floorMessage struct {
	ID      string `json:"id"`
	Time    int64  `json:"time"`
	Event   string `json:"event"`
	Topic   string `json:"topic"`
	Message string `json:"message,omitempty"`
}

func (f *floor) publish(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if f.log != nil {
		if err := f.log.append(body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	f.mu.Lock()
	f.next++
	frame, _ := json.Marshal(floorMessage{ID: strconv.Itoa(f.next), Time: time.Now().Unix(), Event: "message", Topic: "loadgen", Message: string(body)})
	for s := range f.subs {
		select {
		case s.frames <- frame:
		default:
			s.fallBehind()
		}
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(frame)
}

var floorUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *floor) subscribe(w http.ResponseWriter, r *http.Request) {
	c, err := floorUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s := &floorSub{frames: make(chan []byte, 4096), gone: make(chan struct{}), behind: make(chan struct{})}
	open, _ := json.Marshal(floorMessage{ID: "open", Time: time.Now().Unix(), Event: "open", Topic: "loadgen"})
	if c.WriteMessage(websocket.TextMessage, open) != nil {
		c.Close()
		return
	}
	// The frames go out on the network connection directly, as many as
	// wait in one write: after the handshake only this goroutine writes
	// (the generator sends no pings, and the reader answers none).
	c.SetPingHandler(func(string) error { return nil })
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go func() { // the reader: it notices the client leave
		defer close(s.gone)
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	defer func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
		c.Close()
	}()
	nc := c.NetConn()
	buf := make([]byte, 0, floorWriteBytes)
	for {
		select {
		case frame := <-s.frames:
			buf = appendFrame(buf[:0], frame)
		more:
			for len(buf) < floorWriteBytes/2 {
				select {
				case frame := <-s.frames:
					buf = appendFrame(buf, frame)
				default:
					break more
				}
			}
			if _, err := nc.Write(buf); err != nil {
				return
			}
		case <-s.gone:
			return
		case <-s.behind:
			return
		}
	}
}

// floorWriteBytes bounds what one write carries (about).
const floorWriteBytes = 64 << 10

// appendFrame appends msg as an unmasked WebSocket text frame (RFC 6455
// §5.2), as a server sends it.
func appendFrame(buf, msg []byte) []byte {
	buf = append(buf, 0x81)
	switch n := len(msg); {
	case n < 126:
		buf = append(buf, byte(n))
	case n < 1<<16:
		buf = append(buf, 126, byte(n>>8), byte(n))
	default:
		buf = append(buf, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(buf, msg...)
}

// floorLog is the durable floor's file: a group commit over a file filled
// in advance.
type floorLog struct {
	file *os.File
	reqs chan floorWrite
}

type floorWrite struct {
	body []byte
	done chan error
}

func openFloorLog(path string) (*floorLog, error) {
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	for range floorFileBytes / len(zeros) {
		if _, err := file.Write(zeros); err != nil {
			return nil, err
		}
	}
	if err := file.Sync(); err != nil {
		return nil, err
	}
	l := &floorLog{file: file, reqs: make(chan floorWrite, 1024)}
	go l.loop()
	return l, nil
}

// append returns once body is on disk.
func (l *floorLog) append(body []byte) error {
	done := make(chan error, 1)
	l.reqs <- floorWrite{body: body, done: done}
	return <-done
}

// loop writes the messages waiting, syncs once and answers them all.
func (l *floorLog) loop() {
	var off int64
	var group []floorWrite
	for w := range l.reqs {
		group = append(group[:0], w)
	more:
		for {
			select {
			case w := <-l.reqs:
				group = append(group, w)
			default:
				break more
			}
		}
		var err error
		for _, w := range group {
			rec := append(w.body, '\n')
			if off+int64(len(rec)) > floorFileBytes {
				off = 0
			}
			if _, werr := l.file.WriteAt(rec, off); werr != nil {
				err = errors.Join(err, werr)
			}
			off += int64(len(rec))
		}
		if err == nil {
			err = datasync(l.file)
		}
		for _, w := range group {
			w.done <- err
		}
	}
}
