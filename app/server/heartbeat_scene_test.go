package server_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/belfry/belfry/app/heartbeat"
)

// heartbeat makes a fresh check of the owner's, named with the marker,
// and returns its id and ping key.
func (s *scene) heartbeat() (id, key string) {
	s.t.Helper()
	name := fmt.Sprintf("%s check %d", marker, s.seq())
	period := int64(3600)
	h, err := s.Heartbeats.Create(context.Background(), s.owner.ID, heartbeat.Input{Name: &name, PeriodSeconds: &period})
	if err != nil {
		s.t.Fatal(err)
	}
	_, key, _ = strings.Cut(s.Heartbeats.PingURL(h.Key), "/ping/")
	return h.ID, key
}

func (s *scene) heartbeatID() string {
	id, _ := s.heartbeat()
	return id
}

// pingPath is the ping URL path of a fresh check, plus suffix.
func pingPath(suffix string) func(*scene) request {
	return func(s *scene) request {
		_, key := s.heartbeat()
		return request{path: "/ping/" + key + suffix}
	}
}
