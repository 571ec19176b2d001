-- Which bot instance runs which group of Discord shards. An instance holds a group while
-- it renews the lease; a group whose lease expired (its instance died or hung) is taken
-- over by a standby. Instants are integer milliseconds since the Unix epoch.
CREATE TABLE discord_shard_leases (
    shard_group   INTEGER PRIMARY KEY,
    shard_total   INTEGER NOT NULL,
    holder        TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
