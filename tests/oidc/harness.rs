//! The test harness around the real OpenID Connect provider (provider.mjs), shared by the
//! server's tests (server/tests/identity.rs) and the phone's (tests/tests/phone_identity.rs)
//! through `#[path]`: the provider process, and a browser that follows its redirects.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::blocking::Client;

/// The provider process, ended on drop.
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts the provider (tests/oidc/provider.mjs) accepting `redirects`; None (with a
/// notice) when `node` is missing.
pub fn provider(redirects: &[&str]) -> Option<Provider> {
    if !node_available() {
        eprintln!(
            "node is not installed: skipping the OpenID Connect tests (scripts/setup.sh installs it)"
        );
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/oidc");
    if !dir.join("node_modules/oidc-provider").exists() {
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "npm ci in tests/oidc failed (the test provider's package)"
        );
    }
    let mut child = Command::new("node")
        .arg(dir.join("provider.mjs"))
        .args(redirects)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the test provider");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // The provider's later notices are drained (a closed pipe would end it).
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("READY ")
        .unwrap_or_else(|| panic!("provider did not start: {line:?}"))
        .to_string();
    Some(Provider { child, issuer })
}

/// A browser without redirects followed: cookies kept by name.
pub struct Browser {
    client: Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    /// Follows the provider's redirects from `url` until it sends the browser to
    /// `redirect`; returns that URL's query parameters.
    pub fn sign_in(&mut self, url: &str, redirect: &str) -> HashMap<String, String> {
        let mut url = url.to_string();
        for _ in 0..10 {
            if url.starts_with(redirect) {
                return reqwest::Url::parse(&url)
                    .unwrap()
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
            }
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let r = self
                .client
                .get(&url)
                .header("Cookie", cookie)
                .send()
                .unwrap();
            for c in r.headers().get_all("set-cookie") {
                let pair = c.to_str().unwrap().split(';').next().unwrap();
                if let Some((k, v)) = pair.split_once('=') {
                    self.cookies.insert(k.trim().into(), v.trim().into());
                }
            }
            assert!(
                r.status().is_redirection(),
                "provider answered {} at {url}",
                r.status()
            );
            let next = r.headers()["location"].to_str().unwrap().to_string();
            url = reqwest::Url::parse(&url)
                .unwrap()
                .join(&next)
                .unwrap()
                .to_string();
        }
        panic!("too many redirects");
    }
}
