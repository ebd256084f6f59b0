//! Server instances that share nothing but PostgreSQL and S3-compatible object storage, as
//! separate `anjian serve` processes behind HAProxy on loopback: for the two-instance tests
//! and the load generator. Needs ANJIAN_TEST_DATABASE_URL (scripts/start-postgres.sh) and
//! ANJIAN_TEST_BLOBS with the AWS_* settings (scripts/start-seaweedfs.sh).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The shared stores of a cluster: a fresh database and a fresh prefix in the test bucket.
#[derive(Debug, Clone)]
pub struct Shared {
    pub database_url: String,
    pub blobs: String,
    admin: String,
    name: String,
}

impl Shared {
    /// `None` when PostgreSQL or S3 is not configured (asserted when they are required).
    pub fn create() -> Option<Shared> {
        let admin = std::env::var("ANJIAN_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let bucket = std::env::var("ANJIAN_TEST_BLOBS")
            .ok()
            .filter(|u| !u.is_empty());
        let (Some(admin), Some(bucket)) = (admin, bucket) else {
            for required in ["ANJIAN_REQUIRE_S3", "ANJIAN_REQUIRE_POSTGRES"] {
                assert!(
                    std::env::var(required).is_err(),
                    "{required} is set but ANJIAN_TEST_DATABASE_URL or ANJIAN_TEST_BLOBS is not"
                );
            }
            eprintln!("PostgreSQL and S3 not both configured: skipping");
            return None;
        };
        let name = format!("anjian_cluster_{}", uuid::Uuid::now_v7().simple());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        Some(Shared {
            database_url: format!("{base}/{name}"),
            blobs: format!("{}/{name}", bucket.trim_end_matches('/')),
            admin,
            name,
        })
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// One `anjian serve` process.
pub struct Instance {
    pub child: Child,
    pub base: String,
    pub port: u16,
    pub data: PathBuf,
}

impl Instance {
    /// Starts `anjian` (`bin`) on `data` with the shared stores; `demo` seeds the county.
    pub fn start(bin: &Path, data: &Path, shared: &Shared, demo: bool) -> Instance {
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .env("DATABASE_URL", &shared.database_url)
            .env("ANJIAN_BLOBS", &shared.blobs)
            .env("ANJIAN_TRUSTED_PROXIES", "127.0.0.1/32")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if demo {
            cmd.args(["--demo", "--demo-without-activity"]);
        }
        let child = cmd.spawn().unwrap();
        let instance = Instance {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            data: data.to_path_buf(),
        };
        wait_healthy(&instance.base);
        instance
    }

    /// CPU seconds the process has used (user + system), from /proc.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(self.child.id())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_healthy(base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(240) {
        if let Ok(r) = reqwest::blocking::get(format!("{base}/healthz")) {
            if r.status().is_success() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{base} did not start");
}

/// User + system CPU seconds of a process, from /proc/PID/stat (0 when unreadable).
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) close with ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'.
    (ticks(11) + ticks(12)) / 100.0
}

/// HAProxy on loopback in front of some instances: round robin, health-checked.
pub struct Balancer {
    pub child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Balancer {
    /// `None` when HAProxy is not installed (scripts/setup.sh installs it).
    pub fn start(backends: &[&Instance]) -> Option<Balancer> {
        let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cfg = format!(
            "global\n  maxconn 2000\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n  \
             option redispatch\n  retries 2\n\
             frontend anjian\n  bind 127.0.0.1:{port}\n  option forwardfor\n  default_backend servers\n\
             backend servers\n  balance roundrobin\n  option httpchk GET /healthz\n"
        );
        for (i, b) in backends.iter().enumerate() {
            cfg.push_str(&format!(
                "  server s{i} 127.0.0.1:{} check inter 300ms fall 1 rise 2\n",
                b.port
            ));
        }
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, cfg).unwrap();
        let child = Command::new(haproxy)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        wait_healthy(&base);
        Some(Balancer {
            child,
            base,
            _dir: dir,
        })
    }

    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(self.child.id())
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
