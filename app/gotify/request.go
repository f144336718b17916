package gotify

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// request is a message as a publisher sent it to POST /message.
type request struct {
	Title   string
	Message string
	// Priority is nil when none was sent (it is then 0, Gotify's default
	// application priority).
	Priority *int64
	// Extras is the extras object as sent, nil without one.
	Extras map[string]any
	// Type is the Belfry notification type named by ?type= or the
	// belfry::type extra; "" for the built-in message type.
	Type string
}

// maxExtras bounds the extras object, leaving room in the notification's
// data (app.MaxDataLen) for what the dialect adds.
const maxExtras = app.MaxDataLen - 512

// parseRequest reads a POST /message request the ways Gotify's clients send
// it: a JSON body; a form (urlencoded or multipart) whose fields may also
// come from the query string, as with Gotify; or only the query string.
// Extras are read from JSON only, as in Gotify. A body without a
// Content-Type is a form, or JSON when it is a JSON object, as is a
// urlencoded body that is one (curl -d '{…}' without -H).
// Every problem is an EINVALID *app.Error naming the field.
func parseRequest(contentType string, query url.Values, body []byte) (*request, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = ""
	}
	looksJSON := bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
	var r *request
	switch {
	case mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"):
		r, err = parseJSON(body)
	case mediaType == "multipart/form-data":
		r, err = parseMultipart(body, params["boundary"], query)
	case looksJSON && (mediaType == "" || mediaType == "application/x-www-form-urlencoded"):
		r, err = parseJSON(body)
	case mediaType == "application/x-www-form-urlencoded" || mediaType == "" || len(bytes.TrimSpace(body)) == 0:
		var form url.Values
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, app.Errorf(app.EINVALID, "The form body is not valid: %v.", err)
		}
		r, err = parseForm(form, query)
	default:
		return nil, app.Errorf(app.EINVALID,
			"Content-Type %q is not supported: send JSON (application/json) or a form (application/x-www-form-urlencoded or multipart/form-data).",
			web.Clip(contentType, 64))
	}
	if err != nil {
		return nil, err
	}
	if err := r.settle(query.Get("type")); err != nil {
		return nil, err
	}
	return r, nil
}

// parseJSON reads a JSON object. Member names match in any letter case,
// as in Gotify; members it does not know are ignored, as in Gotify.
func parseJSON(body []byte) (*request, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, app.Errorf(app.EINVALID, "The body must hold a single JSON object.")
	}
	if obj == nil {
		return nil, app.Errorf(app.EINVALID, "The body must be a JSON object, not null.")
	}
	var r request
	if raw, ok := member(obj, "message"); ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &r.Message); err != nil {
			return nil, app.Errorf(app.EINVALID, "Field 'message' must be a string.")
		}
	}
	if raw, ok := member(obj, "title"); ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &r.Title); err != nil {
			return nil, app.Errorf(app.EINVALID, "Field 'title' must be a string.")
		}
	}
	if raw, ok := member(obj, "priority"); ok && !isNull(raw) {
		p, err := jsonPriority(raw)
		if err != nil {
			return nil, err
		}
		r.Priority = &p
	}
	if raw, ok := member(obj, "extras"); ok && !isNull(raw) {
		if len(raw) > maxExtras {
			return nil, app.Errorf(app.EINVALID, "Field 'extras' is longer than %d bytes.", maxExtras)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.Extras); err != nil {
			return nil, app.Errorf(app.EINVALID, "Field 'extras' must be an object.")
		}
	}
	return &r, nil
}

