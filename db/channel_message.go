package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/belfry/belfry/app"
)

// This file holds the ChannelStore's messages and stored events.

const messageColumns = `m.id, m.channel_id, m.user_id, u.username, m.parent_message_id, m.content, m.seq, m.created_at, m.edited_at`

const messageFrom = ` FROM channel_messages m LEFT JOIN users u ON u.id = m.user_id`

var errMessageNotFound = app.Errorf(app.ENOTFOUND, "Message not found.")

func scanMessage(r rowScanner) (*app.Message, error) {
	var m app.Message
	var userID, username, parent sql.NullString
	var created int64
	var edited sql.NullInt64
	err := r.Scan(&m.ID, &m.ChannelID, &userID, &username, &parent, &m.Content, &m.Seq, &created, &edited)
	if err != nil {
		return nil, err
	}
	m.UserID, m.Username, m.ParentMessageID = userID.String, username.String, parent.String
	m.CreatedAt, m.EditedAt = fromMillis(created), timePtr(edited)
	return &m, nil
}

// CreateMessage stores m, posted by m.UserID, filling ID (when empty), Seq
// and CreatedAt; Seq is the sequence number of w.Event. Errors: EINVALID
// for bad content or a parent that is not a message of the same channel,
// ENOTFOUND for an unknown channel, and w.Check's.
func (s *ChannelStore) CreateMessage(ctx context.Context, m *app.Message, w app.ChannelWrite) error {
	if err := app.ValidateMessageContent(m.Content); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = newID()
	}
	var seq int64
	var created time.Time
	err := s.write(ctx, m.ChannelID, "", w, func(tx *sql.Tx, _ *app.Member, now time.Time) (bool, error) {
		if m.ParentMessageID != "" {
			var parentChannel string
			err := tx.QueryRow(`SELECT channel_id FROM channel_messages WHERE id = ?`, m.ParentMessageID).Scan(&parentChannel)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && parentChannel != m.ChannelID) {
				return false, app.Errorf(app.EINVALID, "parent_message_id must name a message of this channel.")
			}
			if err != nil {
				return false, err
			}
		}
		// The message takes the sequence number its event is about to get.
		err := tx.QueryRow(`INSERT INTO channel_messages (id, channel_id, seq, user_id, parent_message_id, content, created_at)
			VALUES (?, ?, (SELECT last_seq + 1 FROM channels WHERE id = ?), ?, ?, ?, ?) RETURNING seq`,
			m.ID, m.ChannelID, m.ChannelID, nullString(m.UserID), nullString(m.ParentMessageID), m.Content, millis(now)).Scan(&seq)
		created = now
		return true, err
	})
	if err != nil {
		return internal(err, "create message")
	}
	m.Seq, m.CreatedAt = seq, created
	return nil
}

// FindMessage returns the message id of the channel. Errors: ENOTFOUND, also
// for a message of another channel.
func (s *ChannelStore) FindMessage(ctx context.Context, channelID, id string) (*app.Message, error) {
	m, err := scanMessage(s.db.readQueryRow(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.id = ? AND m.channel_id = ?`, id, channelID))
	if err != nil {
		return nil, internal(notFound(err, "", errMessageNotFound.Message), "find message")
	}
	return m, nil
}

// UpdateMessage replaces the content of the message id and sets EditedAt.
// Errors: EINVALID for bad content, ENOTFOUND, and w.Check's.
func (s *ChannelStore) UpdateMessage(ctx context.Context, channelID, id, content string, w app.ChannelWrite) (*app.Message, error) {
	if err := app.ValidateMessageContent(content); err != nil {
		return nil, err
	}
	var out *app.Message
	err := s.write(ctx, channelID, "", w, func(tx *sql.Tx, _ *app.Member, now time.Time) (bool, error) {
		res, err := tx.Exec(`UPDATE channel_messages SET content = ?, edited_at = ? WHERE id = ? AND channel_id = ?`,
			content, millis(now), id, channelID)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, errOr(err, errMessageNotFound)
		}
		out, err = scanMessage(tx.QueryRow(`SELECT `+messageColumns+messageFrom+` WHERE m.id = ?`, id))
		return true, err
	})
	if err != nil {
		return nil, internal(err, "update message")
	}
	return out, nil
}

// DeleteMessage deletes the message id and blanks its content in the stored
// events, so a deleted text is not replayed. Errors: ENOTFOUND, and
// w.Check's.
func (s *ChannelStore) DeleteMessage(ctx context.Context, channelID, id string, w app.ChannelWrite) error {
	err := s.write(ctx, channelID, "", w, func(tx *sql.Tx, _ *app.Member, _ time.Time) (bool, error) {
		res, err := tx.Exec(`DELETE FROM channel_messages WHERE id = ? AND channel_id = ?`, id, channelID)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, errOr(err, errMessageNotFound)
		}
		_, err = tx.Exec(`UPDATE channel_events SET data = json_set(data, '$.content', '')
			WHERE channel_id = ? AND message_id = ? AND json_type(data, '$.content') IS NOT NULL`, channelID, id)
		return true, err
	})
	return internal(err, "delete message")
}

// errOr returns err, or fallback when err is nil.
func errOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// ListMessages returns up to limit messages of the channel with Seq below
// beforeSeq (0: from the newest), newest first, never nil.
func (s *ChannelStore) ListMessages(ctx context.Context, channelID string, beforeSeq int64, limit int) ([]*app.Message, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := s.db.readQuery(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.channel_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`, channelID, beforeSeq, limit)
	if err != nil {
		return nil, internal(err, "list messages")
	}
	out := []*app.Message{}
	err = eachRow(rows, func() error {
		m, err := scanMessage(rows)
		if err == nil {
			out = append(out, m)
		}
		return err
	})
	return out, internal(err, "list messages")
}

// ListChannelEvents returns up to limit stored events of the channel with
// Seq above afterSeq, oldest first, never nil. Only the latest 1000 events
// of a channel are kept.
func (s *ChannelStore) ListChannelEvents(ctx context.Context, channelID string, afterSeq int64, limit int) ([]*app.ChannelEvent, error) {
	rows, err := s.db.readQuery(ctx, `SELECT seq, type, message_id, data, created_at FROM channel_events
		WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?`, channelID, afterSeq, limit)
	if err != nil {
		return nil, internal(err, "list channel events")
	}
	out := []*app.ChannelEvent{}
	err = eachRow(rows, func() error {
		ev := app.ChannelEvent{ChannelID: channelID}
		var messageID sql.NullString
		var data string
		var created int64
		if err := rows.Scan(&ev.Seq, &ev.Type, &messageID, &data, &created); err != nil {
			return err
		}
		ev.MessageID, ev.Data, ev.CreatedAt = messageID.String, []byte(data), fromMillis(created)
		out = append(out, &ev)
		return nil
	})
	return out, internal(err, "list channel events")
}
