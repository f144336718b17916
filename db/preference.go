package db

import (
	"context"
	"database/sql"
	"maps"

	"github.com/belfry/belfry/app"
)

var _ app.PreferenceStore = (*PreferenceStore)(nil)

// PreferenceStore implements app.PreferenceStore. It keeps only the keys a
// user changed; which keys exist and their defaults are app.Types' business.
// It is safe for concurrent use.
type PreferenceStore struct {
	db *DB
}

// NewPreferenceStore returns a PreferenceStore on d.
func NewPreferenceStore(d *DB) *PreferenceStore { return &PreferenceStore{db: d} }

// Preferences returns the stored keys of userID, an empty map when none.
func (s *PreferenceStore) Preferences(ctx context.Context, userID string) (app.Preferences, error) {
	all, err := s.PreferencesFor(ctx, []string{userID})
	if err != nil {
		return nil, err
	}
	return all[userID], nil
}

// PreferencesFor returns the stored keys of each of userIDs; every id has an
// entry, empty for a user who changed nothing (or does not exist). It asks
// one query per 500 ids.
func (s *PreferenceStore) PreferencesFor(ctx context.Context, userIDs []string) (map[string]app.Preferences, error) {
	out := make(map[string]app.Preferences, len(userIDs))
	var missing []string
	var gen uint64
	for _, id := range userIDs {
		var p app.Preferences
		var ok bool
		if p, ok, gen = s.db.prefMemo.get(id); ok {
			out[id] = maps.Clone(p)
			continue
		}
		out[id] = app.Preferences{}
		missing = append(missing, id)
	}
	for _, chunk := range inChunks(missing) {
		rows, err := s.db.readQuery(ctx,
			`SELECT user_id, key, value FROM preferences WHERE user_id IN (`+placeholders(len(chunk))+`)`, anySlice(chunk)...)
		if err != nil {
			return nil, internal(err, "load preferences")
		}
		err = eachRow(rows, func() error {
			var user, key string
			var value bool
			if err := rows.Scan(&user, &key, &value); err != nil {
				return err
			}
			out[user][key] = value
			return nil
		})
		if err != nil {
			return nil, internal(err, "load preferences")
		}
	}
	for _, id := range missing {
		s.db.prefMemo.put(id, gen, maps.Clone(out[id]))
	}
	return out, nil
}

// UpdatePreferences upserts changes for userID in one write; keys not in
// changes keep their stored value or default. Errors: ENOTFOUND when the user
// does not exist.
func (s *PreferenceStore) UpdatePreferences(ctx context.Context, userID string, changes app.Preferences) error {
	if len(changes) == 0 {
		return nil
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO preferences (user_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for key, value := range changes {
			if _, err := stmt.Exec(userID, key, value); err != nil {
				return err
			}
		}
		return nil
	})
	s.db.prefMemo.invalidate()
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "update preferences")
}
