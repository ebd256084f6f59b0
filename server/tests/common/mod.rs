//! Test harness: a real server on an ephemeral loopback port, against SQLite (a temp data
//! folder) or PostgreSQL (a fresh database per test, when ANJIAN_TEST_DATABASE_URL is set).

#![allow(dead_code)]

pub mod receiver;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anjian_domain::checklist::{self, Industry};
use anjian_domain::hazard::{Hazard, HazardDraft, HazardSource};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome, ItemResult};
use anjian_domain::org::{Actor, Role};
use chrono::Utc;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Value};

/// The `/metrics` token of test servers.
pub const METRICS_TOKEN: &str = "test-metrics-token";

pub struct TestServer {
    pub base: String,
    /// The running server's state (its database), for tests that drive background work
    /// (the reminder engine) with their own clock.
    pub state: anjian_server::AppState,
    /// Its configuration (to open its database again, as a restarted instance would).
    pub config: anjian_server::Config,
    pub data: tempfile::TempDir,
    /// The database and blob store this server uses (a second instance can share them).
    pub database_url: Option<String>,
    pub blobs: anjian_server::blobstore::BlobConfig,
    pub client: Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pg_drop: Option<(String, String)>,
}

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
    /// PostgreSQL and S3-compatible object storage (SeaweedFS), when both are configured.
    PostgresS3,
}

/// A fresh prefix in the test bucket (`ANJIAN_TEST_BLOBS`, from scripts/start-seaweedfs.sh).
pub fn fresh_s3() -> Option<String> {
    match std::env::var("ANJIAN_TEST_BLOBS")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(bucket) => Some(format!(
            "{}/test-{}",
            bucket.trim_end_matches('/'),
            uuid::Uuid::now_v7().simple()
        )),
        None => {
            assert!(
                std::env::var("ANJIAN_REQUIRE_S3").is_err(),
                "ANJIAN_REQUIRE_S3 is set but ANJIAN_TEST_BLOBS is not"
            );
            eprintln!("S3 not configured (ANJIAN_TEST_BLOBS): skipping");
            None
        }
    }
}

