//! `/admin ...` in chat through `App::handle`, on SQLite and on Postgres: an admin sets up
//! a team, its members and a manager whose `/team` then works (and stops working after a
//! revoke); everyone else is refused, and nothing crosses from one tenant to another.

use crate::staff_world;

use ladder::store::{RoleKind, RoleScope};
use staff_world::{actor, monday, on_both_stores, World};

const ACME: &str = "acme";
const BETA: &str = "beta";

/// Acme: boss (admin, granted), bob (will manage), ada and cy (learners).
/// Beta: eve (admin, granted there) and zed.
async fn world(store: std::sync::Arc<dyn ladder::store::Store>) -> World {
    let w = World::new(store, monday(9, 0));
    let people = [
        (ACME, "boss"),
        (ACME, "bob"),
        (ACME, "ada"),
        (ACME, "cy"),
        (BETA, "eve"),
        (BETA, "zed"),
    ];
    w.enrol(&people).await;
    w.grant(ACME, "boss", RoleKind::Admin, RoleScope::Tenant)
        .await;
    w.grant(BETA, "eve", RoleKind::Admin, RoleScope::Tenant)
        .await;
    w
}

#[tokio::test]
async fn an_admin_makes_a_manager_whose_team_summary_then_works() {
    on_both_stores("admin_chat_manager", |store| async move {
        let w = world(store).await;
        let boss = actor(ACME, "boss", &["admin"]);
        let bob = actor(ACME, "bob", &["manager"]);

        // Before any setup, bob's platform role alone does not open /team.
        let before = w.cmd(&bob, "team", "").await;
        assert!(before.contains("not recorded"), "{before}");

        let said = w.cmd(&boss, "admin", "team add Blue").await;
        assert!(said.contains("Created team \"Blue\""), "{said}");
        let said = w.cmd(&boss, "admin", "member add Blue ada").await;
        assert!(said.contains("Added ada to team \"Blue\""), "{said}");
        w.cmd(&boss, "admin", "member add blue cy").await;
        let said = w.cmd(&boss, "admin", "grant bob manager Blue").await;
        assert!(
            said.contains("bob is now manager of team \"Blue\""),
            "{said}"
        );
        let again = w.cmd(&boss, "admin", "grant bob manager Blue").await;
        assert!(again.contains("Nothing changed"), "{again}");

        let team = w.cmd(&bob, "team", "").await;
        assert!(team.contains("Team Blue: summary"), "{team}");

        let list = w.cmd(&boss, "admin", "list").await;
        assert!(
            list.contains("- Blue (no channel, no leaderboard cron); members: ada, cy"),
            "{list}"
        );
        assert!(list.contains("- bob is manager of team \"Blue\""), "{list}");
        assert!(list.contains("- boss is admin across the tenant"), "{list}");

        let said = w.cmd(&boss, "admin", "revoke bob manager Blue").await;
        assert!(said.contains("bob is no longer manager"), "{said}");
        let after = w.cmd(&bob, "team", "").await;
        assert!(after.contains("not recorded"), "{after}");
        assert!(!after.contains("Team Blue"), "{after}");

        let said = w.cmd(&boss, "admin", "member remove Blue cy").await;
        assert!(said.contains("Removed cy from team \"Blue\""), "{said}");
        let list = w.cmd(&boss, "admin", "list").await;
        assert!(list.contains("members: ada\n"), "{list}");
    })
    .await;
}

#[tokio::test]
async fn admins_make_experts_of_a_skill_and_more_admins() {
    on_both_stores("admin_chat_expert", |store| async move {
        let w = world(store).await;
        let boss = actor(ACME, "boss", &["admin"]);
        let said = w.cmd(&boss, "admin", "grant ada expert phishing").await;
        assert!(
            said.contains("ada is now expert of skill phishing"),
            "{said}"
        );
        let said = w.cmd(&boss, "admin", "grant ada expert juggling").await;
        assert!(said.contains("There is no skill \"juggling\""), "{said}");

        // cy becomes an admin and can then use /admin herself.
        let cy = actor(ACME, "cy", &["admin"]);
        assert!(w.cmd(&cy, "admin", "list").await.contains("not recorded"));
        w.cmd(&boss, "admin", "grant cy admin").await;
        let list = w.cmd(&cy, "admin", "list").await;
        assert!(list.contains("- ada is expert of skill phishing"), "{list}");
        assert!(list.contains("- cy is admin across the tenant"), "{list}");
    })
    .await;
}

