package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleGetPreferences is GET /api/notifications/preferences: every key of
// every type, the user's stored values over the defaults. Keys come in the
// spec's order: the in-app keys of all types, then their toast keys, then
// their e-mail keys, then their push keys.
func (s *Server) handleGetPreferences(c *gin.Context) {
	stored, err := s.d.Preferences.Preferences(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	prefs := s.d.Types.DefaultPreferences()
	for k, v := range stored {
		if _, known := prefs[k]; known {
			prefs[k] = v
		}
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", orderedPreferences(s.d.Types, prefs))
}

// orderedPreferences writes prefs as a JSON object in declaration order,
// which encoding/json (sorting map keys) would lose.
func orderedPreferences(types *app.Types, prefs app.Preferences) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	all := types.All()
	for i, suffix := range app.ChannelSuffixes() {
		for j, t := range all {
			if i+j > 0 {
				b.WriteByte(',')
			}
			key := t.Name + suffix
			b.WriteString(strconv.Quote(key))
			b.WriteByte(':')
			b.WriteString(strconv.FormatBool(prefs[key]))
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// handleUpdatePreferences is PUT /api/notifications/preferences: only the
// keys given change. An unknown key or a value that is not a boolean
// rejects the whole request; an empty object changes nothing.
func (s *Server) handleUpdatePreferences(c *gin.Context) {
	var raw map[string]json.RawMessage
	if err := web.DecodeJSON(c, &raw); err != nil {
		web.WriteError(c, err)
		return
	}
	if raw == nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Request body must be a JSON object of preference keys and booleans."))
		return
	}
	changes := make(app.Preferences, len(raw))
	for key, v := range raw {
		if err := s.d.Types.ValidatePreferenceKey(key); err != nil {
			web.WriteError(c, err)
			return
		}
		switch string(bytes.TrimSpace(v)) {
		case "true":
			changes[key] = true
		case "false":
			changes[key] = false
		default:
			web.WriteError(c, app.Errorf(app.EINVALID, "Preference %q must be true or false.", key))
			return
		}
	}
	if len(changes) > 0 {
		if err := s.d.Preferences.UpdatePreferences(c.Request.Context(), web.UserFrom(c).ID, changes); err != nil {
			web.WriteError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, web.OK)
}
