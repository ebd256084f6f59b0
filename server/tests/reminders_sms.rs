//! Reminders by SMS (阿里云短信服务 `SendSms`) end to end, on SQLite and PostgreSQL: a hazard
//! overdue escalated to its unit's head reaches his phone once, through a provider on loopback
//! that checks each request's signature as the provider documents it and fails twice first,
//! across a restarted instance; quiet hours hold; a malformed number fails once with a Chinese
//! reason and is not retried; no SMS without configuration. A test clock drives time.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use anjian_domain::hazard::china_date;
use anjian_server::error::ApiError;
use anjian_server::reminders::sms::{SmsConfig, ALIYUN_ENDPOINT};
use anjian_server::reminders::Engine;
use base64::Engine as _;
use chrono::{Duration, NaiveDate, SecondsFormat, Utc};
use common::receiver::{Receiver, Request};
use common::TestServer;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

const ZHONGZHOU: &str = "500233001";
const KEY_ID: &str = "LTAI5t-test-key";
const SECRET: &str = "test-secret-忠县";
const SIGN_NAME: &str = "忠县安委办";
const TEMPLATE: &str = "SMS_465960123";
const OVERDUE: &str = "隐患逾期提醒";

use common::china_time as china;

/// Percent-decoding of a form field.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// RFC 3986 encoding as the provider's signature documentation asks: unreserved characters
/// kept, everything else `%XY` (upper-case hex), a space `%20`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(r: &Request) -> BTreeMap<String, String> {
    std::str::from_utf8(&r.body)
        .unwrap()
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

/// Whether a request carries the signature the provider computes: every parameter but
/// `Signature`, sorted by name, encoded and joined into the canonical query; the string to
/// sign `POST&%2F&` + its encoding; HMAC-SHA1 keyed with the secret and `&`, in base64.
fn signature_ok(r: &Request) -> bool {
    let mut params = form(r);
    let Some(signature) = params.remove("Signature") else {
        return false;
    };
    let canonical = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&{}&{}", encode("/"), encode(&canonical));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    signature == expected
}

/// The template parameters of a request.
fn template(r: &Request) -> Value {
    serde_json::from_str(&form(r)["TemplateParam"]).unwrap()
}

