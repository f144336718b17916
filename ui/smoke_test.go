package ui

import "testing"

func TestSmoke(t *testing.T) {
	b := newBelfry(t)
	u := b.user("ann", true)
	tok := b.token(u)
	b.publish(tok, map[string]any{"type": "job_failed", "title": "<img src=x onerror=alert(1)>", "body": "**bold** <script>x</script>", "target_url": "https://example.com/x"})
	c := b.login("ann")
	for _, p := range []string{"/notifications", "/preferences", "/mutes", "/tokens", "/admin/users", "/ui/notifications?view=panel"} {
		st, body := c.get(p, false)
		t.Logf("%s %d %d bytes", p, st, len(body))
		if p == "/notifications" {
			t.Log(body)
		}
	}
}
