//! Sign-in through a province's unified identity (an OpenID Connect provider such as 渝快政),
//! the phone's side. The server is the relying party (`/v1/auth/oidc/start` and `finish`);
//! the phone only opens the provider's page in the system browser and hands back what the
//! provider sent to the app's link.
//!
//! Rules kept here:
//! - the pending sign-in (the server's secret handle, the `state` the provider must send
//!   back, the server, its expiry) is kept in the store, so it survives the app being killed
//!   while the person is in the browser;
//! - a redirect whose `state` is not the pending one is refused and leaves the pending
//!   sign-in as it was (a stray or forged link cannot cancel it);
//! - the pending sign-in is taken (deleted) before `finish` is called: used once;
//! - an expired one is refused without asking the server;
//! - success keeps the session exactly as the password login does.

use chrono::{DateTime, Duration, Utc};
use reqwest::blocking::Response;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use anjian_domain::org::Person;

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::sync_engine::{client, network_message, server_message};

/// The setting holding the pending sign-in (JSON of [`Pending`]).
const PENDING: &str = "oidc_pending";
/// The setting caching what the server last said of its provider (JSON of [`Offered`]).
const OFFERED: &str = "oidc_offered";
/// The longest `error_description` shown to the person.
const MAX_DESCRIPTION: usize = 200;

/// A sign-in started on this phone and not yet finished.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Pending {
    server: String,
    handle: String,
    state: String,
    /// On this phone's clock (the server's lifetime applied to the phone's now).
    expires_at: DateTime<Utc>,
}

/// What a server said of its unified identity provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Offered {
    server: String,
    /// The button's text (渝快政登录), when the phone may sign in through it.
    name: Option<String>,
}

#[derive(Deserialize)]
struct ConsoleConfig {
    identity_provider: Option<ProviderInfo>,
}

#[derive(Deserialize)]
struct ProviderInfo {
    name: String,
    app: bool,
}

#[derive(Deserialize)]
struct Started {
    authorize_url: String,
    handle: String,
    expires_at: DateTime<Utc>,
}

fn restart_hint() -> &'static str {
    "请重新点击统一身份认证登录"
}

fn offline(e: &reqwest::Error) -> StoreError {
    StoreError::Offline(network_message(e))
}

/// The server's clock from a response's Date header (the phone's when there is none).
fn server_now(resp: &Response) -> DateTime<Utc> {
    resp.headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

/// The provider's answer carried by the app's link.
enum Answer {
    Code {
        code: String,
        state: String,
    },
    Error {
        message: String,
        state: Option<String>,
    },
}

fn parse_redirect(redirect_url: &str) -> Result<Answer> {
    let url = reqwest::Url::parse(redirect_url.trim()).map_err(|_| StoreError::Invalid {
        field: "统一身份认证返回地址",
        reason: "不是有效的网址".into(),
    })?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    let state = param("state");
    if let Some(error) = param("error") {
        let message = match error.as_str() {
            "access_denied" => "已在统一身份认证页面取消或拒绝了登录".to_string(),
            "login_required" | "interaction_required" | "consent_required" => {
                "统一身份认证需要先在其页面完成登录".to_string()
            }
            other => {
                let detail: String = param("error_description")
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_DESCRIPTION)
                    .collect();
                if detail.is_empty() {
                    format!("统一身份认证未通过（{other}）")
                } else {
                    format!("统一身份认证未通过（{other}：{detail}）")
                }
            }
        };
        return Ok(Answer::Error { message, state });
    }
    match (param("code"), state) {
        (Some(code), Some(state)) => Ok(Answer::Code { code, state }),
        _ => Err(StoreError::Invalid {
            field: "统一身份认证返回地址",
            reason: "缺少 code 或 state".into(),
        }),
    }
}

