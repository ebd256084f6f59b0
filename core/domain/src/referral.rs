//! 移交 (referral, 国办发〔2024〕54号): what is found at an enterprise in a 督查暗访, a 巡查报告 or a
//! 技术服务 is not enforced by the finder; it is referred to the competent department, which
//! accepts it (受理) and inspects and enforces. Only a 行政检查 enforces on its own findings.
//!
//! A 技术服务 under an engagement (委托) goes to the engaging department. Otherwise the
//! competent department follows from data: the department whose enforcement powers
//! (`Unit.enforcement.industries`, the county's organisation records) cover the site's industry,
//! preferring the site's own 属事 department; a site of an industry no department covers goes
//! to its township (属地管理).
//!
//! While a referral waits for acceptance, no enforcement act (即查即改销号, 验收, 退回) may be
//! taken on the hazard; once accepted, only the competent department takes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enforcement::FieldActivity;
use crate::hazard::HazardAction;
use crate::inspection::Inspection;
use crate::org::{Actor, Unit, UnitKind};
use crate::site::Site;
use crate::DomainError;

/// A hazard's referral to the competent department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    /// The competent department (or township) the finding is referred to.
    pub to_unit_id: String,
    pub to_unit_name: String,
    /// The activity the finding was made in (never a 行政检查).
    pub activity: FieldActivity,
    pub referred_at: DateTime<Utc>,
    /// Who accepted it (受理), in the competent unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Referral {
    pub fn is_pending(&self) -> bool {
        self.accepted_at.is_none()
    }

    /// What the ledger shows: 已移交某部门（待受理 / 已受理）.
    pub fn label(&self) -> String {
        format!(
            "{}发现，已移交{}（{}）",
            self.activity.label(),
            self.to_unit_name,
            if self.is_pending() {
                "待受理"
            } else {
                "已受理"
            }
        )
    }

    /// Whether `actor` may take `action` on a hazard under this referral; the referral after
    /// it (accepted, for [`HazardAction::AcceptReferral`]).
    pub fn check(
        &self,
        action: &HazardAction,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Referral, DomainError> {
        let mine = actor.unit_id == self.to_unit_id;
        match action {
            HazardAction::AcceptReferral => {
                if !self.is_pending() {
                    return Err(DomainError::WrongStatus {
                        status: "已受理",
                        action: action.label(),
                    });
                }
                if !mine {
                    return Err(DomainError::NotQualified(format!(
                        "该隐患已移交{}，只能由该单位受理",
                        self.to_unit_name
                    )));
                }
                Ok(Referral {
                    accepted_by: Some(actor.clone()),
                    accepted_at: Some(at),
                    ..self.clone()
                })
            }
            HazardAction::CloseOnSpot { .. }
            | HazardAction::Verify { .. }
            | HazardAction::Reject { .. } => {
                if self.is_pending() {
                    Err(DomainError::NotQualified(format!(
                        "该隐患系{}发现，已移交{}，待其受理后由其检查处置，不能{}",
                        self.activity.label(),
                        self.to_unit_name,
                        action.label()
                    )))
                } else if !mine {
                    Err(DomainError::NotQualified(format!(
                        "该隐患已移交{}，{}须由该单位执法人员办理",
                        self.to_unit_name,
                        action.label()
                    )))
                } else {
                    Ok(self.clone())
                }
            }
            _ => Ok(self.clone()),
        }
    }
}

/// The unit competent for `site`: the department whose enforcement powers cover its industry
/// (its own 属事 department first, then by id), else its township.
pub fn competent_unit<'a>(site: &Site, units: &'a [Unit]) -> Option<&'a Unit> {
    let covers = |u: &&Unit| {
        u.kind == UnitKind::Department
            && u.enforcement
                .as_ref()
                .is_some_and(|b| b.industries.contains(&site.industry))
    };
    let own = site
        .department_id
        .as_deref()
        .and_then(|d| units.iter().filter(covers).find(|u| u.id == d));
    own.or_else(|| units.iter().filter(covers).min_by(|a, b| a.id.cmp(&b.id)))
        .or_else(|| units.iter().find(|u| u.id == site.township_id))
}

/// The referral a finding at `site` made in `insp` needs: none for a 行政检查 (or an
/// inspection recorded before activities were), else to the competent unit.
pub fn referral_for(
    insp: &Inspection,
    site: &Site,
    units: &[Unit],
    at: DateTime<Utc>,
) -> Option<Referral> {
    let activity = insp.activity.filter(|a| !a.enforces())?;
    // A 技术服务 under an engagement goes to the engaging department.
    let engaging = insp
        .commissioned_by
        .as_deref()
        .and_then(|d| units.iter().find(|u| u.id == d));
    let unit = engaging.or_else(|| competent_unit(site, units))?;
    Some(Referral {
        to_unit_id: unit.id.clone(),
        to_unit_name: unit.name.clone(),
        activity,
        referred_at: at,
        accepted_by: None,
        accepted_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::county::zhong_county;

    fn site(industry: &str, department: Option<&str>) -> Site {
        let location = crate::site::SiteLocation::circle(30.3, 108.04, None);
        Site {
            department_id: department.map(str::to_string),
            ..Site::new("s1", "忠县某燃气站", industry, location, "500233001")
        }
    }

    #[test]
    fn the_competent_unit_follows_the_enforcement_powers_in_the_data() {
        let units = zhong_county().units();
        let gas = competent_unit(&site("gas", None), &units).unwrap();
        assert!(gas
            .enforcement
            .as_ref()
            .unwrap()
            .industries
            .contains(&"gas".to_string()));
        let farm = competent_unit(&site("agriculture", None), &units).unwrap();
        assert_eq!(farm.id, "dept-nyw");
        // In a county where no department covers an industry: the township (属地).
        let without: Vec<Unit> = units.into_iter().filter(|u| u.id != "dept-nyw").collect();
        let farm = competent_unit(&site("agriculture", None), &without).unwrap();
        assert_eq!(farm.id, "500233001");
    }
}
