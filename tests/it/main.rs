//! Ladder's integration tests, in one test binary (one link instead of one per file).
//!
//! Each module is one story or one adapter's contract, run the way an operator deploys:
//! real SQLite files and a real Postgres (`LADDER_TEST_POSTGRES_URL`), the published
//! platform descriptions behind Prism, the installed binary run from another directory.
//! The helper modules come first; `cargo test --release --test it MODULE::` runs one story.

mod app_world;
mod common;
mod delivery_common;
mod fake_discord;
mod fake_slack;
mod fake_teams;
mod hostile_world;
mod prism;
mod staff_world;

mod admin_chat;
mod admin_cli;
mod app_answers;
mod app_privacy_settings;
mod bad_rows;
mod command_surface;
mod content_cli;
mod delivery_crash;
mod delivery_lease;
mod delivery_outage;
mod delivery_race;
mod delivery_replay;
mod demo_session;
mod discord_admin_channel;
mod discord_app;
mod discord_closed_dms;
mod discord_dm_tenants;
mod discord_flows;
mod discord_serve;
mod discord_staff;
mod expert_ask;
mod expert_propose;
mod expert_review;
mod export_revlog;
mod hostile_input;
mod leaderboard;
mod manager_notify;
mod manager_team;
mod notices;
mod ops_endpoints;
mod peer_review;
mod privacy_every_table;
mod scheduler_eval;
mod settings_act;
mod simulate_cli;
mod simulate_store;
mod slack_contracts;
mod slack_flows;
mod slack_serve;
mod slack_signature;
mod slack_staff;
mod store_answer_race;
mod store_cut_commit;
mod store_full_disk;
mod store_story;
mod teams_auth;
mod teams_cards;
mod teams_flow;
mod teams_package;
