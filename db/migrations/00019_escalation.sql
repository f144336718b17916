-- +goose Up
-- Escalation (app/escalation, docs/escalation.md): each user's rules (type
-- and/or minimum level, and a ladder of steps as JSON); one ladder per
-- notification that matched a rule, written in the notification's own
-- transaction, with its next step and when it is due; and every step
-- taken (what was sent, on which channel, when). A ladder and its steps go
-- with their notification.
CREATE TABLE escalation_rules (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    min_level  TEXT NOT NULL,
    steps      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX escalation_rules_user ON escalation_rules(user_id, created_at);

CREATE TABLE escalations (
    notification_id TEXT PRIMARY KEY REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rule_id         TEXT NOT NULL,
    steps           TEXT NOT NULL,
    channels        TEXT NOT NULL,
    next_step       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER
) STRICT;
CREATE INDEX escalations_due ON escalations(due_at) WHERE state = 'active';
CREATE INDEX escalations_user ON escalations(user_id) WHERE state = 'active';
CREATE INDEX escalations_rule ON escalations(rule_id) WHERE state = 'active';

CREATE TABLE escalation_steps (
    notification_id TEXT NOT NULL REFERENCES escalations(notification_id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    action          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (notification_id, step, seq)
) STRICT;

-- +goose Down
DROP TABLE escalation_steps;
DROP TABLE escalations;
DROP TABLE escalation_rules;
