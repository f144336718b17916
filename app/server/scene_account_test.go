package server_test

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app"
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
