package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

var _ app.NotificationStore = (*NotificationStore)(nil)

// NotificationStore implements app.NotificationStore. Methods that take a
// userID act only on that user's rows: another user's notification behaves
// exactly like a missing one (ENOTFOUND, code NOTIFICATION_NOT_FOUND). The
// exceptions are FindNotification, which returns any user's row, and
// AcknowledgeMany, which reports AckDenied. It is safe for concurrent use.
type NotificationStore struct {
	db *DB
}

// NewNotificationStore returns a NotificationStore on d.
func NewNotificationStore(d *DB) *NotificationStore { return &NotificationStore{db: d} }

// notificationColumns is the column list every SELECT and RETURNING uses, in
// the order scanNotification reads.
const notificationColumns = `id, user_id, type, level, title, body, data, target_url, email_subject,
	service_id, project, obj_app_label, obj_model_name, obj_object_id, read_at, status,
	acknowledged_at, created_at, format`

const insertNotificationSQL = `INSERT INTO notifications (` + notificationColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func notificationNotFound() error {
	return &app.Error{Kind: app.ENOTFOUND, Code: app.CodeNotificationNotFound, Message: "Notification not found."}
}

// newID returns a fresh UUIDv7 in canonical text form.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// msTime truncates t to what the database keeps: UTC milliseconds.
func msTime(t time.Time) time.Time { return fromMillis(millis(t)) }

// CreateNotifications stores ns and the webhook deliveries ds in one
// transaction and returns once it is durable. The notifications come
// complete from the dispatcher, which decides every default (id, time,
// status, data); times are truncated to milliseconds in place, so ns match
// what a later read returns. Errors: ENOTFOUND when a recipient does not
// exist, ECONFLICT for a duplicate id; nothing is stored when any row
// fails.
func (s *NotificationStore) CreateNotifications(ctx context.Context, ns []*app.Notification, ds []*app.WebhookDelivery) error {
	return s.QueueNotifications(ctx, ns, app.Outbox{Webhooks: ds})()
}

