package apptest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Sample returns the value of series ("name" or `name{label="v"}`) in a
// Prometheus text exposition, -1 when absent.
func Sample(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// Scrape returns the exposition h serves.
func Scrape(t testing.TB, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// WantSamples checks that the exposition of h has every series of want
// with its value.
func WantSamples(t testing.TB, h http.Handler, want map[string]float64) {
	t.Helper()
	text := Scrape(t, h)
	for series, v := range want {
		if got := Sample(text, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
}
