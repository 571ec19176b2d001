-- One-off messages to a person or a channel (answers to learners' questions, escalation
-- notifications, managers' weekly digests, leaderboard posts) get their own outbox kind,
-- `notice`. SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- with the same columns, rows and indexes.
CREATE TABLE delivery_outbox_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant              TEXT NOT NULL,
    schedule            TEXT NOT NULL,
    learner             TEXT NOT NULL,
    slot_date           TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('daily', 'practice', 'reminder', 'notice')),
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
INSERT INTO delivery_outbox_new SELECT * FROM delivery_outbox;
DROP TABLE delivery_outbox;
ALTER TABLE delivery_outbox_new RENAME TO delivery_outbox;
CREATE INDEX delivery_outbox_work ON delivery_outbox (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX delivery_outbox_stuck ON delivery_outbox (tenant, id)
    WHERE status = 'undeliverable';

-- When the asker was sent the answer to their question (NULL: not yet).
ALTER TABLE questions ADD COLUMN answer_sent_at TEXT;

-- A free-text answer's final grade now lives on the review itself (peer reviews keep who
-- graded it and how). Answers graded before this change take their latest grade.
UPDATE reviews SET
    verdict = (SELECT p.verdict FROM peer_reviews p WHERE p.review_id = reviews.id
               ORDER BY p.at DESC LIMIT 1),
    score = (SELECT p.score FROM peer_reviews p WHERE p.review_id = reviews.id
             ORDER BY p.at DESC LIMIT 1)
WHERE verdict = 'needs_review'
  AND EXISTS (SELECT 1 FROM peer_reviews p WHERE p.review_id = reviews.id);
