//! The demo county: Zhong County's organisation tree, one account per role, and a few hundred
//! sites with plausible locations, seeded into an empty store by `anjian serve --demo`.

use anjian_domain::checklist::Industry;
use anjian_domain::county::{
    self, County, COUNTY_GOVERNMENT_ID, SAFETY_OFFICE_ID, SUPERVISION_OFFICE_ID,
};
use anjian_domain::enforcement::Certificate;
use anjian_domain::org::{Person, Role, Unit, UnitKind};
use anjian_domain::site::{Site, SiteLocation};
use chrono::{Duration, NaiveDate, Utc};

use crate::auth;
use crate::error::ApiResult;
use crate::records;
use crate::storage::Tx;

/// Every demo account uses this password (documented in the README; demo only).
pub const DEMO_PASSWORD: &str = "anjian-demo";
/// Sites per township: the first ten cycle through the ten original industries (tests name
/// them by index: site-TT-NN is industry (TT + NN) % 10), the last two through the newer ones.
pub const SITES_PER_TOWNSHIP: usize = 12;
const ORIGINAL_SITES: usize = 10;
/// The newer industries with the department (code) that owns their demo sites.
const NEWER: [(Industry, &str); 13] = [
    (Industry::SpecialEquipment, "scjg"),
    (Industry::School, "jw"),
    (Industry::CultureTourism, "wlw"),
    (Industry::WaterConservancy, "slj"),
    (Industry::Agriculture, "nyw"),
    (Industry::ForestFire, "ghzy"),
    (Industry::SelfBuiltHousing, "zjw"),
    (Industry::Commerce, "swj"),
    (Industry::CivilExplosives, "gaj"),
    (Industry::Power, "jxw"),
    (Industry::Medical, "wjw"),
    (Industry::Gas, "cgj"),
    (Industry::WaterTransport, "hsc"),
];
use crate::demo_parties::THIRD_PARTY_ID;

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub unit_id: String,
}

pub(crate) fn accounts() -> Vec<DemoAccount> {
    let dept = County::department_id;
    let a = |username, name, role, unit_id: &str| DemoAccount {
        username,
        name,
        role,
        unit_id: unit_id.to_string(),
    };
    vec![
        a("admin", "赵敏", Role::SafetyOfficeStaff, SAFETY_OFFICE_ID),
        a(
            "xianzhang",
            "周建国",
            Role::CountyHead,
            COUNTY_GOVERNMENT_ID,
        ),
        a(
            "fenguan",
            "吴志强",
            Role::CountyDeputyHead,
            COUNTY_GOVERNMENT_ID,
        ),
        a(
            "lingdao",
            "郑丽",
            Role::CountyOtherLeader,
            COUNTY_GOVERNMENT_ID,
        ),
        a(
            "duchaban",
            "孙涛",
            Role::SupervisionStaff,
            SUPERVISION_OFFICE_ID,
        ),
        a("zz_head", "冯刚", Role::UnitHead, "500233001"),
        a("zz_deputy", "陈晓燕", Role::UnitDeputyHead, "500233001"),
        a("zz_patrol", "褚明", Role::PatrolMember, "500233001"),
        a("sb_head", "卫东", Role::UnitHead, "500233107"),
        a("sb_inspector", "蒋华", Role::Inspector, "500233107"),
        a("yjj_head", "沈文", Role::UnitHead, &dept("yjj")),
        a("yjj_inspector", "韩磊", Role::Inspector, &dept("yjj")),
        a("mzj_inspector", "吕洁", Role::Inspector, &dept("mzj")),
        // Accepts the gas findings referred (移交) to 县住房城乡建委.
        a("zjw_inspector", "许峰", Role::Inspector, &dept("zjw")),
        a("expert", "杨帆", Role::Expert, &dept("yjj")),
        a(
            "thirdparty",
            "朱琳",
            Role::ThirdPartyAssessor,
            THIRD_PARTY_ID,
        ),
        a(
            "site_contact",
            "秦勇",
            Role::SiteContact,
            &demo_site_id(7, 0),
        ),
    ]
}

