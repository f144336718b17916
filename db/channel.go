package db

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.ChannelStore = (*ChannelStore)(nil)

// channelEventRetention is how many of a channel's latest events are kept
// for recovery; older ones are pruned as new ones are appended.
const channelEventRetention = 1000

// ChannelStore implements app.ChannelStore. Every write to a channel's
// stream runs in one transaction of the group-commit writer: it checks the
// channel exists, loads the actor's and target's membership, runs the
// caller's app.ChannelCheck, makes the change and appends the event with the
// channel's next sequence number. The writer runs transactions one at a
// time, so the check and the change see the same state. It is safe for
// concurrent use.
type ChannelStore struct {
	db *DB
}

// NewChannelStore returns a ChannelStore on d.
func NewChannelStore(d *DB) *ChannelStore { return &ChannelStore{db: d} }

// channelColumns reads a channel c with its member count.
const channelColumns = `c.id, c.name, c.description, c.created_by, c.last_seq, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = c.id)`

func scanChannel(r rowScanner) (*app.Channel, error) {
	var ch app.Channel
	var createdBy sql.NullString
	var created, updated int64
	err := r.Scan(&ch.ID, &ch.Name, &ch.Description, &createdBy, &ch.LastSeq, &created, &updated, &ch.MemberCount)
	if err != nil {
		return nil, err
	}
	ch.CreatedBy, ch.CreatedAt, ch.UpdatedAt = createdBy.String, fromMillis(created), fromMillis(updated)
	return &ch, nil
}

// nameKey is the form in which channel names are unique.
func nameKey(name string) string { return strings.ToLower(name) }

