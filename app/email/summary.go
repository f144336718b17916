package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	mail "github.com/wneessen/go-mail"
)

// errEmptySummary says that every notification held in a summary was
// deleted before it went: there is nothing to send.
var errEmptySummary = errors.New("every notification held in this summary was deleted before it went")

var summaryTemplate = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html><body style="margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<h1 style="margin:0 0 8px;font-size:20px">{{.Heading}}</h1>
<p style="margin:0 0 16px;font-size:14px;color:#52525b">{{.Intro}}</p>
<table style="width:100%;border-collapse:collapse;font-size:14px">
{{range .Lines}}<tr style="border-top:1px solid #e4e4e7">
<td style="padding:8px 8px 8px 0;vertical-align:top;white-space:nowrap"><span style="display:inline-block;padding:2px 8px;border-radius:4px;color:#ffffff;background:{{.Colour}};font-size:11px;text-transform:uppercase">{{.Level}}</span></td>
<td style="padding:8px 0;vertical-align:top">{{if .Link}}<a href="{{.Link}}" style="color:#18181b">{{.Title}}</a>{{else}}{{.Title}}{{end}}<br><span style="font-size:12px;color:#71717a">{{.Type}} · {{.When}}</span></td>
</tr>
{{end}}</table>
<p style="margin:24px 0 0"><a href="{{.Inbox}}" style="display:inline-block;padding:8px 16px;border-radius:6px;background:#18181b;color:#ffffff;text-decoration:none">Open your inbox</a></p>
<p style="margin:24px 0 0;font-size:12px;color:#71717a">{{.Why}}{{range .Unsubscribe}} <a href="{{.URL}}" style="color:#71717a">Unsubscribe from {{.Type}} e-mails</a>.{{end}}</p>
</div></body></html>`))

// summaryLine is one held notification in a summary.
type summaryLine struct {
	Level, Colour, Title, Type, When, Link string
}

// unsubscribeLink is a summary's one-click link for one of its types.
type unsubscribeLink struct{ Type, URL string }

// summary is what a summary e-mail says, before it becomes MIME.
type summary struct {
	Subject, Heading, Intro, Inbox, Why string
	Lines                               []summaryLine
	Unsubscribe                         []unsubscribeLink
}

// buildSummary turns summary row e into the message to addr that lists
// every e-mail held in it, oldest first, and records on e which it
// carries (Members) and its subject. Notifications deleted since they were
// held are left out (the store marks their rows skipped); errEmptySummary
// when none is left.
func (s *Service) buildSummary(ctx context.Context, e *app.Email, addr string) (*mail.Msg, error) {
	kept, _, err := s.d.Store.HeldEmails(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	if len(kept) == 0 {
		return nil, errEmptySummary
	}
	sum, members, err := s.composeSummary(e.UserID, kept)
	if err != nil {
		return nil, err
	}
	var html strings.Builder
	if err := summaryTemplate.Execute(&html, sum); err != nil {
		return nil, err
	}
	// One type: the summary's one-click unsubscribe is that type's. Several:
	// one link per type in the footer, and no List-Unsubscribe header (a
	// one-click link does exactly one thing).
	oneClick := ""
	if len(sum.Unsubscribe) == 1 {
		oneClick = sum.Unsubscribe[0].URL
	}
	msg, err := s.assemble(e.ID, addr, sum.Subject, oneClick, sum.text(), html.String())
	if err != nil {
		return nil, err
	}
	e.Members, e.Subject = members, sum.Subject
	return msg, nil
}

// composeSummary is the summary of the held e-mails kept for userID, and
// their ids.
func (s *Service) composeSummary(userID string, kept []*app.Email) (summary, []string, error) {
	sum := summary{Inbox: s.base() + "/"}
	members := make([]string, 0, len(kept))
	seen := map[string]bool{}
	var labels []string
	for _, h := range kept {
		var snap snapshot
		if err := json.Unmarshal(h.Payload, &snap); err != nil {
			return summary{}, nil, fmt.Errorf("decode held e-mail %s: %w", h.ID, err)
		}
		sum.Lines = append(sum.Lines, summaryLine{Level: string(snap.Level), Colour: levelColours[snap.Level],
			Title: snap.Title, Type: snap.Type, When: snap.CreatedAt.UTC().Format("Mon 2 Jan 15:04 UTC"), Link: s.link(snap)})
		members = append(members, h.ID)
		if !seen[snap.Type] {
			seen[snap.Type] = true
			labels = append(labels, s.label(snap.Type))
			sum.Unsubscribe = append(sum.Unsubscribe, unsubscribeLink{Type: snap.Type, URL: s.unsubscribeURL(userID, snap.Type)})
		}
	}
	noun := "notifications"
	if len(kept) == 1 {
		noun = "notification"
	}
	sum.Heading = fmt.Sprintf("%d new %s", len(kept), noun)
	sum.Subject = "[Belfry] " + sum.Heading
	cfg := s.d.Config
	sum.Intro = fmt.Sprintf("You got %d e-mails on their own within %s; the rest are collected here.",
		cfg.BatchThreshold, span(cfg.BatchInterval.Duration))
	sum.Why = fmt.Sprintf("You get this summary because e-mail is on for %s in your Belfry preferences.",
		strings.Join(labels, ", "))
	return sum, members, nil
}

// span writes an interval for a reader: "30 minutes", "2 hours", "1 hour".
func span(d time.Duration) string {
	n, unit := int64(0), ""
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	default:
		return d.String()
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// text is the summary's plain-text part.
func (m summary) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n", m.Heading, m.Intro)
	for _, l := range m.Lines {
		fmt.Fprintf(&b, "- [%s] %s (%s, %s)\n", strings.ToUpper(l.Level), l.Title, l.Type, l.When)
		if l.Link != "" {
			fmt.Fprintf(&b, "  %s\n", l.Link)
		}
	}
	fmt.Fprintf(&b, "\nOpen your inbox: %s\n\n-- \n%s\n", m.Inbox, m.Why)
	for _, u := range m.Unsubscribe {
		fmt.Fprintf(&b, "Unsubscribe from %s e-mails: %s\n", u.Type, u.URL)
	}
	return b.String()
}
