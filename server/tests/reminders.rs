//! The reminder engine end to end, on SQLite and PostgreSQL: a hazard assigned through the
//! real apply path, then the engine driven by a test clock (no sleeping for deadlines) against a
//! 钉钉-style webhook receiver on loopback that fails twice first. Each message arrives once,
//! signed; across a restarted instance; with two instances only the lease holder sends; quiet
//! hours hold; in-app reminders reach only their recipient, through the API and through sync.

mod common;

use std::sync::Arc;

use anjian_domain::hazard::china_date;
use anjian_server::reminders::channels::dingtalk_sign;
use anjian_server::reminders::Engine;
use chrono::{DateTime, Duration, Utc};
use common::{receiver, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";
const ZHONGZHOU: &str = "500233001";
const SECRET: &str = "SEC-test-secret-忠县";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    query: String,
    body: Value,
    /// It was answered with a failure.
    failed: bool,
}

/// A 钉钉-style webhook receiver on loopback: the first `fail_first` requests get HTTP 500.
struct Receiver {
    url: String,
    rx: receiver::Receiver,
}

impl Receiver {
    fn start(fail_first: usize) -> Receiver {
        let rx = receiver::Receiver::start(move |before, _| {
            if before.len() < fail_first {
                (
                    "500 Internal Server Error",
                    r#"{"errcode":-1,"errmsg":"busy"}"#.into(),
                    true,
                )
            } else {
                ("200 OK", r#"{"errcode":0,"errmsg":"ok"}"#.into(), false)
            }
        });
        let url = format!("{}/robot/send?access_token=zz-token", rx.base);
        Receiver { url, rx }
    }

    /// The posts about one record that were answered with success.
    fn delivered(&self, about: &str) -> Vec<Hit> {
        self.rx
            .all()
            .into_iter()
            .map(|r| Hit {
                query: r.query().to_string(),
                body: serde_json::from_slice(&r.body).unwrap(),
                failed: r.failed,
            })
            .filter(|h| !h.failed && h.body.to_string().contains(about))
            .collect()
    }

    fn count(&self) -> usize {
        self.rx.count()
    }
}

use common::china_time as china;

/// The title of a robot message (the Markdown's first line).
fn title(h: &Hit) -> String {
    h.body["markdown"]["title"].as_str().unwrap().to_string()
}

fn check_signature(h: &Hit, at: DateTime<Utc>) {
    let ts = at.timestamp_millis();
    let expected = format!(
        "access_token=zz-token&timestamp={ts}&sign={}",
        dingtalk_sign(SECRET, ts)
    );
    assert_eq!(h.query, expected);
}

both_backends!(
    a_hazard_reminds_once_each_signed_across_restarts_and_failures,
    |s: &TestServer| {
        let rx = Receiver::start(2);
        let admin = s.login("admin");
        // The office sets 忠州街道's 钉钉 robot; the secret and token are never shown back.
        let r = s
            .request(
                reqwest::Method::PUT,
                &admin,
                &format!("/v1/reminders/channels/{ZHONGZHOU}"),
            )
            .json(&json!({"kind": "dingtalk", "url": rx.url, "secret": SECRET}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let listed = s.get(&admin, "/v1/reminders/channels").text().unwrap();
        assert!(
            !listed.contains("zz-token") && !listed.contains(SECRET),
            "{listed}"
        );
        let head = s.login("zz_head");
        let r = s
            .request(
                reqwest::Method::PUT,
                &head,
                &format!("/v1/reminders/channels/{ZHONGZHOU}"),
            )
            .json(&json!({"kind": "wecom", "url": "http://127.0.0.1:9/x"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 403, "only 县安委办 sets robots");
        // Only the 钉钉 and 企业微信 robot hosts, or the hosts configured (loopback here).
        for url in [
            "https://example.com/robot/send?access_token=t",
            "https://oapi.dingtalk.com.example.com/robot/send",
            "https://x@oapi.dingtalk.com/robot/send",
        ] {
            let r = s
                .request(
                    reqwest::Method::PUT,
                    &admin,
                    &format!("/v1/reminders/channels/{ZHONGZHOU}"),
                )
                .json(&json!({"kind": "wecom", "url": url}))
                .send()
                .unwrap();
            assert_eq!(r.status(), 422, "{url}");
            let body = r.text().unwrap();
            assert!(
                body.contains("不在允许范围内") || body.contains("用户名"),
                "{url}: {body}"
            );
        }

        // A hazard raised in 石宝镇, accepted by 县住房城乡建委 and assigned (交办) to 忠州街道.
        let inspector = s.login("sb_inspector");
        let today = china_date(Utc::now());
        let deadline = today + Duration::days(6);
        let hazard_id = common::assigned_hazard(s, ZHONGZHOU, deadline);

        let db = s.state.db.clone();
        let engine = Engine::new("https://anjian.zhongxian.example".into(), None);
        // Time as the test says: the assignment at the latest 23:59 today, so the first moment
        // outside quiet hours after it is the next morning at 08:00 at the latest.
        let morning = china(today + Duration::days(1), 8, 5);
        let first = engine.tick(&db, morning).unwrap();
        assert!(first.leader);
        assert_eq!(rx.count(), 1, "the first post fails");
        // A second instance on the same database does nothing while the lease is held.
        let other = anjian_server::open_db(&s.config).unwrap();
        let second = Engine::new(String::new(), None);
        assert!(!second.tick(&other, morning).unwrap().leader);
        // Retried after a minute: fails again.
        let retry = morning + Duration::minutes(1);
        assert_eq!(engine.tick(&db, retry).unwrap().failed, 1);
        assert_eq!(rx.count(), 2);
        // Not yet due again (backoff 5 minutes).
        engine.tick(&db, retry + Duration::minutes(2)).unwrap();
        assert_eq!(rx.count(), 2);
        // The instance restarts: a new engine on a newly opened database, after its lease ran out.
        drop(engine);
        let engine = Engine::new("https://anjian.zhongxian.example".into(), None);
        let db = Arc::new(anjian_server::open_db(&s.config).unwrap());
        let after = morning + Duration::minutes(9);
        let r = engine.tick(&db, after).unwrap();
        assert!(r.leader && r.sent == 1, "{r:?}");
        let got = rx.delivered(&hazard_id);
        assert_eq!(got.len(), 1);
        check_signature(&got[0], after);
        assert_eq!(title(&got[0]), "隐患交办提醒");
        let text = got[0].body["markdown"]["text"].as_str().unwrap();
        assert!(text.contains("已交办忠州街道整改"), "{text}");
        assert!(
            text.contains(&format!(
                "https://anjian.zhongxian.example/hazards/{hazard_id}"
            )),
            "{text}"
        );
        // Again at the same time, and later that day: nothing new.
        engine.tick(&db, after).unwrap();
        engine.tick(&db, after + Duration::hours(3)).unwrap();
        assert_eq!(rx.delivered(&hazard_id).len(), 1);

        // Quiet hours hold: late at night nothing is sent, even what is due.
        let night = china(deadline - Duration::days(3), 6, 0);
        let before = rx.count();
        let r = engine.tick(&db, night).unwrap();
        assert_eq!((r.queued, r.sent, rx.count()), (0, 0, before));

        // The deadline: due in 3 days, in 1 day, then overdue daily, escalating.
        let mut titles = Vec::new();
        for (day, expect) in [
            (deadline - Duration::days(3), "隐患整改到期提醒"),
            (deadline - Duration::days(1), "隐患整改到期提醒"),
            (deadline + Duration::days(1), "隐患逾期提醒"),
            (deadline + Duration::days(3), "隐患逾期提醒"),
            (deadline + Duration::days(7), "隐患逾期提醒"),
        ] {
            let at = china(day, 9, 0);
            let n = rx.delivered(&hazard_id).len();
            engine.tick(&db, at).unwrap();
            engine.tick(&db, at + Duration::minutes(30)).unwrap();
            let got = rx.delivered(&hazard_id);
            assert_eq!(got.len(), n + 1, "one group post on {day}");
            check_signature(got.last().unwrap(), at);
            titles.push(title(got.last().unwrap()));
            assert_eq!(titles.last().unwrap(), expect);
        }

        // In-app: the unit's head and deputy head, and 县安委办 after 7 days overdue.
        let deputy = s.login("zz_deputy");
        // (Month-end items of the real month may remind the same people: only this hazard's
        // reminders are counted.)
        let mine = |token: &str| -> Vec<String> {
            s.get_json(token, "/v1/reminders")["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["record_id"] == hazard_id.as_str())
                .map(|r| r["title"].as_str().unwrap().to_string())
                .collect()
        };
        let deputy_titles = mine(&deputy);
        // Assigned, due in 3 and 1 days, overdue on days 1, 3 and 7.
        assert_eq!(deputy_titles.len(), 6, "{deputy_titles:?}");
        let head_titles = mine(&head);
        // Assigned, due in 1 day, overdue to the head on days 3 and 7.
        assert_eq!(head_titles.len(), 4, "{head_titles:?}");
        let office = mine(&admin);
        assert_eq!(
            office,
            ["隐患逾期提醒"],
            "县安委办 hears of it after 7 days"
        );
        assert!(mine(&inspector).is_empty());
        // Marked read: the bell counts it no more; someone else cannot mark it.
        let bell = s.get_json(&head, "/v1/reminders");
        let unread = bell["unread"].as_u64().unwrap();
        assert!(unread >= 4);
        let id = bell["items"][0]["id"].as_str().unwrap().to_string();
        let r = s.post(&deputy, &format!("/v1/reminders/{id}/read"), &json!({}));
        assert_eq!(r.status(), 404);
        let r = s.post(&head, &format!("/v1/reminders/{id}/read"), &json!({}));
        assert_eq!(r.status(), 200);
        assert_eq!(s.get_json(&head, "/v1/reminders")["unread"], unread - 1);
        // Through sync, each phone gets its own reminders only.
        let pulled = s.pull_all(&head, 500);
        let theirs: Vec<&Value> = pulled
            .iter()
            .filter(|c| c["entity"] == "reminder" && c["data"]["record_id"] == hazard_id.as_str())
            .collect();
        assert_eq!(theirs.len(), 4, "{theirs:?}");
        assert!(s
            .pull_all(&inspector, 500)
            .iter()
            .all(|c| c["entity"] != "reminder"));

        // The delivery log: the office reads every unit's; 忠州街道's head his own unit's only.
        let log = s.get_json(
            &admin,
            &format!("/v1/reminders/deliveries?unit={ZHONGZHOU}&limit=1000"),
        );
        let rows = log.as_array().unwrap();
        let group: Vec<&Value> = rows
            .iter()
            .filter(|d| d["channel"] == "dingtalk" && d["record"] == format!("hazard:{hazard_id}"))
            .collect();
        assert_eq!(group.len(), 6);
        assert!(group.iter().all(|d| d["state"] == "sent"));
        let first_post = group
            .iter()
            .find(|d| d["rule_id"] == "hazard-assigned")
            .unwrap();
        assert_eq!(first_post["attempts"], 3);
        assert!(!log.to_string().contains(SECRET));
        let r = s.get(&head, &format!("/v1/reminders/deliveries?unit={SHIBAO}"));
        assert_eq!(r.status(), 403);
        assert_eq!(s.get(&head, "/v1/reminders/deliveries").status(), 200);
        assert_eq!(s.get(&inspector, "/v1/reminders/deliveries").status(), 403);
    }
);
