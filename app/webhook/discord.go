package webhook

import (
	"time"

	"github.com/belfry/belfry/app"
)

// Discord's embed limits, in characters.
const (
	discordTitleMax       = 256
	discordDescriptionMax = 4096
	discordFieldMax       = 1024
)

// discordColors are the embed side colours by level: blue, amber, red.
var discordColors = map[app.Level]int{
	app.LevelInfo:    0x3498DB,
	app.LevelWarning: 0xF1C40F,
	app.LevelError:   0xE74C3C,
}

type discordPayload struct {
	Username        string                 `json:"username"`
	Embeds          []discordEmbed         `json:"embeds"`
	AllowedMentions discordAllowedMentions `json:"allowed_mentions"`
}

// discordAllowedMentions with an empty Parse list keeps "@everyone" in a
// notification's text from pinging anyone.
type discordAllowedMentions struct {
	Parse []string `json:"parse"`
}

type discordEmbed struct {
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	URL         string         `json:"url,omitempty"`
	Color       int            `json:"color"`
	Timestamp   string         `json:"timestamp"`
	Footer      discordFooter  `json:"footer"`
	Fields      []discordField `json:"fields,omitempty"`
}

type discordFooter struct {
	Text string `json:"text"`
}

type discordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// discordMessage renders s as one embed within Discord's limits.
func discordMessage(s snapshot, baseURL string) (message, error) {
	e := discordEmbed{
		Title:       truncate(s.Title, discordTitleMax),
		Description: truncate(s.Body, discordDescriptionMax),
		URL:         link(s.TargetURL, baseURL),
		Color:       discordColors[s.Level],
		Timestamp:   s.CreatedAt.UTC().Format(time.RFC3339),
		Footer:      discordFooter{Text: "Belfry · " + s.Type},
	}
	for _, f := range []struct{ name, value string }{{"Service", s.ServiceID}, {"Project", s.Project}} {
		if f.value != "" {
			e.Fields = append(e.Fields, discordField{Name: f.name, Value: truncate(f.value, discordFieldMax), Inline: true})
		}
	}
	return jsonMessage(discordPayload{Username: "Belfry", Embeds: []discordEmbed{e}, AllowedMentions: discordAllowedMentions{Parse: []string{}}})
}