/// A fresh PostgreSQL database for one test: (url of the new db, (admin url, name)).
fn fresh_pg() -> Option<(String, (String, String))> {
    let admin = std::env::var("ANJIAN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("anjian_test_{}", uuid::Uuid::now_v7().simple());
    let mut client =
        postgres::Client::connect(&admin, postgres::NoTls).expect("connect to test PostgreSQL");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("url has a database");
    Some((format!("{base}/{name}"), (admin, name)))
}

impl TestServer {
    pub fn start(backend: Backend) -> Option<TestServer> {
        Self::start_with(backend, false)
    }

    /// `demo_activity`: seed the demo county's two months of activity too.
    pub fn start_with(backend: Backend, demo_activity: bool) -> Option<TestServer> {
        Self::start_configured(backend, demo_activity, |_| {})
    }

    /// With the config changed by `configure` (smaller limits, say) before the start.
    pub fn start_configured(
        backend: Backend,
        demo_activity: bool,
        configure: impl FnOnce(&mut anjian_server::Config),
    ) -> Option<TestServer> {
        let data = tempfile::tempdir().unwrap();
        let mut config =
            anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
        config.demo = true;
        config.demo_activity = demo_activity;
        config.metrics_token = Some(METRICS_TOKEN.into());
        // The tests' robot receivers listen on loopback.
        config.webhook_hosts = vec!["127.0.0.1".into()];
        configure(&mut config);
        let mut pg_drop = None;
        if let Backend::PostgresS3 = backend {
            config.blobs.url = Some(fresh_s3()?);
        }
        if let Backend::Postgres | Backend::PostgresS3 = backend {
            match fresh_pg() {
                Some((url, drop)) => {
                    config.database_url = Some(url);
                    pg_drop = Some(drop);
                }
                None => {
                    assert!(
                        std::env::var("ANJIAN_REQUIRE_POSTGRES").is_err(),
                        "ANJIAN_REQUIRE_POSTGRES is set but ANJIAN_TEST_DATABASE_URL is not"
                    );
                    eprintln!("PostgreSQL not configured (ANJIAN_TEST_DATABASE_URL): skipping");
                    return None;
                }
            }
        }
        let mut server = Self::launch(config, data);
        server.pg_drop = pg_drop;
        Some(server)
    }

    /// A second instance beside this one: the same database and blob store, its own data
    /// folder, nothing else shared.
    pub fn start_beside(&self) -> TestServer {
        let data = tempfile::tempdir().unwrap();
        let mut config =
            anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
        config.metrics_token = Some(METRICS_TOKEN.into());
        config.webhook_hosts = vec!["127.0.0.1".into()];
        config.database_url = self.database_url.clone();
        config.blobs = self.blobs.clone();
        Self::launch(config, data)
    }

    fn launch(config: anjian_server::Config, data: tempfile::TempDir) -> TestServer {
        let database_url = config.database_url.clone();
        let blobs = config.blobs.clone();
        let (addr_tx, addr_rx) =
            std::sync::mpsc::channel::<(SocketAddr, anjian_server::AppState)>();
        let kept = config.clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let db = anjian_server::open_db_async(&config).await.unwrap();
                let state = anjian_server::state(&config, db).await.unwrap();
                state.load_checklists().await.unwrap();
                anjian_server::seed_demo(&state, &config).await.unwrap();
                let app = anjian_server::api::router(state.clone(), &config);
                let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
                addr_tx
                    .send((listener.local_addr().unwrap(), state))
                    .unwrap();
                anjian_server::listen::serve(listener, app, config.conn_limits.clone(), async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let (addr, state) = addr_rx
            // Seeding the demo county's activity takes seconds alone, minutes on a loaded machine.
            .recv_timeout(Duration::from_secs(240))
            .expect("server started");
        TestServer {
            base: format!("http://{addr}"),
            state,
            config: kept,
            data,
            database_url,
            blobs,
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            shutdown: Some(stop_tx),
            thread: Some(thread),
            pg_drop: None,
        }
    }

    /// The change log's latest sequence number (from `/metrics`, with its token).
    pub fn change_seq(&self) -> i64 {
        let text = self
            .client
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .unwrap()
            .text()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("anjian_change_seq "))
            .expect("anjian_change_seq in /metrics")
            .trim()
            .parse()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn login(&self, username: &str) -> String {
        let resp = self
            .client
            .post(self.url("/v1/auth/login"))
            .json(&json!({ "username": username, "password": "anjian-demo" }))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "login {username}");
        resp.json::<Value>().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    pub fn get_json(&self, token: &str, path: &str) -> Value {
        let resp = self.get(token, path);
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().unwrap()
    }

    pub fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .unwrap()
    }

    pub fn request(&self, method: reqwest::Method, token: &str, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// Pushes operations; returns the results array.
    pub fn push(&self, token: &str, ops: &[Value]) -> Vec<Value> {
        let resp = self.post(
            token,
            "/v1/sync/push",
            &json!({ "protocol": 1, "device_id": "test-device", "ops": ops }),
        );
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().unwrap()["results"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Pulls every page from the start; returns all changes.
    pub fn pull_all(&self, token: &str, limit: usize) -> Vec<Value> {
        let mut cursor = String::new();
        let mut out = Vec::new();
        loop {
            let page = self.get_json(
                token,
                &format!("/v1/sync/pull?cursor={cursor}&limit={limit}"),
            );
            out.extend(page["changes"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_string();
            if !page["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some((admin, name)) = self.pg_drop.take() {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Runs a test body against SQLite, then PostgreSQL when configured, with a changed config.
#[macro_export]
macro_rules! both_backends_configured {
    ($name:ident, $configure:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                let server = common::TestServer::start_configured(
                    common::Backend::Sqlite,
                    false,
                    $configure,
                )
                .unwrap();
                ($body)(&server);
            }
            #[test]
            fn postgres() {
                if let Some(server) = common::TestServer::start_configured(
                    common::Backend::Postgres,
                    false,
                    $configure,
                ) {
                    ($body)(&server);
                }
            }
        }
    };
}

/// Runs a test body against SQLite, PostgreSQL, and PostgreSQL with S3-compatible object
/// storage for the evidence (each when configured): for tests of files and uploads.
#[macro_export]
macro_rules! every_store {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                let server = common::TestServer::start(common::Backend::Sqlite).unwrap();
                ($body)(&server);
            }
            #[test]
            fn postgres() {
                if let Some(server) = common::TestServer::start(common::Backend::Postgres) {
                    ($body)(&server);
                }
            }
            #[test]
            fn postgres_s3() {
                if let Some(server) = common::TestServer::start(common::Backend::PostgresS3) {
                    ($body)(&server);
                }
            }
        }
    };
}

/// Runs a test body against SQLite, then PostgreSQL when configured.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        both_backends!($name, false, $body);
    };
    ($name:ident, $demo_activity:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                let server =
                    common::TestServer::start_with(common::Backend::Sqlite, $demo_activity)
                        .unwrap();
                ($body)(&server);
            }
            #[test]
            fn postgres() {
                if let Some(server) =
                    common::TestServer::start_with(common::Backend::Postgres, $demo_activity)
                {
                    ($body)(&server);
                }
            }
        }
    };
}

/// Creates a tus upload of `len` bytes declaring `sha`; returns its location.
pub fn tus_create(s: &TestServer, token: &str, len: usize, sha: &str) -> String {
    let meta = format!(
        "sha256 {},filename {}",
        b64(sha.as_bytes()),
        b64("现场照片.jpg".as_bytes())
    );
    let resp = s
        .request(reqwest::Method::POST, token, "/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", len.to_string())
        .header("Upload-Metadata", meta)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201, "{:?}", resp.text());
    resp.headers()["location"].to_str().unwrap().to_string()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Sends `body` at `offset` of an upload (with an `Upload-Checksum`, if given).
pub fn tus_patch(
    s: &TestServer,
    token: &str,
    location: &str,
    offset: usize,
    body: &[u8],
    checksum: Option<String>,
) -> reqwest::blocking::Response {
    let mut req = s
        .request(reqwest::Method::PATCH, token, location)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(body.to_vec());
    if let Some(c) = checksum {
        req = req.header("Upload-Checksum", c);
    }
    req.send().unwrap()
}

/// Where an upload stands (`HEAD`'s `Upload-Offset`).
pub fn tus_offset(s: &TestServer, token: &str, loc: &str) -> String {
    let head = s
        .request(reqwest::Method::HEAD, token, loc)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .unwrap();
    assert_eq!(head.status(), 200);
    head.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .to_string()
}

/// Uploads a file with tus in one request; returns its SHA-256.
pub fn upload(s: &TestServer, token: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let resp = s
        .request(reqwest::Method::POST, token, "/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", bytes.len().to_string())
        .header(
            "Upload-Metadata",
            format!(
                "sha256 {},filename {}",
                b64(sha.as_bytes()),
                b64(b"photo.jpg")
            ),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201, "{:?}", resp.text());
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let resp = s
        .request(reqwest::Method::PATCH, token, &location)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204, "{:?}", resp.text());
    sha
}

