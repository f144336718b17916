package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/belfry/belfry/app"
)

// Prune deletes what rules allow, or with dryRun only counts it; it
// implements app.Pruner. Deletes run in chunks of pruneChunk rows through
// the group-commit writer, so a large first pass never holds the writer for
// long. Notifications are pruned user by user on the (user_id, created_at,
// id) index. Channel messages are pruned only when the channels tables
// exist. An error stops the pass; what was deleted before it stays deleted
// and is counted.
func (d *DB) Prune(ctx context.Context, r app.PruneRules, dryRun bool) (app.PruneCounts, error) {
	p := &pruner{d: d, dry: dryRun, chunk: pruneChunk}
	var c app.PruneCounts
	if err := p.notifications(ctx, r, &c); err != nil {
		return c, err
	}
	if !r.DeliveriesBefore.IsZero() {
		if err := p.run(ctx, &c.WebhookDeliveries, "webhook_deliveries",
			"status <> 'pending' AND updated_at < ?", millis(r.DeliveriesBefore)); err != nil {
			return c, err
		}
	}
	if !r.EmailsBefore.IsZero() {
		if err := p.run(ctx, &c.Emails, "email_outbox",
			"status IN ('sent', 'failed', 'skipped') AND updated_at < ?", millis(r.EmailsBefore)); err != nil {
			return c, err
		}
	}
	if !r.MessagesBefore.IsZero() {
		ok, err := d.tableExists(ctx, "channel_messages")
		if err != nil {
			return c, err
		}
		if ok {
			if err := p.run(ctx, &c.ChannelMessages, "channel_messages", "created_at < ?", millis(r.MessagesBefore)); err != nil {
				return c, err
			}
		}
	}
	if !r.Expired.IsZero() {
		if err := p.run(ctx, &c.Sessions, "sessions", "expires_at <= ?", millis(r.Expired)); err != nil {
			return c, err
		}
		if err := p.run(ctx, &c.Mutes, "mutes", "valid_till IS NOT NULL AND valid_till <= ?", millis(r.Expired)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// pruner counts or deletes rows matching a condition.
type pruner struct {
	d     *DB
	dry   bool
	chunk int // rows per delete
}

// notifications applies the two notification rules to every user: first
// old read ones, then those beyond the newest KeepPerUser. The cut-off of
// the second rule skips the rows the first one takes, so a dry run counts
// each row once and exactly as the real pass deletes.
func (p *pruner) notifications(ctx context.Context, r app.PruneRules, c *app.PruneCounts) error {
	if r.ReadBefore.IsZero() && r.KeepPerUser <= 0 {
		return nil
	}
	users, err := p.d.userIDs(ctx)
	if err != nil {
		return err
	}
	readBefore := int64(0) // created_at is never negative: matches nothing
	if !r.ReadBefore.IsZero() {
		readBefore = millis(r.ReadBefore)
	}
	const oldRead = "read_at IS NOT NULL AND created_at < ?"
	for _, u := range users {
		before := c.ReadNotifications + c.ExcessNotifications
		if readBefore > 0 {
			if err := p.run(ctx, &c.ReadNotifications, "notifications", "user_id = ? AND "+oldRead, u, readBefore); err != nil {
				return err
			}
		}
		if r.KeepPerUser > 0 {
			var created int64
			var id string
			err := p.d.read.QueryRowContext(ctx, `SELECT created_at, id FROM notifications
				WHERE user_id = ? AND NOT (`+oldRead+`)
				ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?`, u, readBefore, r.KeepPerUser-1).Scan(&created, &id)
			switch {
			case errors.Is(err, sql.ErrNoRows): // no more than KeepPerUser
			case err != nil:
				return internal(err, "find the notifications to keep")
			default:
				if err := p.run(ctx, &c.ExcessNotifications, "notifications",
					"user_id = ? AND (created_at, id) < (?, ?) AND NOT ("+oldRead+")", u, created, id, readBefore); err != nil {
					return err
				}
			}
		}
		if !p.dry && c.ReadNotifications+c.ExcessNotifications > before {
			c.Users = append(c.Users, u)
		}
	}
	return nil
}

// run adds to *n the rows of table matching where: counted in a dry run,
// otherwise deleted in chunks.
func (p *pruner) run(ctx context.Context, n *int, table, where string, args ...any) error {
	if p.dry {
		var count int
		err := p.d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&count)
		*n += count
		return internal(err, "count "+table+" to prune")
	}
	key := p.d.sql.rowKey
	query := "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key + " FROM " + table + " WHERE " + where + " LIMIT ?)"
	for {
		deleted, err := writeCount(ctx, p.d, query, append(args, p.chunk)...)
		*n += deleted
		if err != nil {
			return internal(err, "prune "+table)
		}
		if deleted < p.chunk {
			return nil
		}
	}
}

// userIDs returns the id of every user.
func (d *DB) userIDs(ctx context.Context) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT id FROM users ORDER BY id`)
	if err != nil {
		return nil, internal(err, "list users")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal(err, "list users")
		}
		ids = append(ids, id)
	}
	return ids, internal(rows.Err(), "list users")
}

// tableExists reports whether the schema has a table called name.
func (d *DB) tableExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+d.sql.tables+`) t WHERE name = ?`, name).Scan(&n)
	return n > 0, internal(err, "read the schema")
}
