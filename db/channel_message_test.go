package db

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// post stores a message of u with its channel_message event.
func post(t testing.TB, s *ChannelStore, channelID string, u *app.User, content string) *app.Message {
	t.Helper()
	m := &app.Message{ID: newID(), ChannelID: channelID, UserID: u.ID, Content: content}
	ev := event("channel_message", map[string]any{"message_id": m.ID, "content": content})
	ev.MessageID = m.ID
	if err := s.CreateMessage(context.Background(), m, app.ChannelWrite{ActorID: u.ID, Event: ev}); err != nil {
		t.Fatalf("post %q: %v", content, err)
	}
	if m.Seq != ev.Seq {
		t.Fatalf("message seq %d, event seq %d", m.Seq, ev.Seq)
	}
	return m
}

func TestChannelStore_CreateMessage(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "general")
	other := mustChannel(t, s, alice, "other")
	first := post(t, s, ch.ID, alice, "hello")
	t.Run("OK", func(t *testing.T) {
		got, err := s.FindMessage(ctx, ch.ID, first.ID)
		if err != nil || got.Content != "hello" || got.Seq != 1 || got.Username != "alice" || got.UserID != alice.ID ||
			!got.CreatedAt.Equal(clock.Now()) || got.EditedAt != nil || got.ParentMessageID != "" {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("Reply", func(t *testing.T) {
		m := &app.Message{ChannelID: ch.ID, UserID: alice.ID, Content: "re", ParentMessageID: first.ID}
		if err := s.CreateMessage(ctx, m, app.ChannelWrite{ActorID: alice.ID, Event: event("message_reply", nil)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindMessage(ctx, ch.ID, m.ID); got.ParentMessageID != first.ID || got.Seq != 2 {
			t.Fatalf("reply %+v", got)
		}
	})
	t.Run("ErrParentOtherChannel", func(t *testing.T) {
		m := &app.Message{ChannelID: other.ID, UserID: alice.ID, Content: "re", ParentMessageID: first.ID}
		ev := event("message_reply", nil)
		wantKind(t, s.CreateMessage(ctx, m, app.ChannelWrite{ActorID: alice.ID, Event: ev}), app.EINVALID)
		if ev.Seq != 0 {
			t.Fatal("a refused reply took a sequence number")
		}
	})
	t.Run("ErrParentUnknown", func(t *testing.T) {
		m := &app.Message{ChannelID: ch.ID, UserID: alice.ID, Content: "re", ParentMessageID: missingID}
		wantKind(t, s.CreateMessage(ctx, m, app.ChannelWrite{ActorID: alice.ID}), app.EINVALID)
	})
	t.Run("ErrContent", func(t *testing.T) {
		wantKind(t, s.CreateMessage(ctx, &app.Message{ChannelID: ch.ID, UserID: alice.ID, Content: " "}, app.ChannelWrite{ActorID: alice.ID}), app.EINVALID)
	})
	t.Run("ErrCheck", func(t *testing.T) {
		m := &app.Message{ChannelID: ch.ID, UserID: alice.ID, Content: "no"}
		wantKind(t, s.CreateMessage(ctx, m, app.ChannelWrite{ActorID: alice.ID, Check: refuse}), app.EFORBIDDEN)
		_, err := s.FindMessage(ctx, ch.ID, m.ID)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrWrongChannel", func(t *testing.T) {
		_, err := s.FindMessage(ctx, other.ID, first.ID)
		wantKind(t, err, app.ENOTFOUND)
	})
}

func TestChannelStore_ListMessages(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "general")
	for _, c := range []string{"one", "two", "three", "four", "five"} {
		post(t, s, ch.ID, alice, c)
	}
	page, err := s.ListMessages(ctx, ch.ID, 0, 2)
	if err != nil || len(page) != 2 || page[0].Content != "five" || page[1].Content != "four" {
		t.Fatalf("first page %v, %v", page, err)
	}
	page, err = s.ListMessages(ctx, ch.ID, page[1].Seq, 10)
	if err != nil || len(page) != 3 || page[0].Content != "three" || page[2].Content != "one" {
		t.Fatalf("second page %v, %v", page, err)
	}
	if empty, err := s.ListMessages(ctx, missingID, 0, 10); err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("unknown channel %v, %v", empty, err)
	}
}

func TestChannelStore_UpdateMessage(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "general")
	m := post(t, s, ch.ID, alice, "helo")
	clock.Advance(time.Minute)
	ev := event("message_updated", nil)
	got, err := s.UpdateMessage(ctx, ch.ID, m.ID, "hello", app.ChannelWrite{ActorID: alice.ID, Event: ev})
	if err != nil || got.Content != "hello" || got.EditedAt == nil || !got.EditedAt.Equal(clock.Now()) || got.Seq != m.Seq || ev.Seq != 2 {
		t.Fatalf("got %+v, %v, seq %d", got, err, ev.Seq)
	}
	_, err = s.UpdateMessage(ctx, ch.ID, missingID, "x", app.ChannelWrite{ActorID: alice.ID})
	wantKind(t, err, app.ENOTFOUND)
	_, err = s.UpdateMessage(ctx, ch.ID, m.ID, "", app.ChannelWrite{ActorID: alice.ID})
	wantKind(t, err, app.EINVALID)
	_, err = s.UpdateMessage(ctx, ch.ID, m.ID, "no", app.ChannelWrite{ActorID: alice.ID, Check: refuse})
	wantKind(t, err, app.EFORBIDDEN)
}

func TestChannelStore_DeleteMessage(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "general")
	secret := post(t, s, ch.ID, alice, "my password is hunter2")
	kept := post(t, s, ch.ID, alice, "kept")
	ev := event("message_deleted", map[string]any{"message_id": secret.ID})
	ev.MessageID = secret.ID
	if err := s.DeleteMessage(ctx, ch.ID, secret.ID, app.ChannelWrite{ActorID: alice.ID, Event: ev}); err != nil || ev.Seq != 3 {
		t.Fatalf("delete: %v, seq %d", err, ev.Seq)
	}
	_, err := s.FindMessage(ctx, ch.ID, secret.ID)
	wantKind(t, err, app.ENOTFOUND)
	evs := storedEvents(t, s, ch.ID, 0)
	contents := make([]any, len(evs))
	for i, e := range evs {
		var data map[string]any
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatal(err)
		}
		contents[i] = data["content"]
	}
	if len(evs) != 3 || contents[0] != "" || contents[1] != "kept" || contents[2] != nil {
		t.Fatalf("stored contents %v, want the deleted text blanked and the rest untouched", contents)
	}
	if _, err := s.FindMessage(ctx, ch.ID, kept.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DeleteMessage(ctx, ch.ID, secret.ID, app.ChannelWrite{ActorID: alice.ID}), app.ENOTFOUND)
	wantKind(t, s.DeleteMessage(ctx, ch.ID, kept.ID, app.ChannelWrite{ActorID: alice.ID, Check: refuse}), app.EFORBIDDEN)
}

// TestChannelStore_AuthorDeleted checks that messages outlive their
// author's account with a null author.
func TestChannelStore_AuthorDeleted(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ch := mustChannel(t, s, alice, "general")
	join(t, s, ch.ID, bob)
	m := post(t, s, ch.ID, bob, "bye")
	if err := NewUserStore(d).DeleteUser(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindMessage(ctx, ch.ID, m.ID)
	if err != nil || got.UserID != "" || got.Username != "" || got.Content != "bye" {
		t.Fatalf("got %+v, %v", got, err)
	}
}
