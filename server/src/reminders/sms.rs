//! Reminders by SMS (短信): a provider interface, and 阿里云短信服务 (`SendSms`, RPC style,
//! signature version 1.0 with HMAC-SHA1) as the provider a county government uses. Configured
//! by environment (`ANJIAN_SMS_*`), off when not configured; a wrong configuration is refused
//! when the server starts. The message is a template the county registered with the provider
//! (its sign name and template code), filled with the reminder's title and text as template
//! parameters.

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use sha1::Sha1;

use super::channels::{hmac, url_encode};

/// Why a message was not sent: worth retrying (the provider was busy, the network failed) or
/// not (the number or the configuration is wrong: retrying would fail the same way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsError {
    Retry(String),
    Permanent(String),
}

/// One text message: to a mainland mobile number, the template's parameters, and the
/// delivery's id as the provider's reference (`OutId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    pub phone: String,
    /// Parameter name and value, in the template's order.
    pub params: Vec<(&'static str, String)>,
    pub out_id: String,
}

/// An SMS gateway (configured by the county; none is required).
pub trait SmsProvider: Send + Sync {
    /// Sends one message at `now` (the request's timestamp).
    fn send(&self, message: &SmsMessage, now: DateTime<Utc>) -> Result<(), SmsError>;
}

/// Template parameters are cut to this many characters, so a message stays short.
pub const PARAM_CHARS: usize = 35;

fn cut(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= PARAM_CHARS {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(PARAM_CHARS - 1).collect::<String>())
    }
}

/// The template parameters of a reminder: `title` (提醒类别, e.g. 隐患逾期提醒) and `content`
/// (what it is about, cut to [`PARAM_CHARS`]). The county's template uses both, e.g.
/// `您有一条${title}：${content}请登录安检系统查看。`
pub fn template_params(title: &str, text: &str) -> Vec<(&'static str, String)> {
    vec![("title", cut(title)), ("content", cut(text))]
}

/// A person's number as the provider takes it (11 digits, `1[3-9]…`), from what the person
/// record holds (spaces, dashes and a +86 / 0086 prefix allowed). The reason in Chinese when
/// there is none or it is not a mainland mobile number; the number itself is never repeated
/// in the reason (the delivery log is read more widely than phone numbers are).
pub fn mobile_number(phone: Option<&str>) -> Result<String, String> {
    let raw = phone.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err("此人未登记手机号，无法发送短信".into());
    }
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let national = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .or_else(|| {
            (digits.len() == 13)
                .then(|| digits.strip_prefix("86"))
                .flatten()
        })
        .unwrap_or(&digits);
    let b = national.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(national.to_string())
    } else {
        Err("登记的手机号不是有效的11位大陆手机号，无法发送短信".into())
    }
}

/// Which SMS service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// 阿里云短信服务 (dysmsapi, `SendSms`).
    Aliyun,
}

/// The SMS configuration as the environment gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConfig {
    pub provider: ProviderKind,
    /// The API address, `https://dysmsapi.aliyuncs.com/` unless set (http only to loopback).
    pub endpoint: String,
    pub key_id: String,
    pub secret: String,
    /// The approved 短信签名 (shown in 【】).
    pub sign_name: String,
    /// The approved template's code (`SMS_…`).
    pub template: String,
    /// The API's region, `cn-hangzhou` unless set.
    pub region: String,
}

/// The variables read, for messages.
pub const VARS: [&str; 7] = [
    "ANJIAN_SMS_PROVIDER",
    "ANJIAN_SMS_ENDPOINT",
    "ANJIAN_SMS_KEY_ID",
    "ANJIAN_SMS_SECRET",
    "ANJIAN_SMS_SIGN_NAME",
    "ANJIAN_SMS_TEMPLATE",
    "ANJIAN_SMS_REGION",
];

pub const ALIYUN_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";

