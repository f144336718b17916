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
	return message{Subject: e.Subject, Level: string(snap.Level), Colour: levelColours[snap.Level], Title: snap.Title,
		Text: snap.Body, Body: template.HTML(markdown.RenderFormat(snap.Body, snap.Format)), Link: s.link(snap),
		Why:         fmt.Sprintf("You get this e-mail because e-mail is on for %s in your Belfry preferences.", s.label(snap.Type)),
		Unsubscribe: s.unsubscribeURL(e.UserID, snap.Type)}
}

// base is base_url without a trailing slash.
func (s *Service) base() string { return strings.TrimSuffix(s.d.BaseURL, "/") }

// link is where an e-mail about snap leads: the notification (opening it
// marks it read) when it was stored, else its target, else nowhere ("").
func (s *Service) link(snap snapshot) string {
	switch {
	case snap.Stored:
		return s.base() + "/n/" + snap.ID
	case snap.TargetURL != "" && strings.HasPrefix(snap.TargetURL, "/"):
		return s.base() + snap.TargetURL
	default:
		return snap.TargetURL
	}
}

// label names typ for a reader: its description and name.
func (s *Service) label(typ string) string {
	label := typ
	if t, ok := s.d.Types.Lookup(typ); ok && t.Description != "" {
		label = t.Description
	}
	return fmt.Sprintf("%q (%s)", label, typ)
}

// unsubscribeURL is the signed one-click link that turns off typ's e-mail
// for userID.
func (s *Service) unsubscribeURL(userID, typ string) string {
	tok := s.unsubscribeToken(userID, typ, s.d.Clock.Now().Add(s.d.Config.UnsubscribeTTL.Duration))
	return s.base() + "/email/unsubscribe?token=" + url.QueryEscape(tok)
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
	return s.assemble(e.ID, addr, m.Subject, m.Unsubscribe, m.text(), html.String())
}

// assemble is the MIME message of outbox row id to addr: both parts, and
// the RFC 8058 one-click headers when there is an unsubscribe link.
func (s *Service) assemble(id, addr, subject, unsubscribe, text, html string) (*mail.Msg, error) {
	msg, err := s.envelope(addr, subject)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id + "@" + s.host())
	if unsubscribe != "" {
		msg.SetGenHeader("List-Unsubscribe", "<"+unsubscribe+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, text)
	msg.AddAlternativeString(mail.TypeTextHTML, html)
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
