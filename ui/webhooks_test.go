package ui_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/ui"
)

// receiver is a webhook endpoint that records what it receives and answers
// with the status it is told.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	bodies []string
	heads  []http.Header
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{status: http.StatusNoContent}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(body))
		r.heads = append(r.heads, req.Header.Clone())
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "receiver says hi")
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

func (r *receiver) received() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// onlyWebhook returns the user's one webhook.
func (b *belfry) onlyWebhook(u *app.User) *app.Webhook {
	b.t.Helper()
	hs, err := b.webhooks().ListWebhooks(context.Background(), u.ID)
	if err != nil || len(hs) != 1 {
		b.t.Fatalf("webhooks of %s: %d, %v", u.Username, len(hs), err)
	}
	return hs[0]
}

func hookForm(kind, rawURL string, events ...string) url.Values {
	return url.Values{"kind": {kind}, "url": {rawURL}, "events": events}
}

func TestWebhooksCreate(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	c := b.login("ann")

	if st, page := c.get("/webhooks", false); st != http.StatusOK || !strings.Contains(page, "No webhooks yet") ||
		!strings.Contains(page, `value="job.failed" checked`) {
		t.Fatalf("empty page: %d\n%s", st, page)
	}
	if resp := b.anonymous().do(http.MethodGet, "/webhooks", nil, false); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("page without a session: %d", resp.StatusCode)
	}

	// A generic webhook without a name is named after its host and shows
	// its signing secret once.
	form := hookForm("generic", "https://ci.example/hooks/belfry?key=s3cret", "job.failed", "quota.warning")
	form.Set("auth", "basic")
	form.Set("auth_username", "ignored") // ntfy fields of another kind are ignored
	st, body := c.send(http.MethodPost, "/ui/webhooks", form)
	if st != http.StatusOK {
		t.Fatalf("create: %d\n%s", st, body)
	}
	w := b.onlyWebhook(ann)
	if w.Name != "ci.example" || w.Kind != app.WebhookGeneric || !w.Enabled || w.AuthUsername != "" || len(w.Events) != 2 || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Errorf("stored %+v", w)
	}
	if !strings.Contains(html.UnescapeString(body), `value="`+w.Secret+`"`) || !strings.Contains(body, `data-copy="#new-webhook-secret"`) ||
		!strings.Contains(body, `id="webhook-list" class="hooks" aria-label="Your webhooks" hx-swap-oob="true"`) {
		t.Errorf("no secret or list in:\n%s", body)
	}
	if strings.Contains(body, "s3cret") {
		t.Error("the URL's key is shown")
	}
	if _, page := c.get("/webhooks", false); strings.Contains(html.UnescapeString(page), w.Secret) || !strings.Contains(page, "key=redacted") {
		t.Error("the page shows the secret or the key")
	}

	// An ntfy webhook with basic authentication; the ui.Hostile name is text.
	form = hookForm("ntfy", "https://ntfy.example/alerts", "job.completed")
	form.Set("name", ui.Hostile)
	form.Set("auth", "basic")
	form.Set("auth_username", "ann")
	form.Set("auth_password", "pw")
	if st, body = c.send(http.MethodPost, "/ui/webhooks", form); st != http.StatusOK || !strings.Contains(body, "Webhook <strong>"+ui.Escaped+"</strong> added.") {
		t.Fatalf("ntfy: %d\n%s", st, body)
	}
	hs, _ := b.webhooks().ListWebhooks(context.Background(), ann.ID)
	if len(hs) != 2 || hs[1].AuthUsername != "ann" || hs[1].AuthPassword != "pw" || hs[1].Secret != "" {
		t.Errorf("ntfy stored %+v", hs[1])
	}
	if strings.Contains(body, `value="pw"`) {
		t.Error("the password is shown")
	}
}

