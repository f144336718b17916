-- +goose Up
-- Retention deletes channel messages by age every hour: without this index
-- each pass scans the whole table.
CREATE INDEX channel_messages_created ON channel_messages(created_at);

-- +goose Down
DROP INDEX channel_messages_created;
