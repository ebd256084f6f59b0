//! The grassroots inspection-and-enforcement manual's checklists (基层检查执法指导手册),
//! one versioned data file per industry, compiled into the crate.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::DomainError;

mod diff;
mod registry;
mod released;
pub use diff::*;
pub use registry::ChecklistRegistry;
pub use released::{compiled_version, content_hash, released, released_for};

/// The industries the manual covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Industry {
    Gas,
    Hazchem,
    NonCoalMine,
    Fire,
    ElderlyCare,
    Construction,
    RoadTransport,
    WaterTransport,
    Industrial,
    Geohazard,
    SpecialEquipment,
    School,
    CultureTourism,
    WaterConservancy,
    Agriculture,
    ForestFire,
    SelfBuiltHousing,
    Commerce,
    CivilExplosives,
    Power,
    Medical,
}

impl Industry {
    /// The manual's order. The first ten are the original industries (demo sites and tests
    /// index them): new industries are appended, never inserted.
    pub const ALL: [Industry; 21] = [
        Industry::Gas,
        Industry::Hazchem,
        Industry::NonCoalMine,
        Industry::Fire,
        Industry::ElderlyCare,
        Industry::Construction,
        Industry::RoadTransport,
        Industry::WaterTransport,
        Industry::Industrial,
        Industry::Geohazard,
        Industry::SpecialEquipment,
        Industry::School,
        Industry::CultureTourism,
        Industry::WaterConservancy,
        Industry::Agriculture,
        Industry::ForestFire,
        Industry::SelfBuiltHousing,
        Industry::Commerce,
        Industry::CivilExplosives,
        Industry::Power,
        Industry::Medical,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Industry::Gas => "gas",
            Industry::Hazchem => "hazchem",
            Industry::NonCoalMine => "non_coal_mine",
            Industry::Fire => "fire",
            Industry::ElderlyCare => "elderly_care",
            Industry::Construction => "construction",
            Industry::RoadTransport => "road_transport",
            Industry::WaterTransport => "water_transport",
            Industry::Industrial => "industrial",
            Industry::Geohazard => "geohazard",
            Industry::SpecialEquipment => "special_equipment",
            Industry::School => "school",
            Industry::CultureTourism => "culture_tourism",
            Industry::WaterConservancy => "water_conservancy",
            Industry::Agriculture => "agriculture",
            Industry::ForestFire => "forest_fire",
            Industry::SelfBuiltHousing => "self_built_housing",
            Industry::Commerce => "commerce",
            Industry::CivilExplosives => "civil_explosives",
            Industry::Power => "power",
            Industry::Medical => "medical",
        }
    }

    pub fn from_code(code: &str) -> Result<Industry, DomainError> {
        Industry::ALL
            .into_iter()
            .find(|i| i.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "行业",
                reason: format!("未知行业 {code}"),
            })
    }

    fn source(self) -> &'static str {
        match self {
            Industry::Gas => include_str!("../checklists/gas.toml"),
            Industry::Hazchem => include_str!("../checklists/hazchem.toml"),
            Industry::NonCoalMine => include_str!("../checklists/non_coal_mine.toml"),
            Industry::Fire => include_str!("../checklists/fire.toml"),
            Industry::ElderlyCare => include_str!("../checklists/elderly_care.toml"),
            Industry::Construction => include_str!("../checklists/construction.toml"),
            Industry::RoadTransport => include_str!("../checklists/road_transport.toml"),
            Industry::WaterTransport => include_str!("../checklists/water_transport.toml"),
            Industry::Industrial => include_str!("../checklists/industrial.toml"),
            Industry::Geohazard => include_str!("../checklists/geohazard.toml"),
            Industry::SpecialEquipment => include_str!("../checklists/special_equipment.toml"),
            Industry::School => include_str!("../checklists/school.toml"),
            Industry::CultureTourism => include_str!("../checklists/culture_tourism.toml"),
            Industry::WaterConservancy => include_str!("../checklists/water_conservancy.toml"),
            Industry::Agriculture => include_str!("../checklists/agriculture.toml"),
            Industry::ForestFire => include_str!("../checklists/forest_fire.toml"),
            Industry::SelfBuiltHousing => include_str!("../checklists/self_built_housing.toml"),
            Industry::Commerce => include_str!("../checklists/commerce.toml"),
            Industry::CivilExplosives => include_str!("../checklists/civil_explosives.toml"),
            Industry::Power => include_str!("../checklists/power.toml"),
            Industry::Medical => include_str!("../checklists/medical.toml"),
        }
    }
}

