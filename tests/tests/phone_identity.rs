//! Issue 18: the phone's sign-in through a province's unified identity, end to end: the
//! phone core against the real server process (`anjian-test-server` with `ANJIAN_OIDC_*`)
//! and the real OpenID Connect provider (tests/oidc). The pending sign-in survives the app
//! being killed; a wrong state is refused and leaves it; it is used once; an expired one is
//! refused without the server; an unlinked identity and the provider's own refusal are
//! refused in Chinese with no session. Skips only when `node` is missing.

mod common;

#[path = "../oidc/harness.rs"]
mod harness;

use std::path::Path;

use anjian_core::{AnjianError, Store, StoreError};
use common::{token, ServerProcess};
use harness::Browser;

const CONSOLE_REDIRECT: &str = "https://console.test/login/oidc";
const APP_REDIRECT: &str = "https://app.test/oidc";

fn with_login_hint(url: &str, login: &str) -> String {
    let mut u = reqwest::Url::parse(url).unwrap();
    u.query_pairs_mut().append_pair("login_hint", login);
    u.to_string()
}

/// Signs in as `login` at the provider from `authorize_url`; the app link it sends back.
fn at_provider(authorize_url: &str, login: &str) -> String {
    let back = Browser::new().sign_in(&with_login_hint(authorize_url, login), APP_REDIRECT);
    let mut u = reqwest::Url::parse(APP_REDIRECT).unwrap();
    u.query_pairs_mut().extend_pairs(back.iter());
    u.to_string()
}

fn user_message(e: StoreError) -> (String, String) {
    match AnjianError::from(e) {
        AnjianError::NotAllowed(m) => ("NotAllowed".into(), m),
        AnjianError::NotSignedIn(m) => ("NotSignedIn".into(), m),
        AnjianError::Offline(m) => ("Offline".into(), m),
        other => (format!("{other:?}"), other.to_string()),
    }
}

fn phone_setting(db: &Path, key: &str) -> Option<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .ok()
}

#[test]
fn phone_signs_in_through_the_unified_identity() {
    let Some(provider) = harness::provider(&[CONSOLE_REDIRECT, APP_REDIRECT]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with_env(
        &dir.path().join("server"),
        &[
            ("ANJIAN_OIDC_ISSUER", provider.issuer.as_str()),
            ("ANJIAN_OIDC_CLIENT_ID", "anjian"),
            ("ANJIAN_OIDC_CLIENT_SECRET", "test-secret"),
            ("ANJIAN_OIDC_REDIRECT_URL", CONSOLE_REDIRECT),
            ("ANJIAN_OIDC_APP_REDIRECT_URL", APP_REDIRECT),
            ("ANJIAN_OIDC_NAME", "渝快政登录"),
        ],
    );
    // 县安委办 links 石宝镇's inspector to the identity wang.fang.
    let admin = token(&server, "admin");
    let linked = reqwest::blocking::Client::new()
        .put(format!(
            "{}/v1/admin/accounts/sb_inspector/identity",
            server.base
        ))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "identity": "wang.fang" }))
        .send()
        .unwrap();
    assert_eq!(linked.status(), 204);

    let db = dir.path().join("phone.db");
    let phone = Store::open(&db).unwrap();
    assert_eq!(
        phone.identity_provider(&server.base).unwrap().as_deref(),
        Some("渝快政登录")
    );

    // Started, then the app is killed while the person is at the provider.
    let url = phone.start_identity_login(&server.base).unwrap();
    drop(phone);
    let back = at_provider(&url, "wang.fang");
    let phone = Store::open(&db).unwrap();

    // A link with another state is refused and leaves the pending sign-in as it was.
    let forged = back.replace("state=", "state=x");
    let (kind, message) = user_message(phone.finish_identity_login(&forged).unwrap_err());
    assert_eq!(kind, "NotAllowed");
    assert!(message.contains("不符"), "{message}");
    assert!(phone.profile().unwrap().is_none());

    // The real link finishes: the same session as the password login.
    let person = phone.finish_identity_login(&back).unwrap();
    let profile = phone.profile().unwrap().unwrap();
    assert_eq!(profile.person_id, person.id);
    let saved = phone_setting(&db, "token").unwrap();
    let me = common::api_get(&server, &saved, "/v1/me");
    assert_eq!(me["username"], "sb_inspector");
    assert!(phone_setting(&db, "oidc_pending").is_none());

    // Used once: the same link again finds nothing to finish.
    let (kind, message) = user_message(phone.finish_identity_login(&back).unwrap_err());
    assert_eq!(kind, "NotSignedIn");
    assert!(message.contains("重新点击"), "{message}");

    // Expired on the phone: refused without asking the server; the session stays.
    let other = tempfile::tempdir().unwrap();
    let fresh_db = other.path().join("phone.db");
    let fresh = Store::open(&fresh_db).unwrap();
    let url = fresh.start_identity_login(&server.base).unwrap();
    let back = at_provider(&url, "wang.fang");
    rusqlite::Connection::open(&fresh_db)
        .unwrap()
        .execute(
            "UPDATE sync_state SET value = json_set(value, '$.expires_at', '2000-01-01T00:00:00Z') WHERE key = 'oidc_pending'",
            [],
        )
        .unwrap();
    let (kind, message) = user_message(fresh.finish_identity_login(&back).unwrap_err());
    assert_eq!(kind, "NotSignedIn");
    assert!(message.contains("超时"), "{message}");
    assert!(fresh.profile().unwrap().is_none());
    assert!(phone_setting(&fresh_db, "token").is_none());

    // An identity nobody linked: refused in Chinese, no session.
    let url = fresh.start_identity_login(&server.base).unwrap();
    let back = at_provider(&url, "stranger");
    let (kind, message) = user_message(fresh.finish_identity_login(&back).unwrap_err());
    assert_eq!(kind, "NotAllowed");
    assert!(message.contains("尚未关联本系统账号"), "{message}");
    assert!(fresh.profile().unwrap().is_none());
    assert!(phone_setting(&fresh_db, "token").is_none());

    // The provider's own refusal (the person said no there), in Chinese; the sign-in is over.
    let url = fresh.start_identity_login(&server.base).unwrap();
    let state = reqwest::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let denied = format!("{APP_REDIRECT}?error=access_denied&state={state}");
    let (kind, message) = user_message(fresh.finish_identity_login(&denied).unwrap_err());
    assert_eq!(kind, "NotAllowed");
    assert!(message.contains("拒绝"), "{message}");
    assert!(phone_setting(&fresh_db, "oidc_pending").is_none());

    // Out of reach, the login screen still shows the button (the last answer, per server).
    let base = server.base.clone();
    drop(server);
    assert_eq!(
        phone.identity_provider(&base).unwrap().as_deref(),
        Some("渝快政登录")
    );
    assert_eq!(phone.identity_provider("http://127.0.0.1:9").unwrap(), None);
}