// CreateChannel stores ch and makes ch.CreatedBy its owner, filling ID,
// CreatedAt, UpdatedAt and MemberCount. Errors: EINVALID, ECONFLICT for a
// taken name, ENOTFOUND for an unknown creator.
func (s *ChannelStore) CreateChannel(ctx context.Context, ch *app.Channel) error {
	if err := ch.Validate(); err != nil {
		return err
	}
	if ch.ID == "" {
		ch.ID = newID()
	}
	now := msTime(s.db.Now())
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO channels (id, name, name_key, description, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, ch.ID, ch.Name, nameKey(ch.Name), ch.Description, nullString(ch.CreatedBy),
			millis(now), millis(now)); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO channel_members (channel_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)`,
			ch.ID, ch.CreatedBy, app.RoleOwner, millis(now))
		return err
	})
	switch {
	case isUniqueViolation(err):
		return app.Errorf(app.ECONFLICT, "A channel named %q already exists.", ch.Name)
	case isForeignKeyViolation(err):
		return app.Errorf(app.ENOTFOUND, "User not found.")
	case err != nil:
		return internal(err, "create channel")
	}
	ch.CreatedAt, ch.UpdatedAt, ch.MemberCount, ch.LastSeq = now, now, 1, 0
	return nil
}

// FindChannel returns the channel id. Errors: ENOTFOUND.
func (s *ChannelStore) FindChannel(ctx context.Context, id string) (*app.Channel, error) {
	ch, err := scanChannel(s.db.readQueryRow(ctx, `SELECT `+channelColumns+` FROM channels c WHERE c.id = ?`, id))
	if err != nil {
		return nil, internal(notFound(err, "", "Channel not found."), "find channel")
	}
	return ch, nil
}

// ListChannels returns every channel ordered by name, never nil.
func (s *ChannelStore) ListChannels(ctx context.Context) ([]*app.Channel, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+channelColumns+` FROM channels c ORDER BY c.name_key`)
	if err != nil {
		return nil, internal(err, "list channels")
	}
	out := []*app.Channel{}
	err = eachRow(rows, func() error {
		ch, err := scanChannel(rows)
		if err == nil {
			out = append(out, ch)
		}
		return err
	})
	return out, internal(err, "list channels")
}

// UpdateChannel applies upd to the channel id. Errors: EINVALID, ENOTFOUND,
// ECONFLICT for a taken name, and w.Check's.
func (s *ChannelStore) UpdateChannel(ctx context.Context, id string, upd app.ChannelUpdate, w app.ChannelWrite) (*app.Channel, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, id, "", w, func(tx *sql.Tx, _ *app.Member, now time.Time) (bool, error) {
		if upd.Name != nil {
			if _, err := tx.Exec(`UPDATE channels SET name = ?, name_key = ? WHERE id = ?`, *upd.Name, nameKey(*upd.Name), id); err != nil {
				if isUniqueViolation(err) {
					return false, app.Errorf(app.ECONFLICT, "A channel named %q already exists.", *upd.Name)
				}
				return false, err
			}
		}
		if upd.Description != nil {
			if _, err := tx.Exec(`UPDATE channels SET description = ? WHERE id = ?`, *upd.Description, id); err != nil {
				return false, err
			}
		}
		_, err := tx.Exec(`UPDATE channels SET updated_at = ? WHERE id = ?`, millis(now), id)
		return true, err
	})
	if err != nil {
		return nil, internal(err, "update channel")
	}
	return s.FindChannel(ctx, id)
}

// DeleteChannel deletes the channel id with everything in it; w.Event gets
// the sequence number after the channel's last. Errors: ENOTFOUND, w.Check's.
func (s *ChannelStore) DeleteChannel(ctx context.Context, id string, w app.ChannelWrite) error {
	now := msTime(s.db.Now())
	var seq int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := prepareChannelWrite(tx, id, "", w); err != nil {
			return err
		}
		if err := tx.QueryRow(`DELETE FROM channels WHERE id = ? RETURNING last_seq + 1`, id).Scan(&seq); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return internal(err, "delete channel")
	}
	if w.Event != nil {
		w.Event.ChannelID, w.Event.Seq, w.Event.CreatedAt = id, seq, now
	}
	return nil
}

// write is the frame of a channel-stream write: in one transaction it
// prepares (channel, actor, target, check), runs change and, when change
// reports that something changed, appends w.Event with the next sequence
// number. w.Event is filled only once the transaction is durable.
func (s *ChannelStore) write(ctx context.Context, channelID, targetID string, w app.ChannelWrite,
	change func(tx *sql.Tx, target *app.Member, now time.Time) (bool, error)) error {
	now := msTime(s.db.Now())
	var seq int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		seq = 0
		target, err := prepareChannelWrite(tx, channelID, targetID, w)
		if err != nil {
			return err
		}
		changed, err := change(tx, target, now)
		if err != nil || !changed || w.Event == nil {
			return err
		}
		seq, err = appendEvent(tx, channelID, w.Event, now)
		return err
	})
	if err == nil && seq > 0 {
		w.Event.ChannelID, w.Event.Seq, w.Event.CreatedAt = channelID, seq, now
	}
	return err
}

// prepareChannelWrite checks that the channel exists, loads the actor's
// and (when targetID is set) the target's membership and runs w.Check. It
// returns the target's membership, nil when not a member.
func prepareChannelWrite(tx *sql.Tx, channelID, targetID string, w app.ChannelWrite) (*app.Member, error) {
	var one int
	if err := tx.QueryRow(`SELECT 1 FROM channels WHERE id = ?`, channelID).Scan(&one); err != nil {
		return nil, notFound(err, "", "Channel not found.")
	}
	actor, err := memberTx(tx, channelID, w.ActorID)
	if err != nil {
		return nil, err
	}
	target := actor
	if targetID != w.ActorID {
		target = nil
		if targetID != "" {
			if target, err = memberTx(tx, channelID, targetID); err != nil {
				return nil, err
			}
		}
	}
	if w.Check != nil {
		if err := w.Check(actor, target); err != nil {
			return nil, err
		}
	}
	return target, nil
}

// appendEvent takes the channel's next sequence number, stores ev with it
// and prunes events past the retention.
func appendEvent(tx *sql.Tx, channelID string, ev *app.ChannelEvent, now time.Time) (int64, error) {
	var seq int64
	if err := tx.QueryRow(`UPDATE channels SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq`, channelID).Scan(&seq); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(`INSERT INTO channel_events (channel_id, seq, type, message_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		channelID, seq, ev.Type, nullString(ev.MessageID), string(ev.Data), millis(now)); err != nil {
		return 0, err
	}
	if seq > channelEventRetention {
		if _, err := tx.Exec(`DELETE FROM channel_events WHERE channel_id = ? AND seq <= ?`, channelID, seq-channelEventRetention); err != nil {
			return 0, err
		}
	}
	return seq, nil
}
