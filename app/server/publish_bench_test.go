package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// BenchmarkPublish measures the whole publish path over real HTTP on
// loopback: auth, validation, preferences, the group-commit insert and the
// bus, at concurrency 8 and 64 in both durability modes. It reports
// notifications/s and commits per request (servertest.BenchPublish).
func BenchmarkPublish(b *testing.B) {
	for _, durability := range []string{"full", "normal"} {
		for _, workers := range []int{8, 64} {
			b.Run(fmt.Sprintf("durability=%s/concurrency=%d", durability, workers), func(b *testing.B) {
				benchmarkPublish(b, durability, workers)
			})
		}
	}
}

func benchmarkPublish(b *testing.B, durability string, workers int) {
	s := servertest.New(b, servertest.WithConfig(func(c *app.Config) { c.Database.Durability = durability }))
	secret := s.TokenFor("admin", true, app.ScopePublish)
	body := []byte(`{"type":"job_completed","title":"Backup finished","body":"3.2 GB in 41 s","service_id":"backup","project":"home"}`)
	s.BenchPublish(b, workers, func(int64) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		return req
	})
}
