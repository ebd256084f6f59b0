//! Issue 18: sign-in through a province's unified identity, against a real OpenID Connect
//! provider (panva/oidc-provider, tests/oidc/provider.mjs) on loopback. A linked identity
//! gets the same session as a password login; an unknown one is refused and creates
//! nothing; a disabled account stays disabled; a wrong state, a wrong nonce, a replayed
//! handle and a tampered ID token are refused. Skips only when `node` is missing.

mod common;

#[path = "../../tests/oidc/harness.rs"]
mod harness;

use std::collections::HashMap;

use common::{Backend, TestServer};
use harness::{Browser, Provider};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

const CONSOLE_REDIRECT: &str = "https://console.test/login/oidc";
const APP_REDIRECT: &str = "https://app.test/oidc";

fn provider() -> Option<Provider> {
    harness::provider(&[CONSOLE_REDIRECT, APP_REDIRECT])
}

fn oidc_config(
    p: &Provider,
    client_id: &str,
    claim: &str,
    password_off: bool,
) -> anjian_server::oidc::OidcConfig {
    anjian_server::oidc::OidcConfig {
        issuer: p.issuer.clone(),
        client_id: client_id.into(),
        client_secret: Some("test-secret".into()),
        link_claim: claim.into(),
        display_name: "渝快政登录".into(),
        redirect_url: CONSOLE_REDIRECT.into(),
        app_redirect_url: Some(APP_REDIRECT.into()),
        scopes: vec!["profile".into(), "gov".into()],
        password_off_for_linked: password_off,
    }
}

fn start(s: &TestServer, client: &str) -> Value {
    let r = s
        .client
        .post(s.url("/v1/auth/oidc/start"))
        .json(&json!({ "client": client }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "start");
    r.json().unwrap()
}

fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair(name, value);
    u.to_string()
}

fn finish(s: &TestServer, handle: &str, code: &str, state: &str) -> (u16, Value) {
    let r = s
        .client
        .post(s.url("/v1/auth/oidc/finish"))
        .json(&json!({ "handle": handle, "code": code, "state": state }))
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

/// Starts a sign-in for `client` and signs in as `login` at the provider, the authorization
/// URL's parameters changed by `extra`; the handle and the provider's answer (code, state).
fn begin(
    s: &TestServer,
    client: &str,
    login: &str,
    extra: &[(&str, &str)],
) -> (String, HashMap<String, String>) {
    let started = start(s, client);
    let mut url = with_param(
        started["authorize_url"].as_str().unwrap(),
        "login_hint",
        login,
    );
    for (k, v) in extra {
        url = with_param(&url, k, v);
    }
    let redirect = if client == "app" {
        APP_REDIRECT
    } else {
        CONSOLE_REDIRECT
    };
    let back = Browser::new().sign_in(&url, redirect);
    (started["handle"].as_str().unwrap().to_string(), back)
}

/// A whole sign-in as `login` at the provider; the server's answer.
fn sign_in_as(s: &TestServer, login: &str) -> (u16, Value) {
    let (handle, back) = begin(s, "console", login, &[]);
    finish(s, &handle, &back["code"], &back["state"])
}

/// A server using the provider as `client_id`, linking by `claim`.
fn server(
    backend: Backend,
    p: &Provider,
    client_id: &str,
    claim: &str,
    password_off: bool,
) -> Option<TestServer> {
    TestServer::start_configured(backend, false, |c| {
        c.oidc = Some(oidc_config(p, client_id, claim, password_off))
    })
}

fn console_config(s: &TestServer) -> Value {
    let r = s.client.get(s.url("/v1/console/config")).send().unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

fn link(s: &TestServer, token: &str, username: &str, identity: &str) -> u16 {
    s.request(
        Method::PUT,
        token,
        &format!("/v1/admin/accounts/{username}/identity"),
    )
    .json(&json!({ "identity": identity }))
    .send()
    .unwrap()
    .status()
    .as_u16()
}

fn audit(s: &TestServer, admin: &str, action: &str) -> Vec<Value> {
    s.get_json(admin, &format!("/v1/admin/audit?action={action}"))
        .as_array()
        .unwrap()
        .clone()
}

fn accounts(s: &TestServer, admin: &str) -> Vec<Value> {
    s.get_json(admin, "/v1/admin/accounts")
        .as_array()
        .unwrap()
        .clone()
}

fn code_flow_rs256(backend: Backend) {
    let Some(p) = provider() else { return };
    let Some(s) = server(backend, &p, "anjian", "preferred_username", false) else {
        return;
    };
    let admin = s.login("admin");
    assert_eq!(
        console_config(&s)["identity_provider"]["name"],
        "渝快政登录"
    );

    // Only 县安委办 links, and one identity links one account.
    let inspector = s.login("sb_inspector");
    assert_eq!(link(&s, &inspector, "sb_inspector", "wang.fang"), 403);
    assert_eq!(link(&s, &admin, "nobody", "wang.fang"), 404);
    assert_eq!(link(&s, &admin, "sb_inspector", "  "), 422);
    assert_eq!(link(&s, &admin, "sb_inspector", "wang.fang"), 204);
    assert_eq!(link(&s, &admin, "admin", "wang.fang"), 422);
    let linked = audit(&s, &admin, "identity_linked");
    assert_eq!(linked[0]["target"], "sb_inspector");
    assert_eq!(linked[0]["detail"], "wang.fang");
    let listed = accounts(&s, &admin);
    let row = listed
        .iter()
        .find(|a| a["username"] == "sb_inspector")
        .unwrap();
    assert_eq!(row["identity"], "wang.fang");

    // The linked identity signs in: the same session as a password login.
    let (status, body) = sign_in_as(&s, "wang.fang");
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let me = s.get_json(token, "/v1/me");
    assert_eq!(me["username"], "sb_inspector");
    let ok = audit(&s, &admin, "login_ok");
    assert_eq!(ok[0]["target"], "sb_inspector");
    assert_eq!(ok[0]["detail"], "统一身份认证");

    // An unknown identity is refused in Chinese and nothing is created.
    let before = accounts(&s, &admin).len();
    let (status, body) = sign_in_as(&s, "stranger");
    assert_eq!(status, 403);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("尚未关联本系统账号"),
        "{body}"
    );
    assert_eq!(accounts(&s, &admin).len(), before);
    let failed = audit(&s, &admin, "login_failed");
    assert_eq!(failed[0]["target"], "stranger");

    // A wrong state is refused, and the handle is spent: the right state cannot follow.
    let (handle, back) = begin(&s, "console", "wang.fang", &[]);
    assert_eq!(finish(&s, &handle, &back["code"], "forged-state").0, 401);
    assert_eq!(finish(&s, &handle, &back["code"], &back["state"]).0, 401);
    // A made-up handle finishes nothing.
    assert_eq!(finish(&s, "0badc0de", &back["code"], &back["state"]).0, 401);

    // A code whose ID token carries another nonce than the one this sign-in sent.
    let nonce = [("nonce", "a-nonce-of-someone-else")];
    let (handle, back) = begin(&s, "console", "wang.fang", &nonce);
    let (status, body) = finish(&s, &handle, &back["code"], &back["state"]);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["message"], "统一身份认证未通过，请重新登录");
    let failed = audit(&s, &admin, "login_failed");
    assert!(
        failed[0]["detail"]
            .as_str()
            .unwrap()
            .contains("ID 令牌无效"),
        "{}",
        failed[0]
    );

    // A tampered ID token (claims rewritten to another person, signature kept) is refused.
    let tamper = Client::new()
        .post(format!("{}/test/tamper", p.issuer))
        .send()
        .unwrap();
    assert_eq!(tamper.status(), 204);
    let (status, _) = sign_in_as(&s, "wang.fang");
    assert_eq!(status, 401);
    let failed = audit(&s, &admin, "login_failed");
    assert!(
        failed[0]["detail"]
            .as_str()
            .unwrap()
            .contains("ID 令牌无效"),
        "{}",
        failed[0]
    );
    // The provider is fine again afterwards.
    assert_eq!(sign_in_as(&s, "wang.fang").0, 200);

    // A disabled account stays disabled.
    let r = s.post(
        &admin,
        "/v1/admin/accounts/sb_inspector/disable",
        &json!({}),
    );
    assert_eq!(r.status(), 204);
    let (status, body) = sign_in_as(&s, "wang.fang");
    assert_eq!(status, 403);
    assert_eq!(body["error"]["message"], "账号已停用，请联系县安委办");
    let r = s.post(&admin, "/v1/admin/accounts/sb_inspector/enable", &json!({}));
    assert_eq!(r.status(), 204);

    // Unlinked: refused again.
    let r = s
        .request(
            Method::DELETE,
            &admin,
            "/v1/admin/accounts/sb_inspector/identity",
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        audit(&s, &admin, "identity_unlinked")[0]["detail"],
        "wang.fang"
    );
    assert_eq!(sign_in_as(&s, "wang.fang").0, 403);
    // Password logins were never affected.
    s.login("sb_inspector");
}

