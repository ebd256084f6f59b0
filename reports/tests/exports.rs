//! The files opened again: every ledger read back with calamine (headers, frozen layout,
//! dates as dates, money as numbers), every notice's text read back from its XML.
//! With ANJIAN_EXPORT_DIR set, the files are also written there to be looked at
//! (LibreOffice: `soffice --headless --convert-to pdf`).

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use anjian_domain::assessment::{assess_month, AssessmentData, IndicatorSet};
use anjian_domain::checklist::{ChecklistRegistry, Industry};
use anjian_domain::county::zhong_county;
use anjian_domain::duty::{Activity, ActivityKind, QuotaSet};
use anjian_domain::hazard::*;
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Actor, Person, Role};
use anjian_domain::records::HardwareInvestment;
use anjian_reports::docx::plain_text;
use anjian_reports::notices::{assessment_notice, patrol_notice, Issue, Organiser, PatrolFinding};
use anjian_reports::{ledgers, xlsx, Directory};
use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("ANJIAN_EXPORT_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

mod printed;

/// Prints a workbook (LibreOffice → PDF) and checks its pages: the first header cells on
/// every page, the page footer, no text over other text, every character of the cells.
fn check_print(name: &str, bytes: &[u8], headers: &[&str]) -> Option<printed::Printed> {
    let (_, rows) = read_sheet(bytes);
    let cells: Vec<String> = rows
        .iter()
        .skip(1)
        .flatten()
        .filter_map(|c| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    printed::check(name, bytes, headers, &cells)
}

fn read_sheet(bytes: &[u8]) -> (String, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    (name, range.rows().map(|r| r.to_vec()).collect())
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/styles.xml",
        "docProps/core.xml",
    ] {
        assert!(zip.by_name(part).is_ok(), "missing {part}");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    plain_text(&xml)
}

struct Fixture {
    dir: Directory,
    hazards: Vec<Hazard>,
    investments: Vec<HardwareInvestment>,
}

fn inspector() -> Actor {
    Actor {
        person_id: "p-insp".into(),
        name: "蒋华".into(),
        unit_id: "500233107".into(),
        roles: vec![Role::Inspector],
    }
}

fn fixture() -> Fixture {
    let county = zhong_county();
    let units = county.units();
    let mut dir = Directory {
        units: units
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        ..Default::default()
    };
    dir.sites
        .insert("site-07-03".into(), "石宝镇顺发加油站".into());
    dir.sites
        .insert("site-00-00".into(), "忠州街道天然气门站".into());
    dir.inspection_kinds.insert(
        "insp-patrol".into(),
        anjian_domain::inspection::InspectionKind::UnannouncedPatrol,
    );
    let raise = |id: &str, site: &str, unit: &str, item: &str, desc: &str, day: NaiveDate| {
        Hazard::raise(
            HazardDraft {
                id: id.into(),
                number: format!("YH-{}-{id}", day.format("%Y%m%d")),
                site_id: Some(site.into()),
                unit_id: unit.into(),
                description: desc.into(),
                location: None,
                source: Some(HazardSource {
                    inspection_id: "insp-patrol".into(),
                    industry: Industry::Gas,
                    item_id: item.into(),
                }),
                level: None,
                level_reason: None,
                needs_hardware: true,
            },
            &ChecklistRegistry::new(),
            &inspector(),
            Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap()),
        )
        .unwrap()
    };
    let mut major = raise(
        "0001",
        "site-07-03",
        "500233107",
        "GAS-022",
        "液化石油气钢瓶存放于地下室，未设置可燃气体报警装置",
        d(2026, 11, 3),
    );
    major.plan = FiveImplementations {
        target: Some("钢瓶全部移出地下室，安装报警装置".into()),
        measures: Some("设置独立气瓶间，安装可燃气体报警器并联动切断阀".into()),
        deadline: Some(d(2026, 12, 15)),
        responsible: Some("王建国（站长）".into()),
        funding: Some(Funding {
            amount_fen: 1_860_050,
            source: "企业自筹".into(),
        }),
    };
    major.temporary_measures = Some("停用地下室，钢瓶临时移至室外通风处并专人看守".into());
    major.hardware_plan = Some("先移出钢瓶（治标），再建独立气瓶间（治本）".into());
    let mut general = raise(
        "0002",
        "site-00-00",
        "500233001",
        "GAS-012",
        "消防器材过期未检",
        d(2026, 11, 5),
    );
    general.assigned_deadline = Some(d(2026, 11, 10));
    general.status = HazardStatus::Closed;
    general.closed_at = Some(Utc.with_ymd_and_hms(2026, 11, 9, 3, 0, 0).unwrap());
    general.rectification_note = Some("已更换灭火器 12 具".into());
    let investments = vec![HardwareInvestment {
        id: "inv-1".into(),
        unit_id: "500233107".into(),
        hazard_id: Some("0001".into()),
        site_id: Some("site-07-03".into()),
        description: "安装可燃气体报警器及紧急切断阀".into(),
        amount_fen: 1_250_000,
        invested_on: d(2026, 11, 20),
        documents: vec!["ev-contract".into(), "ev-invoice".into()],
        received_at: None,
        submitted_at: Some(Utc.with_ymd_and_hms(2026, 11, 21, 2, 0, 0).unwrap()),
    }];
    Fixture {
        dir,
        hazards: vec![major, general],
        investments,
    }
}

#[test]
fn problem_and_major_hazard_ledgers_read_back() {
    let f = fixture();
    let today = d(2026, 11, 28);
    let refs: Vec<&Hazard> = f.hazards.iter().collect();
    let bytes = xlsx::workbook(&[ledgers::problem_ledger(&refs, &f.dir, "忠县", today)]).unwrap();
    keep("problem-ledger.xlsx", &bytes);
    check_print("problem-ledger", &bytes, &["序号", "问题描述", "整改状态"]);
    let (name, rows) = read_sheet(&bytes);
    assert_eq!(name, "问题清单台账");
    assert_eq!(
        rows[0][0].to_string(),
        "忠县安全生产问题清单台账（截至2026年11月28日）"
    );
    assert_eq!(rows[1][4].to_string(), "问题描述");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2][2].to_string(), "石宝镇");
    assert_eq!(rows[2][3].to_string(), "石宝镇顺发加油站");
    assert_eq!(rows[2][5].to_string(), "重大隐患");
    assert_eq!(rows[2][6].to_string(), "暗访");
    // Dates are real dates, not text.
    assert!(matches!(rows[2][7], Data::DateTime(_)), "{:?}", rows[2][7]);
    assert_eq!(rows[3][9].to_string(), "已销号");
    assert_eq!(rows[3][10].to_string(), "已更换灭火器 12 具");

    let bytes =
        xlsx::workbook(&[ledgers::major_hazard_ledger(&refs, &f.dir, "忠县", today)]).unwrap();
    keep("major-hazards.xlsx", &bytes);
    check_print(
        "major-hazards",
        &bytes,
        &["序号", "隐患描述", "临时防控措施"],
    );
    let (_, rows) = read_sheet(&bytes);
    assert_eq!(rows.len(), 3, "only the major hazard");
    let headers: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    for h in [
        "整改目标",
        "整改措施",
        "整改时限",
        "整改责任人",
        "整改资金（元）",
        "临时防控措施",
        "一患一策",
    ] {
        assert!(headers.iter().any(|x| x == h), "missing {h}");
    }
    assert_eq!(
        rows[2][9],
        Data::Float(18600.5),
        "money in yuan, as a number"
    );
    assert_eq!(rows[2][8].to_string(), "王建国（站长）");
}