/// The enforcement certificates (行政执法证) of a demo person: officers of a department hold
/// one for its industries, valid three years from the start of 2024, except 沈文 (县应急管理局),
/// whose expires 40 days from today (flagged ahead), and 吕洁 (县民政局), whose expired
/// 20 days ago (she may not carry out 行政检查).
pub fn certificates(person_id: &str, unit_id: &str, role: Role) -> Vec<Certificate> {
    let c = county::zhong_county();
    let Some(dept) = c
        .departments
        .iter()
        .find(|d| County::department_id(&d.code) == unit_id)
    else {
        return vec![];
    };
    if !anjian_domain::enforcement::OFFICER_ROLES.contains(&role) {
        return vec![];
    }
    let today = anjian_domain::hazard::china_date(Utc::now());
    let from = NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
    let until = match person_id {
        "person-yjj_head" => today + Duration::days(40),
        "person-mzj_inspector" => today - Duration::days(20),
        _ => NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid date") + Duration::days(365 * 2),
    };
    // A stable number from the person id (demo data).
    let serial = person_id
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 100_000;
    vec![Certificate {
        number: format!("渝{}{:05}", c.county_code, serial),
        issued_by: "重庆市人民政府".into(),
        valid_from: from,
        valid_until: until.max(from),
        fields: dept
            .industries
            .iter()
            .map(|i| i.code().to_string())
            .collect(),
    }]
}

/// Each enforcement department's other certified officers (people without a demo account):
/// a 行政检查 needs two (《行政处罚法》第四十二条), so the account holder names one of these
/// as 同行检查人员.
const COLLEAGUES: [(&str, [&str; 2]); 16] = [
    ("yjj", ["何斌", "罗静"]),
    ("zjw", ["王强", "邓丽"]),
    ("xfjy", ["唐勇", "曾敏"]),
    ("jtw", ["彭军", "袁芳"]),
    ("mzj", ["蔡伟", "程燕"]),
    ("ghzy", ["傅刚", "邹霞"]),
    ("jxw", ["熊杰", "孟琳"]),
    ("scjg", ["秦川", "田甜"]),
    ("jw", ["余明", "潘婷"]),
    ("wjw", ["杜宇", "戴萍"]),
    ("swj", ["夏雷", "钟琴"]),
    ("wlw", ["汪洋", "任雪"]),
    ("slj", ["姜涛", "范玲"]),
    ("cgj", ["李娜", "方亮"]),
    ("gaj", ["石磊", "姚红"]),
    ("hsc", ["廖鹏", "邵丹"]),
];

/// The certified colleagues of a unit's officers (none for a unit that is not a department).
pub fn colleagues(unit_id: &str) -> Vec<Person> {
    COLLEAGUES
        .iter()
        .filter(|(code, _)| County::department_id(code) == unit_id)
        .flat_map(|(code, names)| {
            names.iter().enumerate().map(move |(i, name)| {
                let id = format!("person-{code}-officer-{}", i + 1);
                let unit_id = County::department_id(code);
                Person {
                    certificates: certificates(&id, &unit_id, Role::Inspector),
                    id,
                    name: name.to_string(),
                    unit_id,
                    roles: vec![Role::Inspector],
                    industries: vec![],
                    portfolio: None,
                    phone: None,
                }
            })
        })
        .collect()
}

/// The person record behind a demo account.
pub fn person_id(username: &str) -> String {
    format!("person-{username}")
}

/// Site ids are stable: township index and number within it.
pub fn demo_site_id(township: usize, n: usize) -> String {
    format!("site-{:02}-{:02}", township, n)
}

const BRANDS: [&str; 12] = [
    "顺发", "鑫源", "宏达", "永安", "华盛", "金鑫", "恒通", "兴旺", "长江", "三峡", "佳和", "瑞丰",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "谭", "向", "冉", "秦",
];
const GIVEN: [&str; 8] = [
    "建华", "国强", "秀英", "志明", "小红", "德兵", "成林", "玉兰",
];

