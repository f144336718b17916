package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy forbids inline script and style and every foreign
// origin; the socket may use ws: or wss: behind a proxy.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'"

// maxFormBytes bounds the body of every form the UI accepts.
const maxFormBytes = 64 << 10

// securityHeaders marks every page and partial: the CSP, no sniffing, no
// framing, no caching of per-user HTML, and a bounded request body.
func (u *UI) securityHeaders(c *gin.Context) {
	setSecurityHeaders(c)
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	}
	c.Next()
}

func setSecurityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// NotFound renders the UI's "not found" page with status 404. The server
// calls it for browser navigations to an unknown address (requests that
// accept text/html), after authenticate, so that a mistyped address gets
// a page in the layout rather than JSON.
func (u *UI) NotFound(c *gin.Context) {
	setSecurityHeaders(c)
	u.errorPage(c, http.StatusNotFound, "There is no page at this address.")
	c.Abort()
}

// isHTMX reports whether htmx sent the request (it wants a fragment).
func isHTMX(c *gin.Context) bool { return c.GetHeader("HX-Request") == "true" }

// requireSession lets browser sessions through. Anyone else is sent to the
// login page — htmx through HX-Redirect — with the page to come back to.
// API tokens do not open pages.
func (u *UI) requireSession(c *gin.Context) {
	if web.UserFrom(c) != nil && web.TokenFrom(c) == nil {
		c.Next()
		return
	}
	next := c.Request.URL.RequestURI()
	if isHTMX(c) {
		next = ""
		if cur, err := url.Parse(c.GetHeader("HX-Current-URL")); err == nil {
			next = cur.RequestURI()
		}
	}
	q := url.Values{}
	if next = safeNext(next); next != "" && next != "/" {
		q.Set("next", next)
	}
	// A session cookie without a session: it expired or was ended, and the
	// login page says so.
	if _, err := c.Cookie(web.SessionCookie); err == nil && web.TokenFrom(c) == nil {
		q.Set("expired", "1")
	}
	login := "/login"
	if len(q) > 0 {
		login += "?" + q.Encode()
	}
	switch {
	case isHTMX(c):
		c.Header("HX-Redirect", login)
		c.AbortWithStatus(http.StatusUnauthorized)
	case c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead:
		c.Redirect(http.StatusSeeOther, login)
		c.Abort()
	default:
		u.fail(c, app.Errorf(app.EUNAUTHENTICATED, "Your session has expired. Please log in again."))
	}
}

// safeNext returns next when it is a path on this site (app.LocalPath)
// other than the login page itself, "" otherwise, so the login page cannot
// be made to redirect elsewhere.
func safeNext(next string) string {
	if !app.LocalPath(next) || strings.HasPrefix(next, "/login") {
		return ""
	}
	return next
}

// user returns the session's user; requireSession ran before.
func user(c *gin.Context) *app.User { return web.UserFrom(c) }

// layoutView is what the layout template renders around a page.
type layoutView struct {
	Title   string
	User    *app.User
	Nav     []navLink
	Scripts []string // the page's own scripts, see page.Scripts
	Unread  int
	Content any
}

// page renders a full page of pageName's template set around content.
func (u *UI) page(c *gin.Context, status int, pageName, title string, content any) {
	v := layoutView{Title: title, User: user(c), Content: content, Scripts: scriptsFor(c.Request.URL.Path)}
	if v.User != nil {
		v.Nav = navFor(v.User, c.Request.URL.Path)
		n, err := u.d.Notifications.UnreadCount(c.Request.Context(), v.User.ID)
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Unread = n
	}
	u.write(c, status, pageName, "layout", v)
}

// partial renders one named template of pageName's set ("" for the shared
// partials) as an htmx fragment.
func (u *UI) partial(c *gin.Context, status int, pageName, name string, data any) {
	u.write(c, status, pageName, name, data)
}

// flashKey holds an alert that the next fragment carries out of band.
const flashKey = "ui.flash"

// flash makes the fragment this request answers with also show a in the
// page's flash area.
func (u *UI) flash(c *gin.Context, a alertView) { c.Set(flashKey, a) }

func (u *UI) write(c *gin.Context, status int, pageName, name string, data any) {
	b, err := u.tmpl.execute(pageName, name, data)
	if a, ok := c.Value(flashKey).(alertView); ok && err == nil && name != "layout" {
		var oob []byte
		if oob, err = u.tmpl.execute("", "flash_oob", a); err == nil {
			b = append(oob, b...)
		}
	}
	if err != nil {
		u.log.Error("render failed", "path", c.Request.URL.Path, "err", err)
		c.String(http.StatusInternalServerError, "Internal error.\n")
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", b)
}

// alertView is a message box: Kind is "error", "success" or "info".
type alertView struct {
	Kind     string
	Message  string
	AutoHide bool
}

// errorAlert turns err into an alert, logging internal errors.
func (u *UI) errorAlert(c *gin.Context, err error) (int, alertView) {
	status := web.StatusOf(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status, err = http.StatusRequestEntityTooLarge, app.Errorf(app.ETOOLARGE, "The form is too large.")
	}
	if status >= http.StatusInternalServerError {
		u.log.Error("ui request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	return status, alertView{Kind: "error", Message: app.ErrorMessage(err)}
}

// fail answers with err: htmx requests get an alert in the page's flash
// area, clients that ask for JSON the JSON error envelope, full page loads
// the error page.
func (u *UI) fail(c *gin.Context, err error) {
	status, a := u.errorAlert(c, err)
	if !isHTMX(c) && web.WantsJSON(c) {
		web.WriteError(c, err)
		c.Abort()
		return
	}
	if isHTMX(c) {
		c.Header("HX-Retarget", "#flash")
		c.Header("HX-Reswap", "innerHTML")
		u.partial(c, status, "", "alert", a)
	} else {
		u.errorPage(c, status, a.Message)
	}
	c.Abort()
}

// failInline answers an htmx form with an alert swapped into the form's own
// result area (its hx-target).
func (u *UI) failInline(c *gin.Context, err error) {
	status, a := u.errorAlert(c, err)
	u.partial(c, status, "", "alert", a)
	c.Abort()
}

// errorView is the content of the error page.
type errorView struct {
	Heading string
	Message string
}

// errorPage renders the error page without touching the database, so it
// also works when the database is the problem.
func (u *UI) errorPage(c *gin.Context, status int, message string) {
	heading := map[int]string{
		http.StatusBadRequest:   "That did not work",
		http.StatusUnauthorized: "Please log in",
		http.StatusForbidden:    "Not allowed",
		http.StatusNotFound:     "Not found",
	}[status]
	if heading == "" {
		heading = "Something went wrong"
	}
	v := layoutView{Title: heading, User: user(c), Content: errorView{Heading: heading, Message: message}}
	if v.User != nil {
		v.Nav = navFor(v.User, c.Request.URL.Path)
	}
	u.write(c, status, "error", "layout", v)
}

// form parses the request's form (query and body) and returns it.
func form(c *gin.Context) (url.Values, error) {
	if err := c.Request.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, app.Errorf(app.EINVALID, "The form could not be read.")
	}
	return c.Request.Form, nil
}

// formField is the first value of form field k, trimmed; "" when absent.
func formField(f map[string][]string, k string) string {
	if v := f[k]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}
