-- +goose Up
-- Quiet hours (app/quiet, docs/quiet-hours.md): each user's setting (zone,
-- weekly windows, breakthrough level) as one JSON document; the
-- notifications held back in a window, waiting for its digest; and the
-- windows already digested, so that a window gets one digest across
-- restarts. Webhooks gain quiet_exempt: 1 when a webhook does not follow its owner's quiet hours.
CREATE TABLE quiet_hours (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    setting    TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE quiet_held (
    notification_id TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    level           TEXT NOT NULL,
    until           INTEGER NOT NULL,
    PRIMARY KEY (user_id, notification_id)
) STRICT;
CREATE INDEX quiet_held_until ON quiet_held(until);

CREATE TABLE quiet_digests (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    until      INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, until)
) STRICT;

ALTER TABLE webhooks ADD COLUMN quiet_exempt INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE webhooks DROP COLUMN quiet_exempt;
DROP TABLE quiet_digests;
DROP TABLE quiet_held;
DROP TABLE quiet_hours;