#[tokio::test]
async fn only_recorded_admins_of_the_tenant_may_use_admin() {
    on_both_stores("admin_chat_denials", |store| async move {
        let w = world(store).await;
        let boss = actor(ACME, "boss", &["admin"]);
        w.cmd(&boss, "admin", "team add Blue").await;

        // A learner without the admin platform role, even with a recorded admin grant.
        w.grant(ACME, "ada", RoleKind::Admin, RoleScope::Tenant)
            .await;
        let ada = actor(ACME, "ada", &[]);
        let said = w.cmd(&ada, "admin", "grant ada manager Blue").await;
        assert!(said.contains("/admin is for admins"), "{said}");
        // A manager is not an admin.
        let bob = actor(ACME, "bob", &["manager"]);
        let said = w.cmd(&bob, "admin", "list").await;
        assert!(said.contains("/admin is for admins"), "{said}");
        // The admin platform role without a recorded grant.
        let cy = actor(ACME, "cy", &["admin"]);
        let said = w.cmd(&cy, "admin", "grant cy admin").await;
        assert!(said.contains("Your admin role is not recorded"), "{said}");
        // Beta's admin, present in Acme with the platform role: her grant is Beta's.
        w.enrol(&[(ACME, "eve")]).await;
        let eve_in_acme = actor(ACME, "eve", &["admin"]);
        let said = w.cmd(&eve_in_acme, "admin", "member add Blue eve").await;
        assert!(said.contains("Your admin role is not recorded"), "{said}");

        let list = w.cmd(&boss, "admin", "list").await;
        assert!(list.contains("members: none"), "{list}");
        assert!(!list.contains("cy is admin"), "{list}");
        assert!(!list.contains("ada is manager"), "{list}");
    })
    .await;
}

#[tokio::test]
async fn an_admin_acts_only_inside_their_own_tenant() {
    on_both_stores("admin_chat_tenants", |store| async move {
        let w = world(store).await;
        let boss = actor(ACME, "boss", &["admin"]);
        let eve = actor(BETA, "eve", &["admin"]);
        w.cmd(&boss, "admin", "team add Blue").await;

        // Beta's admin cannot see or touch Acme's team or people.
        let said = w.cmd(&eve, "admin", "member add Blue zed").await;
        assert!(said.contains("There is no team called \"Blue\""), "{said}");
        let said = w.cmd(&eve, "admin", "grant ada manager").await;
        assert!(said.contains("User ada has not joined yet"), "{said}");
        let list = w.cmd(&eve, "admin", "list").await;
        assert!(!list.contains("Blue") && !list.contains("boss"), "{list}");
        // Nor can Acme's admin add Beta's people.
        let said = w.cmd(&boss, "admin", "member add Blue zed").await;
        assert!(said.contains("User zed has not joined yet"), "{said}");
        assert!(w
            .cmd(&boss, "admin", "list")
            .await
            .contains("members: none"));
    })
    .await;
}

#[tokio::test]
async fn mistakes_are_explained_and_user_text_is_neutralised() {
    on_both_stores("admin_chat_mistakes", |store| async move {
        let w = world(store).await;
        let boss = actor(ACME, "boss", &["admin"]);
        w.cmd(&boss, "admin", "team add Blue").await;

        let said = w.cmd(&boss, "admin", "").await;
        assert!(said.contains("Usage: /admin list"), "{said}");
        let said = w.cmd(&boss, "admin", "grant ada boss").await;
        assert!(said.contains("\"boss\" is not a role"), "{said}");
        let said = w.cmd(&boss, "admin", "grant ada admin Blue").await;
        assert!(
            said.contains("An admin grant covers the whole tenant"),
            "{said}"
        );
        let said = w.cmd(&boss, "admin", "team cron Blue every monday").await;
        assert!(said.contains("is not a cron schedule"), "{said}");
        let said = w.cmd(&boss, "admin", "team cron Blue 0 9 * * MON").await;
        assert!(said.contains("Updated team \"Blue\""), "{said}");
        let said = w.cmd(&boss, "admin", "team channel Blue 555").await;
        assert!(said.contains("Updated team \"Blue\""), "{said}");
        let said = w.cmd(&boss, "admin", "team channel Blue 555").await;
        assert!(said.contains("Nothing changed"), "{said}");
        let list = w.cmd(&boss, "admin", "list").await;
        assert!(list.contains("555"), "{list}");
        assert!(list.contains("MON"), "{list}");

        let said = w.cmd(&boss, "admin", "member add **Red** @everyone").await;
        assert!(said.contains("There is no team called"), "{said}");
        assert!(!said.contains("**Red**"), "{said}");
        let said = w.cmd(&boss, "admin", "team add @everyone").await;
        assert!(said.contains("Created team"), "{said}");
        assert!(!said.contains("@everyone"), "{said}");
        assert!(!w.cmd(&boss, "admin", "list").await.contains("@everyone"));
    })
    .await;
}

#[tokio::test]
async fn help_lists_admin() {
    on_both_stores("admin_chat_help", |store| async move {
        let w = world(store).await;
        let help = w.cmd(&actor(ACME, "ada", &[]), "help", "").await;
        assert!(help.contains("/admin"), "{help}");
    })
    .await;
}
