-- +goose Up
-- Scheduled delivery (app/schedule, docs/scheduled-delivery.md): a publish
-- that names a later time is kept here — the whole validated event as JSON,
-- who published it (user_id, who lists and cancels it) and whether it is
-- delivered as the system (a routed ntfy topic) — until deliver_at (Unix
-- ms), when it is handed to the dispatcher and the row is deleted.
CREATE TABLE scheduled_events (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    as_system  INTEGER NOT NULL DEFAULT 0,
    event      TEXT NOT NULL,
    deliver_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX scheduled_events_due ON scheduled_events(deliver_at, id);
CREATE INDEX scheduled_events_user ON scheduled_events(user_id, deliver_at);

-- +goose Down
DROP TABLE scheduled_events;