#[test]
fn hardware_ledger_lists_the_proof_and_totals() {
    let f = fixture();
    let hz: HashMap<&str, &Hazard> = f.hazards.iter().map(|h| (h.id.as_str(), h)).collect();
    let proofs: HashMap<&str, ledgers::InvestmentProof> = [(
        "inv-1",
        ledgers::InvestmentProof {
            files: vec!["合同".into(), "施工后照片".into(), "发票".into()],
            missing: vec!["施工前照片".into(), "施工中照片".into()],
            recycled: vec!["疑似重复使用的照片：与较早报送隐患整改的照片为同一文件".into()],
        },
    )]
    .into();
    let inv: Vec<&HardwareInvestment> = f.investments.iter().collect();
    let bytes = xlsx::workbook(&[ledgers::hardware_ledger(
        &inv,
        &hz,
        &proofs,
        &f.dir,
        "石宝镇",
    )])
    .unwrap();
    keep("hardware-investment.xlsx", &bytes);
    check_print("hardware-investment", &bytes, &["序号"]);
    let (_, rows) = read_sheet(&bytes);
    assert_eq!(rows[2][3].to_string(), "YH-20261103-0001");
    assert_eq!(rows[2][5], Data::Float(12500.0));
    assert_eq!(rows[2][7].to_string(), "2026-11-21 10:00");
    assert_eq!(rows[2][9].to_string(), "合同；施工后照片；发票");
    assert_eq!(rows[2][10].to_string(), "施工前照片、施工中照片");
    assert!(rows[2][11].to_string().contains("同一文件"));
    assert_eq!(rows[3][0].to_string(), "合计");
    assert_eq!(rows[3][5], Data::Float(12500.0));
    assert_eq!(rows[3][8], Data::Float(3.0));
}

