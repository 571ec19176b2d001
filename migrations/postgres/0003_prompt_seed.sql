-- The seed that fixes the shown order of a prompt's shuffled options, so that a learner
-- who reopens a prompt sees the same order (and "b" still means the same answer).
ALTER TABLE prompts ADD COLUMN seed BIGINT NOT NULL DEFAULT 0;
