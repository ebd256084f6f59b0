//! The grassroots inspection-and-enforcement manual's checklists (基层检查执法指导手册),
//! one versioned data file per industry, compiled into the crate.

use std::sync::{OnceLock, RwLock};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The industries the manual covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl Industry {
    pub const ALL: [Industry; 10] = [
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
        }
    }
}

/// One line of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

/// A versioned checklist for one industry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub industry: Industry,
    /// 行业名称 as users know it.
    pub name: String,
    pub version: String,
    /// The national major-hazard criteria the `major` flags follow.
    pub major_hazard_standard: String,
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
}

/// Every compiled-in checklist, parsed once.
/// The versions compiled into the crate (the manual as shipped).
pub fn compiled() -> &'static [Checklist] {
    static ALL: OnceLock<Vec<Checklist>> = OnceLock::new();
    ALL.get_or_init(|| {
        Industry::ALL
            .into_iter()
            .map(|industry| {
                let list: Checklist = toml::from_str(industry.source()).unwrap_or_else(|e| {
                    panic!("checklist data for {} is malformed: {e}", industry.code())
                });
                assert_eq!(list.industry, industry, "checklist file names its industry");
                list
            })
            .collect()
    })
}

/// Versions published after the build (by 县安委办 on the server, pulled by the phones), in
/// publication order. Each lives for the process: inspections keep pointing at the version
/// they were made with.
fn published() -> &'static RwLock<Vec<&'static Checklist>> {
    static PUBLISHED: OnceLock<RwLock<Vec<&'static Checklist>>> = OnceLock::new();
    PUBLISHED.get_or_init(|| RwLock::new(Vec::new()))
}

/// Reads a checklist version (the TOML of `checklists/*.toml`) and checks it: a version, at
/// least one item, unique item ids, every item with its text and basis.
pub fn parse(text: &str) -> Result<Checklist, DomainError> {
    let bad = |reason: String| DomainError::InvalidValue {
        field: "检查表",
        reason,
    };
    let list: Checklist = toml::from_str(text).map_err(|e| bad(format!("格式错误：{e}")))?;
    if list.version.trim().is_empty() || list.name.trim().is_empty() {
        return Err(bad("须填写名称和版本号".into()));
    }
    if list.items.is_empty() {
        return Err(bad("至少需要一个检查项".into()));
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
    }
    Ok(list)
}

/// Makes a version known to this process; it becomes the industry's current version. The
/// same version again is a no-op; the same version number with other content is refused.
pub fn publish(list: Checklist) -> Result<&'static Checklist, DomainError> {
    if let Some(existing) = version(list.industry, &list.version) {
        if *existing == list {
            return Ok(existing);
        }
        return Err(DomainError::InvalidValue {
            field: "检查表",
            reason: format!(
                "{} 的版本 {} 已存在且内容不同，请使用新的版本号",
                existing.name, list.version
            ),
        });
    }
    let leaked: &'static Checklist = Box::leak(Box::new(list));
    published()
        .write()
        .expect("checklist registry")
        .push(leaked);
    Ok(leaked)
}

/// Every version of an industry, oldest first (compiled, then published).
pub fn versions(industry: Industry) -> Vec<&'static Checklist> {
    let mut out: Vec<&'static Checklist> = compiled()
        .iter()
        .filter(|c| c.industry == industry)
        .collect();
    out.extend(
        published()
            .read()
            .expect("checklist registry")
            .iter()
            .copied()
            .filter(|c| c.industry == industry),
    );
    out
}

/// One version of an industry's checklist, if known here.
pub fn version(industry: Industry, version: &str) -> Option<&'static Checklist> {
    versions(industry)
        .into_iter()
        .find(|c| c.version == version)
}

/// The current version of an industry: the latest published, else the compiled one.
pub fn for_industry(industry: Industry) -> &'static Checklist {
    versions(industry)
        .pop()
        .expect("every industry has a checklist")
}

/// The current version of every industry, in the manual's order.
pub fn all() -> Vec<&'static Checklist> {
    Industry::ALL.into_iter().map(for_industry).collect()
}

pub fn by_code(code: &str) -> Result<&'static Checklist, DomainError> {
    Industry::from_code(code).map(for_industry)
}

/// An item of an industry: from the current version, else from any earlier one (a hazard
/// raised from an inspection made with an older version).
pub fn find_item(industry: Industry, item_id: &str) -> Result<&'static ChecklistItem, DomainError> {
    let current = for_industry(industry);
    current.item(item_id).or_else(|e| {
        versions(industry)
            .into_iter()
            .rev()
            .find_map(|c| c.item(item_id).ok())
            .ok_or(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_industry_has_at_least_fifteen_items_with_basis() {
        for list in all() {
            assert!(
                list.items.len() >= 15,
                "{} has {} items",
                list.name,
                list.items.len()
            );
            assert!(list.major_count() >= 1, "{} has no major items", list.name);
            for item in &list.items {
                assert!(!item.text.trim().is_empty(), "{} empty text", item.id);
                assert!(
                    item.basis.contains('《')
                        || item.basis.contains("GB")
                        || item.basis.contains('〔'),
                    "{} basis names no regulation or standard: {}",
                    item.id,
                    item.basis
                );
                assert!(
                    item.basis.chars().any(|c| c.is_ascii_digit()),
                    "{} basis carries no version or year: {}",
                    item.id,
                    item.basis
                );
                assert!(
                    item.basis.contains('第')
                        || item.basis.contains('条')
                        || item.basis.contains('.'),
                    "{} basis names no article: {}",
                    item.id,
                    item.basis
                );
            }
        }
    }

    #[test]
    fn item_ids_are_unique_across_all_checklists_and_prefixed() {
        let mut seen = HashSet::new();
        for list in all() {
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
        let gas = for_industry(Industry::Gas);
        let err = gas.item("GAS-999").unwrap_err();
        assert!(err.to_string().contains("GAS-999"));
    }
}
