-- +goose Up
-- How a notification's body is written: '' for Markdown (every row so
-- far), 'text' for plain text shown as it is (the ntfy and Gotify publish
-- dialects).
ALTER TABLE notifications ADD COLUMN format TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notifications DROP COLUMN format;
