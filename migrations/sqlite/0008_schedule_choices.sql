-- A learner who never chose a time, days, timezone or daily cap follows the tenant's
-- `[schedules]` (prompt_cron, timezone, daily caps); the stored values of those columns
-- are placeholders unless the matching `chose_*` flag is set. Before this migration every
-- learner was given 09:00 UTC, Monday to Friday, cap 3 on joining, so a value that differs
-- from those is one the learner chose.
ALTER TABLE learners ADD COLUMN chose_timezone BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE learners ADD COLUMN chose_time BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE learners ADD COLUMN chose_days BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE learners ADD COLUMN chose_cap BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE learners SET
    chose_timezone = (timezone <> 'UTC'),
    chose_time = (time_of_day <> '09:00:00'),
    chose_days = (days_mask <> 31),
    chose_cap = (daily_review_cap <> 3);

-- Notices can be turned off per kind (`/settings notices …`); the old all-or-nothing
-- switch becomes all three.
ALTER TABLE learners ADD COLUMN mute_manager_notices BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE learners ADD COLUMN mute_expert_notices BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE learners ADD COLUMN mute_digests BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE learners SET
    mute_manager_notices = notifications_opt_out,
    mute_expert_notices = notifications_opt_out,
    mute_digests = notifications_opt_out;
