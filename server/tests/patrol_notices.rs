//! 暗访 by organiser: the county office's patrol notice reports its own patrols, a township's
//! 工作专班 issues its own unit-level notice (readable by the county level and the unit, not by
//! another township), and in 月考 a problem the unit's own 工作专班 found weighs as the indicator
//! file's `self_found_per_item` says instead of costing like one found by the county.

mod common;

use anjian_domain::assessment::IndicatorSet;
use anjian_domain::checklist::Industry;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::month::YearMonth;
use chrono::Utc;
use common::{docx_text, inspection_ops, TestServer};

const ZHONGZHOU: &str = "500233001";
const ZHONGZHOU_GAS: &str = "site-00-00";

fn patrol(s: &TestServer, user: &str, item: &str) {
    let token = s.login(user);
    let (ops, _, _) = inspection_ops(
        ZHONGZHOU_GAS,
        ZHONGZHOU,
        Industry::Gas,
        InspectionKind::UnannouncedPatrol,
        item,
    );
    let r = s.push(&token, &ops);
    assert!(r.iter().all(|x| x["status"] == "applied"), "{user}: {r:#?}");
}

both_backends!(
    patrols_are_reported_and_scored_by_organiser,
    |s: &TestServer| {
        // 忠州街道's 工作专班 finds one problem at its own site; 县安委办 finds another there.
        patrol(s, "zz_patrol", "GAS-007");
        patrol(s, "admin", "GAS-012");
        let admin = s.login("admin");
        let month = YearMonth::of(china_date(Utc::now()));

        // 月考: only the county's finding costs `per_item`; the self-found one costs its own rate.
        let set = IndicatorSet::standard();
        let ind = set.indicators.iter().find(|i| i.id == "patrol").unwrap();
        let a = s.get_json(&admin, &format!("/v1/assessments/{month}"));
        let row = a["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_id"] == ZHONGZHOU)
            .unwrap();
        let p = row["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "patrol")
            .unwrap();
        let want = ind.weight - ind.per_item.unwrap() - ind.self_found_per_item.unwrap();
        assert_eq!(p["points"].as_f64().unwrap(), want, "{p:#}");
        assert_eq!(
            p["detail"],
            "1 个暗访、抽查发现问题，本单位工作专班自查发现 1 个"
        );

        // The county office's notice reports its own patrol only.
        let resp = s.get(
            &admin,
            &format!("/v1/exports/patrol-notice.docx?month={month}"),
        );
        assert_eq!(resp.status(), 200);
        let text = docx_text(&resp.bytes().unwrap());
        assert!(
            text.contains(
                "县安委办采取“四不两直”方式开展暗访巡查1次，暗访企业（场所）1家，发现问题1个"
            ),
            "{text}"
        );
        // The township's own notice, in its name, for its 工作专班's patrol.
        let zz = s.login("zz_head");
        let path = format!("/v1/exports/patrol-notice.docx?month={month}&unit={ZHONGZHOU}");
        let resp = s.get(&zz, &path);
        assert_eq!(resp.status(), 200);
        let text = docx_text(&resp.bytes().unwrap());
        assert!(
            text.contains("忠州街道安全生产工作专班采取“四不两直”方式开展暗访巡查1次"),
            "{text}"
        );
        assert!(text.contains("忠州街道安专班〔"), "{text}");
        // Another township may not take it; the county level may.
        let sb = s.login("sb_head");
        assert_eq!(s.get(&sb, &path).status(), 403);
        assert_eq!(s.get(&admin, &path).status(), 200);
    }
);
