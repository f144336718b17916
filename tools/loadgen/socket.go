package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Titles of published messages: "lg <seq> <unix ns when sent>", so that a
// listener knows which message a frame is and how long it took, on the same
// host clock. Barrier messages are "lg-warm <n>".
const (
	titlePrefix = "lg "
	warmPrefix  = "lg-warm "
)

// messageTitle is the title of message seq sent at t.
func messageTitle(seq int, t time.Time) string {
	return titlePrefix + strconv.Itoa(seq) + " " + strconv.FormatInt(t.UnixNano(), 10)
}

// parseTitle returns the sequence number and send time of a message title.
func parseTitle(title string) (seq int, sent int64, ok bool) {
	rest, ok := strings.CutPrefix(title, titlePrefix)
	if !ok {
		return 0, 0, false
	}
	s, t, ok := strings.Cut(rest, " ")
	if !ok {
		return 0, 0, false
	}
	seq, err1 := strconv.Atoi(s)
	sent, err2 := strconv.ParseInt(t, 10, 64)
	return seq, sent, err1 == nil && err2 == nil
}

// socket is one listening WebSocket and what it received. Its fields are
// written by its reader goroutine only and read once the fleet has stopped.
type socket struct {
	user int // the recipient it listens as

	seqs      []int32 // message sequence numbers, in arrival order
	latencies []int64 // receive − send in ns, per message frame
	countOnly int     // notification frames without a message, reload false
	reloads   int     // … with reload_widget true
	other     int     // frames of other types, or foreign titles
	warm      atomic.Int32

	closeCode websocket.StatusCode // -1: not closed by the server
	readErr   error                // why reading ended before the fleet stopped
}

// fleet is the set of listening sockets of one run.
type fleet struct {
	sys     system
	sockets []*socket
	conns   []*websocket.Conn

	messages  atomic.Int64 // message frames received, every socket
	lastFrame atomic.Int64 // unix ns of the latest frame
	ended     atomic.Int64 // sockets whose reading ended early
	stopping  atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// dialFleet opens n sockets, spread over users round-robin, at most
// parallel handshakes at a time.
func dialFleet(ctx context.Context, sys system, n, users, parallel int) (*fleet, error) {
	f := &fleet{sys: sys, sockets: make([]*socket, n), conns: make([]*websocket.Conn, n)}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: parallel}}
	sem := make(chan struct{}, parallel)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		f.sockets[i] = &socket{user: i % users, closeCode: -1}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			url, header := sys.Listener(f.sockets[i].user)
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: header, HTTPClient: httpClient})
			if err != nil {
				status := ""
				if resp != nil {
					status = " (" + resp.Status + ")"
				}
				errs[i] = fmt.Errorf("socket %d: %w%s", i, err, status)
				return
			}
			c.SetReadLimit(1 << 20)
			f.conns[i] = c
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		f.stop()
		return nil, err
	}
	for i, c := range f.conns {
		f.wg.Add(1)
		go f.read(f.sockets[i], c)
	}
	return f, nil
}

// read is a socket's reader goroutine: it decodes and counts every frame.
func (f *fleet) read(s *socket, c *websocket.Conn) {
	defer f.wg.Done()
	var buf bytes.Buffer
	for {
		_, r, err := c.Reader(f.ctx)
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			if !f.stopping.Load() {
				s.closeCode = websocket.CloseStatus(err)
				s.readErr = err
				f.ended.Add(1)
			}
			return
		}
		now := time.Now().UnixNano()
		f.lastFrame.Store(now)
		f.count(s, buf.Bytes(), now)
	}
}

// count records one frame of s received at now.
func (f *fleet) count(s *socket, frame []byte, now int64) {
	kind, title := f.sys.Decode(frame)
	switch kind {
	case frameMessage:
		if seq, sent, ok := parseTitle(title); ok {
			s.seqs = append(s.seqs, int32(seq))
			s.latencies = append(s.latencies, now-sent)
			f.messages.Add(1)
		} else if strings.HasPrefix(title, warmPrefix) {
			s.warm.Add(1)
		} else {
			s.other++
		}
	case frameCountOnly:
		s.countOnly++
	case frameReload:
		s.reloads++
	case frameControl:
	default:
		s.other++
	}
}

// warmed reports how many sockets have received a barrier message.
func (f *fleet) warmed() int {
	k := 0
	for _, s := range f.sockets {
		if s.warm.Load() > 0 {
			k++
		}
	}
	return k
}

// stop closes every socket and waits for the readers; the sockets' records
// are complete afterwards.
func (f *fleet) stop() {
	f.stopping.Store(true)
	f.cancel()
	for _, c := range f.conns {
		if c != nil {
			_ = c.CloseNow()
		}
	}
	f.wg.Wait()
}
