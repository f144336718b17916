package hooks

import (
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

const sourceCustom = "custom"

// maxPayloadData bounds the posted JSON a custom hook keeps in
// data.payload.
const maxPayloadData = 8 << 10

// compiledCache keeps each token's parsed templates while its mapping is
// unchanged.
type compiledCache struct {
	mu sync.Mutex
	m  map[string]cachedMapping
}

type cachedMapping struct {
	updated time.Time
	c       *compiled
}

// maxCached bounds the cache; past it the cache starts over.
const maxCached = 1024

// compiled returns m's parsed templates.
func (s *Service) compiled(m *app.TokenMapping) (*compiled, error) {
	s.cache.mu.Lock()
	e, ok := s.cache.m[m.TokenID]
	s.cache.mu.Unlock()
	if ok && e.updated.Equal(m.UpdatedAt) {
		return e.c, nil
	}
	c, err := compile(m)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	if s.cache.m == nil || len(s.cache.m) >= maxCached {
		s.cache.m = map[string]cachedMapping{}
	}
	s.cache.m[m.TokenID] = cachedMapping{updated: m.UpdatedAt, c: c}
	s.cache.mu.Unlock()
	return c, nil
}

// forget drops a token's parsed templates.
func (s *Service) forget(tokenID string) {
	s.cache.mu.Lock()
	delete(s.cache.m, tokenID)
	s.cache.mu.Unlock()
}

// handleCustom is POST /api/v1/hooks/custom: any JSON, rendered by the
// custom mapping of the token it came with (checked against
// X-Hub-Signature-256 when the token has a secret). The JSON is kept in
// data.payload when it is small.
func (s *Service) handleCustom(c *gin.Context) {
	publisher, tok := caller(c)
	ctx := c.Request.Context()
	t, err := targetOf(c, sourceCustom)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	body, err := readBody(c, MaxCustomBody)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	m, err := s.mappingOf(ctx, publisher, tok)
	if err == nil && (m == nil || !m.HasTemplates()) {
		err = invalidf("This token has no custom mapping: set one on the API tokens page, or with PUT /api/tokens/%s/mapping.", tok.ID)
	}
	if err == nil {
		err = checkSignature(m, body, c.GetHeader(SignatureHeader))
	}
	if err != nil {
		web.WriteError(c, err)
		return
	}
	input, err := parseInput(body, "Request body")
	if err != nil {
		web.WriteError(c, err)
		return
	}
	comp, err := s.compiled(m)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	p, err := comp.render(input, body)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	msg := comp.message(p)
	msg.Source, msg.Topic = sourceCustom, t.topic
	if msg.Type == "" {
		msg.Type = t.typ
	}
	if len(body) <= maxPayloadData {
		msg.Data = map[string]any{"payload": input}
	}
	s.publishOne(c, publisher, msg)
}
