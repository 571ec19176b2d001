-- A direct message names no workspace: the app finds the learner's workspaces by their
-- platform user id alone.
CREATE INDEX learners_platform_user ON learners (platform_user);
