-- The first schema of Ladder. Never edit an applied migration: add a new numbered file.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE learners (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    platform_user         TEXT NOT NULL,
    display_name          TEXT NOT NULL,
    timezone              TEXT NOT NULL,
    time_of_day           TEXT NOT NULL,
    days_mask             INTEGER NOT NULL,
    daily_new_cap         INTEGER NOT NULL,
    daily_review_cap      INTEGER NOT NULL,
    paused_until          TEXT,
    leaderboard_opt_out   BOOLEAN NOT NULL DEFAULT FALSE,
    notifications_opt_out BOOLEAN NOT NULL DEFAULT FALSE,
    dm_closed             BOOLEAN NOT NULL DEFAULT FALSE,
    joined_at             TEXT NOT NULL,
    UNIQUE (tenant_id, platform_user)
);

CREATE TABLE teams (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    channel_id       TEXT,
    prompt_cron      TEXT,
    leaderboard_cron TEXT,
    UNIQUE (tenant_id, name)
);

CREATE TABLE team_members (
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, learner_id)
);

-- scope is 'tenant', 'team' or 'skill'; scope_ref the team id or skill id ('' for tenant).
CREATE TABLE roles (
    learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    scope_ref  TEXT NOT NULL,
    PRIMARY KEY (learner_id, kind, scope, scope_ref)
);

CREATE TABLE enrolments (
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, track_id)
);

CREATE TABLE memories (
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL,
    stability   REAL NOT NULL,
    difficulty  REAL NOT NULL,
    last_review TEXT NOT NULL,
    due         TEXT NOT NULL,
    reps        INTEGER NOT NULL,
    lapses      INTEGER NOT NULL,
    suspended   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (learner_id, item_id)
);

CREATE TABLE prompts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id          INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    item_id             TEXT NOT NULL,
    variant             INTEGER,
    kind                TEXT NOT NULL,
    slot_key            TEXT UNIQUE,
    created_at          TEXT NOT NULL,
    revealed_at         TEXT,
    expires_at          TEXT,
    superseded_by       INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'pending',
    attempt             INTEGER NOT NULL DEFAULT 0,
    lease_until         TEXT,
    claimed_by          TEXT,
    next_attempt_at     TEXT,
    last_error          TEXT,
    platform_message_id TEXT
);
CREATE INDEX prompts_learner ON prompts (learner_id, status);
CREATE INDEX prompts_due ON prompts (status, next_attempt_at);

-- Append-only: one review per prompt, so a replayed answer cannot be counted twice.
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt_id   INTEGER NOT NULL UNIQUE REFERENCES prompts(id) ON DELETE CASCADE,
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL,
    skill_id    TEXT NOT NULL,
    item_stage  TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    score       REAL NOT NULL,
    rating      INTEGER,
    latency_ms  INTEGER,
    response    TEXT NOT NULL,
    reply_json  TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX reviews_learner ON reviews (learner_id, answered_at);
CREATE INDEX reviews_answered ON reviews (answered_at);

CREATE TABLE stage_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id    INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    skill_id      TEXT NOT NULL,
    from_stage    TEXT,
    to_stage      TEXT NOT NULL,
    at            TEXT NOT NULL,
    evidence_json TEXT NOT NULL
);
CREATE INDEX stage_history_learner ON stage_history (learner_id, skill_id);

CREATE TABLE escalations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX escalations_lookup ON escalations (learner_id, kind, key, at);

CREATE TABLE contributions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    skill_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    body_json  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE contribution_votes (
    contribution_id INTEGER NOT NULL REFERENCES contributions(id) ON DELETE CASCADE,
    voter_id        INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    up              BOOLEAN NOT NULL,
    PRIMARY KEY (contribution_id, voter_id)
);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    skill_id    TEXT,
    text        TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT,
    answered_by INTEGER REFERENCES learners(id) ON DELETE SET NULL,
    answered_at TEXT
);

CREATE TABLE peer_reviews (
    review_id   INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    verdict     TEXT NOT NULL,
    score       REAL NOT NULL,
    comment     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (review_id, reviewer_id)
);

CREATE TABLE leaderboard_snapshots (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    rows_json TEXT NOT NULL
);

CREATE TABLE processed_events (
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (platform, event_id)
);
