package app

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Scheduled delivery (app/schedule): a publish may name a later time; the
// event is validated at once, kept, invisible, until then and cancellable
// by its publisher, then handed to the Dispatcher.

// Limits of scheduled delivery.
const (
	// MaxScheduledPerUser bounds one user's pending scheduled events.
	MaxScheduledPerUser = 10000
	// DefaultMaxDelay is schedule.max_delay's default, ntfy's limit.
	DefaultMaxDelay = 72 * time.Hour
)

// Wire codes of a refused delivery time.
const (
	CodeScheduleInvalid = "SCHEDULE_INVALID" // not a time or duration
	CodeScheduleInPast  = "SCHEDULE_IN_PAST" // not in the future
	CodeScheduleTooFar  = "SCHEDULE_TOO_FAR" // beyond schedule.max_delay
	CodeScheduleMissing = "SCHEDULED_NOT_FOUND"
)

// ScheduledEvent is an event waiting for its delivery time.
type ScheduledEvent struct {
	ID string `json:"id"`
	// UserID published it: they list and cancel it.
	UserID string `json:"-"`
	// AsSystem: delivered as the system (the recipients were chosen by a
	// topic route at publish time), not as UserID.
	AsSystem  bool      `json:"-"`
	Event     Event     `json:"event"`
	DeliverAt time.Time `json:"deliver_at"`
	CreatedAt time.Time `json:"created_at"`
}

// CheckDeliverAt refuses a delivery time that is not after now
// (CodeScheduleInPast) or later than now+maxDelay (CodeScheduleTooFar).
func CheckDeliverAt(now, at time.Time, maxDelay time.Duration) error {
	if !at.After(now) {
		return CodedErrorf(EINVALID, CodeScheduleInPast, "The delivery time %s is not in the future.", at.UTC().Format(time.RFC3339))
	}
	if at.Sub(now) > maxDelay {
		return CodedErrorf(EINVALID, CodeScheduleTooFar, "The delivery time %s is more than %s ahead (schedule.max_delay).",
			at.UTC().Format(time.RFC3339), Duration{maxDelay})
	}
	return nil
}

// ParseDelay reads a delay as a Go duration ("30m", "2h", "1h30m") or a
// whole number of seconds ("90"). CodeScheduleInvalid otherwise.
func ParseDelay(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(1<<62/time.Second) {
			return 0, CodedErrorf(EINVALID, CodeScheduleInvalid, "Field delay must not be negative or enormous, not %s.", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, CodedErrorf(EINVALID, CodeScheduleInvalid,
			"Field delay must be a duration such as \"30m\" or \"2h\", or a number of seconds, not %q.", TruncateUTF8(s, 64))
	}
	return d, nil
}

// Scheduler keeps events for later delivery (app/schedule).
type Scheduler interface {
	// Schedule validates ev fully, as the dispatcher would with actor
	// (nil when asSystem), and keeps it for at. owner is who publishes.
	// Errors: the dispatcher's for a bad event, CheckDeliverAt's,
	// ECONFLICT beyond MaxScheduledPerUser.
	Schedule(ctx context.Context, owner *User, asSystem bool, ev *Event, at time.Time) (*ScheduledEvent, error)
	// Cancel deletes one of userID's pending events, published to topic
	// (its service_id) unless topic is "" (ENOTFOUND with
	// CodeScheduleMissing otherwise: unknown, another's, or delivered).
	Cancel(ctx context.Context, userID, id, topic string) (*ScheduledEvent, error)
}

// ScheduleStore keeps the scheduled events.
type ScheduleStore interface {
	// CreateScheduled stores s; ECONFLICT when its owner has
	// MaxScheduledPerUser pending.
	CreateScheduled(ctx context.Context, s *ScheduledEvent) error
	// ListScheduled returns userID's pending events, earliest first.
	ListScheduled(ctx context.Context, userID string) ([]*ScheduledEvent, error)
	// FindScheduled returns one pending event; ENOTFOUND otherwise.
	FindScheduled(ctx context.Context, id string) (*ScheduledEvent, error)
	// DeleteScheduled removes a pending event (of userID, unless userID
	// is ""); false when there was none.
	DeleteScheduled(ctx context.Context, userID, id string) (bool, error)
	// DueScheduled returns up to limit events due at or before now,
	// earliest first.
	DueScheduled(ctx context.Context, now time.Time, limit int) ([]*ScheduledEvent, error)
	// NextScheduled returns the earliest delivery time; false if none.
	NextScheduled(ctx context.Context) (time.Time, bool, error)
	// CountScheduled counts every pending event.
	CountScheduled(ctx context.Context) (int, error)
}
