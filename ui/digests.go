package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// digestPeriods are the periods the digests section offers, in minutes;
// others set over the API are shown as they are.
var digestPeriods = []int{15, 30, 60, 240}

// digestsCard is the digests section of the preferences page: one row per
// type, one by one or collected.
type digestsCard struct {
	Rows   []digestRow
	Result *alertView
}

type digestRow struct {
	Type, Label string
	Mode        string // "" one by one, "daily", or the minutes
	At          string // daily_at
	Choices     []digestChoice
}

type digestChoice struct {
	Value, Label string
}

// newDigestsCard shows ds for every type but the digest's own.
func (u *UI) newDigestsCard(ds []app.TypeDigest) digestsCard {
	byType := map[string]app.TypeDigest{}
	for _, d := range ds {
		byType[d.Type] = d
	}
	var card digestsCard
	for _, t := range u.d.Types.All() {
		if t.Name == app.QuietDigestType {
			continue
		}
		d, listed := byType[t.Name]
		row := digestRow{Type: t.Name, Label: humanize(t.Name), At: d.DailyAt, Choices: []digestChoice{{"", "One by one"}}}
		periods := digestPeriods
		if d.EveryMinutes != 0 && !slices.Contains(periods, d.EveryMinutes) {
			periods = append(append([]int{}, periods...), d.EveryMinutes)
		}
		for _, m := range periods {
			row.Choices = append(row.Choices, digestChoice{strconv.Itoa(m), app.TypeDigest{EveryMinutes: m}.String()})
		}
		row.Choices = append(row.Choices, digestChoice{"daily", "daily at…"})
		switch {
		case d.DailyAt != "" || listed && d.EveryMinutes == 0: // daily, or daily without a time (refused)
			row.Mode = "daily"
		case d.EveryMinutes != 0:
			row.Mode = strconv.Itoa(d.EveryMinutes)
		}
		card.Rows = append(card.Rows, row)
	}
	return card
}

// digestsFromForm reads mode-<type> and at-<type>; a mode that is not a
// number of minutes nor daily is left to the rule's refusal.
func (u *UI) digestsFromForm(f map[string][]string) []app.TypeDigest {
	ds := []app.TypeDigest{}
	for _, t := range u.d.Types.All() {
		mode := strings.TrimSpace(first(f["mode-"+t.Name]))
		switch mode {
		case "":
		case "daily":
			ds = append(ds, app.TypeDigest{Type: t.Name, DailyAt: strings.TrimSpace(first(f["at-"+t.Name]))})
		default:
			m, err := strconv.Atoi(mode)
			if err != nil {
				m = -1
			}
			ds = append(ds, app.TypeDigest{Type: t.Name, EveryMinutes: m})
		}
	}
	return ds
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// handleSetDigests saves the caller's type digests and answers with the
// section: saved, or the refusal beside the values as chosen.
func (u *UI) handleSetDigests(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	ds := u.digestsFromForm(f)
	if err := u.d.Quiet.SetTypeDigests(ctx, usr.ID, ds); err != nil {
		if app.ErrorKind(err) != app.EINVALID {
			u.fail(c, err)
			return
		}
		status, a := u.errorAlert(c, err)
		card := u.newDigestsCard(ds)
		card.Result = &a
		u.partial(c, status, "preferences", "digests_card", card)
		return
	}
	card := u.newDigestsCard(ds)
	card.Result = &alertView{Kind: "success", Message: "Digests saved.", AutoHide: true}
	u.partial(c, http.StatusOK, "preferences", "digests_card", card)
}
