//! Two server instances on one PostgreSQL database (as behind a balancer) throttle together:
//! login failures counted on one hold the stranger back on the other, and the public
//! complaint form's per-address limit counts complaints left through either.
//! Skipped unless PostgreSQL is configured (required in CI).

mod common;

use common::{client_from, login_from, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

const SHIBAO_GAS: &str = "site-07-03";

fn complain(s: &TestServer, path: &str, n: usize) -> StatusCode {
    client_from("127.0.0.21")
        .post(s.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("text=%E6%8A%95%E8%AF%89{n}"))
        .send()
        .unwrap()
        .status()
}

#[test]
fn two_instances_on_one_database_throttle_together() {
    let Some(a) = TestServer::start(common::Backend::Postgres) else {
        return;
    };
    let b = a.start_beside();
    let stranger = client_from("127.0.0.20");
    // Five free failures for a (username, address) pair, spread over both instances.
    for (n, s) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let (status, body) = login_from(s, &stranger, "sb_head", "wrong-password-1");
        assert_eq!(status, 401, "attempt {n}: {body}");
    }
    for s in [&a, &b] {
        let (status, body) = login_from(s, &stranger, "sb_head", "anjian-demo");
        assert_eq!(status, 429, "held on both instances: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("秒后再试"),
            "{body}"
        );
    }
    // The owner, from their own address, is not held on either.
    let (status, _) = login_from(&b, &b.client, "sb_head", "anjian-demo");
    assert_eq!(status, 200);

    // Five complaints an hour from one address, wherever they land.
    let sb = a.login("sb_inspector");
    let code: Value = a.get_json(&sb, &format!("/v1/sites/{SHIBAO_GAS}/code"));
    let text = code["text"].as_str().unwrap();
    let path = format!("/q/{}", text.split_once("/q/").unwrap().1);
    for (n, s) in [&a, &b, &a, &b, &b].into_iter().enumerate() {
        assert_eq!(complain(s, &path, n), StatusCode::CREATED, "complaint {n}");
    }
    assert_eq!(complain(&a, &path, 5), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(complain(&b, &path, 6), StatusCode::TOO_MANY_REQUESTS);
}
