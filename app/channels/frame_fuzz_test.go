package channels_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/coder/websocket"
)

// FuzzClientFrame sends one fuzzed client frame over a real socket of
// /ws/channels/ of the whole application, then an unsubscribe the server
// must answer. Every frame the server sends is a control frame or an event
// of a channel the caller may read; an error is a 4xx code with a message,
// never INTERNAL; nothing of a channel the caller is not in (or is banned
// from) or of another user's stream ever arrives; a frame over the size
// limit closes the socket with 1009, any other leaves it open. In the input
// "CID" is the caller's channel, "FOREIGN" one they are not in, "BANNED"
// one they are banned from, "UID" the caller and "OUID" another user.
func FuzzClientFrame(f *testing.F) {
	const maxFrame = 512
	for _, s := range []string{
		`{"type":"subscribe","channel":"global"}`,
		`{"type":"subscribe","channel":"channel:CID"}`,
		`{"type":"subscribe","channel":"channel:CID","since":0}`,
		`{"type":"subscribe","channel":"channel:CID","since":2}`,
		`{"type":"subscribe","channel":"channel:CID","since":-1}`,
		`{"type":"subscribe","channel":"channel:CID","since":99999999999}`,
		`{"type":"subscribe","channel":"channel:FOREIGN","since":0}`,
		`{"type":"subscribe","channel":"channel:BANNED"}`,
		`{"type":"subscribe","channel":"user:UID"}`,
		`{"type":"subscribe","channel":"user:OUID"}`,
		`{"type":"unsubscribe","channel":"channel:CID"}`,
		`{"type":"typing","channel_id":"CID","is_typing":true}`,
		`{"type":"typing","channel_id":"FOREIGN","is_typing":false}`,
		`{"type":"typing","channel_id":"CID"}`,
		`{"type":"subscribe","channel":"CHANNEL:CID"}`, `{"type":"subscribe","channel":"channel:"}`,
		`{"type":"subscribe","since":"x"}`, `{"type":"nope"}`, `[]`, `null`, ``, `{"type":"subscribe"`,
		strings.Repeat("x", maxFrame), strings.Repeat("x", maxFrame+1),
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(`{"type":"subscribe","channel":"global"}`), true)
	a := servertest.New(f, servertest.WithConfig(func(c *app.Config) { c.WebSocket.MaxMessageBytes = maxFrame }))
	owner, other := a.User("owner", false), a.User("other", false)
	ctx := context.Background()
	mine := channel(f, a, owner, "mine", "my message")
	foreign := channel(f, a, other, "foreign", "foreign-secret")
	banned := channel(f, a, other, "banned", "banned-secret")
	if _, err := a.Channels.Join(ctx, owner, banned); err != nil {
		f.Fatal(err)
	}
	if _, err := a.Channels.Ban(ctx, other, banned, owner.ID, "fuzz"); err != nil {
		f.Fatal(err)
	}
	header := http.Header{"Authorization": {"Bearer " + a.Token(owner, app.ScopeClient)}}
	sentinel := `{"type":"unsubscribe","channel":"global"}`
	placeholders := strings.NewReplacer("CID", mine, "FOREIGN", foreign, "BANNED", banned, "OUID", other.ID, "UID", owner.ID)
	allowedCodes := []string{app.CodeInvalidParameter, app.CodeForbidden, app.CodeNotFound, app.CodeRateLimit, channels.CodeRecoveryFailed}
	readable := []string{"", "global", channels.ChannelStream(mine), channels.UserStream(owner.ID)}

	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		frame = []byte(placeholders.Replace(string(frame)))
		ws := apptest.Dial(t, a.URL+"/ws/channels/", header)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		wctx, cancel := context.WithTimeout(ctx, apptest.Guard)
		defer cancel()
		if err := ws.Conn.Write(wctx, typ, frame); err != nil {
			t.Fatalf("write: %v", err)
		}
		if len(frame) > maxFrame {
			if code := ws.CloseStatus(); code != websocket.StatusMessageTooBig {
				t.Fatalf("a frame of %d bytes closed the socket with %d, want 1009", len(frame), code)
			}
			return
		}
		ws.Send(sentinel)
		for {
			msg := ws.Next()
			var got struct {
				Type, Channel, Code, Message, Reason string
				Data                                 json.RawMessage
			}
			if err := json.Unmarshal(msg, &got); err != nil {
				t.Fatalf("after %q the server sent %s", frame, msg)
			}
			if strings.Contains(string(msg), "-secret") {
				t.Fatalf("after %q a frame leaks a channel the caller may not read: %s", frame, msg)
			}
			switch got.Type {
			case "error":
				if !slices.Contains(allowedCodes, got.Code) || got.Message == "" {
					t.Fatalf("after %q: error frame %s", frame, msg)
				}
				continue // an error may name any stream the client asked for
			case "subscribed", "unsubscribed":
			case channels.EventChannelMessage, channels.EventMessageReply, channels.EventMessageUpdated, channels.EventMessageDeleted,
				channels.EventMemberJoined, channels.EventMemberLeft, channels.EventMemberRoleUpdated, channels.EventUserBanned,
				channels.EventUserUnbanned, channels.EventUserKicked, channels.EventChannelCreated, channels.EventChannelUpdated,
				channels.EventChannelDeleted, channels.EventUserTyping:
			default:
				t.Fatalf("after %q the server sent a frame of type %q: %s", frame, got.Type, msg)
			}
			if !slices.Contains(readable, got.Channel) {
				t.Fatalf("after %q the server sent %s of a stream the caller may not read", frame, msg)
			}
			if string(msg) == `{"type":"unsubscribed","channel":"global","reason":"requested"}` {
				return
			}
		}
	})
}

// channel creates a channel of u with one message and returns its id.
func channel(f *testing.F, a *servertest.App, u *app.User, name, message string) string {
	f.Helper()
	ch, err := a.Channels.CreateChannel(context.Background(), u, name, "")
	if err != nil {
		f.Fatal(err)
	}
	for range 3 {
		if _, err := a.Channels.Post(context.Background(), u, ch.ID, message, ""); err != nil {
			f.Fatal(err)
		}
	}
	return ch.ID
}
