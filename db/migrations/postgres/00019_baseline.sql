-- Belfry's schema on PostgreSQL, as the SQLite migrations 00001-00019 left
-- it: PostgreSQL support starts at version 19, so a new PostgreSQL database
-- gets this one migration and every later one. Types follow the SQLite
-- schema: times are unix milliseconds in BIGINT, booleans are BIGINT 0/1,
-- JSON is TEXT; usernames compare case-insensitively (CITEXT), as SQLite's
-- NOCASE does. Later migrations come in pairs: db/migrations/NNNNN_x.sql and
-- db/migrations/postgres/NNNNN_x.sql.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      CITEXT NOT NULL UNIQUE,
    is_admin      BIGINT NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
, email TEXT NOT NULL DEFAULT '', temporary_password BIGINT NOT NULL DEFAULT 0 CHECK (temporary_password IN (0, 1)));
CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL CHECK (scope IN ('client', 'publish', 'admin')),
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    level           TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    target_url      TEXT,
    email_subject   TEXT NOT NULL DEFAULT '',
    service_id      TEXT,
    project         TEXT,
    obj_app_label   TEXT,
    obj_model_name  TEXT,
    obj_object_id   TEXT,
    read_at         BIGINT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged')),
    acknowledged_at BIGINT,
    created_at      BIGINT NOT NULL
, format TEXT NOT NULL DEFAULT '');
CREATE INDEX notifications_user_created ON notifications(user_id, created_at, id);
CREATE INDEX notifications_user_unread ON notifications(user_id, created_at, id) WHERE read_at IS NULL;
CREATE TABLE preferences (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE TABLE mutes (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    app_label  TEXT NOT NULL,
    model_name TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    valid_till BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (app_label, model_name, object_id, user_id)
);
CREATE INDEX mutes_user ON mutes(user_id);
CREATE INDEX notifications_user_status_created ON notifications(user_id, status, created_at, id);
CREATE INDEX notifications_user_service_created ON notifications(user_id, service_id, created_at, id);
CREATE INDEX notifications_user_project_created ON notifications(user_id, project, created_at, id);
CREATE TABLE notification_totals (
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    service_id TEXT NOT NULL,
    project    TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (user_id, status, service_id, project)
);
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('discord', 'slack', 'ntfy', 'generic')),
    url             TEXT NOT NULL,
    events          TEXT NOT NULL DEFAULT '[]',
    enabled         BIGINT NOT NULL DEFAULT 1,
    disabled_reason TEXT NOT NULL DEFAULT '',
    secret          TEXT NOT NULL DEFAULT '',
    auth_username   TEXT NOT NULL DEFAULT '',
    auth_password   TEXT NOT NULL DEFAULT '',
    auth_token      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
, quiet_exempt BIGINT NOT NULL DEFAULT 0);
CREATE INDEX webhooks_user ON webhooks(user_id, created_at);
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    notification_id TEXT,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    response_code   BIGINT NOT NULL DEFAULT 0,
    duration_ms     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries(webhook_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_done ON webhook_deliveries(updated_at) WHERE status <> 'pending';
CREATE TABLE report_runs (
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    week            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent')),
    notification_id TEXT,
    claimed_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    PRIMARY KEY (user_id, week)
);
CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    last_seq    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
    joined_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);