func TestWebhooksCreateRefusesBadForms(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	c := b.login("ann")
	ntfy := func(auth ...string) url.Values {
		f := hookForm("ntfy", "https://ntfy.example/t", "job.failed")
		for i := 0; i+1 < len(auth); i += 2 {
			f.Set(auth[i], auth[i+1])
		}
		return f
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"no kind":       {hookForm("", "https://x.example/", "job.failed"), "kind must be"},
		"bad kind":      {hookForm("teams", "https://x.example/", "job.failed"), "kind must be"},
		"no url":        {hookForm("slack", "", "job.failed"), "url is required"},
		"ftp url":       {hookForm("slack", "ftp://x.example/", "job.failed"), "http or https"},
		"credentials":   {hookForm("generic", "https://u:p@x.example/", "job.failed"), "credentials"},
		"no events":     {hookForm("discord", "https://x.example/"), "at least one event"},
		"unknown event": {hookForm("discord", "https://x.example/", "job.exploded"), "Unknown webhook event"},
		"long name": {func() url.Values {
			f := hookForm("slack", "https://x.example/", "job.failed")
			f.Set("name", strings.Repeat("n", 101))
			return f
		}(), "at most 100"},
		"basic, no user":   {ntfy("auth", "basic", "auth_password", "pw"), "Enter the ntfy username"},
		"basic, no pw":     {ntfy("auth", "basic", "auth_username", "ann"), "Enter the ntfy password"},
		"token, empty":     {ntfy("auth", "token"), "Enter the ntfy access token"},
		"keep on create":   {ntfy("auth", "keep"), "Choose how Belfry signs in"},
		"bad auth":         {ntfy("auth", "kerberos"), "none, basic or token"},
		"colon in user":    {ntfy("auth", "basic", "auth_username", "a:b", "auth_password", "pw"), "colon"},
		"newline in token": {ntfy("auth", "token", "auth_token", "tk_a\nb"), "single lines"},
	} {
		st, body := c.send(http.MethodPost, "/ui/webhooks", tc.form)
		wantAlert(t, st, body, http.StatusBadRequest, tc.msg)
		if strings.Contains(body, "hx-swap-oob") {
			t.Errorf("%s: an error swaps the list", name)
		}
	}
	if hs, _ := b.webhooks().ListWebhooks(context.Background(), ann.ID); len(hs) != 0 {
		t.Errorf("%d webhooks stored from bad forms", len(hs))
	}

	// At most app.MaxWebhooksPerUser.
	for i := 0; i < app.MaxWebhooksPerUser; i++ {
		w := &app.Webhook{UserID: ann.ID, Kind: app.WebhookSlack, URL: fmt.Sprintf("https://x.example/%d", i), Events: []string{"job.failed"}, Enabled: true}
		if err := b.webhooks().CreateWebhook(context.Background(), w); err != nil {
			t.Fatal(err)
		}
	}
	st, body := c.send(http.MethodPost, "/ui/webhooks", hookForm("slack", "https://x.example/one-more", "job.failed"))
	wantAlert(t, st, body, http.StatusBadRequest, "the most allowed")
}

