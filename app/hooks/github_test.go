package hooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// The GitHub payloads below are written after the samples of GitHub's
// webhook events documentation (octokit/webhooks payload examples),
// shortened to the fields a receiver reads.

const githubRepo = `"repository": {"id": 186853002, "name": "Hello-World", "full_name": "Codertocat/Hello-World",
	"private": false, "html_url": "https://github.com/Codertocat/Hello-World", "default_branch": "master"},
	"sender": {"login": "Codertocat", "id": 21031067, "type": "User"}`

const githubPing = `{"zen": "Keep it logically awesome.", "hook_id": 109948940,
	"hook": {"type": "Repository", "id": 109948940, "name": "web", "active": true, "events": ["push", "pull_request"],
	"config": {"content_type": "json", "url": "https://belfry.home.arpa/api/v1/hooks/github", "insecure_ssl": "0"}}, ` + githubRepo + `}`

const githubPush = `{"ref": "refs/heads/main", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
	"after": "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "created": false, "deleted": false, "forced": false,
	"compare": "https://github.com/Codertocat/Hello-World/compare/6113728f27ae...ec26c3e57ca3",
	"commits": [
	  {"id": "32c457ac10563a7d2913916625db5526cde7b771", "message": "Update README.md\n\nLonger text", "url": "https://github.com/Codertocat/Hello-World/commit/32c457ac", "author": {"name": "Codertocat", "email": "c@example.com"}},
	  {"id": "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "message": "Fix the build", "url": "https://github.com/Codertocat/Hello-World/commit/ec26c3e5", "author": {"name": "Monalisa", "email": "m@example.com"}}
	],
	"pusher": {"name": "Codertocat", "email": "c@example.com"}, ` + githubRepo + `}`

// githubSign is X-Hub-Signature-256 of body under secret, computed here
// with the standard library as GitHub documents it.
func githubSign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// github sends a delivery as GitHub does: the token in ?token=, the event
// in X-GitHub-Event, JSON.
func (h *harness) github(event, body string, headers ...string) reply {
	h.t.Helper()
	return h.send(http.MethodPost, "/api/v1/hooks/github?token="+h.token, "application/json", body,
		append([]string{"X-GitHub-Event", event, "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
			"User-Agent", "GitHub-Hookshot/044aadd"}, headers...)...)
}

func TestGitHubPing(t *testing.T) {
	h := newHarness(t)
	if r := h.ok(h.github("ping", githubPing)); !strings.Contains(r.Ignored, "ping") {
		t.Errorf("ping answer %+v", r)
	}
}

// TestGitHubPush: a push says who pushed how many commits where, lists
// them and links to the comparison; the form encoding GitHub uses by
// default works the same.
func TestGitHubPush(t *testing.T) {
	h := newHarness(t)
	res := h.accepted(h.github("push", githubPush), 1)
	n, data := h.notification(res.Notifications[0].ID)
	if n.Title != "Codertocat/Hello-World: Codertocat pushed 2 commits to main" || n.Level != app.LevelInfo ||
		n.TargetURL != "https://github.com/Codertocat/Hello-World/compare/6113728f27ae...ec26c3e57ca3" ||
		n.Body != "32c457a Update README.md (Codertocat)\nec26c3e Fix the build (Monalisa)" ||
		n.ServiceID != "github" || n.Format != app.FormatText {
		t.Errorf("%+v", n)
	}
	if data["event"] != "push" || data["delivery"] != "72d3162e-cc78-11e3-81ab-4c9367dc0958" || data["repository"] != "Codertocat/Hello-World" ||
		data["sender"] != "Codertocat" || data["source"] != "github" {
		t.Errorf("data %v", data)
	}
	if n.Object == nil || n.Object.ObjectID != "Codertocat/Hello-World" {
		t.Errorf("object %+v", n.Object)
	}
	form := "payload=" + url.QueryEscape(githubPush)
	r := h.send(http.MethodPost, "/api/v1/hooks/github?token="+h.token, "application/x-www-form-urlencoded", form, "X-GitHub-Event", "push")
	res = h.accepted(r, 1)
	if m, _ := h.notification(res.Notifications[0].ID); m.Title != n.Title {
		t.Errorf("form-encoded push titled %q", m.Title)
	}
}

