-- +goose Up
-- An admin routes a topic — an ntfy topic, a Gotify application (the
-- publishing token's name) — to several users, so a message published
-- there reaches each of them with their own read state. A route is the
-- set of its rows; deleting a user drops them from every route.
CREATE TABLE topic_routes (
    topic      TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (topic, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX topic_routes_user ON topic_routes(user_id);

-- Gotify's clients know messages and applications by integer ids. These
-- tables give every notification and every token a number that never
-- changes and is never given again (AUTOINCREMENT: a plain rowid would be
-- reused after the newest row is deleted, and a client would take a new
-- message for one it deleted). Triggers number new rows in the writing
-- transaction, whoever writes; rows go with what they number.
CREATE TABLE notification_numbers (
    number          INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL UNIQUE REFERENCES notifications(id) ON DELETE CASCADE
) STRICT;
CREATE TABLE token_numbers (
    number   INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id TEXT NOT NULL UNIQUE REFERENCES tokens(id) ON DELETE CASCADE
) STRICT;

INSERT INTO notification_numbers (notification_id) SELECT id FROM notifications ORDER BY created_at, id;
INSERT INTO token_numbers (token_id) SELECT id FROM tokens ORDER BY created_at, id;

-- +goose StatementBegin
CREATE TRIGGER notification_numbers_insert AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_numbers (notification_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER token_numbers_insert AFTER INSERT ON tokens BEGIN
    INSERT INTO token_numbers (token_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER token_numbers_insert;
DROP TRIGGER notification_numbers_insert;
DROP TABLE token_numbers;
DROP TABLE notification_numbers;
DROP TABLE topic_routes;
