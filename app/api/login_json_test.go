package api_test

import "testing"

// TestLoginJSONBodyAnswersJSON: a JSON body is a JSON client, whatever its
// Accept header says (curl sends */*): it gets JSON, never a redirect.
func TestLoginJSONBodyAnswersJSON(t *testing.T) {
	h := newHarness(t)
	for _, accept := range []string{"", "*/*", "text/html"} {
		opts := []reqOpt{header("Content-Type", "application/json")}
		if accept != "" {
			opts = append(opts, header("Accept", accept))
		}
		rec := h.do("POST", "/login", `{"username":"alice","password":"`+password+`"}`, opts...)
		wantJSON(t, rec, 200, `{"id":"`+h.alice.ID+`","username":"alice"}`)
		sessionCookie(t, rec)
		msg := wantError(t, h.do("POST", "/login", `{"username":"alice","password":"wrong password"}`, opts...), 401, "UNAUTHENTICATED")
		if msg != "Wrong username or password." {
			t.Fatalf("Accept %q: message %q", accept, msg)
		}
	}
}
