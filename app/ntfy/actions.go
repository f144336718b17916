package ntfy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/belfry/belfry/app/web"
)

// Action is one of a message's action buttons (ntfy's "Action buttons"):
// view opens URL, http sends a request, broadcast is an Android intent.
// Belfry keeps them in the notification's data; the inbox shows view
// actions as links.
type Action struct {
	Action  string            `json:"action"`
	Label   string            `json:"label"`
	URL     string            `json:"url,omitempty"`
	Clear   bool              `json:"clear"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Intent  string            `json:"intent,omitempty"`
	Extras  map[string]string `json:"extras,omitempty"`
}

// maxActions is ntfy's bound on a message's actions.
const maxActions = 3

// parseActions reads X-Actions: a JSON array when it starts with "[",
// otherwise ntfy's short format ("view, Open, https://…; http, …"). The
// actions are checked the way ntfy checks them.
func parseActions(s string) ([]Action, error) {
	s = strings.TrimSpace(s)
	var (
		actions []Action
		err     error
	)
	if strings.HasPrefix(s, "[") {
		actions, err = actionsFromJSON(s)
	} else {
		actions, err = actionsFromShort(s)
	}
	if err != nil {
		return nil, err
	}
	if len(actions) > maxActions {
		return nil, fmt.Errorf("at most %d actions are allowed, not %d", maxActions, len(actions))
	}
	for i := range actions {
		if err := actions[i].check(); err != nil {
			return nil, fmt.Errorf("action %d: %w", i+1, err)
		}
	}
	return actions, nil
}

func actionsFromJSON(s string) ([]Action, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var actions []Action
	if err := dec.Decode(&actions); err != nil {
		return nil, fmt.Errorf("not a JSON array of actions: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errors.New("not a JSON array of actions: data after the array")
	}
	return actions, nil
}

// check normalises a (lower-case action, upper-case method) and applies
// ntfy's rules.
func (a *Action) check() error {
	a.Action = strings.ToLower(strings.TrimSpace(a.Action))
	a.Method = strings.ToUpper(strings.TrimSpace(a.Method))
	if err := checkKind(a.Action); err != nil {
		return err
	}
	switch {
	case a.Label == "":
		return errors.New("label is required")
	case a.URL == "" && a.Action != "broadcast":
		return fmt.Errorf("url is required for a %s action", a.Action)
	case a.Action == "http" && (a.Method == "GET" || a.Method == "HEAD") && a.Body != "":
		return fmt.Errorf("a %s request has no body", a.Method)
	}
	return nil
}

// checkKind refuses an action that is not one of ntfy's three.
func checkKind(action string) error {
	if !slices.Contains([]string{"view", "broadcast", "http"}, action) {
		return fmt.Errorf("action must be view, broadcast or http, not %q", web.Clip(action, quoteMax))
	}
	return nil
}

// actionsFromShort parses the short format: actions separated by ";",
// each a list of sections separated by ",". A section is "key=value" or a
// bare value, which is, by position, the action, the label and (for view
// and http) the url. A value may be quoted with " or ' to hold , and ;,
// with \" (\') for the quote itself.
func actionsFromShort(s string) ([]Action, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not valid UTF-8")
	}
	sc := &shortScanner{in: s}
	var actions []Action
	for sc.skipSpace(); !sc.atEnd(); sc.skipSpace() {
		a := Action{}
		for pos := 0; ; pos++ {
			key, val, last, err := sc.section()
			if err != nil {
				return nil, err
			}
			if err := a.setSection(pos, key, val); err != nil {
				return nil, err
			}
			if last {
				break
			}
		}
		actions = append(actions, a)
	}
	return actions, nil
}

// setSection applies one section at position pos of an action.
func (a *Action) setSection(pos int, key, val string) error {
	if key == "" {
		switch {
		case pos == 0:
			key = "action"
		case pos == 1:
			key = "label"
		case pos == 2 && a.takesURL():
			key = "url"
		case val == "":
			return nil // a trailing ","
		case pos == 2:
			if err := checkKind(strings.ToLower(strings.TrimSpace(a.Action))); err != nil {
				return err
			}
			fallthrough
		default:
			return fmt.Errorf("%q needs a key (key=value)", web.Clip(val, quoteMax))
		}
	}
	if name, ok := strings.CutPrefix(key, "headers."); ok {
		a.Headers = put(a.Headers, name, val)
		return nil
	}
	if name, ok := strings.CutPrefix(key, "extras."); ok {
		a.Extras = put(a.Extras, name, val)
		return nil
	}
	switch strings.ToLower(key) {
	case "action":
		a.Action = val
	case "label":
		a.Label = val
	case "url":
		a.URL = val
	case "method":
		a.Method = val
	case "body":
		a.Body = val
	case "intent":
		a.Intent = val
	case "clear":
		switch strings.ToLower(val) {
		case "true", "yes", "1":
			a.Clear = true
		case "false", "no", "0":
			a.Clear = false
		default:
			return fmt.Errorf("clear must be true, yes, 1, false, no or 0, not %q", web.Clip(val, quoteMax))
		}
	default:
		return fmt.Errorf("unknown key %q", web.Clip(key, quoteMax))
	}
	return nil
}

func (a *Action) takesURL() bool {
	act := strings.ToLower(strings.TrimSpace(a.Action))
	return act == "view" || act == "http"
}

func put(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// shortScanner walks the short format.
type shortScanner struct {
	in  string
	pos int
}

func (sc *shortScanner) atEnd() bool { return sc.pos >= len(sc.in) }

func (sc *shortScanner) peek() byte {
	if sc.atEnd() {
		return 0
	}
	return sc.in[sc.pos]
}

func (sc *shortScanner) skipSpace() {
	for !sc.atEnd() && strings.IndexByte(" \t\r\n", sc.peek()) >= 0 {
		sc.pos++
	}
}

// section reads one section and the separator after it; last is true when
// that separator ends the action (";" or the end of the input).
func (sc *shortScanner) section() (key, val string, last bool, err error) {
	sc.skipSpace()
	key = sc.key()
	if q := sc.peek(); q == '"' || q == '\'' {
		if val, err = sc.quoted(q); err != nil {
			return "", "", false, err
		}
		sc.skipSpace()
		if c := sc.peek(); c != ',' && c != ';' && c != 0 {
			return "", "", false, fmt.Errorf("unexpected %q after a quoted value at byte %d", c, sc.pos)
		}
	} else {
		end := strings.IndexAny(sc.in[sc.pos:], ",;")
		if end < 0 {
			end = len(sc.in) - sc.pos
		}
		val = strings.TrimSpace(sc.in[sc.pos : sc.pos+end])
		sc.pos += end
	}
	last = sc.peek() != ','
	if !sc.atEnd() {
		sc.pos++ // the separator
	}
	return key, val, last, nil
}

// key reads "name=" (name of letters, digits, _, - and .) and returns
// name; without one it reads nothing and returns "".
func (sc *shortScanner) key() string {
	i := sc.pos
	for i < len(sc.in) && isKeyByte(sc.in[i]) {
		i++
	}
	j := i
	for j < len(sc.in) && (sc.in[j] == ' ' || sc.in[j] == '\t') {
		j++
	}
	if i == sc.pos || j >= len(sc.in) || sc.in[j] != '=' {
		return ""
	}
	name := sc.in[sc.pos:i]
	sc.pos = j + 1
	sc.skipSpace()
	return name
}

func isKeyByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' || b < utf8.RuneSelf && (unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b)))
}

// quoted reads a value quoted with q, where \q stands for q.
func (sc *shortScanner) quoted(q byte) (string, error) {
	start := sc.pos
	sc.pos++
	var b bytes.Buffer
	for !sc.atEnd() {
		c := sc.in[sc.pos]
		switch {
		case c == '\\' && sc.pos+1 < len(sc.in) && sc.in[sc.pos+1] == q:
			b.WriteByte(q)
			sc.pos += 2
		case c == q:
			sc.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			sc.pos++
		}
	}
	return "", fmt.Errorf("the quote at byte %d is not closed", start)
}
