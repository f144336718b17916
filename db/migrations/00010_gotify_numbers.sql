-- +goose Up
-- The Gotify client API (app/gotify) shows a user's notifications grouped
-- by application and knows users by integer ids. An application is a
-- topic: the notifications' service_id ('' for those without one, Belfry's
-- own events), which is also the name of the publish token a Gotify
-- publisher sends (its application) and the topic a route names. Numbers
-- are global, so a routed topic has the same application id for every recipient, given in
-- creation order and never again (AUTOINCREMENT, and rows are never
-- deleted: a topic that comes back keeps its number). Triggers number new
-- topics and users in the writing transaction, whoever writes.
CREATE TABLE topic_numbers (
    number     INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE user_numbers (
    number  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE
) STRICT;

INSERT OR IGNORE INTO topic_numbers (topic, created_at)
    SELECT topic, MIN(at) FROM (
        SELECT COALESCE(service_id, '') AS topic, created_at AS at FROM notifications
        UNION ALL SELECT name, created_at FROM tokens WHERE name <> '' AND scope <> 'client'
        UNION ALL SELECT topic, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM topic_routes
    ) GROUP BY topic ORDER BY MIN(at), topic;
-- Belfry's own events have an application from the start.
INSERT OR IGNORE INTO topic_numbers (topic, created_at) VALUES ('', CAST(unixepoch('subsec') * 1000 AS INTEGER));
INSERT INTO user_numbers (user_id) SELECT id FROM users ORDER BY created_at, id;

-- A page of GET /message is a user's notifications by number: keep the
-- owner beside the number (a notification's owner never changes) so that
-- the page is read from an index, not by sorting all of the user's rows.
ALTER TABLE notification_numbers ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
UPDATE notification_numbers SET user_id = (SELECT user_id FROM notifications WHERE id = notification_id);
CREATE INDEX notification_numbers_user ON notification_numbers(user_id, number);
DROP TRIGGER notification_numbers_insert;

-- +goose StatementBegin
CREATE TRIGGER notification_numbers_insert AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_numbers (notification_id, user_id) VALUES (NEW.id, NEW.user_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER topic_numbers_notification AFTER INSERT ON notifications BEGIN
    INSERT OR IGNORE INTO topic_numbers (topic, created_at) VALUES (COALESCE(NEW.service_id, ''), NEW.created_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER topic_numbers_token AFTER INSERT ON tokens WHEN NEW.name <> '' AND NEW.scope <> 'client' BEGIN
    INSERT OR IGNORE INTO topic_numbers (topic, created_at) VALUES (NEW.name, NEW.created_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER topic_numbers_route AFTER INSERT ON topic_routes BEGIN
    INSERT OR IGNORE INTO topic_numbers (topic, created_at) VALUES (NEW.topic, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_numbers_insert AFTER INSERT ON users BEGIN
    -- Belfry's own events have an application from the start.
INSERT OR IGNORE INTO topic_numbers (topic, created_at) VALUES ('', CAST(unixepoch('subsec') * 1000 AS INTEGER));
INSERT INTO user_numbers (user_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER user_numbers_insert;
DROP TRIGGER topic_numbers_route;
DROP TRIGGER topic_numbers_token;
DROP TRIGGER topic_numbers_notification;
DROP TRIGGER notification_numbers_insert;
-- +goose StatementBegin
CREATE TRIGGER notification_numbers_insert AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_numbers (notification_id) VALUES (NEW.id);
END;
-- +goose StatementEnd
DROP INDEX notification_numbers_user;
ALTER TABLE notification_numbers DROP COLUMN user_id;
DROP TABLE user_numbers;
DROP TABLE topic_numbers;
