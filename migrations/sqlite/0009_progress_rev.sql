-- A counter of the writes that change what a learner's next answer is computed from
-- (memory states, stages): the answer transaction and a settled grade write only if it
-- still holds the value read before their inputs, so two answers in flight cannot
-- overwrite each other's result (the later one is computed again).
ALTER TABLE learners ADD COLUMN progress_rev INTEGER NOT NULL DEFAULT 0;
