//! 移交 (referral, 国办发〔2024〕54号) through `POST /v1/sync/push`: a finding made at an
//! enterprise in a 巡查报告 (or 督查暗访, 技术服务) is referred to the competent department by the
//! site's industry; the department sees it in its queue, accepts it, and only it takes the
//! enforcement acts; a 行政检查's own findings are not referred. SQLite and PostgreSQL.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{HazardAction, HazardStatus};
use anjian_domain::inspection::InspectionKind;
use common::{inspection_ops, statuses, transition, TestServer};
use serde_json::Value;

const SHIBAO: &str = "500233107";
/// 石宝镇's gas and chemical sites (site-07-NN is industry (7 + NN) % 10).
const GAS: &str = "site-07-03";
const HAZCHEM: &str = "site-07-04";

fn raise(s: &TestServer, token: &str, site: &str, industry: Industry, item: &str) -> String {
    let (mut ops, _, hazard_id) =
        inspection_ops(site, SHIBAO, industry, InspectionKind::RoutineCheck, item);
    // A 行政检查 finishes only with its signed 现场检查记录 (tests/site_documents.rs): the
    // hazard is raised from the failed item without finishing.
    let finish = ops.len() - 2;
    ops.remove(finish);
    let results = s.push(token, &ops);
    assert!(
        statuses(&results).iter().all(|st| st == "applied"),
        "{results:#?}"
    );
    hazard_id
}

fn hazard(s: &TestServer, token: &str, id: &str) -> Value {
    s.get_json(token, &format!("/v1/hazards/{id}"))["hazard"].clone()
}

fn act(s: &TestServer, token: &str, id: &str, action: HazardAction, to: HazardStatus) -> Value {
    let from = HazardStatus::Registered;
    s.push(token, &[transition(id, action, from, to)]).remove(0)
}

fn queue(s: &TestServer, token: &str, filter: &str) -> Vec<String> {
    s.get_json(
        token,
        &format!("/v1/console/ledger?referral={filter}&size=500"),
    )["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    a_patrol_finding_is_referred_to_the_competent_department_which_accepts_and_enforces,
    |s: &TestServer| {
        // 蒋华 of 石宝镇 (no enforcement powers) patrols a gas station: a 巡查报告.
        let sb = s.login("sb_inspector");
        let id = raise(s, &sb, GAS, Industry::Gas, "GAS-022");
        let h = hazard(s, &sb, &id);
        assert_eq!(h["referral"]["to_unit_id"], "dept-zjw", "{h:#}");
        assert_eq!(h["referral"]["activity"], "patrol_report");
        assert!(h["referral"].get("accepted_at").is_none());
        // The finder may not close it on the spot, nor may the township head verify it.
        let close = HazardAction::CloseOnSpot {
            note: "已整改".into(),
            after_evidence: vec![],
        };
        let r = act(s, &sb, &id, close, HazardStatus::Closed);
        assert_eq!(r["status"], "rejected");
        assert_eq!(
            r["reason"],
            "该隐患系巡查报告发现，已移交县住房城乡建委，待其受理后由其检查处置，不能即查即改销号"
        );
        // Only the competent department accepts it: not the township, not 县应急管理局.
        for other in ["sb_head", "yjj_inspector"] {
            let t = s.login(other);
            let r = act(
                s,
                &t,
                &id,
                HazardAction::AcceptReferral,
                HazardStatus::Registered,
            );
            assert_eq!(r["status"], "rejected", "{other}: {r:#}");
            assert!(
                r["reason"].as_str().unwrap().contains("无权受理移交")
                    || r["reason"].as_str().unwrap().contains("未找到隐患"),
                "{other}: {r:#}"
            );
        }
        // 县住房城乡建委 sees it in its queue (not in 石宝镇's view of another's queue).
        let zjw = s.login("zjw_inspector");
        assert!(queue(s, &zjw, "pending").contains(&id));
        let row = s.get_json(&zjw, "/v1/console/ledger?referral=pending&size=500")["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .cloned()
            .unwrap();
        assert_eq!(
            row["referral"],
            "巡查报告发现，已移交县住房城乡建委（待受理）"
        );
        assert_eq!(row["referral_pending"], true);
        let r = act(
            s,
            &zjw,
            &id,
            HazardAction::AcceptReferral,
            HazardStatus::Registered,
        );
        assert_eq!(r["status"], "applied", "{r:#}");
        let h = hazard(s, &zjw, &id);
        assert_eq!(
            h["referral"]["accepted_by"]["person_id"],
            "person-zjw_inspector"
        );
        assert!(!queue(s, &zjw, "pending").contains(&id));
        assert!(queue(s, &zjw, "accepted").contains(&id));
        // Accepted once only.
        let r = act(
            s,
            &zjw,
            &id,
            HazardAction::AcceptReferral,
            HazardStatus::Registered,
        );
        assert_eq!(r["status"], "rejected");
        // After acceptance the enforcement acts are the department's: not the finder's.
        let close = HazardAction::CloseOnSpot {
            note: "已整改".into(),
            after_evidence: vec![],
        };
        let r = act(s, &sb, &id, close, HazardStatus::Closed);
        assert_eq!(r["status"], "rejected");
        assert_eq!(
            r["reason"],
            "该隐患已移交县住房城乡建委，即查即改销号须由该单位执法人员办理"
        );
        // The history records the acceptance.
        let doc = s.get_json(&zjw, &format!("/v1/hazards/{id}"));
        let last = doc["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"]["type"], "accept_referral");
    }
);

both_backends!(
    an_administrative_inspections_own_findings_are_not_referred,
    |s: &TestServer| {
        // 韩磊 of 县应急管理局 inspects a chemical firm as a 行政检查: he enforces himself.
        let han = s.login("yjj_inspector");
        let id = raise(s, &han, HAZCHEM, Industry::Hazchem, "HAZ-001");
        let h = hazard(s, &han, &id);
        assert!(h.get("referral").is_none(), "{h:#}");
        let r = act(
            s,
            &han,
            &id,
            HazardAction::AcceptReferral,
            HazardStatus::Registered,
        );
        assert_eq!(r["status"], "rejected");
        assert!(!queue(s, &han, "any").contains(&id));
        // A bad filter is refused in Chinese.
        let resp = s.get(&han, "/v1/console/ledger?referral=maybe");
        assert_eq!(resp.status(), 422);
    }
);
