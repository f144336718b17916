package ui_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// kumaSample is what Uptime Kuma's webhook notification posts.
const kumaSample = `{"heartbeat": {"status": 0, "msg": "timeout of 48000ms exceeded"}, "monitor": {"name": "NAS", "url": "https://nas.home.arpa"}, "msg": "[NAS] [Down] timeout"}`

// hookPost posts body to a hook with a token, as a tool does.
func (b *belfry) hookPost(path, token, body string, headers ...string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestTokenMappingForm: the hooks card of a token shows its addresses and
// saves a mapping only when it works on its sample, naming the failing
// template and quoting the sample; the saved mapping renders what the
// tool posts.
func TestTokenMappingForm(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	secret := b.token(ann)
	_, tok, err := b.Auth.TokenUser(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	c := b.login("ann")
	path := "/ui/tokens/" + tok.ID + "/mapping"

	st, card := c.get(path, true)
	if st != http.StatusOK || !strings.Contains(card, "<code>"+b.URL+"/api/v1/hooks/alertmanager</code>") ||
		!strings.Contains(card, `hx-put="`+path+`"`) || strings.Contains(card, "Remove the secret") {
		t.Fatalf("card: %d\n%s", st, card)
	}
	if _, page := c.get("/tokens", false); !strings.Contains(page, `hx-get="`+path+`"`) || !strings.Contains(page, `id="mapping-editor"`) {
		t.Error("no Hooks button on the tokens page")
	}

	form := url.Values{"title": {"{{.monitor.name}} is down"}, "body": {"{{.heartbeat.msg}}"}, "level": {"error"},
		"url": {"{{.monitor.url}}"}, "sample": {kumaSample}}
	bad := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range form {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	for name, c2 := range map[string]struct {
		form url.Values
		msg  string
	}{
		"template":  {bad("title", "{{.monitor.name.first}}"), `The title template failed on this input: title:1:10: executing &#34;title&#34; at &lt;.monitor.name.first&gt;`},
		"quotes":    {bad("title", "{{.monitor.name.first}}"), `Input: {&#34;heartbeat&#34;: {&#34;status&#34;: 0`},
		"parse":     {bad("body", "{{if}}"), "The body template does not parse"},
		"sample":    {bad("sample", `{"monitor": `), "The sample is not valid JSON"},
		"no sample": {bad("sample", ""), "Give a sample"},
		"utf8":      {bad("title", "\xff"), "not valid UTF-8"},
		"level":     {bad("level", "{{.msg}}"), "The level template printed"},
	} {
		t.Run(name, func(t *testing.T) {
			st, body := c.send(http.MethodPut, path, c2.form)
			wantAlert(t, st, body, http.StatusBadRequest, c2.msg)
		})
	}
	if _, err := b.Hooks.Mapping(context.Background(), ann.ID, tok.ID); app.ErrorKind(err) != app.ENOTFOUND {
		t.Fatalf("a refused mapping was stored: %v", err)
	}

	form.Set("secret", "whsec-ann")
	st, body := c.send(http.MethodPut, path, form)
	if st != http.StatusOK || !strings.Contains(body, "Saved. On the sample it gives:") || !strings.Contains(body, "<strong>NAS is down</strong>") ||
		!strings.Contains(body, "timeout of 48000ms exceeded") || !strings.Contains(body, "Requests must be signed") {
		t.Fatalf("save: %d\n%s", st, body)
	}
	if _, card = c.get(path, true); !strings.Contains(card, "Remove the secret") || !strings.Contains(card, html.EscapeString("{{.monitor.name}} is down")) ||
		!strings.Contains(card, `&#34;monitor&#34;: {`) || strings.Contains(card, "whsec-ann") {
		t.Errorf("card after saving:\n%s", card)
	}
	if st, body := b.hookPost("/api/v1/hooks/custom", secret, kumaSample); st != http.StatusUnauthorized {
		t.Errorf("unsigned with a secret: %d %s", st, body)
	}

	// Saving again with an empty secret field keeps it; ticking remove
	// removes it.
	form.Del("secret")
	c.send(http.MethodPut, path, form)
	if m, _ := b.Hooks.Mapping(context.Background(), ann.ID, tok.ID); m.Secret != "whsec-ann" {
		t.Fatalf("secret %q after saving without one", m.Secret)
	}
	form.Set("remove_secret", "1")
	c.send(http.MethodPut, path, form)
	if m, _ := b.Hooks.Mapping(context.Background(), ann.ID, tok.ID); m.Secret != "" {
		t.Fatalf("secret %q after removing it", m.Secret)
	}
	if st, body := b.hookPost("/api/v1/hooks/custom", secret, kumaSample); st != http.StatusAccepted {
		t.Fatalf("hook: %d %s", st, body)
	}
	ns, _ := b.Notifications.ListNotifications(context.Background(), appFilter(ann.ID))
	if len(ns) != 1 || ns[0].Title != "NAS is down" || ns[0].Level != app.LevelError || ns[0].TargetURL != "https://nas.home.arpa" {
		t.Fatalf("notifications %+v", ns)
	}

	// Another user's token is not found; removing shows the empty card.
	bob := b.user("bob", false)
	_, bobTok, _ := b.Auth.TokenUser(context.Background(), b.token(bob))
	st, body = c.get("/ui/tokens/"+bobTok.ID+"/mapping", true)
	wantAlert(t, st, body, http.StatusNotFound, "Token not found")
	st, body = c.send(http.MethodPut, "/ui/tokens/"+bobTok.ID+"/mapping", form)
	wantAlert(t, st, body, http.StatusNotFound, "Token not found")
	st, body = c.send(http.MethodDelete, path, nil)
	if st != http.StatusOK || strings.Contains(body, "hx-delete") {
		t.Fatalf("delete: %d\n%s", st, body)
	}
	st, body = c.send(http.MethodDelete, path, nil)
	wantAlert(t, st, body, http.StatusNotFound, "no mapping")
}
