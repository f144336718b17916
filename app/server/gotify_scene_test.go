package server_test

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/db"
)

// gotifyMessage publishes a notification of the owner's and returns its
// Gotify path: prefix followed by its number.
func (s *scene) gotifyMessage(prefix string) string {
	s.t.Helper()
	n, _, err := db.NewNumberStore(s.DB).NotificationNumber(context.Background(), s.notification())
	if err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf("%s%d", prefix, n)
}

// gotifyApplication publishes a notification of the owner's on a topic of
// their own and returns the path of that Gotify application: prefix, its
// number, then suffix.
func (s *scene) gotifyApplication(prefix, suffix string) string {
	s.t.Helper()
	ctx := context.Background()
	topic := fmt.Sprintf("gotify-%d", s.seq())
	_, err := s.Dispatcher.Notify(ctx, s.owner, &app.Event{Type: "job_failed", Title: marker, ServiceID: topic})
	if err != nil {
		s.t.Fatal(err)
	}
	n, err := db.NewNumberStore(s.DB).TopicNumber(ctx, topic)
	if err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf("%s%d%s", prefix, n, suffix)
}

// gotifyClient mints a client token of the owner's and returns the path
// of that Gotify client.
func (s *scene) gotifyClient() string {
	s.t.Helper()
	ctx := context.Background()
	_, tok, err := s.Auth.CreateToken(ctx, s.owner.ID, "phone", app.ScopeClient)
	if err != nil {
		s.t.Fatal(err)
	}
	n, err := db.NewNumberStore(s.DB).TokenNumber(ctx, tok.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf("/client/%d", n)
}
