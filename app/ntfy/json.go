package ntfy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// jsonMessage is ntfy's "Publish as JSON" body (POST or PUT to /), with
// Belfry's type. Unknown fields are refused: nothing a client sends is
// dropped unseen.
type jsonMessage struct {
	Topic    string          `json:"topic"`
	Message  string          `json:"message"`
	Title    string          `json:"title"`
	Priority jsonPriority    `json:"priority"`
	Tags     []string        `json:"tags"`
	Click    string          `json:"click"`
	Icon     string          `json:"icon"`
	Actions  json.RawMessage `json:"actions"`
	Markdown bool            `json:"markdown"`
	Type     string          `json:"type"`
	Attach   string          `json:"attach"`
	Filename string          `json:"filename"`
	Email    string          `json:"email"`
	Call     string          `json:"call"`
	Delay    string          `json:"delay"`
	// ntfy takes cache and firebase as strings ("no"); they change
	// nothing in Belfry, so any value is accepted.
	Cache    json.RawMessage `json:"cache"`
	Firebase json.RawMessage `json:"firebase"`
}

// jsonPriority is ntfy's number 1–5; a name (min … urgent) is taken too.
type jsonPriority string

func (p *jsonPriority) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*p = jsonPriority(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("priority must be a number from 1 to 5")
	}
	*p = jsonPriority(s)
	return nil
}

// decodeJSON reads the body of a JSON publish with the native API's
// strictness and size bound (web.DecodeJSON) and returns its topic and the
// fields as the parameters they stand for. Headers and query parameters
// still apply where the JSON has no value, as in ntfy.
func decodeJSON(c *gin.Context) (string, map[string]string, error) {
	var m jsonMessage
	if err := web.DecodeJSON(c, &m); err != nil {
		switch app.ErrorKind(err) {
		case app.EINVALID:
			return "", nil, errJSONInvalid.wrap("%s", app.ErrorMessage(err))
		case app.ETOOLARGE:
			return "", nil, errJSONTooLarge.wrap("%s", app.ErrorMessage(err))
		}
		return "", nil, err
	}
	fields := map[string]string{
		"message": m.Message, "title": m.Title, "priority": string(m.Priority), "tags": strings.Join(m.Tags, ","),
		"click": m.Click, "icon": m.Icon, "type": m.Type, "attach": m.Attach, "filename": m.Filename,
		"email": m.Email, "call": m.Call, "delay": m.Delay,
	}
	if m.Markdown {
		fields["markdown"] = "yes"
	}
	if a := bytes.TrimSpace(m.Actions); len(a) > 0 && string(a) != "null" {
		if a[0] != '[' {
			return "", nil, errActionsInvalid.wrap("JSON field \"actions\": not a JSON array of actions")
		}
		fields["actions"] = string(a)
	}
	if m.Priority == "0" {
		fields["priority"] = "" // ntfy's "not given"
	}
	return m.Topic, fields, nil
}
