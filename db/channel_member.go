package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/belfry/belfry/app"
)

// This file holds the ChannelStore's members and bans.

const memberColumns = `m.channel_id, m.user_id, u.username, m.role, m.joined_at`

const memberFrom = ` FROM channel_members m JOIN users u ON u.id = m.user_id`

// roleOrder sorts members from owners down.
const roleOrder = `CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'moderator' THEN 2 ELSE 3 END`

var errNotMember = app.Errorf(app.ENOTFOUND, "User is not a member of this channel.")

func scanMember(r rowScanner) (*app.Member, error) {
	var m app.Member
	var joined int64
	if err := r.Scan(&m.ChannelID, &m.UserID, &m.Username, &m.Role, &joined); err != nil {
		return nil, err
	}
	m.JoinedAt = fromMillis(joined)
	return &m, nil
}

// memberTx returns userID's membership inside a write, nil when none.
func memberTx(tx *sql.Tx, channelID, userID string) (*app.Member, error) {
	if userID == "" {
		return nil, nil
	}
	m, err := scanMember(tx.QueryRow(`SELECT `+memberColumns+memberFrom+` WHERE m.channel_id = ? AND m.user_id = ?`, channelID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// FindMember returns userID's membership of the channel. Errors: ENOTFOUND.
func (s *ChannelStore) FindMember(ctx context.Context, channelID, userID string) (*app.Member, error) {
	m, err := scanMember(s.db.readQueryRow(ctx, `SELECT `+memberColumns+memberFrom+`
		WHERE m.channel_id = ? AND m.user_id = ?`, channelID, userID))
	if err != nil {
		return nil, internal(notFound(err, "", errNotMember.Message), "find member")
	}
	return m, nil
}

// ListMembers returns the channel's members, owners first, then by join
// time; never nil. An unknown channel has no members.
func (s *ChannelStore) ListMembers(ctx context.Context, channelID string) ([]*app.Member, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+memberColumns+memberFrom+`
		WHERE m.channel_id = ? ORDER BY `+roleOrder+`, m.joined_at, m.user_id`, channelID)
	if err != nil {
		return nil, internal(err, "list members")
	}
	out := []*app.Member{}
	err = eachRow(rows, func() error {
		m, err := scanMember(rows)
		if err == nil {
			out = append(out, m)
		}
		return err
	})
	return out, internal(err, "list members")
}

// MemberRoles returns userID's role in each channel they belong to.
func (s *ChannelStore) MemberRoles(ctx context.Context, userID string) (map[string]app.Role, error) {
	rows, err := s.db.readQuery(ctx, `SELECT channel_id, role FROM channel_members WHERE user_id = ?`, userID)
	if err != nil {
		return nil, internal(err, "list memberships")
	}
	out := map[string]app.Role{}
	err = eachRow(rows, func() error {
		var id string
		var role app.Role
		err := rows.Scan(&id, &role)
		out[id] = role
		return err
	})
	return out, internal(err, "list memberships")
}

// AddMember makes m.UserID a member of m.ChannelID with m.Role (member when
// empty), filling JoinedAt. Errors: ENOTFOUND for an unknown channel or
// user, EFORBIDDEN when the user is banned, ECONFLICT when already a member,
// and w.Check's.
func (s *ChannelStore) AddMember(ctx context.Context, m *app.Member, w app.ChannelWrite) error {
	if m.Role == "" {
		m.Role = app.RoleMember
	}
	var joined time.Time
	err := s.write(ctx, m.ChannelID, m.UserID, w, func(tx *sql.Tx, current *app.Member, now time.Time) (bool, error) {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM channel_bans WHERE channel_id = ? AND user_id = ?`, m.ChannelID, m.UserID).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if err := app.CheckJoin(current, err == nil); err != nil {
			return false, err
		}
		_, err = tx.Exec(`INSERT INTO channel_members (channel_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)`,
			m.ChannelID, m.UserID, m.Role, millis(now))
		if isForeignKeyViolation(err) {
			return false, app.Errorf(app.ENOTFOUND, "User not found.")
		}
		joined = now
		return true, err
	})
	if err != nil {
		return internal(err, "add member")
	}
	m.JoinedAt = joined
	return nil
}

// RemoveMember ends userID's membership. Errors: ENOTFOUND when userID is
// not a member, ECONFLICT when userID is the channel's last owner, and
// w.Check's (which runs first).
func (s *ChannelStore) RemoveMember(ctx context.Context, channelID, userID string, w app.ChannelWrite) error {
	err := s.write(ctx, channelID, userID, w, func(tx *sql.Tx, target *app.Member, _ time.Time) (bool, error) {
		if target == nil {
			return false, errNotMember
		}
		if err := keepAnOwner(tx, channelID, target, app.MemberLeaves); err != nil {
			return false, err
		}
		_, err := tx.Exec(`DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?`, channelID, userID)
		return true, err
	})
	return internal(err, "remove member")
}

// keepAnOwner runs app.KeepAnOwner for change to target with the channel's
// owner count, inside tx.
func keepAnOwner(tx *sql.Tx, channelID string, target *app.Member, change app.MemberChange) error {
	if target == nil || target.Role != app.RoleOwner {
		return nil // the count is not needed
	}
	var owners int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM channel_members WHERE channel_id = ? AND role = 'owner'`, channelID).Scan(&owners); err != nil {
		return err
	}
	return app.KeepAnOwner(target, owners, change)
}

// SetMemberRole gives userID the role. Setting the current role changes
// nothing and records no event. Errors: EINVALID for an unknown role,
// ENOTFOUND when userID is not a member, ECONFLICT when it would demote the
// last owner, and w.Check's.
func (s *ChannelStore) SetMemberRole(ctx context.Context, channelID, userID string, role app.Role, w app.ChannelWrite) (*app.Member, error) {
	if err := app.CheckRole(role); err != nil {
		return nil, err
	}
	var out *app.Member
	err := s.write(ctx, channelID, userID, w, func(tx *sql.Tx, target *app.Member, _ time.Time) (bool, error) {
		if target == nil {
			return false, errNotMember
		}
		out = target
		if target.Role == role {
			return false, nil
		}
		if err := keepAnOwner(tx, channelID, target, app.MemberDemoted); err != nil {
			return false, err
		}
		_, err := tx.Exec(`UPDATE channel_members SET role = ? WHERE channel_id = ? AND user_id = ?`, role, channelID, userID)
		out.Role = role
		return true, err
	})
	if err != nil {
		return nil, internal(err, "set member role")
	}
	return out, nil
}

// BanUser bans b.UserID from b.ChannelID and ends their membership, filling
// CreatedAt. Errors: EINVALID for a motive that is too long, ENOTFOUND for
// an unknown channel or user, ECONFLICT when already banned, and w.Check's.
func (s *ChannelStore) BanUser(ctx context.Context, b *app.Ban, w app.ChannelWrite) error {
	if err := app.ValidateMotive(b.Motive, false); err != nil {
		return err
	}
	var created time.Time
	err := s.write(ctx, b.ChannelID, b.UserID, w, func(tx *sql.Tx, target *app.Member, now time.Time) (bool, error) {
		_, err := tx.Exec(`INSERT INTO channel_bans (channel_id, user_id, banned_by, motive, created_at) VALUES (?, ?, ?, ?, ?)`,
			b.ChannelID, b.UserID, nullString(b.BannedBy), b.Motive, millis(now))
		switch {
		case isUniqueViolation(err):
			return false, app.Errorf(app.ECONFLICT, "User is already banned from this channel.")
		case isForeignKeyViolation(err):
			return false, app.Errorf(app.ENOTFOUND, "User not found.")
		case err != nil:
			return false, err
		}
		if target != nil {
			if err := keepAnOwner(tx, b.ChannelID, target, app.MemberBanned); err != nil {
				return false, err
			}
			if _, err := tx.Exec(`DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?`, b.ChannelID, b.UserID); err != nil {
				return false, err
			}
		}
		created = now
		return true, nil
	})
	if err != nil {
		return internal(err, "ban user")
	}
	b.CreatedAt = created
	return nil
}

// UnbanUser lifts userID's ban. Errors: ENOTFOUND when there is none, and
// w.Check's.
func (s *ChannelStore) UnbanUser(ctx context.Context, channelID, userID string, w app.ChannelWrite) error {
	err := s.write(ctx, channelID, "", w, func(tx *sql.Tx, _ *app.Member, _ time.Time) (bool, error) {
		res, err := tx.Exec(`DELETE FROM channel_bans WHERE channel_id = ? AND user_id = ?`, channelID, userID)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = errNotBanned
		}
		return err == nil, err
	})
	return internal(err, "unban user")
}

var errNotBanned = app.Errorf(app.ENOTFOUND, "User is not banned from this channel.")

// FindBan returns userID's ban from the channel. Errors: ENOTFOUND.
func (s *ChannelStore) FindBan(ctx context.Context, channelID, userID string) (*app.Ban, error) {
	var b app.Ban
	var by sql.NullString
	var created int64
	err := s.db.readQueryRow(ctx, `SELECT channel_id, user_id, banned_by, motive, created_at FROM channel_bans
		WHERE channel_id = ? AND user_id = ?`, channelID, userID).Scan(&b.ChannelID, &b.UserID, &by, &b.Motive, &created)
	if err != nil {
		return nil, internal(notFound(err, "", errNotBanned.Message), "find ban")
	}
	b.BannedBy, b.CreatedAt = by.String, fromMillis(created)
	return &b, nil
}
