package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/belfry/belfry/app"
)

var _ app.RouteStore = (*RouteStore)(nil)

// RouteStore implements app.RouteStore on the topic_routes table of
// migration 00008. A route is the set of its rows, one per user; deleting a
// user drops them from every route (a route left without users is gone).
// It is safe for concurrent use.
type RouteStore struct {
	db *DB
}

// NewRouteStore returns a RouteStore on d.
func NewRouteStore(d *DB) *RouteStore { return &RouteStore{db: d} }

// routeUsersSQL selects the usernames of one topic's route.
const routeUsersSQL = `SELECT u.username FROM topic_routes r JOIN users u ON u.id = r.user_id
	WHERE r.topic = ? ORDER BY u.username`

// PutRoute replaces the route of r.Topic by r.Users in one transaction and
// writes the stored names back into r.Users. Errors: EINVALID for an
// invalid route or one naming a user who does not exist; nothing changes
// then.
func (s *RouteStore) PutRoute(ctx context.Context, r *app.Route) error {
	r.Normalize()
	if err := r.Validate(); err != nil {
		return err
	}
	var stored []string
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM topic_routes WHERE topic = ?`, r.Topic); err != nil {
			return err
		}
		seen := make(map[string]bool, len(r.Users))
		for _, name := range r.Users {
			key := foldASCII(name)
			if seen[key] {
				continue
			}
			seen[key] = true
			res, err := tx.Exec(`INSERT INTO topic_routes (topic, user_id) SELECT ?, id FROM users WHERE username = ?`, r.Topic, name)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return app.Errorf(app.EINVALID, "There is no user %q; a route names existing users.", name)
			}
		}
		rows, err := tx.Query(routeUsersSQL, r.Topic)
		if err != nil {
			return err
		}
		stored, err = scanNames(rows)
		return err
	})
	if err != nil {
		return internal(err, "put route")
	}
	r.Users = stored
	return nil
}

// FindRoute returns the route of topic. Errors: ENOTFOUND.
func (s *RouteStore) FindRoute(ctx context.Context, topic string) (*app.Route, error) {
	users, err := s.RouteUsers(ctx, topic)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, app.Errorf(app.ENOTFOUND, "Topic %q is not routed.", topic)
	}
	return &app.Route{Topic: topic, Users: users}, nil
}

// RouteUsers returns the usernames topic is routed to, in username order;
// none (nil) when it is not routed. It implements ingest.Routes.
func (s *RouteStore) RouteUsers(ctx context.Context, topic string) ([]string, error) {
	rows, err := s.db.readQuery(ctx, routeUsersSQL, topic)
	if err != nil {
		return nil, internal(err, "route users")
	}
	users, err := scanNames(rows)
	return users, internal(err, "route users")
}

// ListRoutes returns every route, in topic order, never nil.
func (s *RouteStore) ListRoutes(ctx context.Context) ([]*app.Route, error) {
	rows, err := s.db.readQuery(ctx, `SELECT r.topic, u.username FROM topic_routes r JOIN users u ON u.id = r.user_id
		ORDER BY r.topic, u.username`)
	if err != nil {
		return nil, internal(err, "list routes")
	}
	out := []*app.Route{}
	err = eachRow(rows, func() error {
		var topic, name string
		if err := rows.Scan(&topic, &name); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].Topic != topic {
			out = append(out, &app.Route{Topic: topic})
		}
		last := out[len(out)-1]
		last.Users = append(last.Users, name)
		return nil
	})
	if err != nil {
		return nil, internal(err, "list routes")
	}
	return out, nil
}

// DeleteRoute removes the route of topic. Errors: ENOTFOUND.
func (s *RouteStore) DeleteRoute(ctx context.Context, topic string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM topic_routes WHERE topic = ?`, topic)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "Topic %q is not routed.", topic)
	}
	return internal(err, "delete route")
}

// scanNames reads one text column of every row and closes rows.
func scanNames(rows *sql.Rows) ([]string, error) {
	var out []string
	err := eachRow(rows, func() error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("scan name: %w", err)
		}
		out = append(out, name)
		return nil
	})
	return out, err
}
