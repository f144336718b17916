package ui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestExtras: tags that are emoji short codes become emoji, the rest
// chips; view actions on the web become links; anything else, and data of
// another shape, shows nothing.
func TestExtras(t *testing.T) {
	for _, c := range []struct {
		data string
		want extrasView
	}{
		{`{"tags":["warning","skull","mailsrv13","floppy_disk"]}`, extrasView{
			Emoji: []emojiTag{{"⚠️", "warning"}, {"💀", "skull"}, {"💾", "floppy_disk"}}, Tags: []string{"mailsrv13"}}},
		{`{"actions":[{"action":"view","label":"Admin panel","url":"https://filesrv.lan/admin"},` +
			`{"action":"http","label":"Turn down","url":"https://api.nest.com/"},` +
			`{"action":"view","label":"Script","url":"javascript:alert(1)"},` +
			`{"action":"view","label":"Mail","url":"mailto:phil@example.com"},` +
			`{"action":"view","label":"","url":"https://x.example/"}]}`,
			extrasView{Links: []actionLink{{"Admin panel", "https://filesrv.lan/admin"}}}},
		{`{"tags":"warning","actions":{"action":"view"}}`, extrasView{}},
		{`{"tags":[1,"",null,{"x":1},"cd"]}`, extrasView{Emoji: []emojiTag{{"💿", "cd"}}}},
		{`{}`, extrasView{}},
		{`not json`, extrasView{}},
	} {
		got := extras(&app.Notification{Data: json.RawMessage(c.data)})
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.data, got, c.want)
		}
	}
	many := extras(&app.Notification{Data: json.RawMessage(`{"tags":["a","b","c","d","e","f","g","h","i","j","k","l"]}`)})
	if len(many.Tags)+len(many.Emoji) != maxShownTags {
		t.Errorf("%d tags shown", len(many.Tags)+len(many.Emoji))
	}
}

// TestExtrasRendered: the inbox item shows the emoji before the title,
// the chips in the meta line and view actions as links opening a new tab;
// hostile tags and labels only ever escaped, script links never.
func TestExtrasRendered(t *testing.T) {
	u := newTestUI(t)
	notes, _ := hostileSamples()
	n := *notes[1]
	n.Data = json.RawMessage(`{"tags":["warning","mailsrv13"],"actions":[{"action":"view","label":"Admin panel","url":"https://filesrv.lan/admin"}]}`)
	out, err := u.tmpl.execute("", "notification_item", itemView{Notification: &n})
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	for _, want := range []string{
		`class="ntitle" data-mark-read><span class="nemoji" title="warning">⚠️</span> Done ` + escaped,
		`<span class="ntag">mailsrv13</span>`,
		`<a class="nlink naction" href="https://filesrv.lan/admin" data-mark-read target="_blank" rel="noopener noreferrer">Admin panel`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	out, err = u.tmpl.execute("", "notification_item", itemView{Notification: notes[0]})
	if err != nil {
		t.Fatal(err)
	}
	html = string(out)
	if !strings.Contains(html, `<span class="ntag">`+escaped+`</span>`) || !strings.Contains(html, `rel="noopener noreferrer">`+escaped) ||
		strings.Count(html, "naction") != 1 || strings.Contains(html, "javascript") {
		t.Errorf("hostile extras not escaped or script link shown:\n%s", html)
	}
}
