package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Heartbeats are dead man's switches (app/heartbeat): a service pings its
// check's secret URL when a job ran; a check that is not pinged in time, or
// is pinged with a failure, raises a notification.

// HeartbeatState is where a check is in its life.
type HeartbeatState string

// The states of a check: new until its first ping; up while pings arrive in
// time; late once its period (or cron slot) and grace passed without a
// success, or a started run did not finish within the grace; down after a
// failure signal; paused while its owner paused it (a ping resumes it).
// Entering late or down raises the alert; the next success raises "back".
const (
	HeartbeatNew    HeartbeatState = "new"
	HeartbeatUp     HeartbeatState = "up"
	HeartbeatLate   HeartbeatState = "late"
	HeartbeatDown   HeartbeatState = "down"
	HeartbeatPaused HeartbeatState = "paused"
)

// Failing reports whether s raised an alert (late or down).
func (s HeartbeatState) Failing() bool { return s == HeartbeatLate || s == HeartbeatDown }

// Limits of a check.
const (
	MaxHeartbeatName     = 100
	MaxHeartbeatSchedule = 100
	MinHeartbeatPeriod   = time.Minute
	MaxHeartbeatPeriod   = 366 * 24 * time.Hour
	MaxHeartbeatGrace    = 366 * 24 * time.Hour
	// MaxHeartbeatsPerUser bounds one user's checks.
	MaxHeartbeatsPerUser = 1000
	// MaxHeartbeatBody is how much of a ping's body is kept as its log.
	MaxHeartbeatBody = 10 * 1024
	// HeartbeatLogSize is how many log entries a check keeps.
	HeartbeatLogSize = 100
)

// DefaultHeartbeatType is the notification type a check raises unless its
// owner chose another.
const DefaultHeartbeatType = "job_failed"

// Heartbeat is one check.
type Heartbeat struct {
	ID     string
	UserID string
	Name   string
	// Key is the secret of the ping URL /ping/<key>. It only lets its
	// holder ping this check, and the owner's page shows it, so it is kept.
	Key string
	// Period is the expected time between pings; zero when Schedule is set.
	Period time.Duration
	// Schedule is a 5-field cron expression (minute hour day month
	// weekday) read in Timezone; "" when Period is set.
	Schedule string
	// Timezone is the IANA zone of Schedule; "" is the server's.
	Timezone string
	Grace    time.Duration
	Type     string
	Level    Level
	State    HeartbeatState
	// LastPing is the last signal of any kind, LastSuccess the last
	// success; StartedAt a start not yet followed by success or failure.
	LastPing, LastSuccess, StartedAt *time.Time
	// Deadline is when the check goes late unless a success comes first;
	// nil when nothing is awaited (new, late, down, paused).
	Deadline *time.Time
	// AlertID is the notification of the current late or down alert, ""
	// when none (or the owner does not receive the type).
	AlertID   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Normalize trims the name and fills the defaults: type job_failed, level
// error, state new.
func (h *Heartbeat) Normalize() {
	h.Name = strings.TrimSpace(h.Name)
	h.Schedule = strings.Join(strings.Fields(h.Schedule), " ")
	h.Timezone = strings.TrimSpace(h.Timezone)
	if h.Type == "" {
		h.Type = DefaultHeartbeatType
	}
	if h.Level == "" {
		h.Level = LevelError
	}
	if h.State == "" {
		h.State = HeartbeatNew
	}
}

// Validate checks what a check's owner sets, except the schedule's syntax
// and the time zone, which app/heartbeat checks. Errors are EINVALID and
// name the field.
func (h *Heartbeat) Validate(types *Types) error {
	switch {
	case h.Name == "":
		return Errorf(EINVALID, "Field name must not be empty.")
	case len(h.Name) > MaxHeartbeatName || !utf8.ValidString(h.Name):
		return Errorf(EINVALID, "Field name must be valid UTF-8 of at most %d bytes.", MaxHeartbeatName)
	case (h.Period == 0) == (h.Schedule == ""):
		return Errorf(EINVALID, "A check has either a period (period_seconds) or a cron schedule (schedule), not both and not neither.")
	case h.Schedule == "" && (h.Period < MinHeartbeatPeriod || h.Period > MaxHeartbeatPeriod):
		return Errorf(EINVALID, "Field period_seconds must be between %d and %d.", int(MinHeartbeatPeriod.Seconds()), int(MaxHeartbeatPeriod.Seconds()))
	case len(h.Schedule) > MaxHeartbeatSchedule:
		return Errorf(EINVALID, "Field schedule is longer than %d bytes.", MaxHeartbeatSchedule)
	case h.Grace < 0 || h.Grace > MaxHeartbeatGrace:
		return Errorf(EINVALID, "Field grace_seconds must be between 0 and %d.", int(MaxHeartbeatGrace.Seconds()))
	case !h.Level.Valid():
		return Errorf(EINVALID, "Field level must be info, warning or error, not %q.", h.Level)
	}
	if _, ok := types.Lookup(h.Type); !ok {
		return Errorf(EINVALID, "Unknown notification type %q; known types: %s.", h.Type, strings.Join(types.Names(), ", "))
	}
	return nil
}

// Kinds of a check's log entries: the four signals a ping sends, and late,
// which Belfry writes when a deadline passed.
const (
	SignalSuccess = "success"
	SignalStart   = "start"
	SignalFail    = "fail"
	SignalLog     = "log"
	SignalLate    = "late"
)

// HeartbeatPing is one entry of a check's log.
type HeartbeatPing struct {
	At   time.Time
	Kind string
	// ExitStatus is the status a ping reported (/ping/<key>/<status>).
	ExitStatus *int
	Body       string
	RunID      string
	Method     string
	Remote     string
	UserAgent  string
}

// HeartbeatStore keeps checks and their logs. It stores what it is given;
// the rules are app/heartbeat's.
type HeartbeatStore interface {
	// CreateHeartbeat stores a new check. Errors: ECONFLICT when the owner
	// has MaxHeartbeatsPerUser checks, ENOTFOUND for an unknown owner.
	CreateHeartbeat(ctx context.Context, h *Heartbeat) error
	// ListHeartbeats returns a user's checks, by name.
	ListHeartbeats(ctx context.Context, userID string) ([]*Heartbeat, error)
	// FindHeartbeat returns one of userID's checks; ENOTFOUND otherwise.
	FindHeartbeat(ctx context.Context, userID, id string) (*Heartbeat, error)
	// FindHeartbeatByKey returns the check of a ping key; ENOTFOUND.
	FindHeartbeatByKey(ctx context.Context, key string) (*Heartbeat, error)
	// SaveHeartbeat writes every field of h and, unless p is nil, appends
	// p to its log, keeping the last HeartbeatLogSize entries.
	SaveHeartbeat(ctx context.Context, h *Heartbeat, p *HeartbeatPing) error
	// DeleteHeartbeat removes one of userID's checks and its log;
	// ENOTFOUND otherwise.
	DeleteHeartbeat(ctx context.Context, userID, id string) error
	// HeartbeatLog returns a check's latest log entries, newest first.
	HeartbeatLog(ctx context.Context, id string, limit int) ([]HeartbeatPing, error)
	// DueHeartbeats returns up to limit checks whose deadline is at or
	// before now, earliest first.
	DueHeartbeats(ctx context.Context, now time.Time, limit int) ([]*Heartbeat, error)
	// NextHeartbeatDeadline returns the earliest deadline; false if none.
	NextHeartbeatDeadline(ctx context.Context) (time.Time, bool, error)
}
