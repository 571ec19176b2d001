-- The delivery outbox: one row per message to push (daily prompt, reminder, practice),
-- unique per learner, schedule, local day and kind, claimed by workers with a lease.
-- Instants are integer milliseconds since the Unix epoch so they compare as numbers.
CREATE TABLE delivery_outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant              TEXT NOT NULL,
    schedule            TEXT NOT NULL,
    learner             TEXT NOT NULL,
    slot_date           TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('daily', 'practice', 'reminder')),
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                          ('planning', 'pending', 'sending', 'sent', 'skipped', 'expired', 'undeliverable')),
    message             TEXT,
    due_at              INTEGER NOT NULL,
    next_attempt_at     INTEGER NOT NULL,
    attempt             INTEGER NOT NULL DEFAULT 0,
    failures            INTEGER NOT NULL DEFAULT 0,
    claimed_by          TEXT,
    last_error          TEXT,
    platform_message_id TEXT,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    UNIQUE (tenant, schedule, learner, slot_date, kind)
);

CREATE INDEX delivery_outbox_work ON delivery_outbox (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX delivery_outbox_stuck ON delivery_outbox (tenant, id)
    WHERE status = 'undeliverable';
