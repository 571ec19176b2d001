-- One-off messages to a person or a channel (answers to learners' questions, escalation
-- notifications, managers' weekly digests, leaderboard posts) get their own outbox kind.
ALTER TABLE delivery_outbox DROP CONSTRAINT delivery_outbox_kind_check;
ALTER TABLE delivery_outbox ADD CONSTRAINT delivery_outbox_kind_check
    CHECK (kind IN ('daily', 'practice', 'reminder', 'notice'));

-- When the asker was sent the answer to their question (NULL: not yet).
ALTER TABLE questions ADD COLUMN answer_sent_at TIMESTAMPTZ;

-- A free-text answer's final grade now lives on the review itself (peer reviews keep who
-- graded it and how). Answers graded before this change take their latest grade.
UPDATE reviews SET
    verdict = (SELECT p.verdict FROM peer_reviews p WHERE p.review_id = reviews.id
               ORDER BY p.at DESC LIMIT 1),
    score = (SELECT p.score FROM peer_reviews p WHERE p.review_id = reviews.id
             ORDER BY p.at DESC LIMIT 1)
WHERE verdict = 'needs_review'
  AND EXISTS (SELECT 1 FROM peer_reviews p WHERE p.review_id = reviews.id);
