package ws

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCheckOrigin(t *testing.T) {
	base := originOf("http://Belfry.LAN")
	if base != "http://belfry.lan:80" {
		t.Fatalf("originOf = %q", base)
	}
	cases := []struct {
		allowed, origin, host string
		bearer, ok            bool
	}{
		{base, "http://belfry.lan", "belfry.lan", false, true},
		{base, "http://belfry.lan:80", "belfry.lan", false, true},
		{base, "HTTP://BELFRY.LAN", "belfry.lan", false, true},
		{base, "https://belfry.lan", "belfry.lan", false, false},
		{base, "http://belfry.lan:8080", "belfry.lan", false, false},
		{base, "http://belfry.lan.evil.example", "belfry.lan", false, false},
		{base, "", "belfry.lan", false, false},
		{base, "", "belfry.lan", true, true},
		{base, "null", "belfry.lan", true, false},
		{originOf("https://belfry.example"), "https://belfry.example:443", "x", false, true},
		// Without a usable base URL the Origin must name the requested host.
		{"", "http://10.0.0.2:8080", "10.0.0.2:8080", false, true},
		{"", "http://evil.example", "10.0.0.2:8080", false, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "http://"+tc.host+"/ws/", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		c := &Conn{}
		if tc.bearer { // a token or a password in the request (ConnInfo.Presented)
			c.presented = true
		}
		r = r.WithContext(withConn(r.Context(), c))
		if got := checkOrigin(tc.allowed, r); got != tc.ok {
			t.Errorf("checkOrigin(%q, Origin %q, bearer %v) = %v, want %v", tc.allowed, tc.origin, tc.bearer, got, tc.ok)
		}
	}
	if originOf("ftp://x") != "" || originOf("/relative") != "" || originOf("") != "" {
		t.Error("originOf accepted a URL that is not http(s)")
	}
}
