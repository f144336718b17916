package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/gin-gonic/gin"
)

// heartbeatChoice is one option of the form's period and grace menus.
type heartbeatChoice struct {
	Seconds int64
	Label   string
}

var (
	heartbeatPeriods = []heartbeatChoice{{60, "1 minute"}, {300, "5 minutes"}, {900, "15 minutes"}, {3600, "1 hour"},
		{6 * 3600, "6 hours"}, {86400, "1 day"}, {7 * 86400, "1 week"}}
	heartbeatGraces = []heartbeatChoice{{0, "none"}, {60, "1 minute"}, {300, "5 minutes"}, {900, "15 minutes"},
		{3600, "1 hour"}, {6 * 3600, "6 hours"}, {86400, "1 day"}}
)

// span says a number of seconds for people: "1 day", "5 minutes", "90 s".
func span(seconds int64) string {
	for _, u := range []struct {
		n    int64
		name string
	}{{86400, "day"}, {3600, "hour"}, {60, "minute"}} {
		if seconds >= u.n && seconds%u.n == 0 {
			n := seconds / u.n
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return strconv.FormatInt(seconds, 10) + " s"
}

// heartbeatsPage is the content of the heartbeats page and its partials.
type heartbeatsPage struct {
	Checks  []heartbeat.View
	Periods []heartbeatChoice
	Graces  []heartbeatChoice
	Types   []string
	Created *heartbeat.View // the check just added, for a confirmation
}

// heartbeatLog is the history of one check.
type heartbeatLog struct {
	ID    string
	Pings []app.HeartbeatPing
}

func (u *UI) loadHeartbeats(c *gin.Context) (heartbeatsPage, error) {
	hs, err := u.d.Heartbeats.List(c.Request.Context(), user(c).ID)
	if err != nil {
		return heartbeatsPage{}, err
	}
	v := heartbeatsPage{Periods: heartbeatPeriods, Graces: heartbeatGraces, Types: u.d.Types.Names()}
	for _, h := range hs {
		v.Checks = append(v.Checks, u.d.Heartbeats.View(h))
	}
	return v, nil
}

func (u *UI) handleHeartbeatsPage(c *gin.Context) {
	v, err := u.loadHeartbeats(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "heartbeats", "Heartbeats", v)
}

// handleHeartbeatList answers the list, which refreshes itself.
func (u *UI) handleHeartbeatList(c *gin.Context) {
	u.heartbeatList(c, nil)
}

// handleCreateHeartbeat adds a check from the form and answers with a
// confirmation showing its ping URL, and the new list.
func (u *UI) handleCreateHeartbeat(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	in, err := heartbeatInput(f)
	if err != nil {
		u.failInline(c, err)
		return
	}
	h, err := u.d.Heartbeats.Create(c.Request.Context(), user(c).ID, in)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadHeartbeats(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	created := u.d.Heartbeats.View(h)
	v.Created = &created
	u.partial(c, http.StatusOK, "heartbeats", "heartbeat_created", v)
}

// heartbeatInput reads the form: a cron schedule, when given, wins over
// the period menu.
func heartbeatInput(f map[string][]string) (heartbeat.Input, error) {
	get := func(k string) string {
		if vs := f[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	name, schedule, tz, typ := get("name"), get("schedule"), get("timezone"), get("type")
	level := app.Level(get("level"))
	in := heartbeat.Input{Name: &name, Timezone: &tz, Type: &typ, Level: &level}
	if schedule != "" {
		in.Schedule = &schedule
	} else {
		n, err := strconv.ParseInt(get("period"), 10, 64)
		if err != nil {
			return in, app.Errorf(app.EINVALID, "Choose a period or write a cron schedule.")
		}
		in.PeriodSeconds = &n
	}
	grace, err := strconv.ParseInt(get("grace"), 10, 64)
	if err != nil {
		return in, app.Errorf(app.EINVALID, "Choose a grace time.")
	}
	in.GraceSeconds = &grace
	return in, nil
}

func (u *UI) handlePauseHeartbeat(c *gin.Context) {
	_, err := u.d.Heartbeats.Pause(c.Request.Context(), user(c).ID, c.Param("id"))
	u.heartbeatList(c, err)
}

func (u *UI) handleDeleteHeartbeat(c *gin.Context) {
	u.heartbeatList(c, u.d.Heartbeats.Delete(c.Request.Context(), user(c).ID, c.Param("id")))
}

// heartbeatList answers with the list, or with err.
func (u *UI) heartbeatList(c *gin.Context, err error) {
	if err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadHeartbeats(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "heartbeats", "heartbeat_list", v)
}

// handleHeartbeatLog answers one check's history, newest first.
func (u *UI) handleHeartbeatLog(c *gin.Context) {
	h, log, err := u.d.Heartbeats.Get(c.Request.Context(), user(c).ID, c.Param("id"), 20)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "heartbeats", "heartbeat_log", heartbeatLog{ID: h.ID, Pings: log})
}