/// How an item was checked against the official text of its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verified {
    /// Where the official text was read: the document's number and the publication.
    pub source: String,
    /// When (YYYY-MM-DD).
    pub date: String,
}

/// A site attribute that makes some items apply (涉氨制冷, 粉尘涉爆 ...), declared by the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Stable code stored with the site, e.g. `liquid_ammonia`.
    pub code: String,
    /// What the site has, as users say it: 使用液氨制冷.
    pub label: String,
}

/// One line of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// Stable across versions: results and hazards refer to it.
    pub id: String,
    /// 检查事项: the heading the item sits under.
    pub section: String,
    /// 检查内容: what the inspector checks, worded as the requirement.
    pub text: String,
    /// 依据条款: the standard or regulation, with its version and article.
    pub basis: String,
    /// A failed item is a major hazard (重大事故隐患) by the industry's national criteria.
    pub major: bool,
    /// Checked against the official text: where and when. Exactly one of `verified` and
    /// `unverified` is set in a file (older stored versions may have neither).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
    /// Not checked against the official text, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
    /// The item applies only to sites with this attribute (a [`Condition`] code of the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_if: Option<String>,
}

impl ChecklistItem {
    /// 重大 or 一般.
    pub fn level(&self) -> &'static str {
        if self.major {
            "重大"
        } else {
            "一般"
        }
    }

    /// Whether the item applies to a site with these attributes.
    pub fn applies_to(&self, attributes: &[String]) -> bool {
        match &self.applies_if {
            None => true,
            Some(code) => attributes.iter().any(|a| a == code),
        }
    }

    /// One line for people: 已核对（来源，日期） / 未核对：原因.
    pub fn verification_label(&self) -> String {
        match (&self.verified, &self.unverified) {
            (Some(v), _) => format!("已核对：{}（{}）", v.source, v.date),
            (None, Some(reason)) => format!("未核对：{reason}"),
            (None, None) => "未核对：未注明".to_string(),
        }
    }
}

/// A versioned checklist for one industry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    pub industry: Industry,
    /// 行业名称 as users know it.
    pub name: String,
    pub version: String,
    /// The national major-hazard criteria the `major` flags follow.
    pub major_hazard_standard: String,
    /// Site attributes that items may depend on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
    pub fn item(&self, item_id: &str) -> Result<&ChecklistItem, DomainError> {
        self.items.iter().find(|i| i.id == item_id).ok_or_else(|| {
            DomainError::UnknownChecklistItem {
                industry: self.name.clone(),
                item_id: item_id.to_string(),
            }
        })
    }

    pub fn major_count(&self) -> usize {
        self.items.iter().filter(|i| i.major).count()
    }

    pub fn verified_count(&self) -> usize {
        self.items.iter().filter(|i| i.verified.is_some()).count()
    }

    /// The items that apply to a site with these attributes, in checklist order: every
    /// unconditional item, and the conditional ones whose attribute the site has.
    pub fn applicable_items(&self, attributes: &[String]) -> Vec<&ChecklistItem> {
        self.items
            .iter()
            .filter(|i| i.applies_to(attributes))
            .collect()
    }

    /// The site attributes this version declares (a site may carry attributes a newer or
    /// older version of the file names; an inspection reads them against its own version).
    pub fn declared_attributes(&self, attributes: &[String]) -> Vec<String> {
        attributes
            .iter()
            .filter(|a| self.condition(a).is_some())
            .cloned()
            .collect()
    }

    pub fn condition(&self, code: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.code == code)
    }

    /// Refuses site attributes this file does not declare.
    pub fn check_attributes(&self, attributes: &[String]) -> Result<(), DomainError> {
        match attributes.iter().find(|a| self.condition(a).is_none()) {
            None => Ok(()),
            Some(a) => Err(DomainError::InvalidValue {
                field: "场所属性",
                reason: format!("{} 的检查表没有场所属性 {a}", self.name),
            }),
        }
    }
}

