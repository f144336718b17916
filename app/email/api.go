package email

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// logLimit is how many e-mails the logs show.
const logLimit = 50

// Register adds the e-mail routes: the caller's address, status and log,
// the test e-mail, an admin's view of every user's e-mails and setting a
// user's address, and the unsubscribe link (no login: the token is the
// credential).
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	r.GET("/email/unsubscribe", s.handleUnsubscribePage)
	r.POST("/email/unsubscribe", s.handleUnsubscribe)

	authed := r.Group("", authenticate)
	e := authed.Group("/api/email", web.RequireUser())
	e.GET("", s.handleStatus)
	e.PUT("/address", s.handleSetOwnAddress)
	e.POST("/test", s.handleTest)
	e.GET("/outbox", web.RequireAdmin, s.handleOutbox)
	authed.PUT("/api/users/:id/email", web.RequireUser(), web.RequireAdmin, s.handleSetUserAddress)
}

// Status is what the caller's e-mail looks like.
type Status struct {
	Enabled bool         `json:"enabled"`
	Address string       `json:"address"`
	Emails  []*app.Email `json:"emails"`
}

// StatusOf returns userID's e-mail status: on or off, the address, the
// latest e-mails with their outcome.
func (s *Service) StatusOf(ctx context.Context, userID string) (*Status, error) {
	u, err := s.d.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	es, err := s.d.Store.ListEmails(ctx, userID, logLimit)
	if err != nil {
		return nil, err
	}
	return &Status{Enabled: s.Enabled(), Address: u.Email, Emails: es}, nil
}

func (s *Service) handleStatus(c *gin.Context) {
	st, err := s.StatusOf(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (s *Service) handleOutbox(c *gin.Context) {
	es, err := s.d.Store.ListEmails(c.Request.Context(), "", logLimit)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"emails": es})
}

// addressRequest is the body of the address routes.
type addressRequest struct {
	Email *string `json:"email"`
}

// SetAddress validates and stores userID's address ("" removes it).
func (s *Service) SetAddress(ctx context.Context, userID, addr string) error {
	addr = strings.TrimSpace(addr)
	if err := app.ValidateEmailAddress(addr); err != nil {
		return err
	}
	return s.d.Store.SetEmailAddress(ctx, userID, addr)
}

func (s *Service) setAddress(c *gin.Context, userID string) {
	var req addressRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	if req.Email == nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Field email is required (\"\" removes the address)."))
		return
	}
	if err := s.SetAddress(c.Request.Context(), userID, *req.Email); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": strings.TrimSpace(*req.Email)})
}

func (s *Service) handleSetOwnAddress(c *gin.Context) { s.setAddress(c, web.UserFrom(c).ID) }

func (s *Service) handleSetUserAddress(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	s.setAddress(c, id)
}

// TestResult is the outcome of a test e-mail: the server's answer.
type TestResult struct {
	Sent    bool   `json:"sent"`
	To      string `json:"to"`
	Answer  string `json:"answer"`
	Problem string `json:"error,omitempty"`
}

// errOff is the answer to a test e-mail while e-mail is off.
func errOff() error {
	return &app.Error{Kind: app.ECONFLICT, Code: "EMAIL_NOT_CONFIGURED",
		Message: "E-mail is off: set email.host and email.from (BELFRY_EMAIL_HOST, BELFRY_EMAIL_FROM) to turn it on."}
}

// SendTest sends a test e-mail to userID's address at once, bypassing the
// outbox, and reports what the server answered. Errors: ECONFLICT while
// e-mail is off, EINVALID without an address.
func (s *Service) SendTest(ctx context.Context, userID string) (*TestResult, error) {
	if !s.Enabled() {
		return nil, errOff()
	}
	u, err := s.d.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Email == "" {
		return nil, app.Errorf(app.EINVALID, "Set your e-mail address first.")
	}
	msg, err := s.envelope(u.Email, "[Belfry] Test e-mail")
	if err != nil {
		return nil, err
	}
	msg.SetMessageID()
	msg.SetBodyString("text/plain", "This is a test e-mail from Belfry at "+s.d.BaseURL+
		".\n\nIt reached you, so e-mail notifications will too: choose which on the Preferences page.\n")
	res := &TestResult{To: u.Email}
	c, err := s.client()
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, 2*s.d.Config.Timeout.Duration)
		defer cancel()
		err = c.DialAndSendWithContext(ctx, msg)
	}
	if err != nil {
		res.Problem = describe(err)
		return res, nil
	}
	res.Sent, res.Answer = true, msg.ServerResponse()
	return res, nil
}

