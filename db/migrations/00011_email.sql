-- +goose Up
-- Each user's e-mail address ('' for none).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The durable e-mail outbox and log (app/email). A row is written in the
-- same transaction as its notification; notification_id has no foreign key
-- (the e-mail goes out even when the in-app preference is off, and the log
-- outlives deleted notifications). A pending row is due at
-- next_attempt_at; the worker that claims it pushes next_attempt_at forward
-- (its lease), so a crash mid-send retries once the lease ends.
CREATE TABLE email_outbox (
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
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_user ON email_outbox(user_id, id);

-- +goose Down
DROP TABLE email_outbox;
ALTER TABLE users DROP COLUMN email;
