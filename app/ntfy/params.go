package ntfy

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// param is one publish parameter of ntfy's list: its names as headers, in
// the order ntfy tries them; the same names lower-cased are its query
// parameters; json is its field when publishing JSON to / ("" when the
// JSON form has none).
type param struct {
	names []string
	json  string
}

// The publish parameters of ntfy's docs ("List of all parameters"), and
// Belfry's own X-Type. X-Cache, X-Firebase and X-UnifiedPush are accepted
// and not read: Belfry keeps every message, has no Firebase relay and
// treats a UnifiedPush message as any other.
var (
	pMessage  = param{[]string{"X-Message", "Message", "m"}, "message"}
	pTitle    = param{[]string{"X-Title", "Title", "t"}, "title"}
	pPriority = param{[]string{"X-Priority", "Priority", "prio", "p"}, "priority"}
	pTags     = param{[]string{"X-Tags", "Tags", "Tag", "ta"}, "tags"}
	pClick    = param{[]string{"X-Click", "Click"}, "click"}
	pIcon     = param{[]string{"X-Icon", "Icon"}, "icon"}
	pActions  = param{[]string{"X-Actions", "Actions", "Action"}, "actions"}
	pMarkdown = param{[]string{"X-Markdown", "Markdown", "md"}, "markdown"}
	pType     = param{[]string{"X-Type", "Type"}, "type"}
	// Content-Type: text/markdown says Markdown too.
	pContentType = param{[]string{"Content-Type", "Content_Type"}, ""}
	// Scheduled delivery (delay.go).
	pDelay = param{[]string{"X-Delay", "Delay", "X-At", "At", "X-In", "In"}, "delay"}

	// Refused: Belfry has no such feature (yet).
	pAttach   = param{[]string{"X-Attach", "Attach", "a"}, "attach"}
	pFilename = param{[]string{"X-Filename", "Filename", "file", "f"}, "filename"}
	pEmail    = param{[]string{"X-Email", "X-E-Mail", "Email", "E-Mail", "mail", "e"}, "email"}
	pCall     = param{[]string{"X-Call", "Call"}, "call"}
	pTemplate = param{[]string{"X-Template", "Template", "tpl"}, ""}
	pPollID   = param{[]string{"X-Poll-ID", "Poll-ID"}, ""}
)

// source is where a publish request's parameters come from: the JSON
// body's fields first (publishing to /), then the headers, then the query.
type source struct {
	json   map[string]string // by param.json
	header http.Header
	query  url.Values
}

// value is one parameter's value and where it was found, to name it in an
// error the way the client wrote it.
type value struct {
	text string
	from string // `header "X-Title"`, `query parameter "t"`, `JSON field "title"`
}

func (v value) set() bool { return v.text != "" }

// mimeWords decodes RFC 2047 encoded words ("=?UTF-8?B?…?="), which ntfy
// accepts in headers for text that is not ASCII.
var mimeWords mime.WordDecoder

// get returns p's value: the JSON field, else the first header of p's
// names that is set, else the first such query parameter; trimmed, "" when
// absent. Headers may be MIME encoded-words. A "Priority" header in RFC
// 9218's form ("u=3, i", which browsers and proxies add) is not ntfy's and
// is skipped.
func (s source) get(p param) value {
	if p.json != "" {
		if v := strings.TrimSpace(s.json[p.json]); v != "" {
			return value{v, fmt.Sprintf("JSON field %q", p.json)}
		}
	}
	for _, name := range p.names {
		raw := s.header.Get(name)
		if decoded, err := mimeWords.DecodeHeader(raw); err == nil {
			raw = decoded
		}
		v := strings.TrimSpace(raw)
		if strings.EqualFold(name, "Priority") && strings.HasPrefix(v, "u=") {
			continue
		}
		if v != "" {
			return value{v, fmt.Sprintf("header %q", name)}
		}
	}
	for _, name := range p.names {
		q := strings.ToLower(name)
		if v := strings.TrimSpace(s.query.Get(q)); v != "" {
			return value{v, fmt.Sprintf("query parameter %q", q)}
		}
	}
	return value{}
}

// boolean reads p as ntfy's booleans: 1, yes, true (any case) are true;
// anything else, and absence, is false.
func (s source) boolean(p param) bool {
	switch strings.ToLower(s.get(p).text) {
	case "1", "yes", "true":
		return true
	}
	return false
}

// list reads p as a comma-separated list, trimmed, without empty items.
func (s source) list(p param) []string {
	var out []string
	for _, item := range strings.Split(s.get(p).text, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
