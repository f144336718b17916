package hooks

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Bounds of a hook request.
const (
	// MaxBody bounds the JSON of Alertmanager, Grafana and GitHub: a group
	// of hundreds of alerts or a large push fits.
	MaxBody = 1 << 20
	// MaxCustomBody bounds the JSON a custom mapping renders, as the
	// native API bounds an event.
	MaxCustomBody = web.MaxBody
	// MaxAlerts bounds the alerts of one request (Alertmanager's
	// max_alerts keeps a group under it).
	MaxAlerts = 500
)

// readBody reads the whole request body, at most max bytes. Errors:
// ETOOLARGE over max, ETIMEOUT when it arrives too slowly, EINVALID when
// it is empty.
func readBody(c *gin.Context, max int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, max))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, web.TooLarge(max)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, app.Errorf(app.ETIMEOUT, "Request body arrived too slowly; the server stopped waiting for it.")
	case err != nil:
		return nil, app.Errorf(app.EINVALID, "Request body could not be read.")
	case len(b) == 0:
		return nil, app.Errorf(app.EINVALID, "Request body is empty; send the tool's JSON.")
	}
	return b, nil
}

// decode unmarshals a tool's JSON into v, ignoring fields Belfry does not
// read. Errors are EINVALID naming what is wrong.
func decode(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return app.Errorf(app.EINVALID, "Request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return app.Errorf(app.EINVALID, "Field %s must be %s, not %s.", typ.Field, kindName(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return app.Errorf(app.EINVALID, "Request body must be %s, not %s.", kindName(typ.Type), typ.Value)
	}
	return app.Errorf(app.EINVALID, "Request body is not valid: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// kindName names a Go type the way the JSON's author thinks of it.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return "a time"
		}
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a number"
}

// target is where a hook's notifications go: the topic (service_id, and
// the key of an admin's route) and the type, from ?topic= and ?type=.
type target struct{ topic, typ string }

// targetOf reads ?topic= (def without one) and ?type= ("" is the
// built-in message type; the dispatcher checks it is known).
func targetOf(c *gin.Context, def string) (target, error) {
	t := target{topic: strings.TrimSpace(c.Query("topic")), typ: strings.TrimSpace(c.Query("type"))}
	if t.topic == "" {
		t.topic = def
	}
	if len(t.topic) > app.MaxFieldLen || !utf8.ValidString(t.topic) {
		return t, app.Errorf(app.EINVALID, "Parameter topic must be text of at most %d bytes.", app.MaxFieldLen)
	}
	return t, nil
}

// answer is what a hook answers: the notifications created (as
// POST /api/v1/events answers), those an alert's resolution marked
// resolved, how many firing alerts were repeats of ones already in the
// inbox, and why nothing was published, when nothing was.
type answer struct {
	Notifications []app.NotificationRef `json:"notifications"`
	Webhooks      int                   `json:"webhooks"`
	Resolved      []app.NotificationRef `json:"resolved,omitempty"`
	Repeated      int                   `json:"repeated,omitempty"`
	Ignored       string                `json:"ignored,omitempty"`
}

func (a *answer) add(res *app.DispatchResult) {
	a.Notifications = append(a.Notifications, res.Notifications...)
	a.Webhooks += res.Webhooks
}

// write answers 202 when notifications were created, 200 otherwise.
func (a *answer) write(c *gin.Context) {
	if a.Notifications == nil {
		a.Notifications = []app.NotificationRef{}
	}
	status := http.StatusOK
	if len(a.Notifications) > 0 {
		status = http.StatusAccepted
	}
	c.JSON(status, a)
}

// publishOne publishes the one message of a hook request and answers; the
// dispatcher refuses what the native API refuses.
func (s *Service) publishOne(c *gin.Context, publisher *app.User, m ingest.Message) {
	res, err := s.d.Publisher.Publish(c.Request.Context(), publisher, m)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	var ans answer
	ans.add(res)
	ans.write(c)
}
