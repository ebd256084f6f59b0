//! 委托技术服务: a department engages a third-party institution (第三方专业机构) or experts of the
//! pool (专家库) for its industries, named sites and a period. The engagement is what lets
//! them in: within it they may carry out a 技术服务 assessment at the engaged sites (and read
//! those sites); their findings go to the engaging department, which inspects and enforces
//! (国办发〔2024〕54号: third parties never inspect in their own name). Coverage per industry
//! for a year tells the department how far the notice's 全年全覆盖 is reached.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Industry;
use crate::enforcement::FieldActivity;
use crate::hazard::china_date;
use crate::inspection::Inspection;
use crate::org::Actor;
use crate::site::Site;
use crate::{required_text, DomainError};

/// Bounds on what one engagement may list (outside input).
pub const MAX_SITES: usize = 2000;
pub const MAX_EXPERTS: usize = 50;
/// The longest period one engagement may cover (a service contract runs at most a year).
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Engagement {
    pub id: String,
    /// 委托事项 (e.g. “2026年城镇燃气场所安全评估”).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub title: String,
    /// The engaging department (委托部门); findings are referred to it.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub department_id: String,
    /// The institution engaged (a unit of kind 第三方专业机构), if any.
    #[serde(default)]
    pub institution_unit_id: Option<String>,
    /// Experts of the pool engaged (their person ids), if any.
    #[serde(default)]
    pub expert_person_ids: Vec<String>,
    /// Industries (checklist codes) of the service.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::checklist::Industry>, min_items = 1)
    )]
    pub industries: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub site_ids: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// 委托合同或委托书 number, as the department files it.
    #[serde(default)]
    pub contract: Option<String>,
    /// Set by the server.
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

impl Engagement {
    /// Its own rules; [`Engagement::check_sites`] checks the sites against the department.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.title, "委托事项")?;
        required_text(&self.department_id, "委托部门")?;
        if self
            .institution_unit_id
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
            && self.expert_person_ids.is_empty()
        {
            return Err(DomainError::MissingField("受委托的第三方机构或专家"));
        }
        if self.industries.is_empty() {
            return Err(DomainError::MissingField("委托行业领域"));
        }
        for i in &self.industries {
            Industry::from_code(i)?;
        }
        if self.site_ids.is_empty() {
            return Err(DomainError::MissingField("委托服务的场所"));
        }
        if self.site_ids.len() > MAX_SITES || self.expert_person_ids.len() > MAX_EXPERTS {
            return Err(DomainError::InvalidValue {
                field: "委托范围",
                reason: format!("场所至多 {MAX_SITES} 个、专家至多 {MAX_EXPERTS} 名"),
            });
        }
        if self.end < self.start {
            return Err(DomainError::InvalidValue {
                field: "委托期限",
                reason: "结束日期早于开始日期".into(),
            });
        }
        if (self.end - self.start).num_days() > MAX_DAYS {
            return Err(DomainError::InvalidValue {
                field: "委托期限",
                reason: "一次委托不超过一年".into(),
            });
        }
        Ok(())
    }

    /// Every site must be one the department supervises (属事), of an engaged industry.
    pub fn check_sites(&self, sites: &[&Site]) -> Result<(), DomainError> {
        for s in sites {
            if s.department_id.as_deref() != Some(self.department_id.as_str()) {
                return Err(DomainError::InvalidValue {
                    field: "委托服务的场所",
                    reason: format!("{}不属本部门监管，不能委托", s.name),
                });
            }
            if !self.industries.contains(&s.industry) {
                return Err(DomainError::InvalidValue {
                    field: "委托服务的场所",
                    reason: format!("{}不在委托的行业领域内", s.name),
                });
            }
        }
        Ok(())
    }

    pub fn is_active(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Whether `who` is one of the engaged: a member of the institution, or an engaged expert.
    pub fn engages(&self, who: &Actor) -> bool {
        self.institution_unit_id.as_deref() == Some(who.unit_id.as_str())
            || self.expert_person_ids.contains(&who.person_id)
    }

    /// Whether the engagement lets `who` work at `site` on `day`.
    pub fn grants(&self, who: &Actor, site: &Site, day: NaiveDate) -> bool {
        self.engages(who)
            && self.is_active(day)
            && self.site_ids.contains(&site.id)
            && self.industries.contains(&site.industry)
    }

    /// Overlaps the calendar year.
    pub fn in_year(&self, year: i32) -> bool {
        self.start.year() <= year && self.end.year() >= year
    }
}

/// Why a person may not work at a site under any engagement: the refusal they read, naming
/// neither the site nor the engagements they are not part of.
pub fn refusal(engagements: &[Engagement], who: &Actor, site: &Site, day: NaiveDate) -> String {
    let mine: Vec<&Engagement> = engagements.iter().filter(|e| e.engages(who)).collect();
    if mine.is_empty() {
        return "未受任何部门委托，不能开展技术服务".into();
    }
    let at_site: Vec<&&Engagement> = mine
        .iter()
        .filter(|e| e.site_ids.contains(&site.id) && e.industries.contains(&site.industry))
        .collect();
    match at_site.first() {
        None => "该场所不在委托服务范围内".into(),
        Some(e) if day < e.start => format!("委托期限尚未开始（自 {} 起）", e.start),
        Some(e) => format!("委托期限已于 {} 结束", e.end),
    }
}

