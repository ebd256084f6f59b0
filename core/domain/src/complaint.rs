//! 投诉举报 left through a site's code (its public page, no login): what the public or the
//! enterprise says about the site or its inspections. The county (县安委办) reads them all and
//! hands one over (交办) to an enforcement body with powers over the site; that body's
//! officers then see it on their phones and may start a 行政检查 of the site from it, whose
//! 现场检查记录 states 投诉举报 as its 任务来源 (国办发〔2024〕54号).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enforcement::FieldActivity;
use crate::inspection::{Inspection, ItemOutcome};
use crate::org::Unit;
use crate::site::Site;
use crate::DomainError;

/// A complaint or report left about a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub id: String,
    pub site_id: String,
    pub site_name: String,
    pub text: String,
    pub contact: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The enforcement body it was handed over to (交办), once the county did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_unit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<DateTime<Utc>>,
    /// Who at the county handed it over (a name, as the body's officers see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_by: Option<String>,
    /// The 行政检查 started from it (set by the server when that inspection arrives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_id: Option<String>,
}

/// Whether `unit` may take a complaint about `site`: an enforcement body with powers over the
/// site's industry (a township only for its own sites). The one rule of [`Complaint::assign`]
/// and of the bodies the county is offered ([`bodies_for`]).
pub fn may_take(unit: &Unit, site: &Site) -> bool {
    unit.enforcement
        .as_ref()
        .is_some_and(|b| b.covers(unit, site))
}

/// The units a complaint about `site` may be handed over to, in the order given.
pub fn bodies_for<'a>(units: &'a [Unit], site: &Site) -> Vec<&'a Unit> {
    units.iter().filter(|u| may_take(u, site)).collect()
}

/// What became of a complaint once its body acted: the 行政检查 started from it and where it
/// stands (items checked, items found 不合格).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub inspection_id: String,
    pub leader_name: String,
    pub unit_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub checked: usize,
    pub failed: usize,
}

impl FollowUp {
    pub fn of(insp: &Inspection) -> FollowUp {
        FollowUp {
            inspection_id: insp.id.clone(),
            leader_name: insp.leader.name.clone(),
            unit_id: insp.leader.unit_id.clone(),
            started_at: insp.started_at,
            finished_at: insp.finished_at,
            checked: insp.results.len(),
            failed: insp
                .results
                .values()
                .filter(|r| r.outcome == ItemOutcome::Fail)
                .count(),
        }
    }
}

