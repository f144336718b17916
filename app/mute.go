package app

import (
	"context"
	"time"
)

// Mute silences one object for one user until ValidTill (nil: forever).
type Mute struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Object    ObjectRef  `json:"object"`
	ValidTill *time.Time `json:"valid_till"`
	CreatedAt time.Time  `json:"created_at"`
}

// Active reports whether the mute still applies at now.
func (m *Mute) Active(now time.Time) bool {
	return m.ValidTill == nil || m.ValidTill.After(now)
}

// Validate checks an object reference.
func (o ObjectRef) Validate() error {
	if o.AppLabel == "" || o.ModelName == "" || o.ObjectID == "" {
		return Errorf(EINVALID, "An object needs app_label, model_name and object_id.")
	}
	if len(o.AppLabel) > 100 || len(o.ModelName) > 100 || len(o.ObjectID) > 200 {
		return Errorf(EINVALID, "Object app_label and model_name are limited to 100 characters, object_id to 200.")
	}
	return nil
}

// MuteStore persists object mutes. Lookups ignore expired mutes.
type MuteStore interface {
	CreateMute(ctx context.Context, m *Mute) error
	ListMutes(ctx context.Context, userID string) ([]*Mute, error)
	DeleteMute(ctx context.Context, userID, id string) error
	// FindMute returns the user's active mute of obj, ENOTFOUND if none.
	FindMute(ctx context.Context, userID string, obj ObjectRef) (*Mute, error)
	// MutedUsers returns which of userIDs have an active mute of obj.
	MutedUsers(ctx context.Context, obj ObjectRef, userIDs []string) (map[string]bool, error)
	DeleteExpiredMutes(ctx context.Context, now time.Time) (int, error)
}
