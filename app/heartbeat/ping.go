package heartbeat

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// handlePing is GET, POST and HEAD /ping/<key>[/<signal>], healthchecks.io's
// ping URLs: no signal is success, start, fail and log say so, an exit
// status 0 is success and 1 to 255 a failure. ?rid= is a run id (a UUID)
// kept in the log. The first MaxHeartbeatBody bytes of a body are kept as
// the ping's log. It answers "OK" in text/plain; an unknown key is 404.
func (s *Service) handlePing(c *gin.Context) {
	web.RedactPath(c)
	p := app.HeartbeatPing{Kind: app.SignalSuccess, Method: c.Request.Method, Remote: c.ClientIP(),
		UserAgent: truncate(strings.ToValidUTF8(c.Request.UserAgent(), "\uFFFD"), 200)}
	if sig, ok := c.Params.Get("signal"); ok {
		switch sig {
		case app.SignalStart, app.SignalFail, app.SignalLog:
			p.Kind = sig
		default:
			n, err := strconv.Atoi(sig)
			if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != sig {
				web.WriteError(c, app.Errorf(app.EINVALID, "The ping URL ends in /start, /fail, /log or an exit status from 0 to 255, not %q.", web.Clip(sig, 40)))
				return
			}
			p.ExitStatus = &n
			if n != 0 {
				p.Kind = app.SignalFail
			}
		}
	}
	if rid := c.Query("rid"); rid != "" {
		id, err := uuid.Parse(rid)
		if err != nil {
			web.WriteError(c, app.Errorf(app.EINVALID, "Parameter rid must be a UUID."))
			return
		}
		p.RunID = id.String()
	}
	body, err := readBody(c.Request.Body)
	if err != nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "The body could not be read."))
		return
	}
	p.Body = body
	if _, err := s.Signal(c.Request.Context(), c.Param("key"), p); err != nil {
		web.WriteError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("OK"))
}

// readBody returns the first MaxHeartbeatBody bytes of body as text; the
// rest is not read.
func readBody(body io.ReadCloser) (string, error) {
	if body == nil {
		return "", nil
	}
	b, err := io.ReadAll(io.LimitReader(body, app.MaxHeartbeatBody))
	if err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}