fn loopback_host(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

impl SmsConfig {
    /// From the process environment.
    pub fn from_env() -> Result<Option<SmsConfig>, String> {
        SmsConfig::from_vars(|name| std::env::var(name).ok())
    }

    /// From variables looked up by name: none when no `ANJIAN_SMS_*` is set; a message
    /// (Chinese) naming what is wrong when the set is incomplete or invalid.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<SmsConfig>, String> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let set: Vec<&str> = VARS.into_iter().filter(|v| get(v).is_some()).collect();
        if set.is_empty() {
            return Ok(None);
        }
        let bad = |why: String| Err(format!("短信配置有误：{why}"));
        let provider = match get("ANJIAN_SMS_PROVIDER").as_deref() {
            Some("aliyun") => ProviderKind::Aliyun,
            Some(other) => {
                return bad(format!(
                    "ANJIAN_SMS_PROVIDER 为“{other}”，目前只支持 aliyun（阿里云短信服务）"
                ))
            }
            None => {
                return bad(format!(
                    "已设置 {}，但未设置 ANJIAN_SMS_PROVIDER（如 aliyun）",
                    set.join("、")
                ))
            }
        };
        let required = [
            ("ANJIAN_SMS_KEY_ID", "AccessKey ID"),
            ("ANJIAN_SMS_SECRET", "AccessKey Secret"),
            ("ANJIAN_SMS_SIGN_NAME", "短信签名"),
            ("ANJIAN_SMS_TEMPLATE", "短信模板编号"),
        ];
        let missing: Vec<String> = required
            .iter()
            .filter(|(v, _)| get(v).is_none())
            .map(|(v, what)| format!("{v}（{what}）"))
            .collect();
        if !missing.is_empty() {
            return bad(format!("缺少 {}", missing.join("、")));
        }
        let endpoint = get("ANJIAN_SMS_ENDPOINT").unwrap_or_else(|| ALIYUN_ENDPOINT.into());
        let secure = endpoint
            .strip_prefix("https://")
            .is_some_and(|r| !r.is_empty());
        let local = endpoint.strip_prefix("http://").is_some_and(loopback_host);
        if !(secure || local) || endpoint.len() > 300 || endpoint.contains('@') {
            return bad(format!(
                "ANJIAN_SMS_ENDPOINT“{endpoint}”须为 https:// 开头的网址（http:// 只允许本机地址）"
            ));
        }
        let template = get("ANJIAN_SMS_TEMPLATE").unwrap_or_default();
        if !template.starts_with("SMS_") || !template[4..].bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "ANJIAN_SMS_TEMPLATE“{template}”不是阿里云短信模板编号（如 SMS_123456789）"
            ));
        }
        let sign_name = get("ANJIAN_SMS_SIGN_NAME").unwrap_or_default();
        if sign_name.chars().count() > 30 {
            return bad("ANJIAN_SMS_SIGN_NAME 过长（短信签名不超过30个字）".into());
        }
        Ok(Some(SmsConfig {
            provider,
            endpoint,
            key_id: get("ANJIAN_SMS_KEY_ID").unwrap_or_default(),
            secret: get("ANJIAN_SMS_SECRET").unwrap_or_default(),
            sign_name,
            template,
            region: get("ANJIAN_SMS_REGION").unwrap_or_else(|| "cn-hangzhou".into()),
        }))
    }

    /// The provider this configuration names.
    pub fn provider(&self) -> std::sync::Arc<dyn SmsProvider> {
        match self.provider {
            ProviderKind::Aliyun => std::sync::Arc::new(Aliyun::new(self.clone())),
        }
    }
}

/// 阿里云短信服务's `SendSms` (API version 2017-05-25), posted as a form.
pub struct Aliyun {
    config: SmsConfig,
    client: reqwest::blocking::Client,
}

