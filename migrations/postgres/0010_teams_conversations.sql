-- Microsoft Teams conversation references: where the bot can write to a person (their
-- one-to-one chat, kept when the app is installed for them or they first write) or to a
-- team channel, so daily questions and channel posts can be sent proactively.
-- ref_key is 'user:<Teams user id>' or 'conversation:<conversation id>'.
CREATE TABLE teams_conversations (
    ref_key TEXT PRIMARY KEY,
    service_url TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
