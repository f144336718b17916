-- +goose Up
-- Web Push (app/push). A subscription is one device of one user; an
-- endpoint belongs to one user at a time. UNIQUE (id, user_id) lets the
-- outbox's foreign key pin each push to a subscription of its own user, so
-- the database itself refuses to send one user's push to another's device.
CREATE TABLE push_subscriptions (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint        TEXT NOT NULL UNIQUE,
    host            TEXT NOT NULL,
    p256dh          TEXT NOT NULL,
    auth            TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_success_at INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (id, user_id)
) STRICT;
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, id);

-- The durable push outbox. A dispatch writes one row per subscription of
-- the recipient in the notification's transaction; removing a subscription
-- removes its pushes.
CREATE TABLE push_outbox (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    notification_id TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('notify', 'summary', 'clear', 'test')),
    payload         TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    topic           TEXT NOT NULL DEFAULT '',
    ttl_ms          INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'merged')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    FOREIGN KEY (subscription_id, user_id) REFERENCES push_subscriptions(id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX push_outbox_due ON push_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX push_outbox_subscription ON push_outbox(subscription_id);

-- +goose Down
DROP TABLE push_outbox;
DROP TABLE push_subscriptions;