#[test]
fn scores_duty_and_notices_read_back() {
    let f = fixture();
    let county = zhong_county();
    let units = county.units();
    let month: YearMonth = "2026-11".parse().unwrap();
    let today = d(2026, 12, 2);
    let people = vec![Person {
        id: "p-head".into(),
        name: "卫东".into(),
        unit_id: "500233107".into(),
        roles: vec![Role::UnitHead],
        industries: vec![],
        portfolio: None,
        phone: None,
        certificates: vec![],
    }];
    let acts = vec![Activity {
        not_counted: None,
        id: "insp-1".into(),
        kind: ActivityKind::LedInspection,
        date: d(2026, 11, 3),
        person_id: "p-head".into(),
        unit_id: "500233107".into(),
        source: "inspection".into(),
        title: "石宝镇顺发加油站 排查".into(),
        township_id: Some("500233107".into()),
        evidence_count: 4,
    }];
    let patrols: HashSet<String> = ["insp-patrol".to_string()].into();
    let data = AssessmentData::new(
        QuotaSet::standard(),
        &units,
        &people,
        &f.hazards,
        &acts,
        &f.investments,
        &[],
        &[],
        &patrols,
    );
    let a = assess_month(IndicatorSet::standard(), &data, month, today);
    let bytes = xlsx::workbook(&[ledgers::scores_ledger(&a)]).unwrap();
    keep("monthly-scores.xlsx", &bytes);
    check_print("monthly-scores", &bytes, &["类别"]);
    let (_, rows) = read_sheet(&bytes);
    assert_eq!(rows.len(), 2 + 28 + 17);
    assert!(rows[1][3]
        .to_string()
        .starts_with("履职纪实完成情况（25分）"));
    assert_eq!(rows[2][0].to_string(), "乡镇（街道）");
    assert_eq!(rows[2][1], Data::Float(1.0));
    assert_eq!(rows.last().unwrap()[0].to_string(), "行业部门");
    let shibao = rows.iter().find(|r| r[2].to_string() == "石宝镇").unwrap();
    assert_eq!(shibao[shibao.len() - 3].to_string(), "未报送");

    let duty = data.duty(
        units.iter().find(|u| u.id == "500233107").unwrap(),
        month,
        today,
    );
    let by_id: HashMap<&str, &Activity> = acts.iter().map(|a| (a.id.as_str(), a)).collect();
    let bytes = xlsx::workbook(&[ledgers::duty_ledger(&duty, &by_id, month, "石宝镇")]).unwrap();
    keep("duty-records.xlsx", &bytes);
    check_print("duty-records", &bytes, &["序号"]);
    let (_, rows) = read_sheet(&bytes);
    assert_eq!(
        rows[0][0].to_string(),
        "石宝镇安全生产履职纪实表（2026年11月）"
    );
    let led = rows
        .iter()
        .find(|r| r[4].to_string() == "带队开展实地督查")
        .unwrap();
    assert_eq!(led[10].to_string(), "已完成");
    assert_eq!(
        led[11].to_string(),
        "11-03 石宝镇顺发加油站 排查（佐证4项）"
    );
    let meeting = rows
        .iter()
        .find(|r| r[4].to_string().contains("专题工作会议"))
        .unwrap();
    assert_eq!(
        meeting[10].to_string(),
        "进行中",
        "the quarterly meeting: Q4 runs to December"
    );

    let issue = Issue {
        issuer: "忠县安全生产委员会办公室".into(),
        number: "忠安委办〔2026〕45号".into(),
        date: today,
    };
    let bytes = assessment_notice(&a, &issue).to_bytes().unwrap();
    keep("assessment-notice.docx", &bytes);
    let text = docx_text(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "忠县安全生产委员会办公室文件");
    assert_eq!(lines[1], "忠安委办〔2026〕45号");
    assert_eq!(lines[2], "关于2026年11月全县安全生产综合考核评估情况的通报");
    assert!(text.contains("对28个乡镇（街道）和17个县级行业部门2026年11月安全生产工作"));
    assert!(text.contains("一、考核评估结果"));
    assert!(text.contains("二、存在的主要问题"));
    assert!(
        text.contains(
            "（一）暗访抽查发现问题。2个单位失分。1 个暗访、抽查发现问题：石宝镇、忠州街道。"
        ),
        "{text}"
    );
    assert!(text.contains("45个单位失分。未报送：新生街道、乌杨街道"));
    assert!(text.trim_end().ends_with("2026年12月2日"));
    // Both tables: 28 townships and 17 departments, with a header row each.
    assert_eq!(
        text.lines().filter(|l| l.contains('\t')).count(),
        28 + 17 + 2
    );

    let findings = vec![PatrolFinding {
        unit: "石宝镇".into(),
        site: "石宝镇顺发加油站".into(),
        description: "液化石油气钢瓶存放于地下室".into(),
        level: "重大隐患".into(),
        deadline: Some(d(2026, 12, 15)),
        status: "整改中".into(),
    }];
    let office = Organiser {
        name: "县安委办".into(),
        county: true,
    };
    let bytes = patrol_notice(month, &office, 2, 5, &findings, &issue)
        .to_bytes()
        .unwrap();
    keep("patrol-notice.docx", &bytes);
    let text = docx_text(&bytes);
    assert!(text.contains("关于2026年11月安全生产暗访巡查情况的通报"));
    assert!(text.contains("县安委办采取“四不两直”方式开展暗访巡查2次，暗访企业（场所）5家，发现问题1个（其中重大隐患1个）"));
    assert!(text.contains("为督促各乡镇（街道）、县级行业部门"));
    // A township's 工作专班 reports its own patrols, in its own name.
    let team = Organiser {
        name: "石宝镇安全生产工作专班".into(),
        county: false,
    };
    let unit_issue = Issue {
        issuer: "石宝镇".into(),
        number: "石宝镇安专班〔2026〕11号".into(),
        date: issue.date,
    };
    let text = docx_text(
        &patrol_notice(month, &team, 1, 3, &findings, &unit_issue)
            .to_bytes()
            .unwrap(),
    );
    assert!(
        text.contains("石宝镇安全生产工作专班采取“四不两直”方式开展暗访巡查1次"),
        "{text}"
    );
    assert!(
        text.contains("（三）石宝镇安全生产工作专班将对通报问题整改情况进行复查"),
        "{text}"
    );
    assert!(text.contains("石宝镇安专班〔2026〕11号"), "{text}");
    assert!(text.contains("1\t石宝镇\t石宝镇顺发加油站\t液化石油气钢瓶存放于地下室\t重大隐患\t2026年12月15日\t整改中\t"), "{text}");
}

