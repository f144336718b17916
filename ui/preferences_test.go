package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPreferences(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	c := b.login("ann")
	ctx := context.Background()

	st, page := c.get("/preferences", false)
	if st != http.StatusOK {
		t.Fatalf("page: %d", st)
	}
	// The spec's defaults: rule_executed off, job_failed toast on, and the
	// configured type listed too.
	for _, want := range []string{
		`data-pref="rule_executed"`, `hx-put="/ui/preferences/backup_done"`, `A backup finished`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if !regexpMatch(`value="1" checked\s+hx-put="/ui/preferences/job_failed_toast"`, page) {
		t.Error("job_failed toast is not on by default")
	}
	if regexpMatch(`value="1" checked\s+hx-put="/ui/preferences/rule_executed"`, page) {
		t.Error("rule_executed in-app is on by default")
	}

	// Unchecking sends no value: the toggle turns off.
	st, row := c.send(http.MethodPut, "/ui/preferences/job_failed_toast", url.Values{})
	if st != http.StatusOK || !strings.HasPrefix(row, `<tr id="pref-job_failed">`) || !strings.Contains(row, "Saved") {
		t.Errorf("toggle off: %d\n%s", st, row)
	}
	p, _ := b.Preferences.Preferences(ctx, ann.ID)
	if v, ok := p["job_failed_toast"]; !ok || v {
		t.Errorf("stored %v", p)
	}
	// In-app off disables the toast switch.
	_, row = c.send(http.MethodPut, "/ui/preferences/job_failed", url.Values{})
	if !strings.Contains(row, `disabled`) {
		t.Errorf("toast switch not disabled with in-app off:\n%s", row)
	}
	if _, row = c.send(http.MethodPut, "/ui/preferences/job_failed", url.Values{"enabled": {"1"}}); strings.Contains(row, "disabled") {
		t.Error("toast switch still disabled with in-app on")
	}

	for key, form := range map[string]url.Values{
		"nope":                 {},
		"nope_toast":           {},
		"job_failed_toast_bad": {},
		"job_failed":           {"enabled": {"maybe"}},
	} {
		st, body := c.send(http.MethodPut, "/ui/preferences/"+key, form)
		wantAlert(t, st, body, http.StatusBadRequest, "")
		if key != "job_failed" && !strings.Contains(body, "Unknown preference") {
			t.Errorf("%s: %s", key, body)
		}
	}

	// Reset stores every default.
	st, rows := c.send(http.MethodDelete, "/ui/preferences", nil)
	if st != http.StatusOK || strings.Count(rows, "<tr ") != len(b.Types.All()) || !strings.Contains(rows, "reset to their defaults") {
		t.Errorf("reset: %d\n%s", st, rows)
	}
	p, _ = b.Preferences.Preferences(ctx, ann.ID)
	if !p["job_failed_toast"] || p["rule_executed"] {
		t.Errorf("after reset %v", p)
	}
}