impl Store {
    fn pending_sign_in(&self) -> Result<Option<Pending>> {
        Ok(self
            .get_setting(PENDING)?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Removes the pending sign-in if it is still `expected`: true when this call took it.
    fn take_sign_in(&self, expected: &Pending) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM sync_state WHERE key = ?1 AND json_extract(value, '$.handle') = ?2",
                rusqlite::params![PENDING, expected.handle],
            )? == 1)
        })
    }

    /// The button text of the server's unified identity provider when the phone may sign in
    /// through it (渝快政登录), or None. Out of reach, the last answer for this server is
    /// given (the login screen shows it offline too).
    pub fn identity_provider(&self, server: &str) -> Result<Option<String>> {
        let server = server.trim().trim_end_matches('/').to_string();
        let cached = || -> Result<Option<String>> {
            Ok(self
                .get_setting(OFFERED)?
                .and_then(|v| serde_json::from_str::<Offered>(&v).ok())
                .filter(|o| o.server == server)
                .and_then(|o| o.name))
        };
        let resp = match client()
            .get(format!("{server}/v1/console/config"))
            .timeout(std::time::Duration::from_secs(15))
            .send()
        {
            Ok(r) => r,
            Err(_) => return cached(),
        };
        if resp.status().is_server_error() {
            return cached();
        }
        let name = if resp.status().is_success() {
            match resp.json::<ConsoleConfig>() {
                Ok(c) => c.identity_provider.filter(|p| p.app).map(|p| p.name),
                Err(_) => return cached(),
            }
        } else {
            None
        };
        let offered = Offered {
            server,
            name: name.clone(),
        };
        self.put_setting(OFFERED, &serde_json::to_string(&offered)?)?;
        Ok(name)
    }

    /// Starts a sign-in through the unified identity provider: returns the URL to open in
    /// the system browser. The pending sign-in is kept in the store (replacing any earlier
    /// one), so it survives the app being killed meanwhile.
    pub fn start_identity_login(&self, server: &str) -> Result<String> {
        let server = server.trim().trim_end_matches('/').to_string();
        if reqwest::Url::parse(&server).is_err() {
            return Err(StoreError::Invalid {
                field: "服务器地址",
                reason: "不是有效的网址".into(),
            });
        }
        let resp = client()
            .post(format!("{server}/v1/auth/oidc/start"))
            .json(&serde_json::json!({ "client": "app" }))
            .send()
            .map_err(|e| offline(&e))?;
        self.note_clock(&resp);
        match resp.status() {
            s if s.is_success() => {}
            StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY => {
                return Err(StoreError::Refused(format!(
                    "本服务器未开放手机统一身份认证登录（{}），请用账号密码登录",
                    server_message(resp)
                )))
            }
            s if s.is_server_error() => return Err(StoreError::Offline(server_message(resp))),
            _ => return Err(StoreError::Refused(server_message(resp))),
        }
        let now = server_now(&resp);
        let started: Started = resp.json().map_err(|e| StoreError::Invalid {
            field: "登录",
            reason: e.to_string(),
        })?;
        let state = reqwest::Url::parse(&started.authorize_url)
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "state")
                    .map(|(_, v)| v.into_owned())
            })
            .filter(|s| !s.is_empty())
            .ok_or_else(|| StoreError::Invalid {
                field: "登录",
                reason: "服务器给出的统一身份认证地址缺少 state".into(),
            })?;
        let lifetime = (started.expires_at - now).max(Duration::zero());
        let pending = Pending {
            server,
            handle: started.handle,
            state,
            expires_at: Utc::now() + lifetime,
        };
        self.put_setting(PENDING, &serde_json::to_string(&pending)?)?;
        Ok(started.authorize_url)
    }

    /// Finishes the pending sign-in with the link the provider sent the browser to (the
    /// app's link with `code` and `state`, or the provider's `error`). On success the
    /// session is kept like the password login's and the person is returned.
    pub fn finish_identity_login(&self, redirect_url: &str) -> Result<Person> {
        let answer = parse_redirect(redirect_url)?;
        let Some(pending) = self.pending_sign_in()? else {
            return Err(StoreError::SignInExpired(format!(
                "没有进行中的统一身份认证登录（可能已完成或已失效），{}",
                restart_hint()
            )));
        };
        let (code, state) = match answer {
            Answer::Error { message, state } => {
                if state.as_deref() == Some(pending.state.as_str()) {
                    self.take_sign_in(&pending)?;
                }
                return Err(StoreError::Refused(message));
            }
            Answer::Code { code, state } => (code, state),
        };
        if state != pending.state {
            return Err(StoreError::Refused(format!(
                "返回的登录信息与本机发起的登录不符，已拒绝；{}",
                restart_hint()
            )));
        }
        // Used once: whoever takes it finishes; a second redirect finds nothing.
        if !self.take_sign_in(&pending)? {
            return Err(StoreError::SignInExpired(format!(
                "该统一身份认证登录已处理过，{}",
                restart_hint()
            )));
        }
        if Utc::now() >= pending.expires_at {
            return Err(StoreError::SignInExpired(format!(
                "统一身份认证登录已超时，{}",
                restart_hint()
            )));
        }
        let resp = client()
            .post(format!("{}/v1/auth/oidc/finish", pending.server))
            .json(&serde_json::json!({
                "handle": pending.handle,
                "code": code,
                "state": state,
            }))
            .send()
            .map_err(|e| {
                StoreError::Offline(format!("{}，{}", network_message(&e), restart_hint()))
            })?;
        self.note_clock(&resp);
        match resp.status() {
            s if s.is_success() => self.keep_session(&pending.server, None, resp),
            StatusCode::UNAUTHORIZED => Err(StoreError::SignInExpired(server_message(resp))),
            s if s.is_server_error() => Err(StoreError::Offline(format!(
                "{}，{}",
                server_message(resp),
                restart_hint()
            ))),
            _ => Err(StoreError::Refused(server_message(resp))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_parameters() {
        match parse_redirect("https://app.test/oidc?code=abc&state=xyz").unwrap() {
            Answer::Code { code, state } => {
                assert_eq!((code.as_str(), state.as_str()), ("abc", "xyz"))
            }
            Answer::Error { .. } => panic!("a code"),
        }
        match parse_redirect("https://app.test/oidc?error=access_denied&state=xyz").unwrap() {
            Answer::Error { message, state } => {
                assert!(message.contains("拒绝"), "{message}");
                assert_eq!(state.as_deref(), Some("xyz"));
            }
            Answer::Code { .. } => panic!("an error"),
        }
        match parse_redirect("https://app.test/oidc?error=server_error&error_description=down%0A")
            .unwrap()
        {
            Answer::Error { message, .. } => {
                assert_eq!(message, "统一身份认证未通过（server_error：down）")
            }
            Answer::Code { .. } => panic!("an error"),
        }
        assert!(parse_redirect("https://app.test/oidc?code=abc").is_err());
        assert!(parse_redirect("not a url").is_err());
    }
}