// member returns obj's member name, matched exactly or else in any letter
// case.
func member(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if raw, ok := obj[name]; ok {
		return raw, true
	}
	for k, raw := range obj {
		if strings.EqualFold(k, name) {
			return raw, true
		}
	}
	return nil, false
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonPriority reads a priority: an integer, or a string holding one (Home
// Assistant's templates send "5").
func jsonPriority(raw json.RawMessage) (int64, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return textPriority(s)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if p, err := n.Int64(); err == nil {
			return p, nil
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
	}
	return 0, badPriority(string(raw))
}

// textPriority reads a priority sent as text.
func textPriority(s string) (int64, error) {
	p, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, badPriority(strconv.Quote(s))
	}
	return p, nil
}

func badPriority(got string) error {
	return app.Errorf(app.EINVALID, "Field 'priority' must be an integer (0 to 10), not %s.", web.Clip(got, 32))
}

// parseForm reads the fields of a form; a field the body lacks is taken
// from the query string, as Go (and so Gotify) merges them.
func parseForm(form, query url.Values) (*request, error) {
	get := func(name string) string {
		if v, ok := form[name]; ok && len(v) > 0 {
			return v[0]
		}
		return query.Get(name)
	}
	r := &request{Title: get("title"), Message: get("message")}
	if p := get("priority"); strings.TrimSpace(p) != "" {
		n, err := textPriority(p)
		if err != nil {
			return nil, err
		}
		r.Priority = &n
	}
	return r, nil
}

// parseMultipart reads a multipart/form-data body (curl -F); file parts are
// not read.
func parseMultipart(body []byte, boundary string, query url.Values) (*request, error) {
	if boundary == "" {
		return nil, app.Errorf(app.EINVALID, "A multipart/form-data body needs a boundary in its Content-Type.")
	}
	form := url.Values{}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "The multipart body is not valid: %v.", err)
		}
		if name := part.FormName(); name != "" && part.FileName() == "" {
			v, err := io.ReadAll(part)
			if err != nil {
				return nil, app.Errorf(app.EINVALID, "The multipart body is not valid: %v.", err)
			}
			form.Add(name, string(v))
		}
	}
	return parseForm(form, query)
}

// settle checks the fields and reads what Belfry takes from the extras:
// the message is required and, like the title, bounded by the native
// API's limits; the type comes from ?type= or the belfry::type extra.
func (r *request) settle(queryType string) error {
	if r.Message == "" {
		return app.Errorf(app.EINVALID, "Field 'message' is required.")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"title", r.Title, app.MaxTitleLen}, {"message", r.Message, app.MaxBodyLen}} {
		if len(f.value) > f.max {
			return app.Errorf(app.EINVALID, "Field '%s' is longer than %d bytes.", f.name, f.max)
		}
		if !utf8.ValidString(f.value) {
			return app.Errorf(app.EINVALID, "Field '%s' is not valid UTF-8.", f.name)
		}
	}
	extraType, err := r.extraString("belfry::type")
	if err != nil {
		return err
	}
	if queryType != "" && extraType != "" && queryType != extraType {
		return app.Errorf(app.EINVALID, "The type is given twice: ?type=%s and the belfry::type extra %q.", web.Clip(queryType, 64), web.Clip(extraType, 64))
	}
	r.Type = cmp.Or(queryType, extraType)
	return nil
}

// extraString returns the string extra key, "" when absent.
func (r *request) extraString(key string) (string, error) {
	v, ok := r.Extras[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", app.Errorf(app.EINVALID, "Extra %s must be a string.", key)
	}
	return s, nil
}

// extraObject returns the object at path in the extras, nil when a step is
// absent. Errors: EINVALID when a step is not an object.
func (r *request) extraObject(path ...string) (map[string]any, error) {
	cur := r.Extras
	for i, step := range path {
		v, ok := cur[step]
		if !ok || v == nil {
			return nil, nil
		}
		next, ok := v.(map[string]any)
		if !ok {
			return nil, app.Errorf(app.EINVALID, "Extra %s must be an object.", strings.Join(path[:i+1], "."))
		}
		cur = next
	}
	return cur, nil
}

// jsonError explains a JSON decoding error to the person who wrote the
// request.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "The body is empty; send a JSON object with at least a message.")
	case errors.As(err, &syntax):
		return app.Errorf(app.EINVALID, "The body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return app.Errorf(app.EINVALID, "The body is not valid JSON (it ends too early).")
	}
	return app.Errorf(app.EINVALID, "The body must be a JSON object.")
}
