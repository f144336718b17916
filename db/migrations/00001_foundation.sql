-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL CHECK (scope IN ('client', 'publish', 'admin')),
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX tokens_user ON tokens(user_id);

-- Times are unix milliseconds. id is a UUIDv7, so (created_at, id) is a
-- stable keyset order.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    level           TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    target_url      TEXT,
    email_subject   TEXT NOT NULL DEFAULT '',
    service_id      TEXT,
    project         TEXT,
    obj_app_label   TEXT,
    obj_model_name  TEXT,
    obj_object_id   TEXT,
    read_at         INTEGER,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged')),
    acknowledged_at INTEGER,
    created_at      INTEGER NOT NULL
) STRICT;
-- List pages and keyset cursors of one user.
CREATE INDEX notifications_user_created ON notifications(user_id, created_at, id);
-- The unread badge and unread-only pages: a partial index holds only unread rows.
CREATE INDEX notifications_user_unread ON notifications(user_id, created_at, id) WHERE read_at IS NULL;

-- Preferences a user changed; absent keys keep the type's default.
CREATE TABLE preferences (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;

-- Object mutes (IgnoreObjectNotification); valid_till NULL means forever.
CREATE TABLE mutes (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    app_label  TEXT NOT NULL,
    model_name TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    valid_till INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (app_label, model_name, object_id, user_id)
) STRICT;
CREATE INDEX mutes_user ON mutes(user_id);

-- +goose Down
DROP TABLE mutes;
DROP TABLE preferences;
DROP TABLE notifications;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE users;