func TestWebhooksEditAndEnable(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	c := b.login("ann")
	ctx := context.Background()
	form := hookForm("ntfy", "https://ntfy.example/alerts", "job.failed")
	form.Set("auth", "token")
	form.Set("auth_token", "tk_first")
	if st, body := c.send(http.MethodPost, "/ui/webhooks", form); st != http.StatusOK {
		t.Fatalf("create: %d\n%s", st, body)
	}
	w := b.onlyWebhook(ann)
	path := "/ui/webhooks/" + w.ID

	// Empty URL and token keep theirs; events and name change.
	edit := url.Values{"name": {"phone"}, "events": {"job.completed", "quota.warning"}, "auth": {"token"}}
	st, body := c.send(http.MethodPut, path, edit)
	if st != http.StatusOK || !strings.Contains(body, `id="hook-`+w.ID+`"`) || !strings.Contains(body, "Webhook phone saved.") {
		t.Fatalf("edit: %d\n%s", st, body)
	}
	got := b.onlyWebhook(ann)
	if got.Name != "phone" || got.URL != w.URL || got.AuthToken != "tk_first" || strings.Join(got.Events, ",") != "job.completed,quota.warning" {
		t.Errorf("after edit %+v", got)
	}
	// Switching to basic needs the password; "none" clears; "keep" keeps.
	edit = url.Values{"events": {"job.failed"}, "auth": {"basic"}, "auth_username": {"ann"}}
	st, body = c.send(http.MethodPut, path, edit)
	wantAlert(t, st, body, http.StatusBadRequest, "Enter the ntfy password")
	edit.Set("auth_password", "pw")
	edit.Set("url", "https://ntfy.example/other")
	if st, body = c.send(http.MethodPut, path, edit); st != http.StatusOK {
		t.Fatalf("basic: %d\n%s", st, body)
	}
	if got = b.onlyWebhook(ann); got.AuthUsername != "ann" || got.AuthPassword != "pw" || got.AuthToken != "" || got.URL != "https://ntfy.example/other" || got.Name != "ntfy.example" {
		t.Errorf("after basic %+v", got)
	}
	if st, _ = c.send(http.MethodPut, path, url.Values{"events": {"job.failed"}, "auth": {"keep"}}); st != http.StatusOK || b.onlyWebhook(ann).AuthPassword != "pw" {
		t.Errorf("keep: %d", st)
	}
	if st, _ = c.send(http.MethodPut, path, url.Values{"events": {"job.failed"}}); st != http.StatusOK || b.onlyWebhook(ann).AuthPassword != "pw" {
		t.Errorf("no authentication choice: %d, want the credentials kept", st)
	}
	if st, _ = c.send(http.MethodPut, path, url.Values{"events": {"job.failed"}, "auth": {"none"}}); st != http.StatusOK || b.onlyWebhook(ann).AuthMode() != "none" {
		t.Errorf("none: %d", st)
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"kind":      {url.Values{"kind": {"slack"}, "events": {"job.failed"}}, "cannot change"},
		"no events": {url.Values{"auth": {"none"}}, "at least one event"},
		"bad url":   {url.Values{"url": {"gopher://x"}, "events": {"job.failed"}}, "http or https"},
	} {
		st, body := c.send(http.MethodPut, path, tc.form)
		wantAlert(t, st, body, http.StatusBadRequest, tc.msg)
		if strings.Contains(body, `id="hook-`) {
			t.Errorf("%s: an error renders the card", name)
		}
	}

	// Pause and resume; resuming clears a 410 reason.
	if st, body = c.send(http.MethodPut, path+"/enabled", url.Values{}); st != http.StatusOK || !strings.Contains(body, "card hook paused") {
		t.Errorf("pause: %d\n%s", st, body)
	}
	if b.onlyWebhook(ann).Enabled {
		t.Error("still enabled after pausing")
	}
	if err := b.webhooks().DisableWebhook(ctx, w.ID, "the receiver answered 410 Gone"); err != nil {
		t.Fatal(err)
	}
	if _, page := c.get("/webhooks", false); !strings.Contains(page, "Switched off: the receiver answered 410 Gone") {
		t.Error("the page does not say why the webhook is off")
	}
	if st, body = c.send(http.MethodPut, path+"/enabled", url.Values{"enabled": {"1"}}); st != http.StatusOK || strings.Contains(body, "paused") {
		t.Errorf("resume: %d\n%s", st, body)
	}
	if got = b.onlyWebhook(ann); !got.Enabled || got.DisabledReason != "" {
		t.Errorf("after resume %+v", got)
	}
	st, body = c.send(http.MethodPut, path+"/enabled", url.Values{"enabled": {"yes please"}})
	wantAlert(t, st, body, http.StatusBadRequest, "enabled must be 1")

	// Someone else's webhook, an unknown one and a malformed id.
	bobs := &app.Webhook{UserID: bob.ID, Kind: app.WebhookSlack, URL: "https://x.example/b", Events: []string{"job.failed"}, Enabled: true}
	if err := b.webhooks().CreateWebhook(ctx, bobs); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/ui/webhooks/" + bobs.ID, "/ui/webhooks/01900000-0000-7000-8000-000000000009"} {
		for _, r := range []struct{ method, suffix string }{
			{http.MethodPut, ""}, {http.MethodPut, "/enabled"}, {http.MethodDelete, ""}, {http.MethodPost, "/test"},
			{http.MethodPost, "/rotate-secret"}, {http.MethodGet, "/deliveries"},
		} {
			st, body := c.send(r.method, p+r.suffix, url.Values{"events": {"job.failed"}, "enabled": {"1"}})
			wantAlert(t, st, body, http.StatusNotFound, "Webhook not found.")
		}
	}
	st, body = c.send(http.MethodPut, "/ui/webhooks/nope/enabled", url.Values{})
	wantAlert(t, st, body, http.StatusBadRequest, "malformed")
	if got, _ := b.webhooks().FindWebhook(ctx, bob.ID, bobs.ID); !got.Enabled {
		t.Error("bob's webhook was changed")
	}
}

