package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// prefRow is one notification type with its two channels.
type prefRow struct {
	Name, Label, Description string
	InApp, Toast             bool
	// Saved names the toggle that was just saved, for a confirmation.
	Saved string
}

// preferencesPage is the content of the preferences page.
type preferencesPage struct {
	Rows []prefRow
}

// prefRows merges the user's stored preferences over the defaults, one row
// per type in declaration order.
func (u *UI) prefRows(ctx context.Context, userID string) ([]prefRow, error) {
	stored, err := u.d.Preferences.Preferences(ctx, userID)
	if err != nil {
		return nil, err
	}
	p := u.d.Types.DefaultPreferences()
	for k, v := range stored {
		p[k] = v
	}
	var rows []prefRow
	for _, t := range u.d.Types.All() {
		rows = append(rows, prefRow{Name: t.Name, Label: humanize(t.Name), Description: t.Description, InApp: p.InApp(t.Name), Toast: p.Toast(t.Name)})
	}
	return rows, nil
}

// humanize turns a type name into a label: "job_failed" → "Job failed".
func humanize(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (u *UI) handlePreferencesPage(c *gin.Context) {
	rows, err := u.prefRows(c.Request.Context(), user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "preferences", "Preferences", preferencesPage{Rows: rows})
}

// handleSetPreference saves one toggle — key is "<type>" (in-app) or
// "<type>_toast" — and answers with the type's row. The checkbox sends
// enabled=1 when checked and nothing when not.
func (u *UI) handleSetPreference(c *gin.Context) {
	key := c.Param("key")
	if err := u.d.Types.ValidatePreferenceKey(key); err != nil {
		u.fail(c, err)
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	var on bool
	switch f.Get("enabled") {
	case "":
	case "1", "on", "true":
		on = true
	default:
		u.fail(c, app.Errorf(app.EINVALID, "enabled must be 1 or absent."))
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	if err := u.d.Preferences.UpdatePreferences(ctx, usr.ID, app.Preferences{key: on}); err != nil {
		u.fail(c, err)
		return
	}
	rows, err := u.prefRows(ctx, usr.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	name, isToast := strings.CutSuffix(key, "_toast")
	for _, r := range rows {
		if r.Name == name {
			r.Saved = "in-app"
			if isToast {
				r.Saved = "toast"
			}
			u.partial(c, http.StatusOK, "preferences", "pref_row", r)
			return
		}
	}
	u.fail(c, app.Errorf(app.EINVALID, "Unknown preference %q.", key))
}

// handleResetPreferences stores every default and answers with the table.
func (u *UI) handleResetPreferences(c *gin.Context) {
	ctx, usr := c.Request.Context(), user(c)
	if err := u.d.Preferences.UpdatePreferences(ctx, usr.ID, u.d.Types.DefaultPreferences()); err != nil {
		u.fail(c, err)
		return
	}
	rows, err := u.prefRows(ctx, usr.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: "Preferences reset to their defaults.", AutoHide: true})
	u.partial(c, http.StatusOK, "preferences", "pref_table", preferencesPage{Rows: rows})
}
