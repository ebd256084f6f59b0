//! The demo county's third parties and experts: 县住建委 engages 重庆安信安全技术咨询有限公司 for
//! every city-gas site this year (the `thirdparty` account), 县应急管理局 engages the pool expert
//! 杨帆 (the `expert` account) for its hazardous-chemicals sites, and the county's expert pool.

use chrono::{Datelike, NaiveDate, Utc};

use anjian_domain::county::County;
use anjian_domain::engagement::Engagement;
use anjian_domain::experts::Expert;
use anjian_domain::hazard::china_date;
use anjian_domain::site::Site;

use crate::error::ApiResult;
use crate::parties;
use crate::storage::Tx;

pub const THIRD_PARTY_ID: &str = "tp-anxin";
pub const GAS_ENGAGEMENT_ID: &str = "engagement-gas";
pub const HAZCHEM_ENGAGEMENT_ID: &str = "engagement-hazchem";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The pool: (name, employer, title, specialty, industries, phone, linked account).
const POOL: [(&str, &str, &str, &str, &[&str], &str, Option<&str>); 6] = [
    (
        "杨帆",
        "重庆化工职业学院",
        "高级工程师",
        "危险化学品储存与工艺安全",
        &["hazchem", "industrial"],
        "13823301234",
        Some("person-expert"),
    ),
    (
        "刘建平",
        "重庆燃气集团忠县分公司",
        "高级工程师",
        "城镇燃气输配与场站安全",
        &["gas"],
        "13908221456",
        None,
    ),
    (
        "王秀英",
        "忠县消防救援大队（退休）",
        "注册消防工程师",
        "建筑防火与消防设施检测",
        &["fire", "elderly_care"],
        "13512334872",
        None,
    ),
    (
        "陈志刚",
        "重庆地质矿产研究院",
        "正高级工程师",
        "非煤矿山边坡与爆破安全",
        &["non_coal_mine", "civil_explosives"],
        "13752339021",
        None,
    ),
    (
        "黄丽",
        "忠县人民医院",
        "主任护师",
        "养老机构与医疗场所安全管理",
        &["elderly_care", "medical"],
        "18623304417",
        None,
    ),
    (
        "赵海",
        "重庆市特种设备检测研究院万州分院",
        "工程师",
        "电梯、起重机械检验",
        &["special_equipment"],
        "15923307765",
        None,
    ),
];

fn pool(year: i32) -> Vec<Expert> {
    POOL.iter()
        .enumerate()
        .map(
            |(n, (name, employer, title, specialty, industries, phone, person))| Expert {
                id: format!("expert-{:02}", n + 1),
                name: name.to_string(),
                employer: employer.to_string(),
                title: title.to_string(),
                specialty: specialty.to_string(),
                industries: industries.iter().map(|i| i.to_string()).collect(),
                phone: phone.to_string(),
                available_from: date(year - 1, 1, 1),
                available_until: Some(date(year + 1, 12, 31)),
                person_id: person.map(str::to_string),
                note: None,
                retired_at: None,
                retired_reason: None,
                updated_at: Some(Utc::now()),
            },
        )
        .collect()
}

fn engagement(
    id: &str,
    title: String,
    dept: &str,
    industry: &str,
    sites: &[Site],
    year: i32,
) -> Engagement {
    let department_id = County::department_id(dept);
    Engagement {
        id: id.into(),
        title,
        department_id: department_id.clone(),
        institution_unit_id: None,
        expert_person_ids: vec![],
        industries: vec![industry.into()],
        site_ids: sites
            .iter()
            .filter(|s| {
                s.industry == industry && s.department_id.as_deref() == Some(&department_id)
            })
            .map(|s| s.id.clone())
            .collect(),
        start: date(year, 1, 1),
        end: date(year, 12, 31),
        contract: Some(format!("忠{dept}委〔{year}〕3号")),
        created_by: "person-admin".into(),
        created_at: Some(Utc::now()),
    }
}

/// Seeds the pool and the two engagements.
pub fn seed(tx: &mut dyn Tx, sites: &[Site]) -> ApiResult<()> {
    let year = china_date(Utc::now()).year();
    for x in pool(year) {
        parties::save_expert(tx, &x)?;
    }
    let mut gas = engagement(
        GAS_ENGAGEMENT_ID,
        format!("{year}年城镇燃气场所安全评估检查"),
        "zjw",
        "gas",
        sites,
        year,
    );
    gas.institution_unit_id = Some(THIRD_PARTY_ID.into());
    let mut hazchem = engagement(
        HAZCHEM_ENGAGEMENT_ID,
        format!("{year}年危险化学品企业专家指导服务"),
        "yjj",
        "hazchem",
        sites,
        year,
    );
    hazchem.expert_person_ids = vec!["person-expert".into()];
    for e in [gas, hazchem] {
        if !e.site_ids.is_empty() {
            parties::save_engagement(tx, &e)?;
        }
    }
    Ok(())
}