impl Complaint {
    /// The county hands the complaint over to `unit`, which must be an enforcement body with
    /// powers over the site (once; handing it to another body later replaces the first).
    pub fn assign(
        &self,
        unit: &Unit,
        site: &Site,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Complaint, DomainError> {
        if !may_take(unit, site) {
            return Err(DomainError::NotQualified(format!(
                "{}对该场所没有行政执法权，不能交办投诉举报（请交有执法权的部门或乡镇）",
                unit.name
            )));
        }
        Ok(Complaint {
            assigned_unit_id: Some(unit.id.clone()),
            assigned_at: Some(at),
            assigned_by: Some(by.to_string()),
            ..self.clone()
        })
    }
}

/// An inspection started from a complaint: a 行政检查 of the complaint's site by the body it
/// was handed over to (leading, or joining a joint inspection).
pub fn check_inspection(
    insp: &Inspection,
    complaint: Option<&Complaint>,
) -> Result<(), DomainError> {
    let Some(id) = insp.complaint_id.as_deref() else {
        return Ok(());
    };
    let c = complaint
        .filter(|c| c.id == id && c.site_id == insp.site_id)
        .ok_or_else(|| {
            DomainError::NotQualified("该投诉举报不存在或不是对本场所的投诉举报".into())
        })?;
    if insp.activity != Some(FieldActivity::AdministrativeInspection) {
        return Err(DomainError::NotQualified(
            "投诉举报交办的检查须为行政检查（由有执法权的部门或乡镇的持证执法人员进行）".into(),
        ));
    }
    let ours = c
        .assigned_unit_id
        .as_deref()
        .is_some_and(|u| u == insp.leader.unit_id || insp.joint_unit_ids.iter().any(|j| j == u));
    if !ours {
        return Err(DomainError::NotQualified(
            "该投诉举报未交办给本单位，不能据此检查".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Industry;

    fn unit(id: &str) -> Unit {
        crate::county::zhong_county()
            .units()
            .into_iter()
            .find(|u| u.id == id)
            .unwrap()
    }

    fn complaint() -> Complaint {
        Complaint {
            id: "c1".into(),
            site_id: "s1".into(),
            site_name: "忠州燃气站".into(),
            text: "站内液化气钢瓶堆放在地下室".into(),
            contact: None,
            received_at: Utc::now(),
            assigned_unit_id: None,
            assigned_at: None,
            assigned_by: None,
            inspection_id: None,
        }
    }

    fn inspection(unit: &str) -> Inspection {
        let mut i = crate::inspection::administrative_for_test(unit, Industry::Gas);
        i.complaint_id = Some("c1".into());
        i
    }

    #[test]
    fn a_complaint_goes_to_a_body_with_powers_and_only_it_inspects_from_it() {
        let site = crate::engagement::tests::site("s1", "gas", "dept-zjw");
        // 县民政局 has no powers over gas: refused.
        let err = complaint()
            .assign(&unit("dept-mzj"), &site, "赵敏", Utc::now())
            .unwrap_err()
            .to_string();
        assert!(err.contains("没有行政执法权"), "{err}");
        let c = complaint()
            .assign(&unit("dept-zjw"), &site, "赵敏", Utc::now())
            .unwrap();
        assert_eq!(c.assigned_unit_id.as_deref(), Some("dept-zjw"));
        assert_eq!(c.assigned_by.as_deref(), Some("赵敏"));
        // The bodies offered are exactly those the assignment accepts.
        let units = crate::county::zhong_county().units();
        let offered: Vec<&str> = bodies_for(&units, &site)
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert!(
            offered.contains(&"dept-zjw") && !offered.contains(&"dept-mzj"),
            "{offered:?}"
        );
        for u in &units {
            let ok = complaint().assign(u, &site, "赵敏", Utc::now()).is_ok();
            assert_eq!(ok, offered.contains(&u.id.as_str()), "{}", u.id);
        }

        check_inspection(&inspection("dept-zjw"), Some(&c)).unwrap();
        // Its 现场检查记录 states 投诉举报 as the 任务来源.
        let source = crate::task_source::TaskSource::of(&inspection("dept-zjw"), &[], &[]);
        assert_eq!(source.label(), "投诉举报");
        // Not handed over yet, to another body, about another site, or unknown: refused.
        assert!(check_inspection(&inspection("dept-zjw"), Some(&complaint())).is_err());
        let err = check_inspection(&inspection("dept-cgj"), Some(&c))
            .unwrap_err()
            .to_string();
        assert!(err.contains("未交办给本单位"), "{err}");
        let mut joint = inspection("dept-cgj");
        joint.joint_unit_ids = vec!["dept-zjw".into()];
        check_inspection(&joint, Some(&c)).unwrap();
        let mut elsewhere = inspection("dept-zjw");
        elsewhere.site_id = "s2".into();
        assert!(check_inspection(&elsewhere, Some(&c)).is_err());
        assert!(check_inspection(&inspection("dept-zjw"), None).is_err());
        // Only a 行政检查 answers a complaint.
        let mut patrol = inspection("dept-zjw");
        patrol.activity = Some(FieldActivity::PatrolReport);
        assert!(check_inspection(&patrol, Some(&c)).is_err());
        // What the inspection found, as the county follows it up.
        let mut done = inspection("dept-zjw");
        for (item, outcome) in [("a", ItemOutcome::Pass), ("b", ItemOutcome::Fail)] {
            done.results.insert(
                item.into(),
                crate::inspection::ItemResult {
                    outcome,
                    note: None,
                    recorded_at: Utc::now(),
                },
            );
        }
        let f = FollowUp::of(&done);
        assert_eq!(
            (f.checked, f.failed, f.unit_id.as_str()),
            (2, 1, "dept-zjw")
        );
        // Without a complaint, nothing to check.
        let mut plain = inspection("dept-zjw");
        plain.complaint_id = None;
        check_inspection(&plain, None).unwrap();
    }
}
