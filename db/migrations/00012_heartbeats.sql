-- +goose Up
-- Heartbeats, dead man's switches (app/heartbeat): a check expects a ping
-- every period_ms, or on a cron schedule read in timezone ('' the
-- server's), within grace_ms. ping_key is the secret of its ping URL
-- /ping/<key>; it is kept in clear because its owner's page shows the URL,
-- and it lets its holder do nothing but ping this check. deadline is when
-- the check goes late (NULL: nothing awaited); one timer waits for the
-- earliest. alert_id is the notification of the current late or down alert
-- (not a foreign key: the owner may delete it; marking it read then finds
-- nothing).
CREATE TABLE heartbeats (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    ping_key     TEXT NOT NULL UNIQUE,
    period_ms    INTEGER NOT NULL DEFAULT 0,
    schedule     TEXT NOT NULL DEFAULT '',
    timezone     TEXT NOT NULL DEFAULT '',
    grace_ms     INTEGER NOT NULL DEFAULT 0,
    type         TEXT NOT NULL,
    level        TEXT NOT NULL,
    state        TEXT NOT NULL,
    last_ping    INTEGER,
    last_success INTEGER,
    started_at   INTEGER,
    deadline     INTEGER,
    alert_id     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX heartbeats_user ON heartbeats(user_id, name);
CREATE INDEX heartbeats_deadline ON heartbeats(deadline) WHERE deadline IS NOT NULL;

-- A check's log: its pings (kind success, start, fail, log, with the exit
-- status, the first 10 KiB of the body, the run id and who sent it) and
-- the deadlines it missed (kind late). The last 100 are kept.
CREATE TABLE heartbeat_pings (
    seq          INTEGER PRIMARY KEY,
    heartbeat_id TEXT NOT NULL REFERENCES heartbeats(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    exit_status  INTEGER,
    body         TEXT NOT NULL DEFAULT '',
    run_id       TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    remote       TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX heartbeat_pings_check ON heartbeat_pings(heartbeat_id, seq);

-- +goose Down
DROP TABLE heartbeat_pings;
DROP TABLE heartbeats;