CREATE TABLE channel_bans (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    banned_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    motive     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_bans_user ON channel_bans(user_id);
CREATE TABLE channel_messages (
    id                TEXT PRIMARY KEY,
    channel_id        TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq               BIGINT NOT NULL,
    user_id           TEXT REFERENCES users(id) ON DELETE SET NULL,
    parent_message_id TEXT,
    content           TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    edited_at         BIGINT,
    UNIQUE (channel_id, seq)
);
CREATE INDEX channel_messages_user ON channel_messages(user_id);
CREATE TABLE channel_events (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    type       TEXT NOT NULL,
    message_id TEXT,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, seq)
);
CREATE INDEX channel_messages_created ON channel_messages(created_at);
CREATE TABLE topic_routes (
    topic      TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (topic, user_id)
);
CREATE INDEX topic_routes_user ON topic_routes(user_id);
CREATE TABLE notification_numbers (
    number          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    notification_id TEXT NOT NULL UNIQUE REFERENCES notifications(id) ON DELETE CASCADE
, user_id TEXT NOT NULL DEFAULT '');
CREATE TABLE token_numbers (
    number   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    token_id TEXT NOT NULL UNIQUE REFERENCES tokens(id) ON DELETE CASCADE
);
CREATE TABLE token_mappings (
    token_id       TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    title_template TEXT NOT NULL DEFAULT '',
    body_template  TEXT NOT NULL DEFAULT '',
    level_template TEXT NOT NULL DEFAULT '',
    type_template  TEXT NOT NULL DEFAULT '',
    url_template   TEXT NOT NULL DEFAULT '',
    markdown       BIGINT NOT NULL DEFAULT 0,
    sample         TEXT NOT NULL DEFAULT '',
    secret         TEXT NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL
);
CREATE TABLE alert_notifications (
    publisher_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    topic           TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    starts_at       BIGINT NOT NULL,
    PRIMARY KEY (publisher_id, source, topic, fingerprint, notification_id)
);
CREATE INDEX alert_notifications_notification ON alert_notifications(notification_id);
CREATE TABLE topic_numbers (
    number     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    topic      TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE user_numbers (
    number  BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX notification_numbers_user ON notification_numbers(user_id, number);
CREATE TABLE heartbeats (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    ping_key     TEXT NOT NULL UNIQUE,
    period_ms    BIGINT NOT NULL DEFAULT 0,
    schedule     TEXT NOT NULL DEFAULT '',
    timezone     TEXT NOT NULL DEFAULT '',
    grace_ms     BIGINT NOT NULL DEFAULT 0,
    type         TEXT NOT NULL,
    level        TEXT NOT NULL,
    state        TEXT NOT NULL,
    last_ping    BIGINT,
    last_success BIGINT,
    started_at   BIGINT,
    deadline     BIGINT,
    alert_id     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX heartbeats_user ON heartbeats(user_id, name);
CREATE INDEX heartbeats_deadline ON heartbeats(deadline) WHERE deadline IS NOT NULL;
CREATE TABLE heartbeat_pings (
    seq          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    heartbeat_id TEXT NOT NULL REFERENCES heartbeats(id) ON DELETE CASCADE,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    exit_status  BIGINT,
    body         TEXT NOT NULL DEFAULT '',
    run_id       TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    remote       TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX heartbeat_pings_check ON heartbeat_pings(heartbeat_id, seq);
CREATE TABLE push_subscriptions (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint        TEXT NOT NULL UNIQUE,
    host            TEXT NOT NULL,
    p256dh          TEXT NOT NULL,
    auth            TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    last_success_at BIGINT,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (id, user_id)
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, id);
CREATE TABLE push_outbox (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    notification_id TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('notify', 'summary', 'clear', 'test')),
    payload         TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    topic           TEXT NOT NULL DEFAULT '',
    ttl_ms          BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'merged')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    FOREIGN KEY (subscription_id, user_id) REFERENCES push_subscriptions(id, user_id) ON DELETE CASCADE
);
CREATE INDEX push_outbox_due ON push_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX push_outbox_subscription ON push_outbox(subscription_id);
CREATE TABLE email_outbox (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_id TEXT,
    type            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'held', 'sent', 'failed', 'skipped')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    kind            TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'summary')),
    batch_id        TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_user ON email_outbox(user_id, id);