/// Every compiled-in checklist (the manual as shipped), parsed once: constant data, the same
/// for every store and server. What was published since lives in a [`ChecklistRegistry`].
pub fn compiled() -> &'static [Arc<Checklist>] {
    static ALL: OnceLock<Vec<Arc<Checklist>>> = OnceLock::new();
    ALL.get_or_init(|| {
        Industry::ALL
            .into_iter()
            .map(|industry| {
                let list = parse(industry.source()).unwrap_or_else(|e| {
                    panic!("checklist data for {} is malformed: {e}", industry.code())
                });
                assert_eq!(list.industry, industry, "checklist file names its industry");
                Arc::new(list)
            })
            .collect()
    })
}

/// The compiled-in version of an industry (for tools and tests that know no published one).
pub fn compiled_for(industry: Industry) -> &'static Checklist {
    compiled()
        .iter()
        .find(|c| c.industry == industry)
        .expect("every industry has a compiled checklist")
}

/// The compiled-in version of the industry with this code.
pub fn compiled_by_code(code: &str) -> Result<&'static Checklist, DomainError> {
    Industry::from_code(code).map(compiled_for)
}

/// Reads a checklist version (the TOML of `checklists/*.toml`) and checks it: a version, at
/// least one item, unique item ids, every item with its text and basis, and exactly one of
/// `verified = { source, date }` (date as YYYY-MM-DD) or `unverified = "reason"`; an item's
/// `applies_if` names a condition the file declares.
pub fn parse(text: &str) -> Result<Checklist, DomainError> {
    let list: Checklist = toml::from_str(text).map_err(|e| DomainError::InvalidValue {
        field: "检查表",
        reason: format!("格式错误：{e}"),
    })?;
    check(&list)?;
    Ok(list)
}

/// Reads a version for comparison only (e.g. a file written before items carried their
/// verification): the TOML must have the checklist's shape, the rules of [`check`] are not
/// applied. Never publish what this returns.
pub fn read_for_diff(text: &str) -> Result<Checklist, DomainError> {
    toml::from_str(text).map_err(|e| DomainError::InvalidValue {
        field: "检查表",
        reason: format!("格式错误：{e}"),
    })
}

