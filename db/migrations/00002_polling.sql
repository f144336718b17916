-- +goose Up
-- The polling API's filters (status, service_id, project) each get an index
-- that leads with the user and the filtered column and ends in the keyset
-- order (created_at, id): a filtered page is then a range scan from the
-- cursor, and a filtered total_count reads only index entries.
CREATE INDEX notifications_user_status_created ON notifications(user_id, status, created_at, id);
CREATE INDEX notifications_user_service_created ON notifications(user_id, service_id, created_at, id);
CREATE INDEX notifications_user_project_created ON notifications(user_id, project, created_at, id);

-- Server secrets that must survive restarts, such as the key that signs the
-- polling API's cursors. A value is created once and never changes.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE server_keys;
DROP INDEX notifications_user_project_created;
DROP INDEX notifications_user_service_created;
DROP INDEX notifications_user_status_created;