/// A county's problem ledger as the office prints it: many rows, long descriptions that wrap.
#[test]
fn a_long_problem_ledger_prints_on_pages_that_repeat_the_header() {
    let f = fixture();
    let county = zhong_county();
    let units = county.units();
    let found = [
        "液化石油气钢瓶存放于地下室，未设置可燃气体报警装置，现场作业人员不清楚应急处置程序",
        "消防器材过期未检",
        "安全出口上锁，疏散通道堆放纸箱等杂物，应急照明灯损坏，疏散指示标志被货架遮挡，夜间值班人员未经消防培训",
        "粉尘涉爆区域未采用防爆电气设备",
        "有限空间作业未执行“先通风、再检测、后作业”，未设置警示标识，作业审批单无监护人签字",
        "叉车司机无特种设备作业人员证",
        "危险化学品仓库未按规定分区分类存放，氧化剂与易燃液体同库存放，库房无通风设施",
    ];
    let hazards: Vec<Hazard> = (0..60)
        .map(|n| {
            let mut h = f.hazards[n % 2].clone();
            h.id = format!("{n:04}");
            h.number = format!("YH-202611{:02}-{n:04}", 1 + n % 28);
            h.unit_id = units[n % units.len()].id.clone();
            h.description = found[n % found.len()].to_string();
            h.rectification_note = (n % 3 == 0).then(|| {
                "已督促企业落实整改，更换过期灭火器，清理疏散通道并经复查合格".to_string()
            });
            h
        })
        .collect();
    let refs: Vec<&Hazard> = hazards.iter().collect();
    let table = ledgers::problem_ledger(&refs, &f.dir, "忠县", d(2026, 11, 28));
    assert_eq!(
        anjian_reports::print::paper_for(&table),
        anjian_reports::print::Paper::A3
    );
    let bytes = xlsx::workbook(&[table]).unwrap();
    keep("problem-ledger-long.xlsx", &bytes);
    let Some(p) = check_print(
        "problem-ledger-long",
        &bytes,
        &["序号", "问题描述", "整改状态"],
    ) else {
        return;
    };
    assert!(p.pages.len() > 1, "60 rows on {} page(s)", p.pages.len());
    // Fitted to the width only: rows are not shrunk to squeeze the sheet onto one page.
    let rows_per_page = 60 / p.pages.len();
    assert!(rows_per_page < 30, "{rows_per_page} rows a page");
    assert!(p.pages[0].contains("忠县安全生产问题清单台账"));
}