fn site_name(industry: Industry, town: &str, brand: &str, n: usize) -> String {
    let short = town
        .trim_end_matches("街道")
        .trim_end_matches("土家族乡")
        .trim_end_matches('镇')
        .trim_end_matches('乡');
    match (industry, n % 2) {
        (Industry::Gas, 0) => format!("{short}{brand}液化气供应站"),
        (Industry::Gas, _) => format!("{short}天然气调压站"),
        (Industry::Hazchem, 0) => format!("忠县{brand}化工有限公司"),
        (Industry::Hazchem, _) => format!("{short}{brand}加油站"),
        (Industry::NonCoalMine, _) => format!("忠县{short}{brand}建筑石料厂"),
        (Industry::Fire, 0) => format!("{short}农贸市场"),
        (Industry::Fire, _) => format!("{short}{brand}商贸城"),
        (Industry::ElderlyCare, 0) => format!("{short}敬老院"),
        (Industry::ElderlyCare, _) => format!("{short}{brand}养老服务中心"),
        (Industry::Construction, _) => format!("{short}{brand}安置房建设项目"),
        (Industry::RoadTransport, _) => format!("忠县{brand}客运有限公司{short}站"),
        (Industry::WaterTransport, 0) => format!("{short}渡口"),
        (Industry::WaterTransport, _) => format!("{short}{brand}码头"),
        (Industry::Industrial, 0) => format!("忠县{brand}木业有限公司"),
        (Industry::Industrial, _) => format!("忠县{brand}食品有限公司"),
        (Industry::Geohazard, _) => format!("{short}{}组滑坡隐患点", n + 1),
        (Industry::SpecialEquipment, 0) => format!("{short}{brand}商住楼（电梯）"),
        (Industry::SpecialEquipment, _) => format!("忠县{brand}机械厂（起重机械）"),
        (Industry::School, 0) => format!("{short}中心小学"),
        (Industry::School, _) => format!("{short}{brand}幼儿园"),
        (Industry::CultureTourism, 0) => format!("{short}{brand}景区"),
        (Industry::CultureTourism, _) => format!("{short}{brand}KTV"),
        (Industry::WaterConservancy, 0) => format!("{short}{brand}水库"),
        (Industry::WaterConservancy, _) => format!("{short}{brand}山坪塘"),
        (Industry::Agriculture, 0) => format!("{short}{brand}农机专业合作社"),
        (Industry::Agriculture, _) => format!("{short}{brand}家庭农场"),
        (Industry::ForestFire, _) => format!("{short}国有林场{brand}管护站"),
        (Industry::SelfBuiltHousing, 0) => format!("{short}{brand}农家乐（自建房）"),
        (Industry::SelfBuiltHousing, _) => format!("{short}{brand}民宿（自建房）"),
        (Industry::Commerce, 0) => format!("{short}{brand}超市"),
        (Industry::Commerce, _) => format!("{short}{brand}冷库"),
        (Industry::CivilExplosives, 0) => format!("忠县{brand}民爆器材专用仓库"),
        (Industry::CivilExplosives, _) => format!("忠县{brand}爆破工程有限公司"),
        (Industry::Power, 0) => format!("{short}35千伏变电站"),
        (Industry::Power, _) => format!("{short}{brand}小水电站"),
        (Industry::Medical, 0) => format!("{short}卫生院"),
        (Industry::Medical, _) => format!("{short}{brand}诊所"),
    }
}

/// What a demo site has, as checklist site attributes (涉氨制冷, 粉尘涉爆, 电梯 ...), from the kind
/// of site its name says; stored on the site like the office's own data. Some sites of an
/// industry have an attribute and others do not (a 木业 plant has dust, not ammonia). The seeded
/// activity draws per asked item, so changing these changes the whole demo month.
fn site_attributes(site: &Site) -> Vec<String> {
    let has = |word: &str| site.name.contains(word);
    let attrs: &[&str] = match site.industry.as_str() {
        "industrial" if has("木业") => &["dust_explosion"],
        "industrial" if has("食品") => &["liquid_ammonia", "confined_space"],
        "hazchem" if has("化工") => &["chemical_production"],
        "gas" if has("液化气") => &["station", "lpg"],
        "gas" if has("调压站") => &["station", "pipeline"],
        "special_equipment" if has("电梯") => &["elevator"],
        "special_equipment" if has("起重") => &["crane"],
        "school" if has("幼儿园") => &["kindergarten"],
        "culture_tourism" if has("景区") => &["scenic_area"],
        "culture_tourism" if has("KTV") => &["entertainment"],
        // The county seat's 商贸城 stands in a high-rise; every 商贸城 has a 消防控制室.
        "fire" if has("忠州") && has("商贸城") => &["fire_control_room", "high_rise"],
        "fire" if has("商贸城") => &["fire_control_room"],
        "non_coal_mine" => &["open_pit"],
        "water_conservancy" => &["reservoir"],
        "agriculture" if has("农机") => &["tractor"],
        "forest_fire" => &["forest_farm"],
        "self_built_housing" => &["three_storey", "crowded_use"],
        "commerce" if has("超市") => &["mall"],
        "commerce" if has("冷库") => &["cold_storage"],
        "civil_explosives" if has("仓库") => &["sales_company"],
        "civil_explosives" if has("爆破") => &["blasting"],
        "power" if has("变电站") => &["substation"],
        "power" if has("水电站") => &["hydropower"],
        "medical" if has("卫生院") => &["inpatient", "oxygen"],
        _ => &[],
    };
    attrs.iter().map(|a| a.to_string()).collect()
}

