package server_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
)

// objectNotification publishes an unread notification of the owner's about
// an object of its own, which "Mute this" can mute.
func (s *scene) objectNotification() string {
	s.t.Helper()
	res, err := s.Dispatcher.Notify(context.Background(), s.owner, &app.Event{Type: "job_failed",
		Title:  fmt.Sprintf("%s object notification %d", marker, s.seq()),
		Object: &app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: fmt.Sprintf("obj-%d", s.seq())}})
	if err != nil || len(res.Notifications) != 1 {
		s.t.Fatalf("notify: %+v, %v", res, err)
	}
	return res.Notifications[0].ID
}

// passwordChange gives the owner and the other user apptest.Password
// again and returns the body of a change from it to a fresh one: the UI's
// form, or the API's JSON.
func (s *scene) passwordChange(form bool) string {
	s.t.Helper()
	for _, u := range []*app.User{s.owner, s.other} {
		if err := s.Auth.SetPassword(context.Background(), u.Username, apptest.Password, false); err != nil {
			s.t.Fatal(err)
		}
	}
	next := fmt.Sprintf("changed password %d", s.seq())
	if form {
		return url.Values{"current": {apptest.Password}, "password": {next}, "confirm": {next}}.Encode()
	}
	return fmt.Sprintf(`{"current_password":%q,"password":%q}`, apptest.Password, next)
}
