-- +goose Up
-- 1 while a user's password was set by someone else: printed by belfry at
-- the first start or by `belfry user passwd`, or set by an administrator
-- for them. The UI asks them to choose their own until they do; changing
-- it on the account page clears it.
ALTER TABLE users ADD COLUMN temporary_password INTEGER NOT NULL DEFAULT 0 CHECK (temporary_password IN (0, 1));

-- +goose Down
ALTER TABLE users DROP COLUMN temporary_password;