/// A deterministic pseudo-random offset (degrees) so demo sites spread around the centre.
fn jitter(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % 2000) as f64 / 2000.0 * 0.04 - 0.02
}

pub fn sites(c: &County) -> Vec<Site> {
    let mut out = Vec::new();
    for (t, town) in c.townships.iter().enumerate() {
        for n in 0..SITES_PER_TOWNSHIP {
            let (industry, department) = if n < ORIGINAL_SITES {
                let industry = Industry::ALL[(t + n) % ORIGINAL_SITES];
                (industry, c.supervisor_of(industry).map(|d| d.code.as_str()))
            } else {
                let (industry, department) = NEWER[(t * (SITES_PER_TOWNSHIP - ORIGINAL_SITES) + n
                    - ORIGINAL_SITES)
                    % NEWER.len()];
                (industry, Some(department))
            };
            let brand = BRANDS[(t * 7 + n) % BRANDS.len()];
            let centre = town.centre();
            let seed = (t * 100 + n) as u64;
            out.push(Site {
                id: demo_site_id(t, n),
                name: site_name(industry, &town.name, brand, n),
                industry: industry.code().to_string(),
                location: SiteLocation::circle(
                    centre.lat + jitter(seed * 2 + 1),
                    centre.lon + jitter(seed * 2 + 2),
                    Some(100.0 + (n as f64) * 20.0),
                ),
                township_id: town.code.clone(),
                department_id: department.map(County::department_id),
                address: Some(format!("忠县{}{}号", town.name, 10 + n * 3)),
                contact_name: Some(format!(
                    "{}{}",
                    SURNAMES[(t + n) % 12],
                    GIVEN[(t * 3 + n) % 8]
                )),
                contact_phone: Some(format!("139{:04}{:04}", 2330 + t, 1000 + n * 37)),
                attributes: Vec::new(),
            });
            let site = out.last_mut().expect("just pushed");
            site.attributes = site_attributes(site);
        }
    }
    out
}

/// Seeds the demo county into an empty store; `None` when accounts already exist.
pub fn seed_if_empty(tx: &mut dyn Tx) -> ApiResult<Option<Vec<DemoAccount>>> {
    if tx.count_accounts()? > 0 {
        return Ok(None);
    }
    let c = county::zhong_county();
    for unit in c.units() {
        records::save_unit(tx, &unit)?;
    }
    records::save_unit(
        tx,
        &Unit {
            id: THIRD_PARTY_ID.into(),
            name: "重庆安信安全技术咨询有限公司".into(),
            kind: UnitKind::ThirdPartyInstitution,
            parent_id: None,
            code: None,
            enforcement: None,
        },
    )?;
    let all_sites = sites(c);
    for site in &all_sites {
        records::save_site(tx, site)?;
    }
    let accounts = accounts();
    for a in &accounts {
        let person = Person {
            id: person_id(a.username),
            name: a.name.to_string(),
            unit_id: a.unit_id.clone(),
            roles: vec![a.role],
            industries: match a.role {
                Role::Expert => vec!["hazchem".into(), "industrial".into()],
                Role::ThirdPartyAssessor => vec!["gas".into(), "fire".into()],
                _ => vec![],
            },
            portfolio: (a.role == Role::CountyOtherLeader).then(|| "交通运输".to_string()),
            phone: None,
            certificates: certificates(&person_id(a.username), &a.unit_id, a.role),
        };
        records::save_person(tx, &person)?;
        auth::create_account(tx, a.username, DEMO_PASSWORD, &person.id)?;
    }
    for unit in c.units() {
        for person in colleagues(&unit.id) {
            records::save_person(tx, &person)?;
        }
    }
    crate::demo_parties::seed(tx, &all_sites)?;
    Ok(Some(accounts))
}

