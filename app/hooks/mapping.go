package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
)

// The fields of a custom mapping, in the order they render, with what
// each may print.
var mappingFields = []struct {
	name string
	max  int
	get  func(*app.TokenMapping) string
}{
	{"title", app.MaxTitleLen, func(m *app.TokenMapping) string { return m.Title }},
	{"body", app.MaxBodyLen, func(m *app.TokenMapping) string { return m.Body }},
	{"level", 32, func(m *app.TokenMapping) string { return m.Level }},
	{"type", app.MaxFieldLen, func(m *app.TokenMapping) string { return m.Type }},
	{"url", app.MaxURLLen, func(m *app.TokenMapping) string { return m.URL }},
}

// inputExcerpt is how much of the input an error quotes.
const inputExcerpt = 200

func invalidf(format string, args ...any) error { return app.Errorf(app.EINVALID, format, args...) }

// compiled is a mapping's parsed templates, each named by its field in one
// set (empty fields have none), so that a rendering binds its budget to
// them once.
type compiled struct {
	set      *template.Template
	markdown bool
}

// compile parses and checks the templates of m.
func compile(m *app.TokenMapping) (*compiled, error) {
	c := &compiled{set: template.New("mapping").Funcs(funcs(nil)), markdown: m.Markdown}
	for _, f := range mappingFields {
		src := f.get(m)
		if src == "" {
			continue
		}
		t, err := parseTemplate(f.name, src)
		if err != nil {
			return nil, err
		}
		if _, err := c.set.AddParseTree(f.name, t.Tree); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Preview is a mapping's rendering of one input: what the notification
// would say.
type Preview struct {
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Level     app.Level `json:"level"`
	Type      string    `json:"type"`
	TargetURL string    `json:"target_url"`
}

// render runs every template on input (raw is its JSON, quoted in
// errors). The title and body are cut at their limits; a level, type or
// URL over its limit, and a level that is not info, warning or error, is
// EINVALID, as is a template that fails, naming it and quoting the input.
func (c *compiled) render(input any, raw []byte) (*Preview, error) {
	set, err := c.set.Clone()
	if err != nil {
		return nil, err
	}
	set.Funcs(funcs(&budget{left: renderBudget}))
	out := map[string]string{}
	for _, f := range mappingFields {
		if set.Lookup(f.name) == nil {
			continue
		}
		s, full, err := execute(set, f.name, input, f.max)
		switch {
		case errors.Is(err, errWork):
			return nil, invalidf("The %s template did too much work on this input (more than %d MiB of text). Input: %s", f.name, renderBudget>>20, excerpt(raw))
		case err != nil:
			return nil, invalidf("The %s template failed on this input: %s. Input: %s", f.name, strings.TrimPrefix(err.Error(), "template: "), excerpt(raw))
		case full && (f.name == "title" || f.name == "body"):
			s = clipText(s+"…", f.max) // cut where the limit was reached
		case full:
			return nil, invalidf("The %s template printed more than %d bytes on this input. Input: %s", f.name, f.max, excerpt(raw))
		}
		out[f.name] = s
	}
	p := &Preview{Title: out["title"], Body: out["body"], Type: strings.TrimSpace(out["type"]),
		TargetURL: strings.TrimSpace(out["url"])}
	switch level := strings.ToLower(strings.TrimSpace(out["level"])); level {
	case "":
		p.Level = app.LevelInfo
	case "info", "warning", "error":
		p.Level = app.Level(level)
	default:
		return nil, invalidf("The level template printed %q on this input; it must print info, warning or error (nothing is info). Input: %s", clipText(level, 32), excerpt(raw))
	}
	return p, nil
}

// message is the message published for a rendering.
func (c *compiled) message(p *Preview) ingest.Message {
	return ingest.Message{Title: p.Title, Body: p.Body, Level: p.Level, Type: p.Type, TargetURL: p.TargetURL, Markdown: c.markdown}
}

// parseInput decodes JSON for the templates: numbers stay as written
// (json.Number).
func parseInput(raw []byte, what string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, invalidf("%s is not valid JSON (at byte %d).", what, syntax.Offset)
		}
		return nil, invalidf("%s is not valid JSON.", what)
	}
	if _, err := dec.Token(); err == nil {
		return nil, invalidf("%s must hold a single JSON value.", what)
	}
	return v, nil
}

