//! Where reminders go besides the app: a unit's group chat robot (钉钉 custom robot with a
//! signed webhook, 企业微信 group robot), configured per unit by 县安委办 (kept as a record no
//! one pulls; the secret never shown back), and SMS through a provider interface.

use std::collections::HashMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::storage::Tx;

/// The store's entity of a unit's chat robot (no audience: never synced).
pub const CHANNEL: &str = "reminder_channel";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// 钉钉（渝快政）自定义机器人
    Dingtalk,
    /// 企业微信（政务微信）群机器人
    Wecom,
}

/// A unit's group chat robot as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelConfig {
    pub unit_id: String,
    pub kind: ChannelKind,
    /// The robot's webhook address (with its access token).
    pub url: String,
    /// 钉钉 加签 secret (`SEC...`); none for 企业微信 or an unsigned robot.
    #[serde(default)]
    pub secret: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Every unit's robot, by unit id.
pub fn configured(tx: &mut dyn Tx) -> ApiResult<HashMap<String, ChannelConfig>> {
    tx.list_records(CHANNEL, None)?
        .into_iter()
        .map(|r| {
            let c: ChannelConfig = serde_json::from_value(r.data).map_err(ApiError::internal)?;
            Ok((c.unit_id.clone(), c))
        })
        .collect()
}

/// The robot hosts of 钉钉 and 企业微信: the only ones a robot posts to unless the county lists
/// more (`ANJIAN_WEBHOOK_HOSTS`).
pub const ROBOT_HOSTS: [&str; 2] = ["oapi.dingtalk.com", "qyapi.weixin.qq.com"];

/// A comma-separated host list, trimmed and lower-cased, empty entries dropped.
pub fn host_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

/// Checks a robot's webhook address: http(s), at most 500 characters, no user name, and a host
/// that is a 钉钉 or 企业微信 robot host or one the county listed (`extra`). The reason in
/// Chinese when refused.
pub fn check_webhook(url: &str, extra: &[String]) -> Result<(), String> {
    let usage = "机器人地址须为 http:// 或 https:// 开头的完整网址（不超过500个字符）";
    if url.len() > 500 {
        return Err(usage.into());
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(usage.into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("机器人地址不能含用户名或密码".into());
    }
    // The host without the port (an IPv6 literal keeps its brackets).
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")),
        None => authority.split(':').next().map(str::to_string),
    }
    .unwrap_or_default()
    .to_ascii_lowercase();
    if host.is_empty() {
        return Err(usage.into());
    }
    let allowed = ROBOT_HOSTS.contains(&host.as_str())
        || extra
            .iter()
            .any(|h| h.trim_matches(['[', ']']) == host.trim_matches(['[', ']']));
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "机器人地址的主机“{host}”不在允许范围内：只能使用钉钉（oapi.dingtalk.com）、企业微信（qyapi.weixin.qq.com）的群机器人地址，或本县配置的地址（ANJIAN_WEBHOOK_HOSTS）"
        ))
    }
}

/// HMAC (RFC 2104) over a hash with a 64-byte block (SHA-1, SHA-256).
pub fn hmac<D: Digest>(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let h = D::digest(key);
        k[..h.len()].copy_from_slice(&h);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = D::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    D::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    hmac::<Sha256>(key, message)
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 钉钉's signature of a request at `timestamp_ms`: base64 of HMAC-SHA256 with the secret as
/// key over "timestamp\nsecret", URL-encoded.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    );
    url_encode(&base64::engine::general_purpose::STANDARD.encode(mac))
}

/// The webhook address to post to: signed for a 钉钉 robot with a secret.
pub fn signed_url(c: &ChannelConfig, now: DateTime<Utc>) -> String {
    match (&c.kind, &c.secret) {
        (ChannelKind::Dingtalk, Some(secret)) => {
            let ts = now.timestamp_millis();
            let sep = if c.url.contains('?') { '&' } else { '?' };
            format!(
                "{}{sep}timestamp={ts}&sign={}",
                c.url,
                dingtalk_sign(secret, ts)
            )
        }
        _ => c.url.clone(),
    }
}

#[derive(Deserialize)]
pub(crate) struct Body {
    pub title: String,
    pub text: String,
    pub link: String,
}

/// The Markdown message (Chinese) with a link to the record in the console.
pub fn markdown(body: &str, public_url: &str) -> ApiResult<(String, String)> {
    let b: Body = serde_json::from_str(body).map_err(ApiError::internal)?;
    let link = format!("{}{}", public_url.trim_end_matches('/'), b.link);
    Ok((
        b.title.clone(),
        format!(
            "### {}\n\n{}\n\n[在安检控制台查看]({link})",
            b.title, b.text
        ),
    ))
}

/// The JSON a robot takes.
pub fn payload(kind: ChannelKind, title: &str, text: &str) -> serde_json::Value {
    match kind {
        ChannelKind::Dingtalk => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {"title": title, "text": text},
        }),
        ChannelKind::Wecom => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {"content": text},
        }),
    }
}

/// Posts to robots (blocking; run off the async threads), bounded by a timeout.
#[derive(Clone)]
pub struct Outbox {
    client: reqwest::blocking::Client,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox {
            client: reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
        }
    }

    /// Sends one message; an error says why (HTTP status, or the robot's errcode and errmsg).
    pub fn post(
        &self,
        c: &ChannelConfig,
        body: &str,
        public_url: &str,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let (title, text) = markdown(body, public_url).map_err(|e| e.message)?;
        let resp = self
            .client
            .post(signed_url(c, now))
            .json(&payload(c.kind, &title, &text))
            .send()
            .map_err(|e| format!("发送失败：{e}"))?;
        let status = resp.status();
        let answer: serde_json::Value = resp.json().unwrap_or_default();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        match answer.get("errcode").and_then(|c| c.as_i64()) {
            Some(0) | None => Ok(()),
            Some(code) => Err(format!(
                "机器人返回错误 {code}：{}",
                answer.get("errmsg").and_then(|m| m.as_str()).unwrap_or("")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn dingtalk_signature_is_encoded_for_the_query() {
        let s = dingtalk_sign("SECabc", 1_700_000_000_000);
        assert!(
            !s.contains('+') && !s.contains('/') && !s.contains('='),
            "{s}"
        );
        let c = ChannelConfig {
            unit_id: "u".into(),
            kind: ChannelKind::Dingtalk,
            url: "http://127.0.0.1:9/robot/send?access_token=t".into(),
            secret: Some("SECabc".into()),
            updated_by: String::new(),
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        };
        let url = signed_url(
            &c,
            DateTime::from_timestamp_millis(1_700_000_000_000).unwrap(),
        );
        assert_eq!(
            url,
            format!(
                "http://127.0.0.1:9/robot/send?access_token=t&timestamp=1700000000000&sign={s}"
            )
        );
    }
}
