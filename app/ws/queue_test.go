package ws

import (
	"strings"
	"testing"
)

// texts lists the messages of frames, "<ping>" and "<close>" for control
// frames.
func texts(frames []outFrame) string {
	var out []string
	for _, f := range frames {
		switch f.kind {
		case framePing:
			out = append(out, "<ping>")
		case frameClose:
			out = append(out, "<close>")
		default:
			out = append(out, string(f.msg))
		}
	}
	return strings.Join(out, " ")
}

func coalescing(msg, catchUp string) outFrame {
	return outFrame{msg: []byte(msg), catchUp: []byte(catchUp)}
}

// TestQueueCoalescing: past the limit, the frames sent with SendCoalescing
// give way to the catch-up of the last of them, in its place; the others
// keep their order and the queue's bytes follow.
func TestQueueCoalescing(t *testing.T) {
	var q queue
	for _, f := range []outFrame{
		coalescing("toast1", "c1"), {msg: []byte("mute1")}, coalescing("toast2", "c2"),
		{msg: []byte("mute2")}, {msg: []byte("replay"), exempt: true},
	} {
		if fits, n := q.push(f, 1<<20); !fits || n != 0 {
			t.Fatalf("push %s: fits %v, coalesced %d", f.msg, fits, n)
		}
	}
	q.pushPing()
	if got, want := texts(q.frames), "<ping> toast1 mute1 toast2 mute2 replay"; got != want {
		t.Fatalf("queue %q, want %q", got, want)
	}
	// 6+5+6+5 bytes counted; the replay is not.
	if q.bytes != 22 {
		t.Fatalf("bytes %d, want 22", q.bytes)
	}
	fits, n := q.push(coalescing("toast3", "c3"), 25)
	if !fits || n != 3 {
		t.Fatalf("fits %v, coalesced %d, want true and 3", fits, n)
	}
	if got, want := texts(q.frames), "<ping> mute1 mute2 replay c3"; got != want {
		t.Fatalf("queue %q, want %q", got, want)
	}
	if q.bytes != 12 {
		t.Fatalf("bytes %d, want 12", q.bytes)
	}
	// A catch-up gives way to a later one; frames that cannot coalesce
	// overflow.
	if fits, n = q.push(coalescing("toast4", "c4"), 14); !fits || n != 2 || texts(q.frames) != "<ping> mute1 mute2 replay c4" {
		t.Fatalf("fits %v, coalesced %d, queue %q", fits, n, texts(q.frames))
	}
	if fits, _ = q.push(outFrame{msg: []byte("mute3")}, 14); fits {
		t.Fatal("a frame that cannot coalesce fitted past the limit")
	}
}

// TestQueueTake: batches in order, bounded in frames and bytes; a drained
// queue lets its slice go.
func TestQueueTake(t *testing.T) {
	var q queue
	for _, m := range []string{"aaaa", "bbbb", "cccc", "dddd", "eeeeeeeeee"} {
		q.push(outFrame{msg: []byte(m)}, 1<<20)
	}
	if !q.claimWriter() || q.claimWriter() {
		t.Fatal("claimWriter must start one writer")
	}
	var batch []outFrame
	for _, want := range []string{"aaaa bbbb", "cccc dddd", "eeeeeeeeee", ""} {
		batch = q.take(batch, 3, 8)
		if got := texts(batch); got != want {
			t.Fatalf("batch %q, want %q", got, want)
		}
		q.written(batch)
	}
	if q.frames != nil || q.writing || q.bytes != 0 {
		t.Fatalf("drained queue %+v, want no slice, no writer, no bytes", q)
	}
}
