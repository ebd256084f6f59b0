//! Issue 11's limits on connections and uploads: slow headers, idle sockets and trickled
//! bodies cut off; per-person upload quotas (open uploads, declared bytes, bytes a day) and
//! idle expiry; client addresses behind a trusted proxy. Each test reproduces a finding and
//! checks the fix.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{base64_of, client_from, healthy, TestServer};
use reqwest::Method;
use serde_json::json;

/// `POST /v1/uploads` of `len` bytes declared, for a file whose hash is `fill` × 64.
fn create_upload(
    s: &TestServer,
    token: &str,
    len: usize,
    fill: char,
) -> reqwest::blocking::Response {
    s.request(Method::POST, token, "/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", len.to_string())
        .header(
            "Upload-Metadata",
            format!("sha256 {}", base64_of(&fill.to_string().repeat(64))),
        )
        .send()
        .unwrap()
}

both_backends_configured!(
    slow_headers_idle_sockets_and_trickled_bodies_are_cut_off,
    |c: &mut anjian_server::Config| {
        c.conn_limits.header_read = Duration::from_secs(1);
        c.conn_limits.body_window = Duration::from_secs(1);
        c.conn_limits.min_body_bytes = 1024;
    },
    |s: &TestServer| {
        let addr = s.base.trim_start_matches("http://").to_string();
        let closed = |mut stream: TcpStream| -> bool {
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut buf = Vec::new();
            // Closed by the server: read ends (Ok) or is reset; a timeout means still open.
            match stream.read_to_end(&mut buf) {
                Ok(_) => true,
                Err(e) => !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            }
        };
        // Half a request head, then nothing.
        let mut slow = TcpStream::connect(&addr).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        assert!(closed(slow), "slow headers: closed");
        // An idle socket that never sends a byte.
        assert!(
            closed(TcpStream::connect(&addr).unwrap()),
            "idle socket: closed"
        );
        // A tus PATCH trickled at a few bytes a second.
        let token = s.login("sb_inspector");
        let r = create_upload(s, &token, 100000, 'a');
        assert_eq!(r.status(), 201);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        // Sends `head`, then one byte at a time (a few a second); true when the server
        // answers or closes before the body ends.
        let cut_off = |head: String| -> bool {
            let mut trickle = TcpStream::connect(&addr).unwrap();
            trickle.write_all(head.as_bytes()).unwrap();
            trickle
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            for _ in 0..150 {
                if trickle.write_all(b"x").is_err() {
                    return true;
                }
                let mut buf = [0u8; 512];
                match trickle.read(&mut buf) {
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    _ => return true,
                }
            }
            false
        };
        assert!(
            cut_off(format!(
                "PATCH {location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 100000\r\n\r\n"
            )),
            "a trickled upload is cut off well before it ends"
        );
        // Any other body too (a sync push).
        assert!(
            cut_off(format!(
                "POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )),
            "a trickled push is cut off well before it ends"
        );
        // What came is kept for resuming.
        let head = s
            .request(Method::HEAD, &token, &location)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(head.status(), 200);
        healthy(s);
    }
);

both_backends_configured!(
    upload_quotas_and_idle_expiry,
    |c: &mut anjian_server::Config| {
        c.upload_quota.max_open = 2;
        c.upload_quota.max_open_bytes = 1000;
    },
    |s: &TestServer| {
        let token = s.login("sb_inspector");
        let create = |token: &str, len: usize| create_upload(s, token, len, 'b');
        assert_eq!(create(&token, 600).status(), 201);
        let r = create(&token, 600);
        assert_eq!(r.status(), 413, "declared bytes over the quota");
        assert!(r.text().unwrap().contains("总量"));
        assert_eq!(create(&token, 100).status(), 201);
        let r = create(&token, 100);
        assert_eq!(r.status(), 429, "open uploads over the quota");
        assert!(r.text().unwrap().contains("未完成的上传过多"));
        // Another person has their own quota.
        let other = s.login("zz_patrol");
        assert_eq!(create(&other, 100).status(), 201);
    }
);

both_backends_configured!(
    idle_uploads_expire,
    |c: &mut anjian_server::Config| {
        c.upload_quota.idle = Duration::ZERO;
    },
    |s: &TestServer| {
        let token = s.login("sb_inspector");
        let r = create_upload(s, &token, 10, 'c');
        assert_eq!(r.status(), 201);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let head = s
            .request(Method::HEAD, &token, &location)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(
            head.status(),
            410,
            "not written to within the idle time: gone"
        );
        // An expired upload does not count against the quota.
        for _ in 0..70 {
            let r = create_upload(s, &token, 10, 'c');
            assert_eq!(r.status(), 201);
        }
    }
);

both_backends_configured!(
    daily_upload_quota,
    |c: &mut anjian_server::Config| {
        c.upload_quota.max_daily_bytes = 3 * 1024 * 1024;
    },
    |s: &TestServer| {
        let token = s.login("sb_inspector");
        let create = |token: &str, len: usize| create_upload(s, token, len, 'd');
        let mib = 1024 * 1024;
        let first = create(&token, 2 * mib);
        assert_eq!(first.status(), 201);
        // Finishing or cancelling an upload does not give its bytes back for today.
        let location = first.headers()["location"].to_str().unwrap().to_string();
        let r = s
            .request(Method::DELETE, &token, &location)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = create(&token, 2 * mib);
        assert_eq!(r.status(), 429, "past the day's bytes");
        assert_eq!(r.headers()["tus-resumable"], "1.0.0");
        let wait: i64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=24 * 3600).contains(&wait), "until midnight: {wait}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["error"]["code"], "daily_quota");
        assert_eq!(
            body["error"]["message"],
            "今日上传已达上限（每人每天 3 MB），请明天再上传；未上传的照片仍保存在手机上"
        );
        // What is left of the day still fits; another person has their own day.
        assert_eq!(create(&token, mib).status(), 201);
        assert_eq!(create(&token, 1).status(), 429);
        assert_eq!(create(&s.login("zz_patrol"), 2 * mib).status(), 201);
    }
);

both_backends_configured!(
    trusted_proxies_name_the_client_and_no_one_else_does,
    |c: &mut anjian_server::Config| {
        c.conn_limits.trusted_proxies =
            anjian_server::proxies::TrustedProxies::parse("127.0.0.1/32").unwrap();
    },
    |s: &TestServer| {
        let proxy = client_from("127.0.0.1");
        let direct = client_from("127.0.0.2");
        let attempt = |client: &reqwest::blocking::Client, forwarded: &str| -> u16 {
            client
                .post(s.url("/v1/auth/login"))
                .header("X-Forwarded-For", forwarded)
                .json(&json!({ "username": "sb_head", "password": "wrong-password-1" }))
                .send()
                .unwrap()
                .status()
                .as_u16()
        };
        // Behind the trusted proxy each client is held on its own: one guessing client
        // does not hold back the others that share the proxy.
        let held: Vec<u16> = (0..7).map(|_| attempt(&proxy, "203.0.113.7")).collect();
        assert_eq!(held[0], 401);
        assert_eq!(held[6], 429, "{held:?}");
        assert_eq!(
            attempt(&proxy, "203.0.113.8"),
            401,
            "another client is not held"
        );
        // A client that is not a trusted proxy writes what it likes in the header: it is
        // held as itself whatever it claims.
        let forged: Vec<u16> = (0..7)
            .map(|n| attempt(&direct, &format!("198.51.100.{n}")))
            .collect();
        assert_eq!(forged[6], 429, "{forged:?}");
        // The audit log names the client, not the proxy; the forged header is not believed.
        let admin = s.login("admin");
        let failed = s.get_json(
            &admin,
            "/v1/admin/audit?action=login_failed&username=sb_head",
        );
        let clients: std::collections::BTreeSet<&str> = failed
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["client"].as_str().unwrap())
            .collect();
        assert_eq!(
            clients,
            ["127.0.0.2", "203.0.113.7", "203.0.113.8"]
                .into_iter()
                .collect()
        );
    }
);
