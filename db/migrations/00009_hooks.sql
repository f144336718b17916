-- +goose Up
-- What a token's owner set for the hooks it calls (app/hooks): a custom
-- mapping of any JSON to a notification (text/template templates, tried on
-- sample when saved) and the secret that signs requests from senders that
-- sign (GitHub). The secret is kept in clear: every signed request needs
-- it, and it never leaves the server.
CREATE TABLE token_mappings (
    token_id       TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    title_template TEXT NOT NULL DEFAULT '',
    body_template  TEXT NOT NULL DEFAULT '',
    level_template TEXT NOT NULL DEFAULT '',
    type_template  TEXT NOT NULL DEFAULT '',
    url_template   TEXT NOT NULL DEFAULT '',
    markdown       INTEGER NOT NULL DEFAULT 0,
    sample         TEXT NOT NULL DEFAULT '',
    secret         TEXT NOT NULL DEFAULT '',
    updated_at     INTEGER NOT NULL
) STRICT;

-- The notifications of firing alerts (Alertmanager, Grafana) until the
-- alert resolves: publisher_id is the user whose token sent the alert,
-- source the hook, topic where it was sent, fingerprint the alert's label
-- set, starts_at when it
-- began firing (a repeat of the same firing is not published again). A
-- row goes with its notification.
CREATE TABLE alert_notifications (
    publisher_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    topic           TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    starts_at       INTEGER NOT NULL,
    PRIMARY KEY (publisher_id, source, topic, fingerprint, notification_id)
) STRICT, WITHOUT ROWID;
-- Deleting a notification finds its row.
CREATE INDEX alert_notifications_notification ON alert_notifications(notification_id);

-- +goose Down
DROP TABLE alert_notifications;
DROP TABLE token_mappings;
