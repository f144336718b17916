package email

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/markdown"
	mail "github.com/wneessen/go-mail"
)

// levelColours are the inline colours of the level badge (no style sheets
// in e-mail: every style is inline).
var levelColours = map[app.Level]string{app.LevelInfo: "#2563eb", app.LevelWarning: "#b45309", app.LevelError: "#b91c1c"}

var htmlTemplate = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><body style="margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 8px"><span style="display:inline-block;padding:2px 8px;border-radius:4px;color:#ffffff;background:{{.Colour}};font-size:12px;text-transform:uppercase">{{.Level}}</span></p>
<h1 style="margin:0 0 16px;font-size:20px">{{.Title}}</h1>
<div style="font-size:15px;line-height:1.5">{{.Body}}</div>
{{with .Link}}<p style="margin:24px 0 0"><a href="{{.}}" style="display:inline-block;padding:8px 16px;border-radius:6px;background:#18181b;color:#ffffff;text-decoration:none">Open in Belfry</a></p>{{end}}
<p style="margin:24px 0 0;font-size:12px;color:#71717a">{{.Why}} <a href="{{.Unsubscribe}}" style="color:#71717a">Unsubscribe from these e-mails</a>.</p>
</div></body></html>`))

// message is what one e-mail says, before it becomes MIME.
type message struct {
	Subject, Level, Colour, Title, Text string
	Body                                template.HTML
	Link, Unsubscribe, Why              string
}

// compose builds the message of e for a user: its link opens the
// notification and marks it read (when it was stored), its unsubscribe
// link turns off that type's e-mail.
func (s *Service) compose(e *app.Email, snap snapshot) message {
	m := message{Subject: e.Subject, Level: string(snap.Level), Colour: levelColours[snap.Level], Title: snap.Title,
		Text: snap.Body, Body: template.HTML(markdown.RenderFormat(snap.Body, snap.Format))}
	base := strings.TrimSuffix(s.d.BaseURL, "/")
	switch {
	case snap.Stored:
		m.Link = base + "/n/" + snap.ID
	case snap.TargetURL != "" && strings.HasPrefix(snap.TargetURL, "/"):
		m.Link = base + snap.TargetURL
	case snap.TargetURL != "":
		m.Link = snap.TargetURL
	}
	label := snap.Type
	if t, ok := s.d.Types.Lookup(snap.Type); ok && t.Description != "" {
		label = t.Description
	}
	m.Why = fmt.Sprintf("You get this e-mail because e-mail is on for %q (%s) in your Belfry preferences.", label, snap.Type)
	tok := s.unsubscribeToken(e.UserID, snap.Type, s.d.Clock.Now().Add(s.d.Config.UnsubscribeTTL.Duration))
	m.Unsubscribe = base + "/email/unsubscribe?token=" + url.QueryEscape(tok)
	return m
}

// text is the plain-text part.
func (m message) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s\n\n", strings.ToUpper(m.Level), m.Title)
	if m.Text != "" {
		b.WriteString(m.Text)
		b.WriteString("\n\n")
	}
	if m.Link != "" {
		fmt.Fprintf(&b, "Open in Belfry: %s\n\n", m.Link)
	}
	fmt.Fprintf(&b, "-- \n%s\nUnsubscribe: %s\n", m.Why, m.Unsubscribe)
	return b.String()
}

// build turns e into a go-mail message to addr.
func (s *Service) build(e *app.Email, addr string) (*mail.Msg, error) {
	var snap snapshot
	if err := json.Unmarshal(e.Payload, &snap); err != nil {
		return nil, fmt.Errorf("decode e-mail payload: %w", err)
	}
	m := s.compose(e, snap)
	var html strings.Builder
	if err := htmlTemplate.Execute(&html, m); err != nil {
		return nil, err
	}
	msg, err := s.envelope(addr, m.Subject)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(e.ID + "@" + s.host())
	msg.SetGenHeader("List-Unsubscribe", "<"+m.Unsubscribe+">")
	msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	msg.SetBodyString(mail.TypeTextPlain, m.text())
	msg.AddAlternativeString(mail.TypeTextHTML, html.String())
	return msg, nil
}

// envelope starts a message from the configured sender to addr, dated now
// and marked as sent by a program (RFC 3834).
func (s *Service) envelope(addr, subject string) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.d.Config.From); err != nil {
		return nil, err
	}
	if err := msg.To(addr); err != nil {
		return nil, app.Errorf(app.EINVALID, "The address %q cannot be used: %v", addr, err)
	}
	if s.d.Config.ReplyTo != "" {
		if err := msg.ReplyTo(s.d.Config.ReplyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(subject)
	msg.SetDateWithValue(s.d.Clock.Now())
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	return msg, nil
}

// host is the Message-ID's right-hand side: base_url's host.
func (s *Service) host() string {
	if u, err := url.Parse(s.d.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "belfry.invalid"
}