func (s *Service) handleTest(c *gin.Context) {
	res, err := s.SendTest(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// Unsubscribe checks tok and turns its type's e-mail off for its user. It
// returns the type. Errors: EINVALID (code UNSUBSCRIBE_LINK_INVALID or
// UNSUBSCRIBE_LINK_EXPIRED).
func (s *Service) Unsubscribe(ctx context.Context, tok string) (string, error) {
	userID, typ, err := s.parseToken(tok, s.d.Clock.Now())
	if err != nil {
		return "", err
	}
	if _, ok := s.d.Types.Lookup(typ); !ok {
		return "", errBadToken()
	}
	err = s.d.Preferences.UpdatePreferences(ctx, userID, app.Preferences{typ + "_email": false})
	if app.ErrorKind(err) == app.ENOTFOUND {
		return "", errBadToken()
	}
	return typ, err
}

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe · Belfry</title></head>
<body style="font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
{{if .Done}}<h1>Unsubscribed</h1><p>You will get no more e-mails about <code>{{.Type}}</code>. Turn them back on in Belfry's Preferences.</p>
{{else}}<h1>Unsubscribe?</h1><p>Stop the e-mails about <code>{{.Type}}</code>?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>`))

// handleUnsubscribePage is GET /email/unsubscribe: it asks before
// unsubscribing, so a mail scanner that follows links changes nothing.
func (s *Service) handleUnsubscribePage(c *gin.Context) {
	_, typ, err := s.parseToken(c.Query("token"), s.d.Clock.Now())
	if err != nil {
		web.WriteError(c, err)
		return
	}
	s.page(c, typ, false)
}

// handleUnsubscribe is POST /email/unsubscribe: RFC 8058's one-click
// unsubscribe (a mail client posts List-Unsubscribe=One-Click), and the
// confirmation form of the page.
func (s *Service) handleUnsubscribe(c *gin.Context) {
	typ, err := s.Unsubscribe(c.Request.Context(), c.Query("token"))
	if err != nil {
		web.WriteError(c, err)
		return
	}
	s.page(c, typ, true)
}

func (s *Service) page(c *gin.Context, typ string, done bool) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_ = unsubscribePage.Execute(c.Writer, struct {
		Type string
		Done bool
	}{typ, done})
}

// Doc describes the e-mail routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	email := web.Object("id!", web.UUID(""), "user_id!", web.UUID(""), "notification_id", web.UUID(""), "type!", web.Str(""),
		"subject!", web.Str(""), "status!", web.Enum(app.EmailPending, app.EmailHeld, app.EmailSent, app.EmailFailed, app.EmailSkipped),
		"kind!", web.Enum(app.EmailSingle, app.EmailSummary),
		"batch_id", web.UUID("A held e-mail's summary (batching): the e-mail takes the summary's outcome."), "attempts!", web.Int(""),
		"next_attempt_at!", web.Time(""), "last_error!", web.Str("The SMTP server's answer to the last failed attempt."),
		"created_at!", web.Time(""), "updated_at!", web.Time(""), "sent_at", web.Time(""))
	address := web.Object("email!", web.Str("An address like name@example.org; \"\" removes it."))
	return web.Doc{Schemas: map[string]web.Schema{"Email": email}, Operations: []web.Operation{
		{Method: "GET", Path: "/api/email", Tag: "email", Auth: web.AnyLogin, Summary: "Whether e-mail is on, the caller's address and latest e-mails.",
			Status: 200, Result: web.Object("enabled!", web.Bool(""), "address!", web.Str(""), "emails!", web.Array(web.Ref("Email"))), Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/email/address", Tag: "email", Auth: web.AnyLogin, Summary: "Set the caller's e-mail address.",
			Body: address, Status: 200, Result: address, Errors: web.BodyErrors},
		{Method: "POST", Path: "/api/email/test", Tag: "email", Auth: web.AnyLogin,
			Summary: "Send a test e-mail to the caller's address now and report the server's answer.", Status: 200,
			Result: web.Object("sent!", web.Bool(""), "to!", web.Str(""), "answer!", web.Str("The server's reply to the message."),
				"error", web.Str("Why it was not sent.")), Errors: append(web.AuthErrors, http.StatusBadRequest, http.StatusConflict)},
		{Method: "GET", Path: "/api/email/outbox", Tag: "email", Auth: web.AnyLogin, Summary: "Every user's latest e-mails (admins).",
			Status: 200, Result: web.Object("emails!", web.Array(web.Ref("Email"))), Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/users/:id/email", Tag: "email", Auth: web.AnyLogin, Summary: "Set a user's e-mail address (admins).",
			Body: address, Status: 200, Result: address, Errors: append(web.BodyErrors, http.StatusNotFound)},
	}}
}
