-- +goose Up
-- A user's outgoing webhooks. events is a JSON array of webhook event names.
-- secret signs generic payloads; auth_* authenticate to ntfy. They are kept
-- in clear because every delivery needs them, and never leave the server.
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('discord', 'slack', 'ntfy', 'generic')),
    url             TEXT NOT NULL,
    events          TEXT NOT NULL DEFAULT '[]',
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT NOT NULL DEFAULT '',
    secret          TEXT NOT NULL DEFAULT '',
    auth_username   TEXT NOT NULL DEFAULT '',
    auth_password   TEXT NOT NULL DEFAULT '',
    auth_token      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX webhooks_user ON webhooks(user_id, created_at);

-- The durable outbox and delivery log. A row is written in the same
-- transaction as its notification; id is the webhook-id every attempt
-- carries. notification_id has no foreign key: a webhook fires even when the
-- in-app preference is off and no notification row exists, and the log
-- outlives deleted notifications. A pending row is due at next_attempt_at;
-- a worker that claims it pushes next_attempt_at forward (its lease), so a
-- crash mid-delivery retries once the lease ends.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    notification_id TEXT,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    response_code   INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
-- The earliest pending row of all (the worker's next wake-up).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
-- One webhook's delivery log, newest first (ids are time-ordered).
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
-- One webhook's pending rows by due time: the claim, the expedite, the
-- next wake-up when webhooks are excluded.
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries(webhook_id, next_attempt_at, id) WHERE status = 'pending';
-- Pruning finished rows by age.
CREATE INDEX webhook_deliveries_done ON webhook_deliveries(updated_at) WHERE status <> 'pending';

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
