package ntfy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseMessage: whatever headers arrive, parsing a publish never
// panics; it accepts a message with a priority of ntfy's, clean tags, at
// most three actions and a body, or refuses it with ntfy's 400.
func FuzzParseMessage(f *testing.F) {
	f.Add("Unauthorized access detected", "urgent", "warning,skull", "", "", "", "Remote access to phils-laptop detected. Act right away.")
	f.Add("", "4", "", "view, Open portal, https://home.nest.com/, clear=true; http, Turn down, https://api.nest.com/, body='{\"temperature\": 65}'",
		"https://home.nest.com/", "", "You left the house. Turn down the A/C?")
	f.Add("=?UTF-8?B?R3LDvMOfZSDwn5iA?=", "u=3, i", "dog, ,cat", "", "mailto:phil@example.com", "yes", "Look ma, **bold text**")
	f.Add("", "", "", `[{"action":"view","label":"Admin panel","url":"https://filesrv.lan/admin"}]`, "", "1", "")
	f.Fuzz(func(t *testing.T, title, priority, tags, actions, click, markdown, body string) {
		h := http.Header{}
		for k, v := range map[string]string{"Title": title, "Priority": priority, "Tags": tags, "Actions": actions, "Click": click, "Markdown": markdown} {
			h.Set(k, v)
		}
		m, err := parseMessage(source{header: h, query: url.Values{}}, "mytopic", func() (string, error) { return body, nil })
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) || e.HTTP != http.StatusBadRequest || e.Code/100 != 400 {
				t.Fatalf("refusal %v is not ntfy's 400", err)
			}
			return
		}
		if m.Priority < 0 || m.Priority > 5 || m.Message == "" || len(m.Actions) > maxActions {
			t.Fatalf("accepted %+v", m)
		}
		for _, tag := range m.Tags {
			if tag == "" || tag != strings.TrimSpace(tag) || strings.Contains(tag, ",") {
				t.Fatalf("tag %q", tag)
			}
		}
		im := m.ingest()
		if im.Level != level(m.Priority) || im.Source != "ntfy" || (im.TargetURL != "" && im.TargetURL != m.Click) {
			t.Fatalf("ingest %+v of %+v", im, m)
		}
	})
}
