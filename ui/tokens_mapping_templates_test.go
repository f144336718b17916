package ui

import (
	"encoding/json"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/hooks"
)

// tokenMappingRenderCases are the hooks card of a token, without and with
// a mapping holding hostile text, and a saved mapping's preview.
func tokenMappingRenderCases(tok *app.Token) []renderCase {
	m := &app.TokenMapping{TokenID: tok.ID, Title: hostile + `{{.name}}`, Body: hostile, Level: hostile, Type: hostile, URL: hostile,
		Markdown: true, Sample: json.RawMessage(`{"name":"x"}`), Secret: "s", UpdatedAt: time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)}
	return []renderCase{
		{"tokens", "token_mapping", mappingEditor{Token: tok, BaseURL: "https://belfry.example/" + hostile}},
		{"tokens", "token_mapping", mappingEditor{Token: tok, Mapping: m, Sample: hostile, BaseURL: "https://belfry.example"}},
		{"tokens", "mapping_saved", mappingSaved{HasSecret: true}},
		{"tokens", "mapping_saved", mappingSaved{Preview: &hooks.Preview{Title: hostile, Body: hostile, Level: app.LevelError, Type: hostile, TargetURL: hostile}}},
	}
}