/// The engagement under which `who` works at `site` on `day` (the first, in id order).
pub fn engagement_for<'a>(
    engagements: &'a [Engagement],
    who: &Actor,
    site: &Site,
    day: NaiveDate,
) -> Option<&'a Engagement> {
    engagements
        .iter()
        .filter(|e| e.grants(who, site, day))
        .min_by(|a, b| a.id.cmp(&b.id))
}

/// One industry's coverage for a year: sites in the industry, sites engaged (under an
/// engagement overlapping the year) and sites assessed (a finished 技术服务 assessment under
/// an engagement in the year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndustryCoverage {
    pub industry: String,
    pub label: String,
    pub sites: usize,
    pub engaged: usize,
    pub assessed: usize,
    /// assessed / sites, in percent (two decimals); 0 when the industry has no sites.
    pub rate: f64,
    /// The engaging departments (ids), sorted.
    pub departments: Vec<String>,
}

/// Coverage per industry for `year`, for the industries with sites (or `department`'s own).
pub fn coverage(
    year: i32,
    sites: &[Site],
    engagements: &[Engagement],
    inspections: &[Inspection],
    department: Option<&str>,
) -> Vec<IndustryCoverage> {
    let of_year: Vec<&Engagement> = engagements
        .iter()
        .filter(|e| e.in_year(year) && department.is_none_or(|d| e.department_id == d))
        .collect();
    let engaged: HashSet<&str> = of_year
        .iter()
        .flat_map(|e| e.site_ids.iter().map(String::as_str))
        .collect();
    let ids: HashSet<&str> = of_year.iter().map(|e| e.id.as_str()).collect();
    let assessed: HashSet<&str> = inspections
        .iter()
        .filter(|i| i.activity == Some(FieldActivity::TechnicalSupport))
        .filter(|i| i.engagement_id.as_deref().is_some_and(|e| ids.contains(e)))
        .filter(|i| i.finished_at.is_some_and(|f| china_date(f).year() == year))
        .map(|i| i.site_id.as_str())
        .collect();
    let mut by_industry: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for s in sites
        .iter()
        .filter(|s| department.is_none_or(|d| s.department_id.as_deref() == Some(d)))
    {
        let row = by_industry.entry(s.industry.as_str()).or_default();
        row.0 += 1;
        row.1 += usize::from(engaged.contains(s.id.as_str()));
        row.2 += usize::from(assessed.contains(s.id.as_str()));
    }
    by_industry
        .into_iter()
        .map(|(code, (n, e, a))| {
            let mut departments: Vec<String> = of_year
                .iter()
                .filter(|x| x.industries.iter().any(|i| i == code))
                .map(|x| x.department_id.clone())
                .collect();
            departments.sort();
            departments.dedup();
            IndustryCoverage {
                industry: code.to_string(),
                label: Industry::from_code(code).map_or(code.to_string(), |i| {
                    crate::checklist::compiled_for(i).name.clone()
                }),
                sites: n,
                engaged: e,
                assessed: a,
                rate: if n == 0 {
                    0.0
                } else {
                    (a as f64 * 10000.0 / n as f64).round() / 100.0
                },
                departments,
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::inspection::InspectionKind;
    use crate::org::Role;
    use crate::site::SiteLocation;

    pub(crate) fn site(id: &str, industry: &str, dept: &str) -> Site {
        let location = SiteLocation::circle(30.3, 108.0, None);
        Site {
            department_id: Some(dept.into()),
            ..Site::new(id, format!("场所{id}"), industry, location, "t1")
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn engagement() -> Engagement {
        Engagement {
            id: "e1".into(),
            title: "2026年城镇燃气场所安全评估".into(),
            department_id: "dept-zjw".into(),
            institution_unit_id: Some("tp".into()),
            expert_person_ids: vec!["person-expert".into()],
            industries: vec!["gas".into()],
            site_ids: vec!["s1".into(), "s2".into()],
            start: d("2026-03-01"),
            end: d("2026-12-31"),
            contract: None,
            created_by: String::new(),
            created_at: None,
        }
    }

    fn actor(person: &str, unit: &str, role: Role) -> Actor {
        Actor {
            person_id: person.into(),
            name: "朱琳".into(),
            unit_id: unit.into(),
            roles: vec![role],
        }
    }

    #[test]
    fn an_engagement_grants_its_people_its_sites_within_its_period() {
        let e = engagement();
        let tp = actor("person-tp", "tp", Role::ThirdPartyAssessor);
        let expert = actor("person-expert", "dept-yjj", Role::Expert);
        let other = actor("person-x", "tp2", Role::ThirdPartyAssessor);
        let s1 = site("s1", "gas", "dept-zjw");
        let s3 = site("s3", "gas", "dept-zjw");
        assert!(e.grants(&tp, &s1, d("2026-06-01")));
        assert!(e.grants(&expert, &s1, d("2026-06-01")));
        assert!(!e.grants(&other, &s1, d("2026-06-01")));
        assert!(!e.grants(&tp, &s3, d("2026-06-01")));
        assert!(!e.grants(&tp, &s1, d("2026-02-28")));
        assert!(!e.grants(&tp, &s1, d("2027-01-01")));
        let all = [e];
        assert_eq!(
            refusal(&all, &tp, &s1, d("2026-02-01")),
            "委托期限尚未开始（自 2026-03-01 起）"
        );
        assert_eq!(
            refusal(&all, &tp, &s1, d("2027-01-05")),
            "委托期限已于 2026-12-31 结束"
        );
        assert_eq!(
            refusal(&all, &tp, &s3, d("2026-06-01")),
            "该场所不在委托服务范围内"
        );
        assert!(refusal(&all, &other, &s1, d("2026-06-01")).contains("未受任何部门委托"));
        assert_eq!(
            engagement_for(&all, &tp, &s1, d("2026-06-01")).map(|e| e.id.as_str()),
            Some("e1")
        );
    }

    #[test]
    fn sites_must_be_the_departments_and_of_the_engaged_industries() {
        let e = engagement();
        assert!(e.validate().is_ok());
        let fire = site("s9", "fire", "dept-zjw");
        let err = e.check_sites(&[&fire]).unwrap_err();
        assert!(err.to_string().contains("不在委托的行业领域内"), "{err}");
        let other = site("s8", "gas", "dept-xfjy");
        let err = e.check_sites(&[&other]).unwrap_err();
        assert!(err.to_string().contains("不属本部门监管"), "{err}");
        let mut bad = engagement();
        bad.institution_unit_id = None;
        bad.expert_person_ids.clear();
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("第三方机构或专家"));
        let mut long = engagement();
        long.end = d("2027-12-31");
        assert!(long
            .validate()
            .unwrap_err()
            .to_string()
            .contains("不超过一年"));
        let mut unknown = engagement();
        unknown.industries = vec!["nope".into()];
        assert!(unknown.validate().is_err());
    }

    fn assessment(id: &str, site: &str, engagement: Option<&str>, at: &str) -> Inspection {
        Inspection {
            received: None,
            id: id.into(),
            kind: InspectionKind::ProfessionalAssessment,
            site_id: site.into(),
            industry: Industry::Gas,
            checklist_version: "1".into(),
            leader: actor("person-tp", "tp", Role::ThirdPartyAssessor),
            participants: vec![],
            started_at: at.parse().unwrap(),
            finished_at: Some(at.parse().unwrap()),
            results: Default::default(),
            activity: Some(FieldActivity::TechnicalSupport),
            in_name_of: None,
            certificate_number: None,
            joint_unit_ids: vec![],
            engagement_id: engagement.map(str::to_string),
            commissioned_by: engagement.map(|_| "dept-zjw".to_string()),
            officers: vec![],
            campaign_id: None,
            complaint_id: None,
        }
    }

    #[test]
    fn coverage_counts_sites_engaged_and_assessed_per_industry_for_the_year() {
        let sites = vec![
            site("s1", "gas", "dept-zjw"),
            site("s2", "gas", "dept-zjw"),
            site("s3", "gas", "dept-zjw"),
            site("s4", "gas", "dept-zjw"),
            site("f1", "fire", "dept-xfjy"),
        ];
        let inspections = vec![
            assessment("i1", "s1", Some("e1"), "2026-06-01T02:00:00Z"),
            // The same site twice counts once.
            assessment("i2", "s1", Some("e1"), "2026-07-01T02:00:00Z"),
            // Without an engagement, or in another year, it does not count.
            assessment("i3", "s2", None, "2026-06-01T02:00:00Z"),
            assessment("i4", "s2", Some("e1"), "2025-12-31T02:00:00Z"),
        ];
        let rows = coverage(2026, &sites, &[engagement()], &inspections, None);
        let gas = rows.iter().find(|r| r.industry == "gas").unwrap();
        assert_eq!((gas.sites, gas.engaged, gas.assessed), (4, 2, 1));
        assert_eq!(gas.rate, 25.0);
        assert_eq!(gas.label, "城镇燃气");
        assert_eq!(gas.departments, vec!["dept-zjw".to_string()]);
        let fire = rows.iter().find(|r| r.industry == "fire").unwrap();
        assert_eq!((fire.sites, fire.engaged, fire.assessed), (1, 0, 0));
        let zjw = coverage(
            2026,
            &sites,
            &[engagement()],
            &inspections,
            Some("dept-zjw"),
        );
        assert_eq!(zjw.len(), 1);
        assert!(coverage(2025, &sites, &[engagement()], &inspections, None)
            .iter()
            .all(|r| r.engaged == 0));
    }
}
