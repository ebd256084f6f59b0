//! Field activity by its legal nature (国办发〔2024〕54号) through `POST /v1/sync/push`: each
//! demo person may start exactly the visits the policy gives them, recorded as 行政检查 (in the
//! enforcement body's name, with the certificate), 督查暗访, 巡查报告 or 技术服务; everyone
//! else is refused in Chinese, on SQLite and (when configured) PostgreSQL.

mod common;

use anjian_domain::checklist::{self, Industry};
use anjian_domain::inspection::{Inspection, InspectionKind};
use chrono::Utc;
use common::{colleague_for, device_actor, op, TestServer};
use serde_json::Value;

/// 石宝镇 sites by industry (site-07-NN is industry (7 + NN) % 10).
const GAS: (&str, Industry) = ("site-07-03", Industry::Gas);
const HAZCHEM: (&str, Industry) = ("site-07-04", Industry::Hazchem);
const ELDERLY: (&str, Industry) = ("site-07-07", Industry::ElderlyCare);

/// Pushes the start of an inspection (with `activity` asked for, or none) and returns the
/// server's answer.
fn start(
    s: &TestServer,
    token: &str,
    site: (&str, Industry),
    kind: InspectionKind,
    activity: Option<&str>,
) -> Value {
    start_joint(s, token, site, kind, activity, &[])
}

/// [`start`] of a joint inspection with these other bodies.
fn start_joint(
    s: &TestServer,
    token: &str,
    site: (&str, Industry),
    kind: InspectionKind,
    activity: Option<&str>,
    joint: &[&str],
) -> Value {
    start_team(s, token, site, kind, activity, joint, colleague_for(site.1))
}

/// [`start_joint`] with these other members named.
fn start_team(
    s: &TestServer,
    token: &str,
    site: (&str, Industry),
    kind: InspectionKind,
    activity: Option<&str>,
    joint: &[&str],
    participants: Vec<String>,
) -> Value {
    let id = uuid::Uuid::now_v7().to_string();
    let insp = Inspection::start(
        id.clone(),
        kind,
        site.0,
        checklist::compiled_for(site.1),
        device_actor(),
        participants,
        Utc::now(),
    )
    .unwrap();
    let mut payload = serde_json::to_value(&insp).unwrap();
    payload["joint_unit_ids"] = joint.to_vec().into();
    if let Some(a) = activity {
        payload["activity"] = a.into();
    }
    let mut r = s
        .push(token, &[op("inspection", &id, "start", payload)])
        .remove(0);
    r["inspection_id"] = id.into();
    r
}

fn status(r: &Value) -> &str {
    r["status"].as_str().unwrap()
}

fn reason(r: &Value) -> &str {
    r["reason"].as_str().unwrap_or("")
}

/// The stored inspection, as its leader reads it.
fn stored(s: &TestServer, token: &str, r: &Value) -> Value {
    let id = r["inspection_id"].as_str().unwrap();
    s.get_json(token, "/v1/inspections")
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("inspection {id} not readable"))
}

