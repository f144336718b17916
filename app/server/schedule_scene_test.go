package server_test

import (
	"context"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

// scheduled makes a fresh event of the owner's for an hour from now, on
// ntfy topic "backups", titled with the marker, and returns its id.
func (s *scene) scheduled() string {
	s.t.Helper()
	ev := &app.Event{Type: "job_failed", Title: fmt.Sprintf("%s later %d", marker, s.seq()), ServiceID: "backups"}
	e, err := s.Schedule.Schedule(context.Background(), s.owner, false, ev, s.Clock.Now().Add(time.Hour))
	if err != nil {
		s.t.Fatal(err)
	}
	return e.ID
}