// TestGitHubEvents: each event Belfry notifies, with its title, level and
// link; the actions it does not notify answer 200 with why.
func TestGitHubEvents(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		event, body string
		title       string
		level       app.Level
		link        string
	}{
		{"pull_request", `{"action": "opened", "number": 2, "pull_request": {"number": 2, "title": "Update the README with new information.",
			"body": "This is a pretty simple change that we need to pull into master.", "html_url": "https://github.com/Codertocat/Hello-World/pull/2",
			"merged": false, "user": {"login": "Codertocat"}}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: pull request #2 opened: Update the README with new information.", app.LevelInfo, "https://github.com/Codertocat/Hello-World/pull/2"},
		{"pull_request", `{"action": "closed", "number": 2, "pull_request": {"number": 2, "title": "Update the README", "merged": true,
			"html_url": "https://github.com/Codertocat/Hello-World/pull/2"}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: pull request #2 merged: Update the README", app.LevelInfo, "https://github.com/Codertocat/Hello-World/pull/2"},
		{"issues", `{"action": "opened", "issue": {"number": 1, "title": "Spelling error in the README file", "body": "It looks like you accidently spelled 'commit' with two 't's.",
			"html_url": "https://github.com/Codertocat/Hello-World/issues/1", "user": {"login": "Codertocat"}}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: issue #1 opened: Spelling error in the README file", app.LevelInfo, "https://github.com/Codertocat/Hello-World/issues/1"},
		{"release", `{"action": "published", "release": {"tag_name": "0.0.1", "name": "", "body": "First!", "prerelease": false,
			"html_url": "https://github.com/Codertocat/Hello-World/releases/tag/0.0.1"}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: release 0.0.1 published", app.LevelInfo, "https://github.com/Codertocat/Hello-World/releases/tag/0.0.1"},
		{"workflow_run", `{"action": "completed", "workflow": {"name": "test"}, "workflow_run": {"name": "CI", "display_title": "Fix the build",
			"head_branch": "main", "event": "push", "status": "completed", "conclusion": "failure", "run_number": 163,
			"html_url": "https://github.com/Codertocat/Hello-World/actions/runs/289782451", "actor": {"login": "Codertocat"}}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: workflow CI failed on main", app.LevelError, "https://github.com/Codertocat/Hello-World/actions/runs/289782451"},
		{"workflow_run", `{"action": "completed", "workflow_run": {"name": "CI", "head_branch": "main", "conclusion": "cancelled",
			"html_url": "https://github.com/Codertocat/Hello-World/actions/runs/2"}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: workflow CI was cancelled on main", app.LevelWarning, "https://github.com/Codertocat/Hello-World/actions/runs/2"},
		{"check_run", `{"action": "completed", "check_run": {"name": "Octocoders-linter", "status": "completed", "conclusion": "failure",
			"html_url": "https://github.com/Codertocat/Hello-World/runs/128620228", "output": {"title": "2 errors", "summary": "lint failed"},
			"check_suite": {"head_branch": "changes"}}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: check Octocoders-linter failed on changes", app.LevelError, "https://github.com/Codertocat/Hello-World/runs/128620228"},
		{"star", `{"action": "created", "starred_at": "2019-05-15T15:20:40Z", ` + githubRepo + `}`,
			"Codertocat/Hello-World: star created by Codertocat", app.LevelInfo, "https://github.com/Codertocat/Hello-World"},
		{"push", `{"ref": "refs/tags/simple-tag", "deleted": true, "commits": [], "pusher": {"name": "Codertocat"}, ` + githubRepo + `}`,
			"Codertocat/Hello-World: Codertocat deleted tag simple-tag", app.LevelInfo, "https://github.com/Codertocat/Hello-World"},
	} {
		res := h.accepted(h.github(c.event, c.body), 1)
		n, _ := h.notification(res.Notifications[0].ID)
		if n.Title != c.title || n.Level != c.level || n.TargetURL != c.link {
			t.Errorf("%s: %q %s %s; want %q %s %s", c.event, n.Title, n.Level, n.TargetURL, c.title, c.level, c.link)
		}
	}
	for event, body := range map[string]string{
		"pull_request": `{"action": "synchronize", "pull_request": {"number": 2}, ` + githubRepo + `}`,
		"workflow_run": `{"action": "requested", "workflow_run": {"name": "CI"}, ` + githubRepo + `}`,
		"check_run":    `{"action": "completed", "check_run": {"name": "lint", "conclusion": "success"}, ` + githubRepo + `}`,
		"release":      `{"action": "created", "release": {"tag_name": "1"}, ` + githubRepo + `}`,
	} {
		if r := h.ok(h.github(event, body)); !strings.Contains(r.Ignored, "not notified") && !strings.Contains(r.Ignored, "is notified when") {
			t.Errorf("%s: %+v", event, r)
		}
	}
}

// TestGitHubSignature: with a secret on the token, a delivery signed with
// it is published; an unsigned, wrongly signed or tampered one is 401.
func TestGitHubSignature(t *testing.T) {
	h := newHarness(t)
	tok := h.tokenID(h.token)
	const secret = "It's a Secret to Everybody"
	cookie := h.a.Session(h.alice)
	if r := h.send(http.MethodPut, "/api/tokens/"+tok+"/mapping", "application/json", `{"secret": "`+secret+`"}`,
		"Cookie", "belfry_session="+cookie, "Origin", h.a.URL); r.status != http.StatusOK {
		t.Fatalf("set the secret: %d %s", r.status, r.body)
	}
	h.accepted(h.github("push", githubPush, "X-Hub-Signature-256", githubSign(secret, githubPush)), 1)
	form := "payload=" + url.QueryEscape(githubPush)
	r := h.send(http.MethodPost, "/api/v1/hooks/github?token="+h.token, "application/x-www-form-urlencoded", form,
		"X-GitHub-Event", "push", "X-Hub-Signature-256", githubSign(secret, form))
	h.accepted(r, 1)

	for name, sig := range map[string]string{
		"missing":     "",
		"wrong key":   githubSign("another secret", githubPush),
		"tampered":    githubSign(secret, strings.Replace(githubPush, "main", "master", 1)),
		"sha1":        "sha1=" + strings.Repeat("0", 40),
		"not hex":     "sha256=zz",
		"upper sha":   strings.Replace(githubSign(secret, githubPush), "sha256=", "SHA256=", 1),
		"short":       githubSign(secret, githubPush)[:40],
		"whitespaces": "sha256= ",
	} {
		want := "does not match"
		switch name {
		case "missing":
			want = "is missing"
		case "sha1", "not hex", "upper sha", "short", "whitespaces":
			want = "must be sha256="
		}
		h.refused(name, h.github("push", githubPush, "X-Hub-Signature-256", sig), http.StatusUnauthorized, want)
	}
	if n := h.count(h.alice); n != 2 {
		t.Errorf("%d notifications, want the 2 signed ones", n)
	}
}

// TestGitHubBadInput: what GitHub never sends is a clear 400.
func TestGitHubBadInput(t *testing.T) {
	h := newHarness(t)
	for name, c := range map[string]struct {
		event, contentType, body, want string
	}{
		"no event":     {"", "application/json", githubPush, "X-GitHub-Event header must name the event"},
		"bad event":    {"Push!", "application/json", githubPush, "X-GitHub-Event header must name the event"},
		"not JSON":     {"push", "application/json", "{", "not valid JSON"},
		"no payload":   {"push", "application/x-www-form-urlencoded", "data=1", "payload field"},
		"bad form":     {"push", "application/x-www-form-urlencoded", "payload=%zz", "payload field"},
		"wrong type":   {"push", "application/json", `{"commits": {}}`, "Field commits must be an array"},
		"number title": {"issues", "application/json", `{"action":"opened","issue":{"title":7}}`, "Field issue.title must be a string"},
	} {
		r := h.send(http.MethodPost, "/api/v1/hooks/github?token="+h.token, c.contentType, c.body, "X-GitHub-Event", c.event)
		h.refused(name, r, http.StatusBadRequest, c.want)
	}
}
