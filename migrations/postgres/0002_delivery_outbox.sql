-- The delivery outbox: one row per message to push (daily prompt, reminder, practice),
-- unique per learner, schedule, local day and kind, claimed by workers with a lease.
CREATE TABLE delivery_outbox (
    id                  BIGSERIAL PRIMARY KEY,
    tenant              TEXT NOT NULL,
    schedule            TEXT NOT NULL,
    learner             TEXT NOT NULL,
    slot_date           DATE NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('daily', 'practice', 'reminder')),
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                          ('planning', 'pending', 'sending', 'sent', 'skipped', 'expired', 'undeliverable')),
    -- The composed message (JSON of platform, destination, reply, prompt_ref); NULL while planning.
    message             TEXT,
    due_at              TIMESTAMPTZ NOT NULL,
    -- Claims: pending rows are due at next_attempt_at; a sending row's lease also ends
    -- there, so one index finds both kinds of work.
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    attempt             INTEGER NOT NULL DEFAULT 0,
    failures            INTEGER NOT NULL DEFAULT 0,
    claimed_by          TEXT,
    last_error          TEXT,
    platform_message_id TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    sent_at             TIMESTAMPTZ,
    UNIQUE (tenant, schedule, learner, slot_date, kind)
);

CREATE INDEX delivery_outbox_work ON delivery_outbox (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX delivery_outbox_stuck ON delivery_outbox (tenant, id)
    WHERE status = 'undeliverable';
