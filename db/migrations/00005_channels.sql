-- +goose Up
-- Chat channels (spec/channels-websocket-events.txt). name_key is the name
-- lower-cased by Go's Unicode rules, so that names are unique without regard
-- to case beyond ASCII. last_seq is the sequence number of the channel's
-- latest event: every write to the channel's stream increments it in its
-- own transaction.
CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
) STRICT, WITHOUT ROWID;
-- A user's channels, and the cascade when a user is deleted.
CREATE INDEX channel_members_user ON channel_members(user_id);

CREATE TABLE channel_bans (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    banned_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    motive     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX channel_bans_user ON channel_bans(user_id);

-- Messages keep their author's id until the account is deleted (then NULL:
-- the spec's "username: string or null"). parent_message_id has no foreign
-- key on purpose: a reply keeps naming a parent that was deleted. seq is the
-- sequence number of the event that posted the message, so (channel_id, seq)
-- is the history's keyset order.
CREATE TABLE channel_messages (
    id                TEXT PRIMARY KEY,
    channel_id        TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    user_id           TEXT REFERENCES users(id) ON DELETE SET NULL,
    parent_message_id TEXT,
    content           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    edited_at         INTEGER,
    UNIQUE (channel_id, seq)
) STRICT;
CREATE INDEX channel_messages_user ON channel_messages(user_id);

-- The recent events of each channel's stream, for clients that reconnect
-- with "since": data is the event's JSON data object. Only the latest
-- events of a channel are kept (the store prunes as it appends).
CREATE TABLE channel_events (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    message_id TEXT,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, seq)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE channel_events;
DROP TABLE channel_messages;
DROP TABLE channel_bans;
DROP TABLE channel_members;
DROP TABLE channels;
