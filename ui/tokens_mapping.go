package ui

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/hooks"
	"github.com/gin-gonic/gin"
)

// mappingEditor is the hooks card of one token: the addresses its hooks
// are served at, and the form of its custom mapping and signing secret.
type mappingEditor struct {
	Token   *app.Token
	Mapping *app.TokenMapping // nil: none yet
	Sample  string            // the stored sample, indented
	BaseURL string
}

// mappingSaved is the answer to a saved mapping: its rendering of the
// sample (nil for a mapping that holds only a secret).
type mappingSaved struct {
	Preview   *hooks.Preview
	HasSecret bool
}

// ownToken returns the user's token id, ENOTFOUND when it is not theirs.
func (u *UI) ownToken(c *gin.Context) (*app.Token, error) {
	ts, err := u.d.Tokens.ListTokens(c.Request.Context(), user(c).ID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == c.Param("id") {
			return t, nil
		}
	}
	return nil, app.Errorf(app.ENOTFOUND, "Token not found.")
}

// loadMappingEditor reads the token and its mapping.
func (u *UI) loadMappingEditor(c *gin.Context) (mappingEditor, error) {
	t, err := u.ownToken(c)
	if err != nil {
		return mappingEditor{}, err
	}
	v := mappingEditor{Token: t, BaseURL: strings.TrimRight(u.d.Hooks.BaseURL(), "/")}
	m, err := u.d.Hooks.Mapping(c.Request.Context(), user(c).ID, t.ID)
	switch {
	case app.ErrorKind(err) == app.ENOTFOUND:
		return v, nil
	case err != nil:
		return v, err
	}
	v.Mapping = m
	if len(m.Sample) > 0 {
		var sample any
		if json.Unmarshal(m.Sample, &sample) == nil {
			if b, err := json.MarshalIndent(sample, "", "  "); err == nil {
				v.Sample = string(b)
			}
		}
	}
	return v, nil
}

// handleMappingEditor opens the hooks card of a token.
func (u *UI) handleMappingEditor(c *gin.Context) {
	v, err := u.loadMappingEditor(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "tokens", "token_mapping", v)
}

// handleSaveMapping checks the mapping on its sample and stores it; the
// answer shows what the sample gives, or which template failed on it.
// An empty secret keeps the stored one unless remove_secret is ticked.
func (u *UI) handleSaveMapping(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	in := hooks.MappingInput{Title: f.Get("title"), Body: f.Get("body"), Level: f.Get("level"), Type: f.Get("type"),
		URL: f.Get("url"), Markdown: f.Get("markdown") != "", Sample: json.RawMessage(strings.TrimSpace(f.Get("sample")))}
	switch secret := f.Get("secret"); {
	case secret != "":
		in.Secret = &secret
	case f.Get("remove_secret") != "":
		in.Secret = new(string)
	}
	if _, err := u.ownToken(c); err != nil {
		u.failInline(c, err)
		return
	}
	m, p, err := u.d.Hooks.SaveMapping(c.Request.Context(), user(c).ID, c.Param("id"), in)
	if err != nil {
		u.failInline(c, err)
		return
	}
	u.partial(c, http.StatusOK, "tokens", "mapping_saved", mappingSaved{Preview: p, HasSecret: m.Secret != ""})
}

// handleDeleteMapping removes the mapping and secret and shows the empty
// card.
func (u *UI) handleDeleteMapping(c *gin.Context) {
	if _, err := u.ownToken(c); err != nil {
		u.fail(c, err)
		return
	}
	if err := u.d.Hooks.DeleteMapping(c.Request.Context(), user(c).ID, c.Param("id")); err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadMappingEditor(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "tokens", "token_mapping", v)
}
