// Package gotify speaks Gotify's protocols. Publishing: POST /message with
// an application token, a JSON or form body {title, message, priority,
// extras}, Gotify's message JSON in answer and Gotify's error shape
// {"error","errorCode","errorDescription"} on failure, so that every tool
// with a Gotify target (Proxmox VE, Uptime Kuma, Home Assistant, Apprise…)
// publishes to Belfry unchanged. The application is the publishing token:
// its name is the application's name and the notification's topic. What a
// message becomes is decided by app/ingest; docs/dialects.md ("Gotify")
// has the whole mapping.
//
// The client API — the routes the Gotify Android app calls: login
// (/current/user, /client), applications, message pages, deletes and the
// /stream WebSocket — shows a user's inbox in Gotify's terms: an
// application is a topic (a notification's service_id), ids are the
// numbers of migrations 00008 and 00010, and deletes go through the inbox
// (docs/mobile.md, "Gotify").
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

// Numbers gives notifications, topics, tokens and users the integer ids
// Gotify's clients expect, and reads the numbered views (db.NumberStore):
// a message's id is its notification's number, its appid its topic's, a
// client's id its token's.
type Numbers interface {
	NotificationNumber(ctx context.Context, id string) (int64, time.Time, error)
	NotificationOfNumber(ctx context.Context, n int64) (string, error)
	Numbered(ctx context.Context, id string) (number, topic int64, err error)
	ListNumbered(ctx context.Context, f app.NumberedFilter) ([]*app.NumberedNotification, error)
	TopicNumber(ctx context.Context, topic string) (int64, error)
	TopicOfNumber(ctx context.Context, n int64) (app.Topic, error)
	UserTopics(ctx context.Context, userID string) ([]app.Topic, error)
	TokenNumber(ctx context.Context, id string) (int64, error)
	TokenNumbers(ctx context.Context, userID string) (map[string]int64, error)
	TokenOfNumber(ctx context.Context, n int64) (string, error)
	UserNumber(ctx context.Context, id string) (int64, error)
}

// Deps are the dialect's collaborators.
type Deps struct {
	Tokens    Tokens
	Publisher Publisher
	Numbers   Numbers
	// Credentials serve the client API's logins and clients; nil: only
	// POST /message is served.
	Credentials Credentials
	// Inbox deletes what a client deletes, announcing it to every tab.
	Inbox Deleter
	// Stream configures /stream's connections.
	Stream StreamConfig
	// Version is what GET /version reports; Ready answers GET /health
	// (nil: always healthy).
	Version string
	Ready   func(ctx context.Context) error
	Clock   clock.Clock // nil: the wall clock
}

// Gotify serves Gotify's publish route and client API. It is safe for
// concurrent use.
type Gotify struct {
	d      Deps
	appIDs sync.Map // topic → its number (int64)
	stream *stream  // nil without Credentials
}

// New returns the dialect over d.
func New(d Deps) *Gotify {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	g := &Gotify{d: d}
	if d.Credentials != nil {
		g.stream = newStream(d.Stream, d.Numbers)
	}
	return g
}

// Register adds POST /message and, with Credentials, the client API. The
// routes read their own credentials the ways Gotify's clients send them;
// Belfry's session cookie is not one of them.
func (g *Gotify) Register(r gin.IRouter, _ gin.HandlerFunc) {
	r.POST("/message", g.handleCreateMessage)
	if g.d.Credentials != nil {
		g.registerClientAPI(r)
	}
}

// Level is the level of a Gotify priority: up to 3 info, 4 to 7 warning,
// 8 and above error. Priority goes the other way.
func Level(priority int64) app.Level {
	switch {
	case priority >= 8:
		return app.LevelError
	case priority >= 4:
		return app.LevelWarning
	}
	return app.LevelInfo
}

// Priority is the Gotify priority of a notification of level l that was
// not published with one: info 3, warning 5, error 8, so that Level gives
// l back.
func Priority(l app.Level) int64 {
	switch l {
	case app.LevelError:
		return 8
	case app.LevelWarning:
		return 5
	}
	return 3
}