both_backends!(
    each_person_may_start_exactly_their_lawful_visits,
    |s: &TestServer| {
        use InspectionKind::*;
        let kinds = InspectionKind::ALL;
        // username, site, the kinds allowed with the activity recorded
        let cases: &[(&str, (&str, Industry), &[(InspectionKind, &str)])] = &[
            (
                "admin",
                GAS,
                &[
                    (LeaderSupervision, "work_supervision"),
                    (UnannouncedPatrol, "work_supervision"),
                ],
            ),
            (
                "xianzhang",
                GAS,
                &[
                    (LeaderSupervision, "work_supervision"),
                    (RandomCheck, "work_supervision"),
                ],
            ),
            ("duchaban", GAS, &[(RandomCheck, "work_supervision")]),
            // 石宝镇 has no enforcement powers: its inspector patrols and reports.
            ("sb_inspector", GAS, &[(RoutineCheck, "patrol_report")]),
            (
                "yjj_inspector",
                HAZCHEM,
                &[
                    (RoutineCheck, "administrative_inspection"),
                    (ProfessionalAssessment, "administrative_inspection"),
                ],
            ),
            ("yjj_inspector", GAS, &[]),
            (
                "expert",
                HAZCHEM,
                &[(ProfessionalAssessment, "technical_support")],
            ),
            ("mzj_inspector", ELDERLY, &[]),
            // Engaged by 县住建委 for its gas sites (the demo engagement): 技术服务 only.
            (
                "thirdparty",
                GAS,
                &[(ProfessionalAssessment, "technical_support")],
            ),
            ("site_contact", GAS, &[]),
            ("zz_patrol", GAS, &[]),
        ];
        for (user, site, allowed) in cases {
            let token = s.login(user);
            for kind in kinds {
                let r = start(s, &token, *site, kind, None);
                match allowed.iter().find(|(k, _)| *k == kind) {
                    Some((_, activity)) => {
                        assert_eq!(status(&r), "applied", "{user} {kind:?}: {r:#}");
                        assert_eq!(stored(s, &token, &r)["activity"], *activity, "{user}");
                    }
                    None => {
                        assert_eq!(status(&r), "rejected", "{user} {kind:?}: {r:#}");
                        let why = reason(&r);
                        assert!(
                            why.contains("无权") || why.contains("不能开展行政检查"),
                            "{user} {kind:?}: {why}"
                        );
                        assert!(!why.contains("石宝"), "names no site: {why}");
                    }
                }
            }
        }
    }
);

both_backends!(
    a_certificate_decides_an_administrative_inspection,
    |s: &TestServer| {
        // 韩磊 of 县应急管理局 inspects a chemical firm in the body's name, showing his certificate.
        let han = s.login("yjj_inspector");
        let r = start(s, &han, HAZCHEM, InspectionKind::RoutineCheck, None);
        assert_eq!(status(&r), "applied", "{r:#}");
        let insp = stored(s, &han, &r);
        assert_eq!(insp["activity"], "administrative_inspection");
        assert_eq!(insp["in_name_of"], "忠县应急管理局");
        assert!(
            insp["certificate_number"]
                .as_str()
                .unwrap()
                .starts_with("渝500233"),
            "{insp:#}"
        );
        // Calling it a patrol changes nothing: an enforcement body's visit is a 行政检查.
        let r = start(
            s,
            &han,
            HAZCHEM,
            InspectionKind::RoutineCheck,
            Some("patrol_report"),
        );
        assert_eq!(status(&r), "rejected");
        assert!(reason(&r).contains("须以行政检查开展"), "{}", reason(&r));
        // 吕洁 of 县民政局: her certificate expired 20 days ago, so no 行政检查 of a care home.
        let lv = s.login("mzj_inspector");
        let r = start(s, &lv, ELDERLY, InspectionKind::RoutineCheck, None);
        assert_eq!(status(&r), "rejected");
        assert!(
            reason(&r).contains("过期，不能开展行政检查"),
            "{}",
            reason(&r)
        );
        // The office may not turn its supervision into a 行政检查, nor inspect as a department.
        let admin = s.login("admin");
        let r = start(
            s,
            &admin,
            GAS,
            InspectionKind::LeaderSupervision,
            Some("administrative_inspection"),
        );
        assert_eq!(status(&r), "rejected");
        assert_eq!(reason(&r), "检查性质无效：督查不能以行政检查方式开展");
        let r = start(s, &admin, GAS, InspectionKind::RoutineCheck, None);
        assert_eq!(status(&r), "rejected");
        assert!(
            reason(&r).starts_with("县安委办工作人员无权在该场所开展排查"),
            "{}",
            reason(&r)
        );
        // The certificates are on the people, visible with the organisation.
        let people = s.get_json(&han, "/v1/people");
        let lv_person = people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "person-mzj_inspector")
            .unwrap();
        assert_eq!(lv_person["certificates"][0]["fields"][0], "elderly_care");
        let units = s.get_json(&han, "/v1/units");
        let yjj = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == "dept-yjj")
            .unwrap();
        assert_eq!(yjj["enforcement"]["basis"], "statutory");
        assert!(checklist::compiled_by_code("hazchem").is_ok());
    }
);