/// The rules of [`parse`] on a checklist already read.
pub fn check(list: &Checklist) -> Result<(), DomainError> {
    let bad = |reason: String| DomainError::InvalidValue {
        field: "检查表",
        reason,
    };
    if list.version.trim().is_empty() || list.name.trim().is_empty() {
        return Err(bad("须填写名称和版本号".into()));
    }
    if list.items.is_empty() {
        return Err(bad("至少需要一个检查项".into()));
    }
    let mut codes = std::collections::HashSet::new();
    for c in &list.conditions {
        if c.code.trim().is_empty() || c.label.trim().is_empty() {
            return Err(bad("场所属性须填写代码和名称".into()));
        }
        if !codes.insert(c.code.as_str()) {
            return Err(bad(format!("场所属性 {} 重复", c.code)));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for item in &list.items {
        if item.id.trim().is_empty() || item.text.trim().is_empty() || item.basis.trim().is_empty()
        {
            return Err(bad(format!("检查项 {} 须填写编号、内容和依据", item.id)));
        }
        if !ids.insert(item.id.as_str()) {
            return Err(bad(format!("检查项编号 {} 重复", item.id)));
        }
        match (&item.verified, &item.unverified) {
            (Some(_), Some(_)) => {
                return Err(bad(format!(
                    "检查项 {} 不能同时标注已核对（verified）和未核对（unverified）",
                    item.id
                )))
            }
            (None, None) => {
                return Err(bad(format!(
                    "检查项 {} 须标注已核对 verified = {{ source, date }} 或未核对 unverified = \"原因\"",
                    item.id
                )))
            }
            (Some(v), None) => {
                if v.source.trim().is_empty() {
                    return Err(bad(format!("检查项 {} 的核对来源为空", item.id)));
                }
                if chrono::NaiveDate::parse_from_str(&v.date, "%Y-%m-%d").is_err() {
                    return Err(bad(format!(
                        "检查项 {} 的核对日期“{}”不是 YYYY-MM-DD",
                        item.id, v.date
                    )));
                }
            }
            (None, Some(reason)) => {
                if reason.trim().is_empty() {
                    return Err(bad(format!("检查项 {} 未核对须说明原因", item.id)));
                }
            }
        }
        if let Some(code) = &item.applies_if {
            if !codes.contains(code.as_str()) {
                return Err(bad(format!(
                    "检查项 {} 的适用条件 {code} 未在 [[conditions]] 中声明",
                    item.id
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_industry_has_at_least_fifteen_items_with_basis() {
        assert!(compiled().len() >= 18, "{} industries", compiled().len());
        for list in compiled() {
            assert!(
                list.items.len() >= 15,
                "{} has {} items",
                list.name,
                list.items.len()
            );
            check(list).unwrap();
            for item in &list.items {
                assert!(!item.text.trim().is_empty(), "{} empty text", item.id);
                let b = item.basis.as_str();
                let rules: [(bool, &str); 3] = [
                    (
                        b.contains('《') || b.contains("GB") || b.contains('〔'),
                        "names no regulation or standard",
                    ),
                    (
                        b.chars().any(|c| c.is_ascii_digit()),
                        "carries no version or year",
                    ),
                    (
                        b.contains('第') || b.contains('条') || b.contains('.'),
                        "names no article",
                    ),
                ];
                for (holds, problem) in rules {
                    assert!(holds, "{} basis {problem}: {b}", item.id);
                }
            }
        }
    }

    /// A major item changes the workflow (五落实, no 即查即改): it must have been checked against
    /// the official text of its criteria. Items not yet checked stay general, with the reason.
    #[test]
    fn every_major_item_is_verified_against_the_official_text() {
        let mut majors = 0;
        for list in compiled() {
            for item in list.items.iter().filter(|i| i.major) {
                majors += 1;
                let v = item
                    .verified
                    .as_ref()
                    .unwrap_or_else(|| panic!("{} is major but unverified", item.id));
                assert!(!v.source.trim().is_empty(), "{}", item.id);
            }
            for item in &list.items {
                assert!(
                    item.verified.is_some() != item.unverified.is_some(),
                    "{} carries exactly one of verified / unverified",
                    item.id
                );
            }
        }
        assert!(majors >= 50, "only {majors} major items");
    }

    fn sample(items: &str) -> String {
        format!(
            "industry = \"industrial\"\nname = \"工贸\"\nversion = \"9\"\nmajor_hazard_standard = \"令第10号\"\n\n[[conditions]]\ncode = \"liquid_ammonia\"\nlabel = \"使用液氨制冷\"\n{items}"
        )
    }

    const A: &str = "\n[[items]]\nid = \"X-1\"\nsection = \"通用\"\ntext = \"承包单位统一协调管理\"\nbasis = \"令第10号第三条\"\nmajor = true\nverified = { source = \"公报\", date = \"2026-11-29\" }\n";
    const B: &str = "\n[[items]]\nid = \"X-2\"\nsection = \"涉氨\"\ntext = \"快速冻结装置单独设置\"\nbasis = \"令第10号第十二条\"\nmajor = false\nunverified = \"原文未读到\"\napplies_if = \"liquid_ammonia\"\n";

    #[test]
    fn the_parser_requires_one_verification_per_item_and_declared_conditions() {
        let ok = parse(&sample(&format!("{A}{B}"))).unwrap();
        assert_eq!(ok.verified_count(), 1);
        assert_eq!(ok.items[1].applies_if.as_deref(), Some("liquid_ammonia"));

        let neither = sample(&A.replace(
            "verified = { source = \"公报\", date = \"2026-11-29\" }\n",
            "",
        ));
        assert!(parse(&neither)
            .unwrap_err()
            .to_string()
            .contains("须标注已核对"));
        let both = sample(&format!("{A}unverified = \"x\"\n"));
        assert!(parse(&both)
            .unwrap_err()
            .to_string()
            .contains("不能同时标注"));
        let bad_date = sample(&A.replace("2026-11-29", "29.11.2026"));
        assert!(parse(&bad_date)
            .unwrap_err()
            .to_string()
            .contains("YYYY-MM-DD"));
        let empty_reason = sample(&B.replace("原文未读到", " "));
        assert!(parse(&empty_reason)
            .unwrap_err()
            .to_string()
            .contains("说明原因"));
        let undeclared =
            sample(&B.replace("applies_if = \"liquid_ammonia\"", "applies_if = \"dust\""));
        assert!(parse(&undeclared)
            .unwrap_err()
            .to_string()
            .contains("未在 [[conditions]] 中声明"));
        let unknown_field = sample(&format!("{A}level = \"重大\"\n"));
        assert!(parse(&unknown_field).is_err());
    }

    #[test]
    fn conditional_items_apply_only_to_sites_with_the_attribute() {
        let list = compiled_for(Industry::Industrial);
        let plain = list.applicable_items(&[]);
        let ammonia = list.applicable_items(&["liquid_ammonia".to_string()]);
        assert!(plain.iter().all(|i| i.applies_if.is_none()));
        assert!(ammonia.len() > plain.len());
        assert!(ammonia.iter().any(|i| i.id == "IND-012"));
        assert!(!plain.iter().any(|i| i.id == "IND-012" || i.id == "IND-003"));
        assert!(list.check_attributes(&["liquid_ammonia".into()]).is_ok());
        let err = list.check_attributes(&["bakery".into()]).unwrap_err();
        assert!(err.to_string().contains("bakery"));
        // Every condition a file declares is used by at least one of its items.
        for list in compiled() {
            for c in &list.conditions {
                assert!(
                    list.items
                        .iter()
                        .any(|i| i.applies_if.as_deref() == Some(&c.code)),
                    "{}: condition {} unused",
                    list.name,
                    c.code
                );
            }
        }
    }

    #[test]
    fn the_diff_names_added_removed_reworded_and_level_changes() {
        let old = parse(&sample(&format!("{A}{B}"))).unwrap();
        let new_text = sample(&format!(
            "{}{}",
            A.replace("承包单位统一协调管理", "对承包、承租单位统一协调、管理")
                .replace("major = true\nverified = { source = \"公报\", date = \"2026-11-29\" }", "major = false\nunverified = \"待核\""),
            "\n[[items]]\nid = \"X-3\"\nsection = \"通用\"\ntext = \"特种作业人员持证\"\nbasis = \"令第10号第三条\"\nmajor = false\nunverified = \"待核\"\n"
        ))
        .replace("version = \"9\"", "version = \"10\"");
        let new = parse(&new_text).unwrap();
        let d = diff(&old, &new).unwrap();
        assert_eq!(
            (d.from_version.as_str(), d.to_version.as_str()),
            ("9", "10")
        );
        assert_eq!(d.count("added"), 1);
        assert_eq!(d.count("removed"), 1);
        assert_eq!(d.count("changed"), 1);
        let ItemChange::Changed { id, fields } = &d.items[0] else {
            panic!("{:?}", d.items[0])
        };
        assert_eq!(id, "X-1");
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        assert_eq!(names, vec!["text", "level", "verification"]);
        assert_eq!(
            (fields[1].old.as_str(), fields[1].new.as_str()),
            ("重大", "一般")
        );
        assert!(matches!(&d.items[1], ItemChange::Added { item } if item.id == "X-3"));
        assert!(matches!(&d.items[2], ItemChange::Removed { item } if item.id == "X-2"));
        assert!(d.items[0].describe().starts_with("修改 X-1 检查内容："));
        assert!(diff(&old, &old).unwrap().is_empty());
        let other = compiled_for(Industry::Gas);
        assert!(diff(&old, other).is_err());
        // A file from before per-item verification can still be compared.
        let legacy =
            read_for_diff(&sample(&B.replace("unverified = \"原文未读到\"\n", ""))).unwrap();
        assert!(parse(&sample(&B.replace("unverified = \"原文未读到\"\n", ""))).is_err());
        let d = diff(&legacy, &old).unwrap();
        assert_eq!(d.count("added"), 1);
        assert!(
            matches!(&d.items[1], ItemChange::Changed { fields, .. } if fields[0].field == "verification")
        );
    }

    #[test]
    fn item_ids_are_unique_across_all_checklists_and_prefixed() {
        let mut seen = HashSet::new();
        for list in compiled() {
            for item in &list.items {
                assert!(seen.insert(item.id.clone()), "duplicate id {}", item.id);
            }
        }
        assert!(seen.len() >= 150);
    }

    #[test]
    fn unknown_industry_and_item_are_refused_in_chinese() {
        let err = Industry::from_code("bakery").unwrap_err();
        assert_eq!(err.to_string(), "行业无效：未知行业 bakery");
        let gas = compiled_for(Industry::Gas);
        let err = gas.item("GAS-999").unwrap_err();
        assert!(err.to_string().contains("GAS-999"));
    }
}
