package webhook

import (
	"mime"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
)

// ntfyBodyMax is ntfy's default message size limit in bytes; a larger body
// would be turned into an attachment.
const ntfyBodyMax = 4096

// ntfyPriority maps levels to ntfy priorities: default, high, urgent.
var ntfyPriority = map[app.Level]string{
	app.LevelInfo:    "3",
	app.LevelWarning: "4",
	app.LevelError:   "5",
}

// ntfyTag is the emoji tag ntfy shows in front of the title.
var ntfyTag = map[app.Level]string{
	app.LevelInfo:    "information_source",
	app.LevelWarning: "warning",
	app.LevelError:   "rotating_light",
}

// headerSafe turns text into one header line; non-ASCII text is RFC 2047
// encoded, which ntfy decodes.
func headerSafe(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return mime.QEncoding.Encode("utf-8", s)
}

// ntfyMessage renders s as ntfy's publish-as-body request: the body is the
// message, metadata travels in headers, and the webhook's credentials (if
// any) authenticate.
func ntfyMessage(s snapshot, w *app.Webhook, baseURL string) message {
	text := s.Body
	if text == "" {
		text = s.Title
	}
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Title", headerSafe(truncate(s.Title, 250)))
	h.Set("Priority", ntfyPriority[s.Level])
	h.Set("Tags", ntfyTag[s.Level]+","+s.Type)
	h.Set("Markdown", "yes")
	if u := link(s.TargetURL, baseURL); u != "" {
		h.Set("Click", u)
	}
	switch {
	case w.AuthToken != "":
		h.Set("Authorization", "Bearer "+w.AuthToken)
	case w.AuthUsername != "":
		r := http.Request{Header: h}
		r.SetBasicAuth(w.AuthUsername, w.AuthPassword)
	}
	return message{body: []byte(truncateBytes(text, ntfyBodyMax)), header: h}
}