func TestWebhooksTestRotateLogAndDelete(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	c := b.login("ann")
	recv := newReceiver(t)
	st, body := c.send(http.MethodPost, "/ui/webhooks", hookForm("generic", recv.URL+"/hook", "job.failed"))
	if st != http.StatusOK {
		t.Fatalf("create: %d\n%s", st, body)
	}
	w := b.onlyWebhook(ann)
	path := "/ui/webhooks/" + w.ID

	// A test that arrives: the log opens with it, the flash says so.
	st, body = c.send(http.MethodPost, path+"/test", nil)
	if st != http.StatusOK || recv.received() != 1 {
		t.Fatalf("test: %d, %d received\n%s", st, recv.received(), body)
	}
	for _, want := range []string{`id="log-` + w.ID + `" open`, `class="tag st-delivered">Delivered`, "HTTP 204 in", `class="alert alert-success"`, "Test delivered to 127.0.0.1"} {
		if !strings.Contains(body, want) {
			t.Errorf("test answer lacks %q:\n%s", want, body)
		}
	}
	if h := recv.heads[0]; h.Get("Webhook-Signature") == "" || !strings.Contains(recv.bodies[0], "Test from Belfry") {
		t.Errorf("the receiver got %v %s", h, recv.bodies[0])
	}
	// A test that fails is logged as failed. The receiver is on loopback
	// and ann is no admin: its answer is not shown, and the log says why.
	recv.answer(http.StatusInternalServerError)
	st, body = c.send(http.MethodPost, path+"/test", nil)
	if st != http.StatusOK || !strings.Contains(body, `class="tag st-failed">Failed`) || !strings.Contains(body, `class="alert alert-error"`) ||
		strings.Contains(body, "receiver says hi") || !strings.Contains(body, "shown only to admins") {
		t.Errorf("failed test: %d\n%s", st, body)
	}

	// The log pages by delivery id, newest first.
	for i := 0; i < ui.LogPageSize; i++ {
		if _, _, err := b.Webhooks.Service.Test(context.Background(), ann, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	st, body = c.send(http.MethodGet, path+"/deliveries", nil)
	if n := strings.Count(body, `<tr class="delivery"`); st != http.StatusOK || n != ui.LogPageSize || !strings.Contains(body, "Load older") {
		t.Fatalf("first page: %d, %d rows\n%s", st, n, body)
	}
	more := regexp.MustCompile(`hx-get="(/ui/webhooks/[^"]+/deliveries\?before=[^"]+)"`).FindStringSubmatch(body)
	if more == nil {
		t.Fatal("no link to the older page")
	}
	st, body = c.send(http.MethodGet, strings.ReplaceAll(more[1], "&amp;", "&"), nil)
	if n := strings.Count(body, `<tr class="delivery"`); st != http.StatusOK || n != 2 || strings.Contains(body, "<table") || strings.Contains(body, "Load older") {
		t.Errorf("older page: %d, %d rows\n%s", st, n, body)
	}
	st, body = c.send(http.MethodGet, path+"/deliveries?before=yesterday", nil)
	wantAlert(t, st, body, http.StatusBadRequest, "malformed")

	// Rotating gives a new secret, shown once; other kinds have none.
	st, body = c.send(http.MethodPost, path+"/rotate-secret", nil)
	rotated, _ := b.webhooks().FindWebhook(context.Background(), ann.ID, w.ID)
	if st != http.StatusOK || rotated.Secret == w.Secret || !strings.Contains(html.UnescapeString(body), `value="`+rotated.Secret+`"`) {
		t.Errorf("rotate: %d\n%s", st, body)
	}
	slack := &app.Webhook{UserID: ann.ID, Kind: app.WebhookSlack, URL: "https://x.example/s", Events: []string{"job.failed"}, Enabled: true}
	if err := b.webhooks().CreateWebhook(context.Background(), slack); err != nil {
		t.Fatal(err)
	}
	st, body = c.send(http.MethodPost, "/ui/webhooks/"+slack.ID+"/rotate-secret", nil)
	wantAlert(t, st, body, http.StatusBadRequest, "Only generic webhooks are signed")

	// Delete answers with the list and takes the log along.
	st, body = c.send(http.MethodDelete, path, nil)
	if st != http.StatusOK || strings.Contains(body, w.ID) || !strings.Contains(body, slack.ID) || !strings.Contains(body, "deleted.") {
		t.Errorf("delete: %d\n%s", st, body)
	}
	if ds, _ := b.webhooks().ListDeliveries(context.Background(), app.DeliveryFilter{WebhookID: w.ID}); len(ds) != 0 {
		t.Errorf("%d deliveries left", len(ds))
	}
}
