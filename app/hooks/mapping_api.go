package hooks

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// mappingView is a token mapping as the API shows it: never the secret,
// only whether there is one.
type mappingView struct {
	TokenID   string          `json:"token_id"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Level     string          `json:"level"`
	Type      string          `json:"type"`
	URL       string          `json:"url"`
	Markdown  bool            `json:"markdown"`
	Sample    json.RawMessage `json:"sample"`
	HasSecret bool            `json:"has_secret"`
	UpdatedAt string          `json:"updated_at"`
	// Preview is the rendering of the sample, in the answer to PUT.
	Preview *Preview `json:"preview,omitempty"`
}

func viewMapping(m *app.TokenMapping, p *Preview) mappingView {
	sample := m.Sample
	if len(sample) == 0 {
		sample = json.RawMessage("null")
	}
	return mappingView{TokenID: m.TokenID, Title: m.Title, Body: m.Body, Level: m.Level, Type: m.Type, URL: m.URL,
		Markdown: m.Markdown, Sample: sample, HasSecret: m.Secret != "", UpdatedAt: m.UpdatedAt.UTC().Format(time.RFC3339), Preview: p}
}

// handleGetMapping is GET /api/tokens/:id/mapping.
func (s *Service) handleGetMapping(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	m, err := s.Mapping(c.Request.Context(), web.UserFrom(c).ID, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMapping(m, nil))
}

// handlePutMapping is PUT /api/tokens/:id/mapping: the mapping is checked
// on its sample and stored; the answer shows the rendering.
func (s *Service) handlePutMapping(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var in MappingInput
	if err := web.DecodeJSON(c, &in, web.Limit(2*MaxCustomBody)); err != nil {
		web.WriteError(c, err)
		return
	}
	m, p, err := s.SaveMapping(c.Request.Context(), web.UserFrom(c).ID, id, in)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMapping(m, p))
}

// handleDeleteMapping is DELETE /api/tokens/:id/mapping.
func (s *Service) handleDeleteMapping(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.DeleteMapping(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