/// An evidence record as a phone pushes it (`target`: the `EvidenceTarget` JSON).
pub fn evidence(id: &str, sha: &str, kind: &str, stage: &str, target: Value) -> Value {
    json!({
        "id": id, "sha256": sha, "kind": kind,
        "content_type": if kind == "photo" { "image/jpeg" } else { "application/pdf" },
        "size": 1000, "target": target, "stage": stage, "captured_at": Utc::now(),
        "captured_by": "claimed", "taken_at": null, "lat": null, "lon": null,
        "accuracy_m": null, "flags": [], "notes": [], "amount_fen": null,
        "document_date": null, "upload_sha256": null, "thumb_sha256": null
    })
}

pub fn op(entity: &str, entity_id: &str, op: &str, payload: Value) -> Value {
    json!({
        "op_id": uuid::Uuid::now_v7().to_string(),
        "entity": entity,
        "entity_id": entity_id,
        "op": op,
        "payload": payload,
    })
}

/// A hazard transition as a device sends it: the event it recorded, with `from` and `to`.
pub fn transition(
    hazard_id: &str,
    action: anjian_domain::hazard::HazardAction,
    from: anjian_domain::hazard::HazardStatus,
    to: anjian_domain::hazard::HazardStatus,
) -> Value {
    let event = anjian_domain::hazard::HazardEvent {
        id: String::new(),
        hazard_id: hazard_id.into(),
        action: Some(action),
        actor: device_actor(),
        at: Utc::now(),
        from: Some(from),
        to,
        version: 0,
    };
    op(
        "hazard",
        hazard_id,
        "transition",
        serde_json::to_value(&event).unwrap(),
    )
}

pub fn device_actor() -> Actor {
    // What a device claims; the server replaces it with the signed-in person.
    Actor {
        person_id: "claimed".into(),
        name: "设备".into(),
        unit_id: "x".into(),
        roles: vec![Role::Inspector],
    }
}

/// Ops for a whole inspection of `site_id` (industry of the site) with `fail_item` failed,
/// and a hazard raised from it, made with the compiled checklist versions. Returns (ops,
/// inspection id, hazard id).
/// The other member of a visit: a certified colleague of the department supervising the
/// industry (a 行政检查 by its officer needs two), a name for anyone else's visit.
pub fn colleague_for(industry: Industry) -> Vec<String> {
    let county = anjian_domain::county::zhong_county();
    county
        .supervisor_of(industry)
        .and_then(|d| {
            anjian_server::demo::colleagues(&anjian_domain::county::County::department_id(&d.code))
                .into_iter()
                .next()
        })
        .map_or_else(|| vec!["同行人员".into()], |p| vec![p.name])
}

pub fn inspection_ops(
    site_id: &str,
    township: &str,
    industry: Industry,
    kind: InspectionKind,
    fail_item: &str,
) -> (Vec<Value>, String, String) {
    let phone = checklist::ChecklistRegistry::new();
    inspection_ops_with(&phone, site_id, township, industry, kind, fail_item)
}

