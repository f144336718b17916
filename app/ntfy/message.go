package ntfy

import (
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
)

// message is one ntfy publish request, parsed.
type message struct {
	Topic    string
	Message  string
	Title    string
	Priority int // 0: not given
	Tags     []string
	Click    string
	Icon     string
	Actions  []Action
	Markdown bool
	Type     string // Belfry's notification type; "" is the built-in message type
	// Delay is X-Delay/At/In as sent: deliver later (delay.go).
	Delay value
}

// emptyMessage is what ntfy makes of a message without a body
// (GET /<topic>/trigger).
const emptyMessage = "triggered"

// refusals are the parameters of features Belfry does not have: a message
// that uses one is refused naming it, never delivered without it.
var refusals = []struct {
	p   param
	err apiError
	why string
}{
	{pAttach, errNoAttachments, "Belfry does not store or link attachments"},
	{pFilename, errNoAttachments, "Belfry does not store attachments"},
	{pEmail, errEmailDisabled, "Belfry does not forward messages by e-mail"},
	{pCall, errCallsDisabled, "Belfry does not make phone calls"},
	{pTemplate, errTemplateDisabled, "Belfry does not fill ntfy templates; send the message itself"},
	{pPollID, errBadRequest, "Belfry does not relay iOS poll requests"},
}

// parseMessage reads every parameter of a publish to topic from src;
// body returns the request body as the message ("" for none). Errors are
// ntfy's, naming the parameter as the client sent it.
func parseMessage(src source, topic string, body func() (string, error)) (*message, error) {
	for _, r := range refusals {
		if v := src.get(r.p); v.set() {
			return nil, r.err.wrap("%s: remove %s", r.why, v.from)
		}
	}
	m := &message{Topic: topic, Title: src.get(pTitle).text, Click: src.get(pClick).text, Type: src.get(pType).text,
		Delay: src.get(pDelay)}
	var err error
	if m.Priority, err = parsePriority(src.get(pPriority)); err != nil {
		return nil, err
	}
	m.Tags = src.list(pTags)
	if v := src.get(pIcon); v.set() {
		if !isWebURL(v.text) {
			return nil, errIconInvalid.wrap("%s must be an http(s) URL", v.from)
		}
		m.Icon = v.text
	}
	if v := src.get(pActions); v.set() {
		if m.Actions, err = parseActions(v.text); err != nil {
			return nil, errActionsInvalid.wrap("%s: %v", v.from, err)
		}
	}
	m.Markdown = src.boolean(pMarkdown) || strings.EqualFold(src.get(pContentType).text, "text/markdown")
	m.Message = strings.ReplaceAll(src.get(pMessage).text, `\n`, "\n")
	if body != nil {
		b, err := body()
		if err != nil {
			return nil, err
		}
		if b != "" {
			m.Message = b
		}
	}
	if m.Message == "" {
		m.Message = emptyMessage
	}
	return m, nil
}

// readBody reads a PUT/POST body as the message, trimmed. A body that is
// not UTF-8 text, or longer than a notification's body may be, is a file
// to ntfy — an attachment — and refused.
func readBody(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, app.MaxBodyLen+1))
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return "", app.Errorf(app.ETIMEOUT, "Request body arrived too slowly; the server stopped waiting for it.")
		}
		return "", app.Errorf(app.EINVALID, "Request body could not be read.")
	}
	if len(b) > app.MaxBodyLen {
		return "", errNoAttachments.wrap("Belfry does not store attachments, and a message is at most %d KiB: this body is longer", app.MaxBodyLen>>10)
	}
	if !utf8.Valid(b) {
		return "", errNoAttachments.wrap("Belfry does not store attachments: this body is not UTF-8 text")
	}
	return strings.TrimSpace(string(b)), nil
}

// ingest maps m to Belfry's terms. Level from the priority; a click URL
// on the web becomes the target URL (other schemes, such as mailto:, are
// kept in data only); priority, tags, click, icon and actions are kept in
// data as ntfy sent them.
func (m *message) ingest() ingest.Message {
	data := map[string]any{}
	if m.Priority != 0 {
		data["priority"] = m.Priority
	}
	if len(m.Tags) > 0 {
		data["tags"] = m.Tags
	}
	if m.Click != "" {
		data["click"] = m.Click
	}
	if m.Icon != "" {
		data["icon"] = m.Icon
	}
	if len(m.Actions) > 0 {
		data["actions"] = m.Actions
	}
	im := ingest.Message{Source: "ntfy", Topic: m.Topic, Type: m.Type, Title: m.Title, Body: m.Message,
		Level: level(m.Priority), Markdown: m.Markdown, Data: data}
	if isWebURL(m.Click) {
		im.TargetURL = m.Click
	}
	return im
}

// isWebURL reports whether s is an absolute http(s) URL with a host.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
