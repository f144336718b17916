-- +goose Up
-- The polling API's filters (status, service_id, project) each get an index
-- that leads with the user and the filtered column and ends in the keyset
-- order (created_at, id): a filtered page is then a range scan from the
-- cursor, however deep.
CREATE INDEX notifications_user_status_created ON notifications(user_id, status, created_at, id);
CREATE INDEX notifications_user_service_created ON notifications(user_id, service_id, created_at, id);
CREATE INDEX notifications_user_project_created ON notifications(user_id, project, created_at, id);

-- notification_totals counts each user's notifications per (status,
-- service_id, project), '' standing for none, so that the polling API's
-- total_count sums a handful of rows instead of counting hundreds of
-- thousands of index entries. Triggers keep it exact in the writing
-- transaction, whoever writes, cascading user deletes included.
CREATE TABLE notification_totals (
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    service_id TEXT NOT NULL,
    project    TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (user_id, status, service_id, project)
) STRICT, WITHOUT ROWID;

INSERT INTO notification_totals (user_id, status, service_id, project, n)
SELECT user_id, status, COALESCE(service_id, ''), COALESCE(project, ''), COUNT(*)
FROM notifications GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE TRIGGER notification_totals_insert AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_totals (user_id, status, service_id, project, n)
    VALUES (NEW.user_id, NEW.status, COALESCE(NEW.service_id, ''), COALESCE(NEW.project, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notification_totals_delete AFTER DELETE ON notifications BEGIN
    UPDATE notification_totals SET n = n - 1
    WHERE user_id = OLD.user_id AND status = OLD.status
      AND service_id = COALESCE(OLD.service_id, '') AND project = COALESCE(OLD.project, '');
    DELETE FROM notification_totals
    WHERE user_id = OLD.user_id AND status = OLD.status
      AND service_id = COALESCE(OLD.service_id, '') AND project = COALESCE(OLD.project, '') AND n <= 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notification_totals_update AFTER UPDATE OF user_id, status, service_id, project ON notifications
WHEN OLD.user_id IS NOT NEW.user_id OR OLD.status IS NOT NEW.status
  OR OLD.service_id IS NOT NEW.service_id OR OLD.project IS NOT NEW.project
BEGIN
    UPDATE notification_totals SET n = n - 1
    WHERE user_id = OLD.user_id AND status = OLD.status
      AND service_id = COALESCE(OLD.service_id, '') AND project = COALESCE(OLD.project, '');
    DELETE FROM notification_totals
    WHERE user_id = OLD.user_id AND status = OLD.status
      AND service_id = COALESCE(OLD.service_id, '') AND project = COALESCE(OLD.project, '') AND n <= 0;
    INSERT INTO notification_totals (user_id, status, service_id, project, n)
    VALUES (NEW.user_id, NEW.status, COALESCE(NEW.service_id, ''), COALESCE(NEW.project, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- Server secrets that must survive restarts, such as the key that signs the
-- polling API's cursors. A value is created once and never changes.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE server_keys;
DROP TRIGGER notification_totals_update;
DROP TRIGGER notification_totals_delete;
DROP TRIGGER notification_totals_insert;
DROP TABLE notification_totals;
DROP INDEX notifications_user_project_created;
DROP INDEX notifications_user_service_created;
DROP INDEX notifications_user_status_created;
