package ui

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// quietDays are the day names of a window with their labels, Monday first.
var quietDays = [7][2]string{{"mon", "Mon"}, {"tue", "Tue"}, {"wed", "Wed"}, {"thu", "Thu"}, {"fri", "Fri"}, {"sat", "Sat"}, {"sun", "Sun"}}

// quietCard is the quiet-hours section of the preferences page: the zone,
// the breakthrough level and one row per window plus an empty one to add.
type quietCard struct {
	Timezone     string
	Breakthrough string
	Rows         []quietRow
	Result       *alertView
}

type quietRow struct {
	Index      int // the form's row number, from 0
	Number     int // Index + 1, for people
	Days       []quietDay
	Start, End string
}

type quietDay struct {
	Name, Label string
	On          bool
}

// newQuietCard shows q, with one empty row after its windows.
func newQuietCard(q app.QuietHours) quietCard {
	card := quietCard{Timezone: q.Timezone, Breakthrough: string(q.Breakthrough)}
	for i, w := range append(slices.Clone(q.Windows), app.QuietWindow{}) {
		row := quietRow{Index: i, Number: i + 1, Start: w.Start, End: w.End}
		for _, d := range quietDays {
			row.Days = append(row.Days, quietDay{Name: d[0], Label: d[1], On: slices.Contains(w.Days, d[0])})
		}
		card.Rows = append(card.Rows, row)
	}
	return card
}

// quietFromForm reads the section's form: rows day-N, start-N, end-N; a
// row with no day and no time is left out (that is how a window is
// removed).
func quietFromForm(f map[string][]string) app.QuietHours {
	get := func(k string) string { return formField(f, k) }
	q := app.QuietHours{Timezone: get("timezone"), Breakthrough: app.Level(get("breakthrough")), Windows: []app.QuietWindow{}}
	for i := 0; i <= app.MaxQuietWindows; i++ {
		days, start, end := f[fmt.Sprintf("day-%d", i)], get(fmt.Sprintf("start-%d", i)), get(fmt.Sprintf("end-%d", i))
		if len(days) == 0 && start == "" && end == "" {
			continue
		}
		q.Windows = append(q.Windows, app.QuietWindow{Days: days, Start: start, End: end})
	}
	return q
}

// handleSetQuietHours saves the caller's quiet hours and answers with the
// section: saved, or the refusal beside the values as typed.
func (u *UI) handleSetQuietHours(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	q := quietFromForm(f)
	if err := u.d.Quiet.Set(ctx, usr.ID, q); err != nil {
		if app.ErrorKind(err) != app.EINVALID {
			u.fail(c, err)
			return
		}
		status, a := u.errorAlert(c, err)
		card := newQuietCard(q)
		card.Result = &a
		u.partial(c, status, "preferences", "quiet_card", card)
		return
	}
	saved, err := u.d.Quiet.Get(ctx, usr.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	card := newQuietCard(saved)
	card.Result = &alertView{Kind: "success", Message: "Quiet hours saved.", AutoHide: true}
	u.partial(c, http.StatusOK, "preferences", "quiet_card", card)
}
