-- +goose Up
-- One row per user and ISO week ("2026-W47") of the weekly report. The
-- primary key makes the report exactly-once: a run is claimed with an
-- INSERT that only one process can win, then marked sent with the id of the
-- notification it produced (NULL when the user's in-app preference is off).
-- A claim that stays unsent (a crash between claim and completion) is taken
-- over after a while by checking whether its notification exists.
CREATE TABLE report_runs (
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    week            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent')),
    notification_id TEXT,
    claimed_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    PRIMARY KEY (user_id, week)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE report_runs;