/// ES256 ID tokens, a provider's own linking claim read from userinfo, the phone app's
/// redirect, and password login off for linked accounts.
fn code_flow_es256_app(backend: Backend) {
    let Some(p) = provider() else { return };
    let Some(s) = server(backend, &p, "anjian-es", "id_number", true) else {
        return;
    };
    let admin = s.login("admin");
    assert_eq!(link(&s, &admin, "sb_inspector", "id-li.lei"), 204);

    let started = start(&s, "app");
    let authorize = started["authorize_url"].as_str().unwrap();
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    assert!(authorize.contains("redirect_uri=https%3A%2F%2Fapp.test%2Foidc"));
    let (handle, back) = begin(&s, "app", "li.lei", &[]);
    let (status, body) = finish(&s, &handle, &back["code"], &back["state"]);
    assert_eq!(status, 200, "{body}");
    let me = s.get_json(body["token"].as_str().unwrap(), "/v1/me");
    assert_eq!(me["username"], "sb_inspector");

    // A linked account signs in only through the provider; the others keep their passwords.
    let r = s
        .client
        .post(s.url("/v1/auth/login"))
        .json(&json!({ "username": "sb_inspector", "password": "anjian-demo" }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"]["message"], "此账号须通过渝快政登录");
    s.login("admin");
}

#[test]
fn linked_identity_signs_in_and_forgeries_are_refused_sqlite() {
    code_flow_rs256(Backend::Sqlite);
}

#[test]
fn linked_identity_signs_in_and_forgeries_are_refused_postgres() {
    code_flow_rs256(Backend::Postgres);
}

#[test]
fn es256_userinfo_claim_and_phone_redirect_sqlite() {
    code_flow_es256_app(Backend::Sqlite);
}

#[test]
fn without_a_provider_there_is_no_second_login() {
    let s = TestServer::start(Backend::Sqlite).unwrap();
    assert!(console_config(&s)["identity_provider"].is_null());
    let r = s
        .client
        .post(s.url("/v1/auth/oidc/start"))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
}