/// 阿里云's `SendSms` on loopback: refuses a bad signature; the first two overdue messages
/// fail (HTTP 500, then a throttling answer), the rest succeed.
fn provider() -> Receiver {
    Receiver::start(|before, r| {
        if !signature_ok(r) {
            let answer = json!({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."});
            return ("400 Bad Request", answer.to_string(), true);
        }
        let overdue_before = before
            .iter()
            .filter(|b| template(b)["title"] == OVERDUE)
            .count();
        if template(r)["title"] == OVERDUE && overdue_before < 2 {
            return if overdue_before == 0 {
                ("500 Internal Server Error", String::new(), true)
            } else {
                let answer = json!({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"});
                ("200 OK", answer.to_string(), true)
            };
        }
        let answer = json!({"Code": "OK", "Message": "OK", "BizId": "9006197469364984400", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"});
        ("200 OK", answer.to_string(), false)
    })
}

fn sms_config(endpoint: &str) -> SmsConfig {
    let vars = [
        ("ANJIAN_SMS_PROVIDER", "aliyun"),
        ("ANJIAN_SMS_ENDPOINT", endpoint),
        ("ANJIAN_SMS_KEY_ID", KEY_ID),
        ("ANJIAN_SMS_SECRET", SECRET),
        ("ANJIAN_SMS_SIGN_NAME", SIGN_NAME),
        ("ANJIAN_SMS_TEMPLATE", TEMPLATE),
    ];
    SmsConfig::from_vars(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .unwrap()
    .unwrap()
}

/// Sets the phone number on the person record of `unit`'s head.
fn set_head_phone(s: &TestServer, unit: &str, phone: &str) {
    s.state
        .db
        .transact(|tx| -> Result<(), ApiError> {
            let rec = tx
                .list_records("person", None)?
                .into_iter()
                .find(|r| {
                    r.data["unit_id"] == unit
                        && r.data["roles"]
                            .as_array()
                            .is_some_and(|a| a.contains(&json!("unit_head")))
                })
                .expect("the unit's head");
            let mut data = rec.data.clone();
            data["phone"] = json!(phone);
            tx.put_record(&anjian_server::storage::StoredRecord {
                version: rec.version + 1,
                data,
                ..rec
            })?;
            Ok(())
        })
        .unwrap();
}

/// A hazard raised in 石宝镇 and assigned to 忠州街道 with a deadline tomorrow; its id and
/// deadline.
fn overdue_hazard(s: &TestServer) -> (String, NaiveDate) {
    let deadline = china_date(Utc::now()) + Duration::days(1);
    (common::assigned_hazard(s, ZHONGZHOU, deadline), deadline)
}

/// The SMS deliveries of one hazard in the office's log, oldest first.
fn sms_log(s: &TestServer, hazard_id: &str) -> Vec<Value> {
    let admin = s.login("admin");
    let log = s.get_json(
        &admin,
        &format!("/v1/reminders/deliveries?unit={ZHONGZHOU}&limit=1000"),
    );
    let mut rows: Vec<Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["channel"] == "sms" && d["record"] == format!("hazard:{hazard_id}"))
        .cloned()
        .collect();
    rows.sort_by(|a, b| a["due_at"].as_str().cmp(&b["due_at"].as_str()));
    rows
}

both_backends!(
    an_overdue_escalation_reaches_the_head_by_sms_once,
    |s: &TestServer| {
        let rx = provider();
        set_head_phone(s, ZHONGZHOU, "138 0233 1000");
        let (hazard_id, deadline) = overdue_hazard(s);
        let public = "https://anjian.zhongxian.example".to_string();
        let config = sms_config(&format!("{}/", rx.base));
        let overdue = |rx: &Receiver| -> Vec<Request> {
            rx.all()
                .into_iter()
                .filter(|r| template(r)["title"] == OVERDUE)
                .collect()
        };

        // Three days overdue, at the morning digest: the head's SMS is logged and tried; the
        // provider fails (HTTP 500).
        let db = s.state.db.clone();
        let engine = Engine::new(public.clone(), Some(config.provider()));
        let day3 = china(deadline + Duration::days(3), 9, 0);
        engine.tick(&db, day3).unwrap();
        assert_eq!(overdue(&rx).len(), 1);
        // Retried after a minute: the provider throttles.
        engine.tick(&db, day3 + Duration::minutes(1)).unwrap();
        assert_eq!(overdue(&rx).len(), 2);
        // Not yet due again (backoff 5 minutes).
        engine.tick(&db, day3 + Duration::minutes(3)).unwrap();
        assert_eq!(overdue(&rx).len(), 2);
        // The instance restarts after its lease ran out: sent once.
        drop(engine);
        let engine = Engine::new(public.clone(), Some(config.provider()));
        let db = Arc::new(anjian_server::open_db(&s.config).unwrap());
        let after = day3 + Duration::minutes(9);
        engine.tick(&db, after).unwrap();
        let got = overdue(&rx);
        assert_eq!(got.len(), 3);
        let sent = &got[2];
        assert!(!sent.failed && signature_ok(sent));
        let p = form(sent);
        assert_eq!(p["Action"], "SendSms");
        assert_eq!(p["Version"], "2017-05-25");
        assert_eq!(p["AccessKeyId"], KEY_ID);
        assert_eq!(p["PhoneNumbers"], "13802331000");
        assert_eq!(p["SignName"], SIGN_NAME);
        assert_eq!(p["TemplateCode"], TEMPLATE);
        assert_eq!(p["SignatureMethod"], "HMAC-SHA1");
        assert_eq!(p["SignatureVersion"], "1.0");
        assert_eq!(
            p["Timestamp"],
            after.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        // Each attempt is a new nonce; the reference stays the delivery's.
        assert_ne!(form(&got[0])["SignatureNonce"], p["SignatureNonce"]);
        assert_eq!(form(&got[0])["OutId"], p["OutId"]);
        let t = template(sent);
        let content = t["content"].as_str().unwrap();
        assert!(content.starts_with("忠州街道："), "{content}");
        assert!(content.chars().count() <= 35, "{content}");
        // Again at the same time and later that day: nothing more.
        engine.tick(&db, after).unwrap();
        engine.tick(&db, after + Duration::hours(3)).unwrap();
        assert_eq!(overdue(&rx).len(), 3);

        // Quiet hours hold: early the next morning nothing goes out; at the digest, that
        // day's escalation, once.
        let before = rx.count();
        let r = engine
            .tick(&db, china(deadline + Duration::days(4), 6, 30))
            .unwrap();
        assert_eq!((r.queued, r.sent, rx.count()), (0, 0, before));
        let day4 = china(deadline + Duration::days(4), 9, 0);
        engine.tick(&db, day4).unwrap();
        engine.tick(&db, day4 + Duration::minutes(30)).unwrap();
        assert_eq!(overdue(&rx).len(), 4);
        assert!(!overdue(&rx)[3].failed);

        // A number that is no mobile number: logged as failed with the reason, not retried,
        // and the provider is never called.
        set_head_phone(s, ZHONGZHOU, "023-5445 1234");
        let day5 = china(deadline + Duration::days(5), 9, 0);
        for at in [
            day5,
            day5 + Duration::minutes(10),
            day5 + Duration::hours(3),
        ] {
            engine.tick(&db, at).unwrap();
        }
        assert_eq!(overdue(&rx).len(), 4);

        // The office's log: one SMS delivery per day, to the head only.
        let log = sms_log(s, &hazard_id);
        let states: Vec<(&str, i64)> = log
            .iter()
            .map(|d| {
                (
                    d["state"].as_str().unwrap(),
                    d["attempts"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(states, [("sent", 3), ("sent", 1), ("failed", 1)]);
        assert!(log.iter().all(|d| d["rule_id"] == "hazard-overdue-head"));
        let reason = log[2]["last_error"].as_str().unwrap();
        assert!(reason.contains("不是有效的11位大陆手机号"), "{reason}");
        let text = serde_json::to_string(&log).unwrap();
        assert!(!text.contains("5445") && !text.contains(SECRET), "{text}");
        // The deputy head is reminded in the app, not by SMS (the rules say which).
        assert!(log.iter().all(|d| d["title"] == OVERDUE));
    }
);

both_backends!(no_sms_without_configuration, |s: &TestServer| {
    set_head_phone(s, ZHONGZHOU, "13802331000");
    let (hazard_id, deadline) = overdue_hazard(s);
    let engine = Engine::new(String::new(), None);
    let day3 = china(deadline + Duration::days(3), 9, 0);
    let r = engine.tick(&s.state.db, day3).unwrap();
    assert!(r.leader && r.queued > 0);
    assert!(sms_log(s, &hazard_id).is_empty());
});

#[test]
fn a_wrong_configuration_is_refused_with_a_clear_message() {
    let e = SmsConfig::from_vars(|k| (k == "ANJIAN_SMS_KEY_ID").then(|| KEY_ID.to_string()))
        .unwrap_err();
    assert!(e.contains("未设置 ANJIAN_SMS_PROVIDER"), "{e}");
    let e = SmsConfig::from_vars(|k| match k {
        "ANJIAN_SMS_PROVIDER" => Some("aliyun".into()),
        "ANJIAN_SMS_ENDPOINT" => Some("http://sms.example.com/".into()),
        _ => Some("x".into()),
    })
    .unwrap_err();
    assert!(e.starts_with("短信配置有误"), "{e}");
    // The default address is the provider's own, over HTTPS.
    let c = sms_config(ALIYUN_ENDPOINT);
    assert_eq!(c.endpoint, "https://dysmsapi.aliyuncs.com/");
}
