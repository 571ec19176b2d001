-- A direct message names no workspace: the app finds the learner's workspaces by their
-- platform user id alone.
CREATE INDEX learners_platform_user ON learners (platform_user);

-- A learner whose DMs are closed is offered their question in a channel; they may ask to
-- be pinged there (off by default: the only mention Ladder ever sends).
ALTER TABLE learners ADD COLUMN channel_mention BOOLEAN NOT NULL DEFAULT FALSE;
