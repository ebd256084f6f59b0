//! Helpers: a real server process on loopback, and device stores signed in to it.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub data: PathBuf,
    addr: String,
    env: Vec<(String, String)>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl ServerProcess {
    pub fn start(data: &Path) -> ServerProcess {
        ServerProcess::start_with_env(data, &[])
    }

    /// Started with these environment settings too (`ANJIAN_OIDC_*`, say).
    pub fn start_with_env(data: &Path, env: &[(&str, &str)]) -> ServerProcess {
        let addr = format!("127.0.0.1:{}", free_port());
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut s = ServerProcess {
            child: spawn(data, &addr, &env),
            base: format!("http://{addr}"),
            data: data.to_path_buf(),
            addr,
            env,
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = reqwest::blocking::get(format!("{}/healthz", self.base)) {
                if r.status().is_success() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not start");
    }

    /// SIGKILL and start again on the same data folder and port.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.child = spawn(&self.data, &self.addr, &self.env);
        self.wait_ready();
    }
}

fn spawn(data: &Path, addr: &str, env: &[(String, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_anjian-test-server"))
        .arg(data)
        .arg(addr)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/photos")
        .join(rel)
}

/// The `anjian` binary of this build (built on demand when only this package is tested).
pub fn anjian_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("anjian");
    if !bin.exists() {
        let profile = if dir.ends_with("release") {
            vec!["--release"]
        } else {
            vec![]
        };
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "anjian"])
            .args(profile)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success());
    }
    bin
}

/// A small xorshift generator seeded from the clock: fault points differ run to run.
pub struct Rng(pub u64);

impl Rng {
    pub fn seeded() -> Rng {
        Rng(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A bearer token for direct API checks.
pub fn token(server: &ServerProcess, user: &str) -> String {
    let r: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/auth/login", server.base))
        .json(&serde_json::json!({"username": user, "password": "anjian-demo"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

pub fn api_get(server: &ServerProcess, token: &str, path: &str) -> serde_json::Value {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
    resp.json().unwrap()
}

pub fn blob_sha(server: &ServerProcess, token: &str, sha: &str) -> Option<String> {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/v1/blobs/{sha}", server.base))
        .bearer_auth(token)
        .send()
        .unwrap();
    resp.status()
        .is_success()
        .then(|| anjian_evidence::sha256_hex(&resp.bytes().unwrap()))
}
