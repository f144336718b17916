package ntfy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// docsActions are the X-Actions values of ntfy's publish docs.
var docsActions = []string{
	`http, Open door, https://api.nest.com/open/yAxkasd, clear=true`,
	`view, Open portal, https://home.nest.com/, clear=true; http, Turn down, https://api.nest.com/, body='{"temperature": 65}'`,
	`view, Open Twitter, https://twitter.com/binwiederhier/status/1467633927951163392`,
	`broadcast, Take picture, extras.cmd=pic, extras.camera=front`,
	`http, Close door, https://api.mygarage.lan/, method=PUT, headers.Authorization=Bearer zAzsx1sk.., body={"action": "close"}`,
	`[{"action":"view","label":"Admin panel","url":"https://filesrv.lan/admin"}]`,
	`[{"action":"http","label":"Turn down","url":"https://api.nest.com/","body":"{\"temperature\": 65}"}]`,
}

func TestParseActionsDocs(t *testing.T) {
	want := [][]Action{
		{{Action: "http", Label: "Open door", URL: "https://api.nest.com/open/yAxkasd", Clear: true}},
		{{Action: "view", Label: "Open portal", URL: "https://home.nest.com/", Clear: true},
			{Action: "http", Label: "Turn down", URL: "https://api.nest.com/", Body: `{"temperature": 65}`}},
		{{Action: "view", Label: "Open Twitter", URL: "https://twitter.com/binwiederhier/status/1467633927951163392"}},
		{{Action: "broadcast", Label: "Take picture", Extras: map[string]string{"cmd": "pic", "camera": "front"}}},
		{{Action: "http", Label: "Close door", URL: "https://api.mygarage.lan/", Method: "PUT",
			Headers: map[string]string{"Authorization": "Bearer zAzsx1sk.."}, Body: `{"action": "close"}`}},
		{{Action: "view", Label: "Admin panel", URL: "https://filesrv.lan/admin"}},
		{{Action: "http", Label: "Turn down", URL: "https://api.nest.com/", Body: `{"temperature": 65}`}},
	}
	for i, s := range docsActions {
		got, err := parseActions(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s:\n got %+v\nwant %+v", s, got, want[i])
		}
	}
}

func TestParseActionsShortFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Action
	}{
		// Keys in any order, quotes holding , and ; and escaped quotes.
		{`action=view, label="Look ma, commas and \"quotes\" too", url=https://x.example/?a=1;`,
			[]Action{{Action: "view", Label: `Look ma, commas and "quotes" too`, URL: "https://x.example/?a=1"}}},
		{`VIEW, 'It''s', https://x.example`, nil}, // an unescaped quote in a quoted value
		{`http, Ping, https://x.example, method=get`, []Action{{Action: "http", Label: "Ping", URL: "https://x.example", Method: "GET"}}},
		{`view, Open, https://x.example, `, []Action{{Action: "view", Label: "Open", URL: "https://x.example"}}},
		{"view,\tOpen,\nhttps://x.example;  ", []Action{{Action: "view", Label: "Open", URL: "https://x.example"}}},
		{`http, Off, https://x.example, clear=NO`, []Action{{Action: "http", Label: "Off", URL: "https://x.example"}}},
	} {
		got, err := parseActions(c.in)
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: parsed %+v; want an error", c.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseActionsRefusals(t *testing.T) {
	for _, c := range []struct{ in, says string }{
		{`dance, Party, https://x.example`, "view, broadcast or http"},
		{`view, , https://x.example`, "label is required"},
		{`view, Open`, "url is required"},
		{`http, Ping, https://x.example, method=GET, body=x`, "GET request has no body"},
		{`view, Open, https://x.example, clear=maybe`, "clear must be"},
		{`view, Open, https://x.example, colour=red`, `unknown key "colour"`},
		{`broadcast, Snap, extra`, `"extra" needs a key`},
		{`view, "Open, https://x.example`, "not closed"},
		{`view, Open, https://x.example; ; view, Two, https://y.example`, "action must be"},
		{`view, "Open" now, https://x.example`, "after a quoted value"},
		{`view, a, https://a; view, b, https://b; view, c, https://c; view, d, https://d`, "at most 3 actions"},
		{`[{"action":"view","label":"x","url":"https://x","colour":"red"}]`, `unknown field "colour"`},
		{`[{"action":"view"}] []`, "data after the array"},
		{`[{"action":"view",`, "not a JSON array"},
		{"view, \xff, https://x.example", "UTF-8"},
	} {
		if _, err := parseActions(c.in); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v; want one saying %q", c.in, err, c.says)
		}
	}
}

// FuzzParseActions: the parser never panics, and whatever it accepts
// passes ntfy's rules and survives the JSON form unchanged (what Belfry
// keeps in data reads back as the same actions).
func FuzzParseActions(f *testing.F) {
	for _, s := range docsActions {
		f.Add(s)
	}
	f.Add(`action=view, label="a, \"b\"; c", url='https://x'`)
	f.Fuzz(func(t *testing.T, s string) {
		actions, err := parseActions(s)
		if err != nil || len(actions) == 0 {
			return
		}
		if len(actions) > maxActions {
			t.Fatalf("%d actions accepted", len(actions))
		}
		for i := range actions {
			a := actions[i]
			if err := a.check(); err != nil || !reflect.DeepEqual(a, actions[i]) {
				t.Fatalf("accepted action %+v is not normal: %v", actions[i], err)
			}
		}
		b, err := json.Marshal(actions)
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseActions(string(b))
		if err != nil || !reflect.DeepEqual(again, actions) {
			t.Fatalf("round trip of %s: %+v %v", b, again, err)
		}
	})
}
