package heartbeat

import (
	"context"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// Input is what an owner sets on a check (POST and PATCH
// /api/heartbeats, the UI's form); a nil field is not set (create: the
// default; update: unchanged).
type Input struct {
	Name *string `json:"name"`
	// PeriodSeconds and Schedule exclude each other; setting one clears
	// the other. Without either, a new check expects a ping a day.
	PeriodSeconds *int64     `json:"period_seconds"`
	Schedule      *string    `json:"schedule"`
	Timezone      *string    `json:"timezone"`
	GraceSeconds  *int64     `json:"grace_seconds"`
	Type          *string    `json:"type"`
	Level         *app.Level `json:"level"`
	// RotateKey replaces the ping key (update only): the old URL stops
	// working at once.
	RotateKey bool `json:"rotate_key"`
}

// Defaults of a new check, healthchecks.io's.
const (
	defaultPeriod = 24 * time.Hour
	defaultGrace  = time.Hour
)

// maxSeconds bounds the seconds fields before they become durations.
const maxSeconds = int64(app.MaxHeartbeatPeriod / time.Second)

// set applies in to h.
func (in Input) set(h *app.Heartbeat) error {
	if in.PeriodSeconds != nil && in.Schedule != nil && *in.Schedule != "" {
		return app.Errorf(app.EINVALID, "A check has either a period (period_seconds) or a cron schedule (schedule), not both.")
	}
	if in.Name != nil {
		h.Name = *in.Name
	}
	if in.PeriodSeconds != nil {
		if *in.PeriodSeconds < 1 || *in.PeriodSeconds > maxSeconds {
			return app.Errorf(app.EINVALID, "Field period_seconds must be between %d and %d.", int(app.MinHeartbeatPeriod.Seconds()), maxSeconds)
		}
		h.Period, h.Schedule = time.Duration(*in.PeriodSeconds)*time.Second, ""
	}
	if in.Schedule != nil {
		h.Schedule = *in.Schedule
		if h.Schedule != "" {
			h.Period = 0
		}
	}
	if in.Timezone != nil {
		h.Timezone = *in.Timezone
	}
	if in.GraceSeconds != nil {
		if *in.GraceSeconds < 0 || *in.GraceSeconds > maxSeconds {
			return app.Errorf(app.EINVALID, "Field grace_seconds must be between 0 and %d.", maxSeconds)
		}
		h.Grace = time.Duration(*in.GraceSeconds) * time.Second
	}
	if in.Type != nil {
		h.Type = *in.Type
	}
	if in.Level != nil {
		h.Level = *in.Level
	}
	return nil
}

// Create adds a check of userID. Errors: EINVALID for a bad input,
// ECONFLICT past MaxHeartbeatsPerUser.
func (s *Service) Create(ctx context.Context, userID string, in Input) (*app.Heartbeat, error) {
	now := s.now()
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("heartbeat id: %w", err)
	}
	h := &app.Heartbeat{ID: id.String(), UserID: userID, Key: newKey(), Period: defaultPeriod, Grace: defaultGrace,
		CreatedAt: now, UpdatedAt: now}
	if in.RotateKey {
		return nil, app.Errorf(app.EINVALID, "Field rotate_key is for changing a check.")
	}
	if err := in.set(h); err != nil {
		return nil, err
	}
	if err := s.check(h); err != nil {
		return nil, err
	}
	if err := s.d.Store.CreateHeartbeat(ctx, h); err != nil {
		return nil, err
	}
	return h, nil
}

// List returns userID's checks, by name.
func (s *Service) List(ctx context.Context, userID string) ([]*app.Heartbeat, error) {
	return s.d.Store.ListHeartbeats(ctx, userID)
}

// Get returns one of userID's checks and its latest log entries, newest
// first. Errors: ENOTFOUND, for another user's check too.
func (s *Service) Get(ctx context.Context, userID, id string, limit int) (*app.Heartbeat, []app.HeartbeatPing, error) {
	h, err := s.d.Store.FindHeartbeat(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	log, err := s.d.Store.HeartbeatLog(ctx, h.ID, limit)
	return h, log, err
}

// Update changes one of userID's checks; its deadline follows the new
// period or schedule. Errors: ENOTFOUND, EINVALID.
func (s *Service) Update(ctx context.Context, userID, id string, in Input) (*app.Heartbeat, error) {
	return s.change(ctx, userID, id, func(h *app.Heartbeat) error {
		if err := in.set(h); err != nil {
			return err
		}
		if in.RotateKey {
			h.Key = newKey()
		}
		return s.check(h)
	})
}

// Pause stops waiting for one of userID's checks until its next ping; its
// open alert is marked read (its owner knows).
func (s *Service) Pause(ctx context.Context, userID, id string) (*app.Heartbeat, error) {
	return s.change(ctx, userID, id, func(h *app.Heartbeat) error {
		s.supersede(ctx, h)
		h.State, h.StartedAt = app.HeartbeatPaused, nil
		return nil
	})
}

// Delete removes one of userID's checks and its log. Errors: ENOTFOUND.
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	return s.d.Store.DeleteHeartbeat(ctx, userID, id)
}

// change applies fn to one of userID's checks under its lock and saves it.
func (s *Service) change(ctx context.Context, userID, id string, fn func(h *app.Heartbeat) error) (*app.Heartbeat, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, err := s.d.Store.FindHeartbeat(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if err := fn(h); err != nil {
		return nil, err
	}
	h.UpdatedAt = s.now()
	if err := s.save(ctx, h, nil); err != nil {
		return nil, err
	}
	return h, nil
}
