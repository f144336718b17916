package webhook

import (
	"strings"

	"github.com/belfry/belfry/app"
)

// Slack's block limits, in characters.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
)

var slackEmoji = map[app.Level]string{
	app.LevelInfo:    ":information_source:",
	app.LevelWarning: ":warning:",
	app.LevelError:   ":rotating_light:",
}

type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackMessage renders s as a fallback text (shown in notifications) plus a
// header, the body and a context line.
func slackMessage(s snapshot, baseURL string) (message, error) {
	p := slackPayload{
		Text: truncate(slackEscape.Replace(s.Title), slackSectionMax),
		Blocks: []slackBlock{{Type: "header",
			Text: &slackText{Type: "plain_text", Text: truncate(s.Title, slackHeaderMax), Emoji: true}}},
	}
	if s.Body != "" {
		p.Blocks = append(p.Blocks, slackBlock{Type: "section",
			Text: &slackText{Type: "mrkdwn", Text: truncate(slackEscape.Replace(s.Body), slackSectionMax)}})
	}
	context := []string{slackEmoji[s.Level] + " " + string(s.Level), s.Type}
	for _, v := range []string{s.ServiceID, s.Project} {
		if v != "" {
			context = append(context, slackEscape.Replace(v))
		}
	}
	if u := link(s.TargetURL, baseURL); u != "" {
		context = append(context, "<"+strings.NewReplacer("|", "%7C", ">", "%3E").Replace(u)+"|Open>")
	}
	p.Blocks = append(p.Blocks, slackBlock{Type: "context",
		Elements: []slackText{{Type: "mrkdwn", Text: truncate(strings.Join(context, " · "), slackSectionMax)}}})
	return jsonMessage(p)
}