pub fn print_accounts(accounts: &[DemoAccount]) {
    let c = county::zhong_county();
    let mut names: std::collections::HashMap<String, String> =
        c.units().into_iter().map(|u| (u.id, u.name)).collect();
    names.insert(THIRD_PARTY_ID.into(), "重庆安信安全技术咨询有限公司".into());
    names.extend(sites(c).into_iter().map(|s| (s.id, s.name)));
    println!(
        "演示县已创建（忠县，{} 个乡镇（街道），{} 个部门，{} 个场所）。演示账号（密码均为 {DEMO_PASSWORD}）：",
        c.townships.len(),
        c.departments.len(),
        c.townships.len() * SITES_PER_TOWNSHIP
    );
    for a in accounts {
        let unit = names
            .get(&a.unit_id)
            .cloned()
            .unwrap_or_else(|| a.unit_id.clone());
        println!(
            "  {:<14} {}  {}  {}",
            a.username,
            a.name,
            a.role.label(),
            unit
        );
    }
}

pub fn print_activity(a: &crate::demo_activity::ActivitySummary) {
    println!(
        "演示数据：上月和本月的检查 {} 次、隐患 {} 处（未销号 {} 处）、会议 {} 次、设施设备投入 {} 笔、述职 {} 次、自评 {} 份、佐证文件 {} 个、约谈问责 {} 次、交办任务 {} 项、改机制记录 {} 条、月底报送 {} 项、扫码投诉举报 {} 条；另有 {} 名乡镇（街道）和部门负责人。",
        a.inspections,
        a.hazards,
        a.open_hazards,
        a.meetings,
        a.investments,
        a.duty_reports,
        a.self_assessments,
        a.files,
        a.accountability,
        a.tasks,
        a.mechanisms,
        a.month_end,
        a.complaints,
        a.people
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_sites_are_valid_and_inside_the_county_box() {
        let all = sites(county::zhong_county());
        assert_eq!(all.len(), 336);
        for s in &all {
            s.validate().unwrap();
            let p = s.location.point;
            assert!(
                (29.95..30.65).contains(&p.lat) && (107.5..108.4).contains(&p.lon),
                "{}",
                s.name
            );
        }
        let ids: std::collections::HashSet<_> = all.iter().map(|s| &s.id).collect();
        assert_eq!(ids.len(), all.len());
    }

    #[test]
    fn every_department_owns_demo_sites_and_their_attributes_are_known() {
        let c = county::zhong_county();
        let all = sites(c);
        for d in &c.departments {
            let id = County::department_id(&d.code);
            assert!(
                all.iter()
                    .any(|s| s.department_id.as_deref() == Some(id.as_str())),
                "{} owns no site",
                d.name
            );
        }
        for industry in Industry::ALL {
            assert!(
                all.iter().any(|s| s.industry == industry.code()),
                "{industry:?}"
            );
        }
        for s in &all {
            let list = anjian_domain::checklist::compiled_by_code(&s.industry).unwrap();
            s.validate().unwrap();
            s.check_attributes(list).unwrap();
        }
        // Attributes are stored on the sites; in an industry with conditions some sites have
        // an attribute and others of the same industry do not.
        let with = |code: &str| {
            all.iter()
                .filter(|s| s.attributes.iter().any(|a| a == code))
                .count()
        };
        assert!(with("dust_explosion") > 0 && with("liquid_ammonia") > 0);
        let industrial = all.iter().filter(|s| s.industry == "industrial").count();
        assert!(with("dust_explosion") < industrial && with("liquid_ammonia") < industrial);
        assert!(with("mall") > 0 && with("cold_storage") > 0);
        assert!(all
            .iter()
            .any(|s| s.industry == "fire" && s.attributes.is_empty()));
        assert!(with("high_rise") > 0 && with("high_rise") < with("fire_control_room"));
    }

    #[test]
    fn one_account_per_role() {
        let roles: std::collections::HashSet<_> = accounts().iter().map(|a| a.role).collect();
        assert_eq!(roles.len(), Role::ALL.len());
    }
}
