-- Prompts are found by learner, by id or by slot key; nothing asks for them by status and
-- next attempt any more (the outbox delivers), and that index made every insert and every
-- answered prompt pay for one more B-tree.
DROP INDEX prompts_due;
-- A prompt's replacement points back at it; deleting a learner's prompts (privacy delete)
-- must find those rows without reading the whole table.
CREATE INDEX prompts_superseded ON prompts (superseded_by) WHERE superseded_by IS NOT NULL;
