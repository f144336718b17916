-- +goose Up
-- E-mail batching (app/email, docs/email.md): a user's e-mails beyond
-- email.batch_threshold within email.batch_interval are held and sent as one
-- summary at the end of the interval. The outbox gains two states — 'held'
-- (waiting in a summary) and 'skipped' (left out of its summary because the
-- notification was deleted before it went) — a kind ('single' or
-- 'summary') and batch_id, the summary row a held e-mail waits in. SQLite
-- cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE email_outbox_new (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_id TEXT,
    type            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'held', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    kind            TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'summary')),
    batch_id        TEXT
) STRICT;
INSERT INTO email_outbox_new (id, user_id, notification_id, type, subject, payload, status, attempts,
    next_attempt_at, last_error, created_at, updated_at, sent_at)
    SELECT id, user_id, notification_id, type, subject, payload, status, attempts,
    next_attempt_at, last_error, created_at, updated_at, sent_at FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_user ON email_outbox(user_id, id);
CREATE INDEX email_outbox_batch ON email_outbox(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX email_outbox_finished ON email_outbox(updated_at) WHERE status IN ('sent', 'failed', 'skipped');

-- Each user's current batching interval: it starts with the first e-mail
-- after the previous one ended; sent counts the e-mails sent on their own
-- in it; summary_id is the summary row once one e-mail was held.
CREATE TABLE email_windows (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    sent       INTEGER NOT NULL,
    summary_id TEXT
) STRICT;

-- +goose Down
DROP TABLE email_windows;
DELETE FROM email_outbox WHERE kind = 'summary' OR status IN ('held', 'skipped');
CREATE TABLE email_outbox_old (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_id TEXT,
    type            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
INSERT INTO email_outbox_old SELECT id, user_id, notification_id, type, subject, payload, status, attempts,
    next_attempt_at, last_error, created_at, updated_at, sent_at FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_old RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_user ON email_outbox(user_id, id);
