-- +goose Up
-- Digests per type (app/quiet, docs/quiet-hours.md): each user's type
-- digests as one JSON array beside their quiet hours; a held notification
-- names the digest it waits for ('' the quiet-hours window's, else its
-- type's), and a digest sent is one per (user, digest, due time). SQLite
-- cannot change a primary key in place, so quiet_digests is rebuilt.
ALTER TABLE quiet_hours ADD COLUMN digests TEXT NOT NULL DEFAULT '[]';
ALTER TABLE quiet_held ADD COLUMN digest TEXT NOT NULL DEFAULT '';

CREATE TABLE quiet_digests_new (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    digest     TEXT NOT NULL DEFAULT '',
    until      INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, digest, until)
) STRICT;
INSERT INTO quiet_digests_new (user_id, until, held, created_at) SELECT user_id, until, held, created_at FROM quiet_digests;
DROP TABLE quiet_digests;
ALTER TABLE quiet_digests_new RENAME TO quiet_digests;

-- +goose Down
CREATE TABLE quiet_digests_old (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    until      INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, until)
) STRICT;
INSERT OR IGNORE INTO quiet_digests_old (user_id, until, held, created_at)
    SELECT user_id, until, held, created_at FROM quiet_digests WHERE digest = '';
DROP TABLE quiet_digests;
ALTER TABLE quiet_digests_old RENAME TO quiet_digests;
ALTER TABLE quiet_held DROP COLUMN digest;
ALTER TABLE quiet_hours DROP COLUMN digests;