/// The parameters of one request, signature aside, sorted by name.
pub fn aliyun_params(
    c: &SmsConfig,
    m: &SmsMessage,
    now: DateTime<Utc>,
    nonce: &str,
) -> Vec<(String, String)> {
    let template: serde_json::Map<String, serde_json::Value> = m
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let mut p: Vec<(String, String)> = [
        ("AccessKeyId", c.key_id.clone()),
        ("Action", "SendSms".into()),
        ("Format", "JSON".into()),
        ("OutId", m.out_id.clone()),
        ("PhoneNumbers", m.phone.clone()),
        ("RegionId", c.region.clone()),
        ("SignName", c.sign_name.clone()),
        ("SignatureMethod", "HMAC-SHA1".into()),
        ("SignatureNonce", nonce.into()),
        ("SignatureVersion", "1.0".into()),
        ("TemplateCode", c.template.clone()),
        (
            "TemplateParam",
            serde_json::Value::Object(template).to_string(),
        ),
        ("Timestamp", now.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ("Version", "2017-05-25".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    p.sort();
    p
}

/// The canonical query of sorted parameters: names and values percent-encoded (RFC 3986,
/// space as `%20`), joined by `=` and `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The request's signature: base64 of HMAC-SHA1, keyed with the secret followed by `&`, over
/// `METHOD&%2F&` and the encoded canonical query.
pub fn aliyun_signature(secret: &str, method: &str, params: &[(String, String)]) -> String {
    let to_sign = format!(
        "{method}&{}&{}",
        url_encode("/"),
        url_encode(&canonical_query(params))
    );
    let mac = hmac::<Sha1>(format!("{secret}&").as_bytes(), to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// Provider answers that retrying will not fix (the number, the sign name, the template,
/// the account's key).
fn permanent(code: &str) -> bool {
    code.starts_with("isv.MOBILE")
        || code.starts_with("isv.SMS_SIGN")
        || code.starts_with("isv.SMS_TEMPLATE")
        || code.starts_with("isv.TEMPLATE")
        || code.starts_with("isv.INVALID_PARAMETERS")
        || code.starts_with("isv.BLACK_KEY")
        || code.starts_with("InvalidAccessKeyId")
        || code.starts_with("SignatureDoesNotMatch")
}

impl Aliyun {
    pub fn new(config: SmsConfig) -> Aliyun {
        Aliyun {
            config,
            client: reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
        }
    }
}

impl SmsProvider for Aliyun {
    fn send(&self, m: &SmsMessage, now: DateTime<Utc>) -> Result<(), SmsError> {
        let nonce = uuid::Uuid::now_v7().simple().to_string();
        let mut params = aliyun_params(&self.config, m, now, &nonce);
        let signature = aliyun_signature(&self.config.secret, "POST", &params);
        params.push(("Signature".into(), signature));
        let form = canonical_query(&params);
        let resp = self
            .client
            .post(&self.config.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .map_err(|e| SmsError::Retry(format!("短信发送失败：{}", e.without_url())))?;
        let status = resp.status();
        let answer: serde_json::Value = resp.json().unwrap_or_default();
        let code = answer.get("Code").and_then(|c| c.as_str()).unwrap_or("");
        let message = answer.get("Message").and_then(|c| c.as_str()).unwrap_or("");
        if status.is_success() && code == "OK" {
            return Ok(());
        }
        let why = if code.is_empty() {
            format!("短信服务返回 HTTP {status}")
        } else {
            format!("短信服务返回错误 {code}：{message}")
        };
        if permanent(code) {
            Err(SmsError::Permanent(why))
        } else {
            Err(SmsError::Retry(why))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(mobile_number(Some("138 0233 1000")).unwrap(), "13802331000");
        assert_eq!(
            mobile_number(Some("+86 13802331000")).unwrap(),
            "13802331000"
        );
        assert_eq!(mobile_number(Some("8613802331000")).unwrap(), "13802331000");
        assert!(mobile_number(None).unwrap_err().contains("未登记手机号"));
        assert!(mobile_number(Some("  "))
            .unwrap_err()
            .contains("未登记手机号"));
        for bad in ["023-54451234", "1380233100", "12802331000", "1380233100x"] {
            let e = mobile_number(Some(bad)).unwrap_err();
            assert!(
                e.contains("不是有效的11位大陆手机号") && !e.contains(bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn configuration() {
        assert_eq!(SmsConfig::from_vars(vars(&[])).unwrap(), None);
        let full = [
            ("ANJIAN_SMS_PROVIDER", "aliyun"),
            ("ANJIAN_SMS_KEY_ID", "LTAI-test"),
            ("ANJIAN_SMS_SECRET", "s3cret"),
            ("ANJIAN_SMS_SIGN_NAME", "忠县安委办"),
            ("ANJIAN_SMS_TEMPLATE", "SMS_465960123"),
        ];
        let c = SmsConfig::from_vars(vars(&full)).unwrap().unwrap();
        assert_eq!(c.endpoint, ALIYUN_ENDPOINT);
        assert_eq!(c.region, "cn-hangzhou");
        let e = SmsConfig::from_vars(vars(&full[1..])).unwrap_err();
        assert!(e.contains("未设置 ANJIAN_SMS_PROVIDER"), "{e}");
        let e = SmsConfig::from_vars(vars(&full[..3])).unwrap_err();
        assert!(
            e.contains("ANJIAN_SMS_SIGN_NAME") && e.contains("ANJIAN_SMS_TEMPLATE"),
            "{e}"
        );
        let mut other = full.to_vec();
        other[0].1 = "twilio";
        assert!(SmsConfig::from_vars(vars(&other))
            .unwrap_err()
            .contains("只支持 aliyun"));
        for endpoint in ["http://dysmsapi.aliyuncs.com/", "ftp://x", "https://u@x/"] {
            let mut v = full.to_vec();
            v.push(("ANJIAN_SMS_ENDPOINT", endpoint));
            let e = SmsConfig::from_vars(vars(&v)).unwrap_err();
            assert!(e.contains("ANJIAN_SMS_ENDPOINT"), "{endpoint}: {e}");
        }
        let mut v = full.to_vec();
        v.push(("ANJIAN_SMS_ENDPOINT", "http://127.0.0.1:8080/"));
        assert!(SmsConfig::from_vars(vars(&v)).is_ok());
        let mut v = full.to_vec();
        v[4].1 = "模板1";
        assert!(SmsConfig::from_vars(vars(&v))
            .unwrap_err()
            .contains("模板编号"));
    }

    #[test]
    fn parameters_are_cut() {
        let p = template_params("隐患逾期提醒", &"很长的说明".repeat(20));
        assert_eq!(p[0], ("title", "隐患逾期提醒".to_string()));
        assert_eq!(p[1].1.chars().count(), PARAM_CHARS);
        assert!(p[1].1.ends_with('…'));
    }
}
