//! Login-flood benchmark (a scripted run, not a timed test): the p99 of a one-operation sync
//! push, idle and while 32 clients flood `/v1/auth/login` with wrong passwords, in one run.
//!
//! Two servers, each measured idle then under the flood:
//! - **as shipped**: login throttling on; the 32 flooding clients come from 32 loopback
//!   addresses (127.0.1.1–32), so they are held back per address after 30 failures;
//! - **throttling off**: every attempt is hashed (a botnet of fresh addresses): what is left
//!   is the bounded hashing pool, run outside every database lock.
//!
//!     cargo run --release -p anjian-tests --bin anjian-login-flood-bench -- [PUSHES]

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::org::{Actor, Role};
use chrono::Utc;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const FLOOD: usize = 32;
const SITE: &str = "site-07-03";

struct Server {
    base: String,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn start(throttle: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("server"));
    config.demo = true;
    if !throttle {
        config.login_limits.per_address = u32::MAX;
        config.login_limits.free_failures = u32::MAX;
        config.login_limits.per_account = u32::MAX;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr: SocketAddr = runtime.block_on(async {
        let db = anjian_server::open_db_async(&config).await.unwrap();
        let state = anjian_server::state(&config, db).await.unwrap();
        anjian_server::seed_demo(&state, &config).await.unwrap();
        let app = anjian_server::api::router(state, &config);
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = config.conn_limits.clone();
        tokio::spawn(async move {
            anjian_server::listen::serve(listener, app, limits, std::future::pending())
                .await
                .unwrap();
        });
        addr
    });
    Server {
        base: format!("http://{addr}"),
        _dir: dir,
        _runtime: runtime,
    }
}

fn login(client: &Client, base: &str, user: &str, password: &str) -> u16 {
    client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn token(client: &Client, base: &str) -> String {
    let r: Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "username": "sb_inspector", "password": "anjian-demo" }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

/// One push of one operation (a new routine inspection started); its latency.
fn push_once(client: &Client, base: &str, token: &str) -> Duration {
    let id = uuid::Uuid::now_v7().to_string();
    let actor = Actor {
        person_id: "claimed".into(),
        name: "设备".into(),
        unit_id: "x".into(),
        roles: vec![Role::Inspector],
    };
    let insp = Inspection::start(
        id.clone(),
        InspectionKind::RoutineCheck,
        SITE,
        anjian_domain::checklist::compiled_for(Industry::Gas),
        actor,
        vec![],
        Utc::now(),
    )
    .unwrap();
    let body = json!({
        "protocol": 1,
        "device_id": "bench",
        "ops": [{
            "op_id": uuid::Uuid::now_v7().to_string(),
            "entity": "inspection",
            "entity_id": id,
            "op": "start",
            "payload": insp,
        }],
    });
    let t = Instant::now();
    let r = client
        .post(format!("{base}/v1/sync/push"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    t.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn measure(client: &Client, base: &str, token: &str, n: usize) -> (Duration, Duration) {
    let mut v: Vec<Duration> = (0..n).map(|_| push_once(client, base, token)).collect();
    v.sort();
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct FloodStats {
    attempts: u64,
    refused_401: u64,
    held_429: u64,
    busy_503: u64,
    per_second: f64,
}

fn run(label: &str, throttle: bool, pushes: usize) -> (Duration, Duration) {
    let server = start(throttle);
    let base = server.base.clone();
    let client = Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let token = token(&client, &base);
    for _ in 0..50 {
        push_once(&client, &base, &token);
    }
    let (idle_p50, idle_p99) = measure(&client, &base, &token, pushes);
    let rss_before = rss_mib();

    let stop = Arc::new(AtomicBool::new(false));
    let counts: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
    let users = [
        "admin",
        "sb_head",
        "zz_head",
        "xianzhang",
        "nobody",
        "fenguan",
    ];
    let flood_start = Instant::now();
    let threads: Vec<_> = (0..FLOOD)
        .map(|i| {
            let stop = stop.clone();
            let counts = counts.clone();
            let base = base.clone();
            std::thread::spawn(move || {
                let ip: IpAddr = format!("127.0.1.{}", i + 1).parse().unwrap();
                let c = Client::builder()
                    .local_address(ip)
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap();
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let status = login(&c, &base, users[(i + n) % users.len()], "guess-1234567");
                    n += 1;
                    counts[0].fetch_add(1, Ordering::Relaxed);
                    match status {
                        401 => counts[1].fetch_add(1, Ordering::Relaxed),
                        429 => counts[2].fetch_add(1, Ordering::Relaxed),
                        503 => counts[3].fetch_add(1, Ordering::Relaxed),
                        _ => 0,
                    };
                    if status == 429 {
                        // A held client retries soon, as a flood would.
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            })
        })
        .collect();
    // Let the flood reach its pace first.
    std::thread::sleep(Duration::from_secs(2));
    let (flood_p50, flood_p99) = measure(&client, &base, &token, pushes);
    let rss_during = rss_mib();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let secs = flood_start.elapsed().as_secs_f64();
    let stats = FloodStats {
        attempts: counts[0].load(Ordering::Relaxed),
        refused_401: counts[1].load(Ordering::Relaxed),
        held_429: counts[2].load(Ordering::Relaxed),
        busy_503: counts[3].load(Ordering::Relaxed),
        per_second: counts[0].load(Ordering::Relaxed) as f64 / secs,
    };
    println!(
        "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1}× | {} ({:.0}/s): {} 401, {} 429, {} 503 | {:.0} → {:.0} |",
        idle_p50.as_secs_f64() * 1e3,
        idle_p99.as_secs_f64() * 1e3,
        flood_p50.as_secs_f64() * 1e3,
        flood_p99.as_secs_f64() * 1e3,
        flood_p99.as_secs_f64() / idle_p99.as_secs_f64(),
        stats.attempts,
        stats.per_second,
        stats.refused_401,
        stats.held_429,
        stats.busy_503,
        rss_before,
        rss_during,
    );
    (idle_p99, flood_p99)
}

fn main() {
    let pushes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    println!(
        "one-operation sync push, {pushes} sequential pushes per phase; flood: {FLOOD} clients, wrong passwords; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| server | idle p50 ms | idle p99 ms | flood p50 ms | flood p99 ms | flood p99 / idle p99 | login attempts | RSS MiB before → during |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut worst: f64 = 0.0;
    for (label, throttle) in [
        ("as shipped (throttling on)", true),
        ("throttling off (every attempt hashed)", false),
    ] {
        let (idle, flood) = run(label, throttle, pushes);
        worst = worst.max(flood.as_secs_f64() / idle.as_secs_f64());
    }
    println!("worst flood p99 / idle p99: {worst:.1}× (target: within 5×)");
}