both_backends!(
    a_joint_inspection_names_only_bodies_with_powers_there,
    |s: &TestServer| {
        let start_joint = |token: &str, site, joint: &[&str]| {
            start_joint(s, token, site, InspectionKind::RoutineCheck, None, joint)
        };
        let han = s.login("yjj_inspector");
        let r = start_joint(&han, HAZCHEM, &["dept-zjw"]);
        assert_eq!(status(&r), "rejected");
        assert_eq!(
            reason(&r),
            "联合检查单位无效：县住房城乡建委对该企业没有执法权"
        );
        let sb = s.login("sb_inspector");
        let r = start_joint(&sb, GAS, &["dept-zjw"]);
        assert_eq!(reason(&r), "联合检查单位无效：只有行政检查可以联合开展");
        // Naming only its own unit is no joint inspection at all.
        let r = start_joint(&han, HAZCHEM, &["dept-yjj"]);
        assert_eq!(status(&r), "applied", "{r:#}");
    }
);

both_backends!(
    an_administrative_inspection_needs_two_certified_officers_of_the_bodies,
    |s: &TestServer| {
        let names = |n: &[&str]| n.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let team = |token: &str, site, joint: &[&str], who: &[&str]| {
            start_team(
                s,
                token,
                site,
                InspectionKind::RoutineCheck,
                None,
                joint,
                names(who),
            )
        };
        // 县应急管理局's 韩磊 alone, or with a name that is no officer: refused, naming who.
        let han = s.login("yjj_inspector");
        let r = team(&han, HAZCHEM, &[], &[]);
        assert_eq!(status(&r), "rejected");
        assert!(
            reason(&r).contains("须由 2 名以上持有有效行政执法证"),
            "{r:#}"
        );
        let r = team(&han, HAZCHEM, &[], &["网格员老陈"]);
        assert!(
            reason(&r).contains("同行检查人员网格员老陈不是县应急管理局的执法人员"),
            "{r:#}"
        );
        // Another body's officer is no member of this body's inspection.
        let r = team(&han, HAZCHEM, &[], &["吕洁"]);
        assert!(
            reason(&r).contains("吕洁不是县应急管理局的执法人员"),
            "{r:#}"
        );
        // With a certified colleague (by name): applied, the team kept with its certificates.
        let r = team(&han, HAZCHEM, &[], &["何斌"]);
        assert_eq!(status(&r), "applied", "{r:#}");
        let insp = stored(s, &han, &r);
        assert_eq!(insp["participants"], serde_json::json!(["何斌"]));
        assert_eq!(insp["officers"][0]["person_id"], "person-yjj-officer-1");
        assert!(insp["officers"][0]["certificate_number"]
            .as_str()
            .unwrap()
            .starts_with('渝'));
        // A joint inspection's member may come from the joint body, by person id too.
        let zjw = s.login("zjw_inspector");
        let r = team(&zjw, GAS, &["dept-cgj"], &["person-cgj-officer-1"]);
        assert_eq!(status(&r), "applied", "{r:#}");
        assert_eq!(
            stored(s, &zjw, &r)["participants"],
            serde_json::json!(["李娜"])
        );
        // Without the joint body, its officer is no member.
        let r = team(&zjw, GAS, &[], &["李娜"]);
        assert!(
            reason(&r).contains("李娜不是县住房城乡建委的执法人员"),
            "{r:#}"
        );
        // A site's 巡查报告 names anyone: a township inspector's team stays free text.
        let sb = s.login("sb_inspector");
        let r = team(&sb, GAS, &[], &["网格员老陈"]);
        assert_eq!(status(&r), "applied", "{r:#}");
    }
);