CREATE INDEX email_outbox_batch ON email_outbox(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX email_outbox_finished ON email_outbox(updated_at) WHERE status IN ('sent', 'failed', 'skipped');
CREATE TABLE email_windows (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    sent       BIGINT NOT NULL,
    summary_id TEXT
);
CREATE TABLE scheduled_events (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    as_system  BIGINT NOT NULL DEFAULT 0,
    event      TEXT NOT NULL,
    deliver_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_events_due ON scheduled_events(deliver_at, id);
CREATE INDEX scheduled_events_user ON scheduled_events(user_id, deliver_at);
CREATE TABLE quiet_hours (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    setting    TEXT NOT NULL,
    updated_at BIGINT NOT NULL
, digests TEXT NOT NULL DEFAULT '[]');
CREATE TABLE quiet_held (
    notification_id TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    level           TEXT NOT NULL,
    until           BIGINT NOT NULL, digest TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, notification_id)
);
CREATE INDEX quiet_held_until ON quiet_held(until);
CREATE TABLE quiet_digests (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    digest     TEXT NOT NULL DEFAULT '',
    until      BIGINT NOT NULL,
    held       BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, digest, until)
);
CREATE TABLE escalation_rules (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    min_level  TEXT NOT NULL,
    steps      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX escalation_rules_user ON escalation_rules(user_id, created_at);
CREATE TABLE escalations (
    notification_id TEXT PRIMARY KEY REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rule_id         TEXT NOT NULL,
    steps           TEXT NOT NULL,
    channels        TEXT NOT NULL,
    next_step       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX escalations_due ON escalations(due_at) WHERE state = 'active';
CREATE INDEX escalations_user ON escalations(user_id) WHERE state = 'active';
CREATE INDEX escalations_rule ON escalations(rule_id) WHERE state = 'active';
CREATE TABLE escalation_steps (
    notification_id TEXT NOT NULL REFERENCES escalations(notification_id) ON DELETE CASCADE,
    step            BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    action          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (notification_id, step, seq)
);

-- The few SQLite JSON functions the stores call, for the JSON they keep in
-- TEXT columns, with SQLite's names and meaning (for the paths Belfry
-- uses: '$.key'). Writing them here keeps the stores' SQL one text for both
-- engines.

-- +goose StatementBegin
CREATE FUNCTION json_each(doc TEXT) RETURNS TABLE (value TEXT) LANGUAGE sql IMMUTABLE AS $$
    SELECT e FROM jsonb_array_elements_text(CAST(doc AS jsonb)) AS e
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CAST(doc AS jsonb) ->> substr(path, 3)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION json_type(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_typeof(CAST(doc AS jsonb) -> substr(path, 3))
$$;
-- +goose StatementEnd

-- json_set with text values: pairs of path and value.
-- +goose StatementBegin
CREATE FUNCTION json_set(doc TEXT, VARIADIC kv TEXT[]) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    j jsonb := CAST(doc AS jsonb);
BEGIN
    FOR i IN 1 .. array_length(kv, 1) BY 2 LOOP
        j := jsonb_set(j, ARRAY[substr(kv[i], 3)], to_jsonb(kv[i + 1]));
    END LOOP;
    RETURN CAST(j AS TEXT);
END $$;
-- +goose StatementEnd

-- The triggers of the SQLite schema, as trigger functions.

-- +goose StatementBegin
CREATE FUNCTION notification_totals_add(u TEXT, st TEXT, svc TEXT, proj TEXT, delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF delta > 0 THEN
        INSERT INTO notification_totals (user_id, status, service_id, project, n)
        VALUES (u, st, COALESCE(svc, ''), COALESCE(proj, ''), delta)
        ON CONFLICT (user_id, status, service_id, project) DO UPDATE SET n = notification_totals.n + delta;
    ELSE
        UPDATE notification_totals SET n = n + delta
        WHERE user_id = u AND status = st AND service_id = COALESCE(svc, '') AND project = COALESCE(proj, '');
        DELETE FROM notification_totals
        WHERE user_id = u AND status = st AND service_id = COALESCE(svc, '') AND project = COALESCE(proj, '') AND n <= 0;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notifications_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM notification_totals_add(NEW.user_id, NEW.status, NEW.service_id, NEW.project, 1);
        INSERT INTO notification_numbers (notification_id, user_id) VALUES (NEW.id, NEW.user_id);
        INSERT INTO topic_numbers (topic, created_at) VALUES (COALESCE(NEW.service_id, ''), NEW.created_at)
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM notification_totals_add(OLD.user_id, OLD.status, OLD.service_id, OLD.project, -1);
    ELSIF OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.status IS DISTINCT FROM NEW.status
       OR OLD.service_id IS DISTINCT FROM NEW.service_id OR OLD.project IS DISTINCT FROM NEW.project THEN
        PERFORM notification_totals_add(OLD.user_id, OLD.status, OLD.service_id, OLD.project, -1);
        PERFORM notification_totals_add(NEW.user_id, NEW.status, NEW.service_id, NEW.project, 1);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER notifications_changed AFTER INSERT OR DELETE OR UPDATE OF user_id, status, service_id, project
    ON notifications FOR EACH ROW EXECUTE FUNCTION notifications_changed();

-- +goose StatementBegin
CREATE FUNCTION tokens_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO token_numbers (token_id) VALUES (NEW.id);
    IF NEW.name <> '' AND NEW.scope <> 'client' THEN
        INSERT INTO topic_numbers (topic, created_at) VALUES (NEW.name, NEW.created_at) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tokens_inserted AFTER INSERT ON tokens FOR EACH ROW EXECUTE FUNCTION tokens_inserted();

-- +goose StatementBegin
CREATE FUNCTION topic_routes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO topic_numbers (topic, created_at)
    VALUES (NEW.topic, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER topic_routes_inserted AFTER INSERT ON topic_routes FOR EACH ROW EXECUTE FUNCTION topic_routes_inserted();

-- +goose StatementBegin
CREATE FUNCTION users_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Belfry's own events have an application from the start.
    INSERT INTO topic_numbers (topic, created_at)
    VALUES ('', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT) ON CONFLICT DO NOTHING;
    INSERT INTO user_numbers (user_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_inserted AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_inserted();

-- +goose Down
DROP TABLE escalation_steps, escalations, escalation_rules, quiet_digests, quiet_held, quiet_hours, scheduled_events, email_windows, email_outbox, push_outbox, push_subscriptions, heartbeat_pings, heartbeats, user_numbers, topic_numbers, alert_notifications, token_mappings, token_numbers, notification_numbers, topic_routes, channel_events, channel_messages, channel_bans, channel_members, channels, report_runs, webhook_deliveries, webhooks, server_keys, notification_totals, mutes, preferences, notifications, tokens, sessions, users CASCADE;
DROP FUNCTION json_each(TEXT), json_extract(TEXT, TEXT), json_type(TEXT, TEXT), json_set(TEXT, TEXT[]), notifications_changed, notification_totals_add, tokens_inserted, topic_routes_inserted, users_inserted;