/// [`inspection_ops`] on a phone that knows the versions in `phone`.
pub fn inspection_ops_with(
    phone: &checklist::ChecklistRegistry,
    site_id: &str,
    township: &str,
    industry: Industry,
    kind: InspectionKind,
    fail_item: &str,
) -> (Vec<Value>, String, String) {
    let now = Utc::now();
    let list = phone.current(industry);
    let insp_id = uuid::Uuid::now_v7().to_string();
    let insp = Inspection::start(
        insp_id.clone(),
        kind,
        site_id,
        &list,
        device_actor(),
        colleague_for(industry),
        now,
    )
    .unwrap();
    let mut ops = vec![op(
        "inspection",
        &insp_id,
        "start",
        serde_json::to_value(&insp).unwrap(),
    )];
    for item in &list.items {
        let failed = item.id == fail_item;
        let result = ItemResult {
            outcome: if failed {
                ItemOutcome::Fail
            } else {
                ItemOutcome::Pass
            },
            note: failed.then(|| "现场发现问题".to_string()),
            recorded_at: now,
        };
        ops.push(op(
            "inspection",
            &insp_id,
            "record_item",
            json!({ "item_id": item.id, "result": result }),
        ));
    }
    ops.push(op(
        "inspection",
        &insp_id,
        "finish",
        json!({ "finished_at": now }),
    ));
    let hazard_id = uuid::Uuid::now_v7().to_string();
    let hazard = Hazard::raise(
        HazardDraft {
            id: hazard_id.clone(),
            number: format!("YH-TEST-{}", &hazard_id[hazard_id.len() - 6..]),
            site_id: Some(site_id.into()),
            unit_id: township.into(),
            description: "检查发现的隐患".into(),
            location: None,
            source: Some(HazardSource {
                inspection_id: insp_id.clone(),
                industry,
                item_id: fail_item.into(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: false,
        },
        phone,
        &device_actor(),
        now,
    )
    .unwrap();
    ops.push(op(
        "hazard",
        &hazard_id,
        "raise",
        serde_json::to_value(&hazard).unwrap(),
    ));
    (ops, insp_id, hazard_id)
}

pub fn client_from(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

pub fn login_from(s: &TestServer, client: &Client, user: &str, password: &str) -> (u16, Value) {
    let r = client
        .post(s.url("/v1/auth/login"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

pub fn healthy(s: &TestServer) {
    let r = s.client.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200, "the server is still up");
}

pub fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// The status of each operation's result in a push answer.
pub fn statuses(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

/// The first sheet of an .xlsx, as text.
pub fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The plain text of a .docx download (paragraphs, table cells tab-separated).
pub fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a docx");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    anjian_reports::docx::plain_text(&xml)
}

/// A site sheet for `POST /v1/admin/sites/import`: the import's headers, as many as each row
/// has cells, then the rows; coordinates that read as numbers are written as numbers.
pub fn sheet<const N: usize>(rows: &[[&str; N]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in anjian_server::import::COLUMNS[..N].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if (2..=4).contains(&c) => ws.write_number(r as u32 + 1, c as u16, n),
                _ => ws.write_string(r as u32 + 1, c as u16, *v),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// A hazard raised by 石宝镇's inspector at its gas site (GAS-022), accepted by 县住房城乡建委
/// (referred) and assigned (交办) by 县安委办 to `unit` with `deadline`: its id.
pub fn assigned_hazard(s: &TestServer, unit: &str, deadline: chrono::NaiveDate) -> String {
    use anjian_domain::hazard::{HazardAction, HazardStatus::*};
    let inspector = s.login("sb_inspector");
    let (ops, _, hazard_id) = inspection_ops(
        "site-07-03",
        "500233107",
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-022",
    );
    assert!(statuses(&s.push(&inspector, &ops))
        .iter()
        .all(|x| x == "applied"));
    let zjw = s.login("zjw_inspector");
    let accept = transition(
        &hazard_id,
        HazardAction::AcceptReferral,
        Registered,
        Registered,
    );
    assert_eq!(s.push(&zjw, &[accept])[0]["status"], "applied");
    let assign = HazardAction::Assign {
        unit_id: unit.into(),
        deadline,
    };
    let admin = s.login("admin");
    assert_eq!(
        s.push(
            &admin,
            &[transition(&hazard_id, assign, Registered, Assigned)]
        )[0]["status"],
        "applied"
    );
    hazard_id
}

/// An instant given in China time (UTC+8), for tests that drive a clock.
pub fn china_time(day: chrono::NaiveDate, h: u32, m: u32) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}
