package server_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/hooks"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/webhook"
)

// marker is in every piece of the owner's private data: notification
// titles, webhook names, token names, mutes, channel messages. No answer
// to anyone else may contain it.
const marker = "owner-private-7f3a9c"

// scene is the whole application with an owner (an administrator, so that
// the admin routes have an owner too), another plain user, and ways to
// make fresh objects of the owner's for each request, so that a request
// that changes or deletes one does not disturb the next.
type scene struct {
	*servertest.App
	t            testing.TB
	owner, other *app.User
	n            atomic.Int64
}

// hookURL is the webhooks' receiver: the discard port on loopback, where
// nothing listens, so a test delivery fails at once and stays local.
const hookURL = "http://127.0.0.1:9/hook"

func newScene(t testing.TB) *scene {
	t.Helper()
	s := &scene{App: servertest.New(t, servertest.WithConfig(func(c *app.Config) {
		c.Polling.RatePerSecond, c.Polling.Burst = 1e6, 1e6
		// The matrix signs in hundreds of times from one address; the
		// login limits have their own tests.
		c.Auth.LoginRatePerMinute, c.Auth.LoginBurst = 0, 1
		c.Auth.UsernameFailuresPerMinute, c.Auth.UsernameFailureBurst = 0, 1
	})), t: t}
	s.owner, s.other = s.User("owner", true), s.User("other", false)
	return s
}

func (s *scene) seq() int64 { return s.n.Add(1) }

// notification publishes an unread notification of the owner's.
func (s *scene) notification() string {
	s.t.Helper()
	res, err := s.Dispatcher.Notify(context.Background(), s.owner,
		&app.Event{Type: "job_failed", Title: fmt.Sprintf("%s notification %d", marker, s.seq()), Body: marker})
	if err != nil || len(res.Notifications) != 1 {
		s.t.Fatalf("notify: %+v, %v", res, err)
	}
	return res.Notifications[0].ID
}

// device subscribes a push device of the owner's (its name holds the
// marker; its endpoint is the discard port, where nothing listens) and
// returns its id.
func (s *scene) device() string {
	s.t.Helper()
	w := s.Do("POST", "/api/push/subscriptions", s.subscription(marker+" device"), servertest.Cookie(s.Session(s.owner)))
	var sub app.PushSubscription
	if err := json.Unmarshal(w.Body.Bytes(), &sub); err != nil || w.Code != http.StatusCreated {
		s.t.Fatalf("subscribe: %d %s", w.Code, w.Body)
	}
	return sub.ID
}

// subscription is the body that subscribes a fresh push device called name.
func (s *scene) subscription(name string) string {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf(`{"endpoint":"https://127.0.0.1:9/push/%d","keys":{"p256dh":%q,"auth":"AAAAAAAAAAAAAAAAAAAAAA"},"name":%q}`,
		s.seq(), base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()), name)
}

// mute stores a mute of the owner's.
func (s *scene) mute() string {
	s.t.Helper()
	m := &app.Mute{ID: apptest.NewID(), UserID: s.owner.ID, CreatedAt: time.Now().UTC(),
		Object: app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: fmt.Sprintf("%s-%d", marker, s.seq())}}
	if err := s.Mutes.CreateMute(context.Background(), m); err != nil {
		s.t.Fatal(err)
	}
	return m.ID
}

// token mints a client token of the owner's and returns its id.
func (s *scene) token() string {
	s.t.Helper()
	_, tok, err := s.Auth.CreateToken(context.Background(), s.owner.ID, fmt.Sprintf("%s token %d", marker, s.seq()), app.ScopeClient)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok.ID
}

// webhook creates a generic webhook of the owner's.
func (s *scene) webhook() string {
	s.t.Helper()
	ctx := context.Background()
	// A user has at most app.MaxWebhooksPerUser: clear the old ones.
	if hooks, err := s.Webhooks.Service.List(ctx, s.owner.ID); err != nil {
		s.t.Fatal(err)
	} else if len(hooks) >= app.MaxWebhooksPerUser-2 {
		for _, h := range hooks {
			if _, err := s.Webhooks.Service.Delete(ctx, s.owner.ID, h.ID); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	w, _, err := s.Webhooks.Service.Create(ctx, s.owner.ID, webhook.Input{
		Name: fmt.Sprintf("%s hook %d", marker, s.seq()), Kind: app.WebhookGeneric, URL: hookURL, Events: []string{"job.failed"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return w.ID
}

// room is a channel of the owner's with a message of theirs (it holds the
// marker; the channel's name and description are public) and a member
// the owner may moderate.
type room struct{ id, message, member string }

func (s *scene) room() room {
	s.t.Helper()
	ctx, n := context.Background(), s.seq()
	ch, err := s.Channels.CreateChannel(ctx, s.owner, fmt.Sprintf("room-%d", n), "")
	if err != nil {
		s.t.Fatal(err)
	}
	msg, err := s.Channels.Post(ctx, s.owner, ch.ID, marker+" message", "")
	if err != nil {
		s.t.Fatal(err)
	}
	member := s.User(fmt.Sprintf("member-%d", n), false)
	if _, err := s.Channels.Join(ctx, member, ch.ID); err != nil {
		s.t.Fatal(err)
	}
	return room{id: ch.ID, message: msg.ID, member: member.ID}
}

// bannedFrom bans a fresh user from the channel and returns their id.
func (s *scene) bannedFrom(channelID string) string {
	s.t.Helper()
	u := s.User(fmt.Sprintf("banned-%d", s.seq()), false)
	ctx := context.Background()
	if _, err := s.Channels.Join(ctx, u, channelID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.Channels.Ban(ctx, s.owner, channelID, u.ID, "spam"); err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

// victim is a fresh plain user for the admin routes to act on.
func (s *scene) victim() *app.User {
	s.t.Helper()
	return s.User(fmt.Sprintf("victim-%d", s.seq()), false)
}

// otherWebhook creates a webhook of the other user's, named with
// otherMarker.
func (s *scene) otherWebhook() string {
	s.t.Helper()
	w, _, err := s.Webhooks.Service.Create(context.Background(), s.other.ID, webhook.Input{
		Name: otherMarker, Kind: app.WebhookGeneric, URL: hookURL, Events: []string{"job.failed"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return w.ID
}

// route routes a fresh topic to the owner and returns the topic.
func (s *scene) route() string {
	s.t.Helper()
	topic := fmt.Sprintf("routed-%d", s.seq())
	if err := s.TopicRoutes.PutRoute(context.Background(), &app.Route{Topic: topic, Users: []string{"owner"}}); err != nil {
		s.t.Fatal(err)
	}
	return topic
}

// alerts is an Alertmanager (and Grafana) payload of one new firing alert.
func (s *scene) alerts() string {
	return fmt.Sprintf(`{"version":"4","status":"firing","receiver":"belfry","alerts":[{"status":"firing",`+
		`"labels":{"alertname":"DiskFull","severity":"warning"},"annotations":{"summary":"disk full"},`+
		`"startsAt":"2026-12-01T00:00:00Z","fingerprint":"f%d"}]}`, s.seq())
}

// mappedToken creates a client token of the owner's with a custom mapping.
func (s *scene) mappedToken() string {
	s.t.Helper()
	id := s.token()
	if _, _, err := s.Hooks.SaveMapping(context.Background(), s.owner.ID, id, hooks.MappingInput{
		Title: "{{.x}}", Sample: json.RawMessage(`{"x":"hello"}`)}); err != nil {
		s.t.Fatal(err)
	}
	return id
}
