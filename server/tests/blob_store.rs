//! Evidence in S3-compatible object storage (SeaweedFS on loopback, started by
//! scripts/start-seaweedfs.sh) and two server instances sharing nothing but PostgreSQL and
//! the bucket: an upload started on one resumes on the other, a pull continues on the other,
//! downloads can be redirected to pre-signed URLs. Skipped unless both are configured
//! (required in CI: ANJIAN_REQUIRE_S3, ANJIAN_REQUIRE_POSTGRES).

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::InspectionKind;
use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

use common::{tus_offset, Backend, TestServer};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn create(s: &TestServer, token: &str, len: usize, sha: &str) -> String {
    let resp = s
        .request(Method::POST, token, "/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", len.to_string())
        .header(
            "Upload-Metadata",
            format!(
                "sha256 {},filename {}",
                b64(sha.as_bytes()),
                b64("隐患整改前.jpg".as_bytes())
            ),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201, "{:?}", resp.text());
    resp.headers()["location"].to_str().unwrap().to_string()
}

fn patch(s: &TestServer, token: &str, loc: &str, offset: usize, body: &[u8]) -> u16 {
    s.request(Method::PATCH, token, loc)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(body.to_vec())
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn two_instances() -> Option<(TestServer, TestServer)> {
    let first = TestServer::start(Backend::PostgresS3)?;
    let second = first.start_beside();
    Some((first, second))
}

#[test]
fn an_upload_started_on_one_instance_resumes_on_the_other() {
    let Some((a, b)) = two_instances() else {
        return;
    };
    // One login serves both: sessions are in the database.
    let token = a.login("sb_inspector");
    // Larger than a stored part (8 MiB): the file is joined from several parts in the bucket.
    let file: Vec<u8> = (0..11_000_000u32).map(|i| (i * 31 % 253) as u8).collect();
    let sha = hex::encode(Sha256::digest(&file));
    let loc = create(&a, &token, file.len(), &sha);
    assert_eq!(patch(&a, &token, &loc, 0, &file[..3_000_000]), 204);
    // The other instance knows how far it got, and refuses a stale offset.
    assert_eq!(tus_offset(&b, &token, &loc), "3000000");
    assert_eq!(patch(&b, &token, &loc, 0, &file[..10]), 409);
    assert_eq!(patch(&b, &token, &loc, 3_000_000, &file[3_000_000..]), 204);
    assert_eq!(tus_offset(&a, &token, &loc), file.len().to_string());
    // Either instance serves the file; another township's user still sees nothing.
    for s in [&a, &b] {
        let got = s.get(&token, &format!("/v1/blobs/{sha}"));
        assert_eq!(got.status(), 200);
        assert!(got.bytes().unwrap().as_ref() == file.as_slice());
    }
    let zz = b.login("zz_head");
    assert_eq!(b.get(&zz, &format!("/v1/blobs/{sha}")).status(), 404);
    // A file whose bytes do not hash to the declared value is refused on the last byte,
    // whichever instance receives it, and nothing is stored.
    let fake = hex::encode(Sha256::digest(b"not these bytes"));
    let loc = create(&b, &token, 1000, &fake);
    assert_eq!(patch(&b, &token, &loc, 0, &file[..600]), 204);
    assert_eq!(patch(&a, &token, &loc, 600, &file[600..1000]), 460);
    let head = a
        .request(Method::HEAD, &token, &format!("/v1/blobs/{fake}"))
        .send()
        .unwrap();
    assert_eq!(head.status(), 404);
}

#[test]
fn a_pull_started_on_one_instance_continues_on_the_other() {
    let Some((a, b)) = two_instances() else {
        return;
    };
    let token = a.login("sb_inspector");
    let (ops, _, _) = common::inspection_ops(
        "site-07-03",
        "500233107",
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-022",
    );
    let results = a.push(&token, &ops);
    assert!(common::statuses(&results).iter().all(|s| s == "applied"));
    let everything = a.pull_all(&token, 1000);
    assert!(everything.len() > 3);
    let first = a.get_json(&token, "/v1/sync/pull?cursor=&limit=2");
    assert_eq!(first["changes"].as_array().unwrap().len(), 2);
    let mut cursor = first["cursor"].as_str().unwrap().to_string();
    let mut rest: Vec<Value> = Vec::new();
    loop {
        let page = b.get_json(&token, &format!("/v1/sync/pull?cursor={cursor}&limit=3"));
        rest.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["cursor"].as_str().unwrap().to_string();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let mut joined: Vec<Value> = first["changes"].as_array().unwrap().clone();
    joined.extend(rest);
    assert_eq!(joined, everything, "the same changes, in the same order");
    // The site-code key is shared too: a code printed by one instance checks on the other.
    let key = |s: &TestServer| s.get_json(&token, "/v1/site-code/key");
    assert_eq!(key(&a), key(&b));
}

#[test]
fn downloads_can_be_redirected_to_a_presigned_url() {
    let Some(url) = common::fresh_s3() else {
        return;
    };
    let Some(s) = TestServer::start_configured(Backend::PostgresS3, false, |c| {
        c.blobs.url = Some(url);
        c.blobs.presign = Some(std::time::Duration::from_secs(300));
    }) else {
        return;
    };
    let token = s.login("sb_inspector");
    let file = "整改后照片：配电箱已加锁".repeat(2000).into_bytes();
    let sha = common::upload(&s, &token, &file);
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .get(s.url(&format!("/v1/blobs/{sha}")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 307);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("X-Amz-Signature"), "{location}");
    // The signed URL alone fetches the bytes; the server's own check came first.
    let got = client.get(&location).send().unwrap();
    assert_eq!(got.status(), 200);
    assert!(got.bytes().unwrap().as_ref() == file.as_slice());
    let zz = s.login("zz_head");
    assert_eq!(
        client
            .get(s.url(&format!("/v1/blobs/{sha}")))
            .bearer_auth(&zz)
            .send()
            .unwrap()
            .status(),
        404
    );
}