// excerpt quotes the start of an input in an error.
func excerpt(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	return clipText(s, inputExcerpt)
}

// MappingInput is what PUT /api/tokens/:id/mapping and the tokens page
// set: the templates, whether the body is Markdown, a sample like the
// JSON the sender posts (without one, the stored sample), and the signing
// secret (nil keeps the stored one, "" removes it).
type MappingInput struct {
	Title    string          `json:"title"`
	Body     string          `json:"body"`
	Level    string          `json:"level"`
	Type     string          `json:"type"`
	URL      string          `json:"url"`
	Markdown bool            `json:"markdown"`
	Sample   json.RawMessage `json:"sample"`
	Secret   *string         `json:"secret"`
}

// Mapping returns the mapping of userID's token tokenID. Errors:
// ENOTFOUND when it has none or is not userID's.
func (s *Service) Mapping(ctx context.Context, userID, tokenID string) (*app.TokenMapping, error) {
	return s.d.Mappings.FindTokenMapping(ctx, userID, tokenID)
}

// SaveMapping checks in — every template parses and follows the rules,
// and rendered on the sample gives an event Belfry accepts — and stores
// it as the mapping of userID's token tokenID. It returns the stored
// mapping and its rendering of the sample (nil for a mapping that holds
// only a secret). Errors: EINVALID naming the failing template and
// quoting the sample; ENOTFOUND for a token that is not userID's.
func (s *Service) SaveMapping(ctx context.Context, userID, tokenID string, in MappingInput) (*app.TokenMapping, *Preview, error) {
	prev, err := s.d.Mappings.FindTokenMapping(ctx, userID, tokenID)
	if err != nil && app.ErrorKind(err) != app.ENOTFOUND {
		return nil, nil, err
	}
	m := &app.TokenMapping{TokenID: tokenID, Title: in.Title, Body: in.Body, Level: in.Level, Type: in.Type,
		URL: in.URL, Markdown: in.Markdown, Sample: bytes.TrimSpace(in.Sample)}
	if string(m.Sample) == "null" {
		m.Sample = nil
	}
	switch {
	case in.Secret != nil:
		m.Secret = *in.Secret
	case prev != nil:
		m.Secret = prev.Secret
	}
	if len(m.Sample) == 0 && prev != nil {
		m.Sample = prev.Sample
	}
	p, err := s.validate(m)
	if err != nil {
		return nil, nil, err
	}
	if err := s.d.Mappings.PutTokenMapping(ctx, userID, m); err != nil {
		return nil, nil, err
	}
	s.forget(tokenID)
	return m, p, nil
}

// validate checks m and renders its sample.
func (s *Service) validate(m *app.TokenMapping) (*Preview, error) {
	if len(m.Secret) > MaxSecretLen || !utf8.ValidString(m.Secret) {
		return nil, invalidf("The secret must be text of at most %d bytes.", MaxSecretLen)
	}
	if !m.HasTemplates() {
		return nil, nil
	}
	if m.Title == "" && m.Body == "" {
		return nil, invalidf("A mapping needs a title or a body template.")
	}
	if len(m.Sample) == 0 {
		return nil, invalidf("Give a sample: JSON like the sender posts. The templates are tried on it when the mapping is saved.")
	}
	if len(m.Sample) > MaxCustomBody {
		return nil, invalidf("The sample is larger than %d KiB.", MaxCustomBody>>10)
	}
	input, err := parseInput(m.Sample, "The sample")
	if err != nil {
		return nil, err
	}
	c, err := compile(m)
	if err != nil {
		return nil, err
	}
	p, err := c.render(input, m.Sample)
	if err != nil {
		return nil, err
	}
	if err := s.check(c.message(p)); err != nil {
		return nil, invalidf("On the sample, the mapping gives a notification Belfry refuses: %s", app.ErrorMessage(err))
	}
	return p, nil
}

// DeleteMapping removes the mapping of userID's token tokenID. Errors:
// ENOTFOUND when it has none.
func (s *Service) DeleteMapping(ctx context.Context, userID, tokenID string) error {
	err := s.d.Mappings.DeleteTokenMapping(ctx, userID, tokenID)
	s.forget(tokenID)
	return err
}
