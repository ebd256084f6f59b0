//! How often enterprises are inspected (国办发〔2024〕54号): published annual caps per body and
//! industry (`data/inspection_caps.toml`), joint inspections counted once, and the warnings
//! shown before a visit that would exceed a cap or repeat another body's recent visit.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::enforcement::FieldActivity;
use crate::hazard::china_date;
use crate::inspection::Inspection;
use crate::org::Unit;
use crate::site::Site;
use crate::DomainError;

/// Most other bodies one joint inspection may name.
pub const MAX_JOINT: usize = 8;

/// Days within which another body's visit counts as recent (a joint inspection is suggested).
pub const RECENT_DAYS: i64 = 30;

#[derive(Debug, Clone, Deserialize)]
pub struct Cap {
    pub industry: String,
    pub per_year: u32,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CapTable {
    pub default_per_year: u32,
    #[serde(default)]
    pub caps: Vec<Cap>,
}

impl CapTable {
    pub fn per_year(&self, industry: &str) -> u32 {
        self.caps
            .iter()
            .find(|c| c.industry == industry)
            .map_or(self.default_per_year, |c| c.per_year)
    }
}

/// The county's published caps, from the compiled-in data file.
pub fn caps() -> &'static CapTable {
    static CAPS: OnceLock<CapTable> = OnceLock::new();
    CAPS.get_or_init(|| {
        toml::from_str(include_str!("../data/inspection_caps.toml")).expect("caps are valid")
    })
}

/// The enforcement bodies (unit ids) an inspection counts for: the leader's unit and the
/// bodies of a joint inspection, each once.
pub fn bodies_of(i: &Inspection) -> Vec<&str> {
    let mut v: Vec<&str> = std::iter::once(i.leader.unit_id.as_str())
        .chain(i.joint_unit_ids.iter().map(String::as_str))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The 行政检查 of `site` by `body` in `year` (a joint inspection counts once).
pub fn inspections_in_year(body: &str, site_id: &str, year: i32, past: &[Inspection]) -> usize {
    past.iter()
        .filter(|i| {
            i.site_id == site_id
                && i.activity == Some(FieldActivity::AdministrativeInspection)
                && china_date(i.started_at).year() == year
                && bodies_of(i).contains(&body)
        })
        .count()
}

/// A warning before a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VisitWarning {
    /// This visit would reach or exceed the body's annual cap for the site's industry.
    Cap { done: usize, per_year: u32 },
    /// Another body inspected the site recently: combine (联合检查) instead of repeating.
    Repeat { unit_id: String, on: NaiveDate },
}

impl VisitWarning {
    /// The text shown, with unit names from `name_of`.
    pub fn message(&self, name_of: impl Fn(&str) -> String) -> String {
        match self {
            VisitWarning::Cap { done, per_year } => format!(
                "本单位今年已对该企业行政检查 {done} 次，年度上限 {per_year} 次：再次检查将超过公布的频次上限"
            ),
            VisitWarning::Repeat { unit_id, on } => format!(
                "{}已于 {on} 检查该企业：请考虑联合检查或共享结果，避免重复检查",
                name_of(unit_id)
            ),
        }
    }
}

/// The warnings before `body` visits `site` on `today`, from the site's past inspections.
pub fn warnings(
    body: &str,
    site: &Site,
    past: &[Inspection],
    today: NaiveDate,
) -> Vec<VisitWarning> {
    let mut out = Vec::new();
    let per_year = caps().per_year(&site.industry);
    let done = inspections_in_year(body, &site.id, today.year(), past);
    if done as u32 >= per_year {
        out.push(VisitWarning::Cap { done, per_year });
    }
    let mut recent: Vec<(NaiveDate, &str)> = past
        .iter()
        .filter(|i| {
            i.site_id == site.id && i.activity == Some(FieldActivity::AdministrativeInspection)
        })
        .filter(|i| !bodies_of(i).contains(&body))
        .map(|i| (china_date(i.started_at), i.leader.unit_id.as_str()))
        .filter(|(d, _)| *d <= today && (today - *d).num_days() <= RECENT_DAYS)
        .collect();
    recent.sort_by(|a, b| b.0.cmp(&a.0));
    if let Some((on, unit)) = recent.first() {
        out.push(VisitWarning::Repeat {
            unit_id: unit.to_string(),
            on: *on,
        });
    }
    out
}

/// Checks a joint inspection's other bodies (given as the inspection's `joint_unit_ids`, with
/// `units` the ones found): only a 行政检查 is joint, and each other body must be an enforcement
/// body with powers over the site. Returns the ids deduplicated, without the leader's own unit.
pub fn check_joint(
    i: &Inspection,
    site: &Site,
    units: &[Unit],
) -> Result<Vec<String>, DomainError> {
    let invalid = |reason: String| DomainError::InvalidValue {
        field: "联合检查单位",
        reason,
    };
    let mut ids: Vec<String> = i
        .joint_unit_ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && *s != i.leader.unit_id)
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(ids);
    }
    if ids.len() > MAX_JOINT {
        return Err(invalid(format!("最多 {MAX_JOINT} 个单位")));
    }
    if i.activity != Some(FieldActivity::AdministrativeInspection) {
        return Err(invalid("只有行政检查可以联合开展".into()));
    }
    for id in &ids {
        let Some(u) = units.iter().find(|u| &u.id == id) else {
            return Err(invalid(format!("未找到单位 {id}")));
        };
        if !u.enforcement.as_ref().is_some_and(|b| b.covers(u, site)) {
            return Err(invalid(format!("{}对该企业没有执法权", u.name)));
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Industry;
    use chrono::Utc;

    fn inspection(unit: &str, joint: &[&str]) -> Inspection {
        let mut i = crate::inspection::administrative_for_test(unit, Industry::Fire);
        i.joint_unit_ids = joint.iter().map(|j| j.to_string()).collect();
        i
    }

    #[test]
    fn the_published_caps_are_data_and_a_joint_inspection_counts_once_per_body() {
        assert_eq!(caps().per_year("hazchem"), 4);
        assert_eq!(caps().per_year("school"), caps().default_per_year);
        let year = china_date(Utc::now()).year();
        let joint = inspection("dept-xf", &["dept-mz", "dept-mz", "dept-xf"]);
        assert_eq!(bodies_of(&joint), vec!["dept-mz", "dept-xf"]);
        let past = vec![joint, inspection("dept-xf", &[])];
        assert_eq!(inspections_in_year("dept-xf", "s1", year, &past), 2);
        assert_eq!(inspections_in_year("dept-mz", "s1", year, &past), 1);
        assert_eq!(inspections_in_year("dept-mz", "s2", year, &past), 0);
    }
}
