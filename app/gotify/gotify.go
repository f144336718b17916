// Package gotify speaks Gotify's publish protocol: POST /message with an
// application token, a JSON or form body {title, message, priority,
// extras}, Gotify's message JSON in answer and Gotify's error shape
// {"error","errorCode","errorDescription"} on failure, so that every tool
// with a Gotify target (Proxmox VE, Uptime Kuma, Home Assistant, Apprise…)
// publishes to Belfry unchanged. The application is the publishing token:
// its name is the application's name and the notification's topic. What a
// message becomes is decided by app/ingest; docs/dialects.md ("Gotify")
// has the whole mapping.
package gotify

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/ingest"
	"github.com/gin-gonic/gin"
)

// Tokens resolves an application token to its owner (auth.Service).
type Tokens interface {
	TokenUser(ctx context.Context, secret string) (*app.User, *app.Token, error)
}

// Publisher publishes a dialect's message (ingest.Publisher).
type Publisher interface {
	Publish(ctx context.Context, publisher *app.User, m ingest.Message) (*app.DispatchResult, error)
}

// Numbers gives notifications and tokens the integer ids Gotify's clients
// expect (db.NumberStore): a message's id is its notification's number,
// its appid the number of the token it came with.
type Numbers interface {
	NotificationNumber(ctx context.Context, id string) (int64, time.Time, error)
	TokenNumber(ctx context.Context, id string) (int64, error)
}

// Deps are the dialect's collaborators.
type Deps struct {
	Tokens    Tokens
	Publisher Publisher
	Numbers   Numbers
	Clock     clock.Clock // nil: the wall clock
}

// Gotify serves POST /message. It is safe for concurrent use.
type Gotify struct {
	d      Deps
	appIDs sync.Map // token id → its number (int64)
}

// New returns the dialect over d.
func New(d Deps) *Gotify {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	return &Gotify{d: d}
}

// Register adds POST /message. The route reads its own credential, the
// application token, the ways Gotify's clients send it; Belfry's session
// cookie does not publish here.
func (g *Gotify) Register(r gin.IRouter, _ gin.HandlerFunc) {
	r.POST("/message", g.handleCreateMessage)
}

// Level is the level of a Gotify priority: up to 3 info, 4 to 7 warning,
// 8 and above error.
func Level(priority int64) app.Level {
	switch {
	case priority >= 8:
		return app.LevelError
	case priority >= 4:
		return app.LevelWarning
	}
	return app.LevelInfo
}