// QueueNotifications queues the write of CreateNotifications and returns at
// once with a function that waits for the durable commit and returns its
// error. Queued writes commit in queue order.
func (s *NotificationStore) QueueNotifications(ctx context.Context, ns []*app.Notification, out app.Outbox) (wait func() error) {
	if len(ns) == 0 && len(out.Webhooks) == 0 && len(out.Emails) == 0 && len(out.Pushes) == 0 && len(out.Held) == 0 {
		return func() error { return nil }
	}
	for _, n := range ns {
		if err := checkComplete(n); err != nil {
			return func() error { return err }
		}
		truncateTimes(n)
	}
	committed := s.db.QueueWrite(ctx, func(tx *sql.Tx) error {
		stmt, err := s.db.txStmt(tx, insertNotificationSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, n := range ns {
			if _, err := stmt.Exec(notificationArgs(n)...); err != nil {
				return err
			}
		}
		if err := insertDeliveries(tx, out.Webhooks); err != nil {
			return err
		}
		if err := insertEmails(tx, out.Emails); err != nil {
			return err
		}
		if _, err = insertPushes(tx, out.Pushes); err != nil {
			return err
		}
		if err := insertHeld(tx, out.Held); err != nil {
			return err
		}
		return insertEscalations(tx, out.Escalations)
	})
	return func() error {
		err := committed()
		switch {
		case isUniqueViolation(err):
			return app.Errorf(app.ECONFLICT, "A notification or delivery with this id already exists.")
		case isForeignKeyViolation(err):
			return app.Errorf(app.ENOTFOUND, "User not found.")
		}
		return internal(err, "create notifications")
	}
}

// checkComplete refuses a notification without the fields the dispatcher
// decides: storing one would write a row no view can show.
func checkComplete(n *app.Notification) error {
	if n.ID == "" || n.UserID == "" || n.Status == "" || len(n.Data) == 0 || n.CreatedAt.IsZero() {
		return fmt.Errorf("store notification %q: id, user, status, data and creation time are required", n.ID)
	}
	return nil
}

// truncateTimes cuts n's times to what the database keeps.
func truncateTimes(n *app.Notification) {
	for _, t := range []*time.Time{&n.CreatedAt, n.ReadAt, n.AcknowledgedAt} {
		if t != nil {
			*t = msTime(*t)
		}
	}
}

func notificationArgs(n *app.Notification) []any {
	var label, model, obj any
	if n.Object != nil {
		label, model, obj = n.Object.AppLabel, n.Object.ModelName, n.Object.ObjectID
	}
	return []any{n.ID, n.UserID, n.Type, string(n.Level), n.Title, n.Body, string(n.Data),
		nullString(n.TargetURL), n.EmailSubject, nullString(n.ServiceID), nullString(n.Project),
		label, model, obj, nullMillis(n.ReadAt), n.Status, nullMillis(n.AcknowledgedAt), millis(n.CreatedAt), n.Format}
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

func scanNotification(r rowScanner) (*app.Notification, error) {
	var (
		n                        app.Notification
		level, data              string
		target, service, project sql.NullString
		objApp, objModel, objID  sql.NullString
		readAt, ackAt            sql.NullInt64
		createdAt                int64
	)
	err := r.Scan(&n.ID, &n.UserID, &n.Type, &level, &n.Title, &n.Body, &data, &target, &n.EmailSubject,
		&service, &project, &objApp, &objModel, &objID, &readAt, &n.Status, &ackAt, &createdAt, &n.Format)
	if err != nil {
		return nil, err
	}
	n.Level = app.Level(level)
	n.Data = json.RawMessage(data)
	n.TargetURL, n.ServiceID, n.Project = target.String, service.String, project.String
	if objApp.Valid || objModel.Valid || objID.Valid {
		n.Object = &app.ObjectRef{AppLabel: objApp.String, ModelName: objModel.String, ObjectID: objID.String}
	}
	n.ReadAt, n.AcknowledgedAt = timePtr(readAt), timePtr(ackAt)
	n.CreatedAt = fromMillis(createdAt)
	return &n, nil
}

// FindNotification returns the notification id of any user, so the polling
// API can tell 403 from 404. Errors: ENOTFOUND (NOTIFICATION_NOT_FOUND).
func (s *NotificationStore) FindNotification(ctx context.Context, id string) (*app.Notification, error) {
	row := s.db.readQueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id)
	n, err := scanNotification(row)
	if err != nil {
		return nil, internal(notFound(err, app.CodeNotificationNotFound, "Notification not found."), "find notification")
	}
	return n, nil
}

// ListNotifications returns one page of f.UserID's notifications, newest
// first unless f.Sort is SortOldest, never nil. Errors: EINVALID for a filter
// without user or with an unknown sort or status.
func (s *NotificationStore) ListNotifications(ctx context.Context, f app.NotificationFilter) ([]*app.Notification, error) {
	q, args, err := listNotificationsQuery(f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.readQuery(ctx, q, args...)
	if err != nil {
		return nil, internal(err, "list notifications")
	}
	out := []*app.Notification{}
	err = eachRow(rows, func() error {
		n, err := scanNotification(rows)
		if err == nil {
			out = append(out, n)
		}
		return err
	})
	if err != nil {
		return nil, internal(err, "list notifications")
	}
	return out, nil
}

// CountNotifications counts what f selects, ignoring its page (Limit, Offset,
// After, Sort).
func (s *NotificationStore) CountNotifications(ctx context.Context, f app.NotificationFilter) (int, error) {
	where, args, err := notificationWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.readQueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE `+where, args...).Scan(&n)
	return n, internal(err, "count notifications")
}

// UnreadCount returns how many unread notifications userID has; the partial
// index notifications_user_unread answers it without touching the table.
func (s *NotificationStore) UnreadCount(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.readQueryRow(ctx, unreadCountSQL, userID).Scan(&n)
	return n, internal(err, "count unread notifications")
}

const unreadCountSQL = `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`

// UnreadCountUpTo is UnreadCount for a reader that needs the count only up
// to limit (the live frames show "99+" past 99): it returns min(count,
// limit), reading at most limit entries of the index however many
// notifications are unread.
func (s *NotificationStore) UnreadCountUpTo(ctx context.Context, userID string, limit int) (int, error) {
	var n int
	err := s.db.readQueryRow(ctx, unreadCountUpToSQL, userID, limit).Scan(&n)
	return n, internal(err, "count unread notifications")
}

const unreadCountUpToSQL = `SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = ? AND read_at IS NULL LIMIT ?) AS unread`

// listNotificationsQuery builds the page query of f. The keyset cursor is a
// row-value comparison on (created_at, id), which SQLite turns into a range
// of the (user_id, created_at, id) indexes rather than a scan from the top.
func listNotificationsQuery(f app.NotificationFilter) (string, []any, error) {
	where, args, err := notificationWhere(f)
	if err != nil {
		return "", nil, err
	}
	cmp, dir := "<", "DESC"
	switch f.Sort {
	case "", app.SortNewest:
	case app.SortOldest:
		cmp, dir = ">", "ASC"
	default:
		return "", nil, app.Errorf(app.EINVALID, "Sort must be %s or %s, not %q.", app.SortNewest, app.SortOldest, f.Sort)
	}
	if f.Limit < 0 || f.Offset < 0 {
		return "", nil, app.Errorf(app.EINVALID, "Limit and offset must not be negative.")
	}
	if f.After != nil {
		where += " AND (created_at, id) " + cmp + " (?, ?)"
		args = append(args, millis(f.After.CreatedAt), f.After.ID)
	}
	limit := f.Limit
	if limit == 0 {
		limit = 20
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE ` + where +
		` ORDER BY created_at ` + dir + `, id ` + dir + ` LIMIT ?`
	args = append(args, limit)
	if f.Offset > 0 {
		q += ` OFFSET ?`
		args = append(args, f.Offset)
	}
	return q, args, nil
}

// likeEscaper makes a search's %, _ and \ match themselves in a LIKE
// pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// notificationWhere is the WHERE clause shared by list and count.
func notificationWhere(f app.NotificationFilter) (string, []any, error) {
	if f.UserID == "" {
		return "", nil, app.Errorf(app.EINVALID, "A notification query needs a user.")
	}
	conds, args := []string{"user_id = ?"}, []any{f.UserID}
	switch {
	case f.UnreadOnly && f.ReadOnly:
		return "", nil, app.Errorf(app.EINVALID, "A notification query cannot keep only read and only unread notifications.")
	case f.UnreadOnly:
		// Spelled exactly as the partial index's WHERE so the planner uses it.
		conds = append(conds, "read_at IS NULL")
	case f.ReadOnly:
		conds = append(conds, "read_at IS NOT NULL")
	}
	if f.Level != "" && !f.Level.Valid() {
		return "", nil, app.Errorf(app.EINVALID, "Level must be info, warning or error, not %q.", string(f.Level))
	}
	if len(f.Search) > app.MaxSearchLen {
		return "", nil, app.Errorf(app.EINVALID, "A search is at most %d bytes.", app.MaxSearchLen)
	}
	if f.Search != "" {
		// A substring of title or body, ASCII letters in either case: LIKE
		// with its wildcards escaped. See docs/benchmarks.md for why this
		// and not FTS5.
		pattern := "%" + likeEscaper.Replace(f.Search) + "%"
		conds = append(conds, `(title LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern)
	}
	if !f.CreatedBefore.IsZero() {
		conds = append(conds, "created_at < ?")
		args = append(args, millis(f.CreatedBefore))
	}
	switch f.Status {
	case "":
	case app.StatusPending, app.StatusAcknowledged:
		// A literal, not a parameter, so a partial index on a status could
		// match. The value is one of two constants.
		conds = append(conds, "status = '"+f.Status+"'")
	default:
		return "", nil, app.Errorf(app.EINVALID, "Status must be %s or %s, not %q.", app.StatusPending, app.StatusAcknowledged, f.Status)
	}
	for _, c := range []struct{ col, val string }{{"type", f.Type}, {"level", string(f.Level)}, {"service_id", f.ServiceID}, {"project", f.Project}} {
		if c.val != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	return strings.Join(conds, " AND "), args, nil
}