#[test]
fn the_inspection_ledger_flags_doubtful_times_and_prints() {
    let f = fixture();
    let mut dir = f.dir.clone();
    let inspection = |id: &str, site: &str, day: u32, fails: usize| {
        let results: serde_json::Map<String, serde_json::Value> = (0..12)
            .map(|n| {
                let outcome = if n < fails { "fail" } else { "pass" };
                (
                    format!("GAS-{n:03}"),
                    serde_json::json!({"outcome": outcome, "note": null,
                                       "recorded_at": format!("2026-11-{day:02}T02:30:00Z")}),
                )
            })
            .collect();
        let v = serde_json::json!({
            "id": id, "kind": "routine_check", "site_id": site, "industry": "gas",
            "checklist_version": "2026.2",
            "leader": {"person_id": "p-insp", "name": "蒋华", "unit_id": "500233107", "roles": ["inspector"]},
            "participants": ["李明", "张伟"],
            "started_at": format!("2026-11-{day:02}T02:00:00Z"),
            "finished_at": format!("2026-11-{day:02}T03:10:00Z"),
            "results": results,
            "activity": "work_supervision",
            "received": {"received_at": "2026-11-28T08:00:00Z"}
        });
        serde_json::from_value::<anjian_domain::inspection::Inspection>(v).unwrap()
    };
    let mut list: Vec<_> = (0..40)
        .map(|n| {
            let site = if n % 2 == 0 {
                "site-07-03"
            } else {
                "site-00-00"
            };
            inspection(&format!("insp-{n:02}"), site, 1 + n % 27, n as usize % 4)
        })
        .collect();
    // Two 行政检查: the first told its result, the second not yet.
    for n in [5, 6] {
        list[n].activity =
            Some(anjian_domain::enforcement::FieldActivity::AdministrativeInspection);
    }
    let document = |insp: &str, kind: &str, number: &str, at: &str| {
        serde_json::from_value::<anjian_domain::site_document::SiteDocumentInfo>(
            serde_json::json!({
                "kind": kind, "number": number, "inspection_id": insp, "signatures": [],
                "generated_at": at
            }),
        )
        .unwrap()
    };
    let made = [
        document(
            "insp-05",
            "inspection_record",
            "（忠）应急检记〔2026〕992001号",
            "2026-11-06T03:00:00Z",
        ),
        document(
            "insp-05",
            "result_notice",
            "（忠）应急检告〔2026〕992001号",
            "2026-11-06T17:30:00Z",
        ),
        document(
            "insp-06",
            "inspection_record",
            "（忠）应急检记〔2026〕992002号",
            "2026-11-07T03:00:00Z",
        ),
    ];
    let mut documents: std::collections::HashMap<String, Vec<_>> = Default::default();
    for d in &made {
        documents
            .entry(d.inspection_id.clone())
            .or_default()
            .push(d);
    }
    dir.time_doubts.insert(
        "insp-03".into(),
        "时间存疑：开始时间比服务器接收早 7 天（2026-11-04 10:00）".into(),
    );
    let refs: Vec<&anjian_domain::inspection::Inspection> = list.iter().collect();
    let table = anjian_reports::inspections::inspection_ledger(
        &refs,
        &documents,
        &dir,
        "石宝镇",
        "（2026年11月）",
    );
    let bytes = xlsx::workbook(&[table]).unwrap();
    keep("inspections.xlsx", &bytes);
    let (name, rows) = read_sheet(&bytes);
    assert_eq!(name, "检查记录台账");
    assert_eq!(
        rows[0][0].to_string(),
        "石宝镇安全生产检查记录台账（2026年11月）"
    );
    let header: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    assert_eq!(rows.len(), 42);
    let row = &rows[2 + 3];
    assert_eq!(row[col("被检查场所")].to_string(), "忠州街道天然气门站");
    assert_eq!(row[col("带队单位")].to_string(), "石宝镇");
    assert_eq!(row[col("检查性质")].to_string(), "督查暗访");
    assert_eq!(row[col("参加人员")].to_string(), "李明、张伟");
    assert_eq!(row[col("开始时间")].to_string(), "2026-11-04 10:00");
    assert_eq!(row[col("不合格项")], Data::Float(3.0));
    assert!(row[col("时间核验")].to_string().starts_with("时间存疑"));
    assert_eq!(rows[2][col("时间核验")].to_string(), "");
    // The documents left on site, and whether a finished 行政检查's result was told (China time).
    assert_eq!(
        rows[2 + 5][col("现场执法文书")].to_string(),
        "现场检查记录（忠）应急检记〔2026〕992001号；行政检查结果告知书（忠）应急检告〔2026〕992001号"
    );
    assert_eq!(
        rows[2 + 5][col("结果告知")].to_string(),
        "已告知（2026-11-07）"
    );
    assert_eq!(rows[2 + 6][col("结果告知")].to_string(), "未告知");
    assert_eq!(
        rows[2 + 7][col("结果告知")].to_string(),
        "",
        "not a 行政检查"
    );
    let Some(p) = check_print("inspections", &bytes, &["序号", "被检查场所", "时间核验"])
    else {
        return;
    };
    assert!(p.pages[0].contains("检查记录台账"));
}
