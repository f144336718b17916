package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// loginRequest is the JSON form of POST /login; browsers send the same
// fields form-encoded.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Next     string `json:"next"`
}

// readLogin reads the credentials from a JSON body or an url-encoded form.
func readLogin(c *gin.Context) (loginRequest, error) {
	var req loginRequest
	if strings.HasPrefix(c.ContentType(), "application/json") {
		err := web.DecodeJSON(c, &req)
		return req, err
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, web.MaxBody)
	if err := c.Request.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return req, app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", web.MaxBody>>10)
		}
		return req, app.Errorf(app.EINVALID, "The login form could not be read.")
	}
	f := c.Request.Form
	return loginRequest{Username: f.Get("username"), Password: f.Get("password"), Next: f.Get("next")}, nil
}

// handleLogin is POST /login. On success it sets the session cookie and
// redirects (303) to next or /, or answers 200 {"id","username"} to a JSON
// client: one that sent a JSON body or accepts JSON. Wrong credentials are
// 401 for JSON clients and a redirect to /login?error=1 for forms. Too many
// attempts (429) and too many passwords being checked at once (503) carry
// Retry-After, in the error envelope for JSON clients and on the login page
// (Deps.LoginRefused) for forms.
func (s *Server) handleLogin(c *gin.Context) {
	req, err := readLogin(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	jsonClient := web.WantsJSON(c) || strings.HasPrefix(c.ContentType(), "application/json")
	cookie, u, err := s.d.Auth.Login(c.Request.Context(), c.ClientIP(), strings.TrimSpace(req.Username), req.Password)
	if err != nil {
		switch kind := app.ErrorKind(err); {
		case jsonClient:
		case kind == app.EUNAUTHENTICATED:
			c.Redirect(http.StatusSeeOther, loginRetryURL(req.Next, strings.TrimSpace(req.Username)))
			return
		case (kind == app.ERATELIMIT || kind == app.EUNAVAILABLE) && s.d.LoginRefused != nil:
			s.d.LoginRefused(c, err, req.Next)
			return
		}
		web.WriteError(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: web.SessionCookie, Value: cookie, Path: "/",
		MaxAge:   int(s.d.Auth.SessionTTL().Seconds()),
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode,
	})
	if jsonClient {
		c.JSON(http.StatusOK, gin.H{"id": u.ID, "username": u.Username})
		return
	}
	c.Redirect(http.StatusSeeOther, safeNext(req.Next))
}

// handleLogout is POST /logout: the session ends, the cookie is cleared
// and the browser goes back to /login.
func (s *Server) handleLogout(c *gin.Context) {
	if cookie, err := c.Cookie(web.SessionCookie); err == nil {
		if err := s.d.Auth.Logout(c.Request.Context(), cookie); err != nil {
			web.WriteError(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: web.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode,
	})
	if web.WantsJSON(c) {
		c.JSON(http.StatusOK, web.OK)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// loginRetryURL sends a failed form login back to the login page, keeping
// where the user wanted to go and the username typed (never the password),
// so that only the password needs typing again.
func loginRetryURL(next, username string) string {
	q := "/login?error=1"
	if username != "" && len(username) <= 256 {
		q += "&username=" + url.QueryEscape(username)
	}
	if n := safeNext(next); n != "/" {
		q += "&next=" + url.QueryEscape(n)
	}
	return q
}

// safeNext returns next when it is a path on this site (app.LocalPath),
// otherwise "/": a login form must not become an open redirect.
func safeNext(next string) string {
	if !app.LocalPath(next) {
		return "/"
	}
	return next
}
