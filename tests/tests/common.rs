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
        let addr = format!("127.0.0.1:{}", free_port());
        let mut s = ServerProcess {
            child: spawn(data, &addr),
            base: format!("http://{addr}"),
            data: data.to_path_buf(),
            addr,
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
        self.child = spawn(&self.data, &self.addr);
        self.wait_ready();
    }
}

fn spawn(data: &Path, addr: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_anjian-test-server"))
        .arg(data)
        .arg(addr)
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
