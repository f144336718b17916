package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// prefRow is one notification type with its channels; Mail says whether
// the e-mail column is shown (e-mail is configured).
type prefRow struct {
	Name, Label, Description  string
	InApp, Toast, Email, Push bool
	Mail                      bool
	// Saved names the toggle that was just saved, for a confirmation.
	Saved string
}

// preferencesPage is the content of the preferences page.
type preferencesPage struct {
	Rows       []prefRow
	Email      emailCard
	Quiet      quietCard
	Escalation escalationCard
	Digests    digestsCard
}

// emailCard is the e-mail section of the preferences page.
type emailCard struct {
	Enabled bool
	Address string
	// Result is the outcome of the last action (saved, test answer).
	Result *alertView
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
		rows = append(rows, prefRow{Name: t.Name, Label: humanize(t.Name), Description: t.Description, InApp: p.InApp(t.Name), Toast: p.Toast(t.Name), Email: p.Email(t.Name), Push: p.Push(t.Name), Mail: u.d.Email.Enabled()})
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
	ctx := c.Request.Context()
	rows, err := u.prefRows(ctx, user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	st, err := u.d.Email.StatusOf(ctx, user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	q, err := u.d.Quiet.Get(ctx, user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	ds, err := u.d.Quiet.TypeDigests(ctx, user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	esc, err := u.newEscalationCard(ctx, user(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "preferences", "Preferences", preferencesPage{Rows: rows,
		Email: emailCard{Enabled: st.Enabled, Address: st.Address}, Quiet: newQuietCard(q), Digests: u.newDigestsCard(ds), Escalation: esc})
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
	name, saved := key, "in-app"
	if n, ok := strings.CutSuffix(key, "_toast"); ok {
		name, saved = n, "toast"
	} else if n, ok := strings.CutSuffix(key, "_email"); ok {
		name, saved = n, "email"
	} else if n, ok := strings.CutSuffix(key, "_push"); ok {
		name, saved = n, "push"
	}
	for _, r := range rows {
		if r.Name == name {
			r.Saved = saved
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
	u.partial(c, http.StatusOK, "preferences", "pref_table", preferencesPage{Rows: rows, Email: emailCard{Enabled: u.d.Email.Enabled()}})
}

// handleSetEmailAddress saves the user's e-mail address and answers with
// the e-mail card.
func (u *UI) handleSetEmailAddress(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	addr := strings.TrimSpace(f.Get("email"))
	card := emailCard{Enabled: u.d.Email.Enabled(), Address: addr}
	if err := u.d.Email.SetAddress(ctx, usr.ID, addr); err != nil {
		if app.ErrorKind(err) != app.EINVALID {
			u.fail(c, err)
			return
		}
		_, a := u.errorAlert(c, err)
		card.Result = &a
		u.partial(c, http.StatusBadRequest, "preferences", "email_card", card)
		return
	}
	card.Result = &alertView{Kind: "success", Message: "E-mail address saved.", AutoHide: true}
	if addr == "" {
		card.Result.Message = "E-mail address removed."
	}
	u.partial(c, http.StatusOK, "preferences", "email_card", card)
}

// handleTestEmail sends a test e-mail and shows what the server answered.
func (u *UI) handleTestEmail(c *gin.Context) {
	ctx, usr := c.Request.Context(), user(c)
	st, err := u.d.Email.StatusOf(ctx, usr.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	card := emailCard{Enabled: st.Enabled, Address: st.Address}
	res, err := u.d.Email.SendTest(ctx, usr.ID)
	switch {
	case err != nil && app.ErrorKind(err) != app.EINVALID && app.ErrorKind(err) != app.ECONFLICT:
		u.fail(c, err)
		return
	case err != nil:
		_, a := u.errorAlert(c, err)
		card.Result = &a
	case res.Sent:
		card.Result = &alertView{Kind: "success", Message: "Test e-mail sent to " + res.To + ". The server answered: " + res.Answer}
	default:
		card.Result = &alertView{Kind: "error", Message: "The test e-mail to " + res.To + " was not sent: " + res.Problem}
	}
	u.partial(c, http.StatusOK, "preferences", "email_card", card)
}

// handleOpenNotification is the link of an e-mail: it marks the
// notification read and opens it — its target, or the inbox.
func (u *UI) handleOpenNotification(c *gin.Context) {
	ctx, usr := c.Request.Context(), user(c)
	id, err := app.ParseID(c.Param("id"))
	if err == nil {
		err = u.d.Inbox.MarkRead(ctx, usr.ID, id)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	n, err := u.d.Notifications.FindNotification(ctx, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	to := "/notifications"
	if n.TargetURL != "" {
		to = n.TargetURL
	}
	c.Redirect(http.StatusSeeOther, to)
}
