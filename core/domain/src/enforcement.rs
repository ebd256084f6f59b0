//! Field activity by its legal nature (国办发〔2024〕54号): who may enter an enterprise to do
//! what, in whose name.
//!
//! - 行政检查: only an enforcement body (行政执法主体: a department with statutory powers, a body
//!   authorised by law, or one entrusted, acting in the entrusting body's name), through an
//!   officer holding a valid enforcement certificate (执法证) whose fields cover the site's
//!   industry, within the body's industries.
//! - 督查暗访: county leaders, 县安委办 and 县政府督查办 supervise whether townships and
//!   departments do their duty; what they see at an enterprise is referred (移交) to the
//!   competent department, which inspects and enforces.
//! - 巡查报告: 工作专班, 网格员 and the staff of units without enforcement powers patrol and report;
//!   they never enforce.
//! - 技术服务: experts and third parties under a department's commission; their findings go to
//!   that department.
//!
//! The notice's 五查 ([`InspectionKind`]) stay the categories its quotas count; each kind may be
//! carried out only through the activities [`activities_for`] lists (docs/compliance.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::inspection::InspectionKind;
use crate::org::{Person, Role, Unit, UnitKind};
use crate::site::Site;
use crate::{required_text, DomainError};

/// Days before expiry from which a certificate is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

/// The legal nature of a field activity at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum FieldActivity {
    /// 行政检查
    AdministrativeInspection,
    /// 督查暗访 of government units' work
    WorkSupervision,
    /// 巡查、发现报告
    PatrolReport,
    /// 受委托技术服务
    TechnicalSupport,
}

impl FieldActivity {
    pub const ALL: [FieldActivity; 4] = [
        FieldActivity::AdministrativeInspection,
        FieldActivity::WorkSupervision,
        FieldActivity::PatrolReport,
        FieldActivity::TechnicalSupport,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FieldActivity::AdministrativeInspection => "行政检查",
            FieldActivity::WorkSupervision => "督查暗访",
            FieldActivity::PatrolReport => "巡查报告",
            FieldActivity::TechnicalSupport => "技术服务",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FieldActivity::AdministrativeInspection => "administrative_inspection",
            FieldActivity::WorkSupervision => "work_supervision",
            FieldActivity::PatrolReport => "patrol_report",
            FieldActivity::TechnicalSupport => "technical_support",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|a| a.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "检查性质",
                reason: format!("未知检查性质 {code}"),
            })
    }

    /// Only a 行政检查 enforces; every other activity's findings at an enterprise are referred
    /// (移交) to the competent department.
    pub fn enforces(self) -> bool {
        self == FieldActivity::AdministrativeInspection
    }
}

/// Through which lawful activities each of the notice's 五查 is carried out, preferred first.
pub fn activities_for(kind: InspectionKind) -> &'static [FieldActivity] {
    use FieldActivity::*;
    match kind {
        InspectionKind::LeaderSupervision => &[WorkSupervision],
        InspectionKind::RoutineCheck => &[AdministrativeInspection, PatrolReport],
        InspectionKind::UnannouncedPatrol => &[WorkSupervision, PatrolReport],
        InspectionKind::RandomCheck => &[WorkSupervision],
        InspectionKind::ProfessionalAssessment => &[AdministrativeInspection, TechnicalSupport],
    }
}

/// On what ground a unit holds enforcement powers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnforcementBasis {
    /// 法定行政机关
    Statutory,
    /// 法律法规授权的组织
    Authorised,
    /// 受委托组织 (acts in the entrusting body's name)
    Entrusted,
}

impl EnforcementBasis {
    pub fn label(self) -> &'static str {
        match self {
            EnforcementBasis::Statutory => "法定行政执法机关",
            EnforcementBasis::Authorised => "法律法规授权组织",
            EnforcementBasis::Entrusted => "受委托组织",
        }
    }
}

/// A unit's enforcement powers (行政执法主体资格).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnforcementBody {
    /// The name inspections are made in: the unit's own, or the entrusting body's.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub name_of_record: String,
    pub basis: EnforcementBasis,
    /// Industries (checklist codes) within its powers.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::checklist::Industry>, min_items = 1)
    )]
    pub industries: Vec<String>,
}

impl EnforcementBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.name_of_record, "执法主体名称")?;
        if self.industries.is_empty() {
            return Err(DomainError::MissingField("执法主体的执法领域"));
        }
        for i in &self.industries {
            crate::checklist::Industry::from_code(i)?;
        }
        Ok(())
    }

    /// Whether the site lies within the body's powers: its industry, and for a township its
    /// own territory (a department's powers reach the whole county).
    pub fn covers(&self, unit: &Unit, site: &Site) -> bool {
        self.industries.contains(&site.industry)
            && (unit.kind != UnitKind::Township || site.township_id == unit.id)
    }
}

/// An administrative enforcement certificate (行政执法证) held by a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// 证件编号
    pub number: String,
    /// 发证机关
    pub issued_by: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// 执法领域 (checklist industry codes).
    pub fields: Vec<String>,
}

/// Where a certificate stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    /// Valid, but expires within [`EXPIRY_WARNING_DAYS`].
    ExpiringSoon {
        days_left: i64,
    },
    Expired,
    NotYetValid,
}

impl CertificateStatus {
    pub fn usable(self) -> bool {
        matches!(
            self,
            CertificateStatus::Valid | CertificateStatus::ExpiringSoon { .. }
        )
    }

    pub fn label(self) -> String {
        match self {
            CertificateStatus::Valid => "有效".into(),
            CertificateStatus::ExpiringSoon { days_left } => format!("{days_left} 天后到期"),
            CertificateStatus::Expired => "已过期".into(),
            CertificateStatus::NotYetValid => "尚未生效".into(),
        }
    }
}

impl Certificate {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.number, "执法证编号")?;
        required_text(&self.issued_by, "发证机关")?;
        if self.valid_until < self.valid_from {
            return Err(DomainError::InvalidValue {
                field: "执法证有效期",
                reason: "截止日期早于起始日期".into(),
            });
        }
        if self.fields.is_empty() {
            return Err(DomainError::MissingField("执法证的执法领域"));
        }
        for f in &self.fields {
            crate::checklist::Industry::from_code(f)?;
        }
        Ok(())
    }

    pub fn status(&self, today: NaiveDate) -> CertificateStatus {
        if today < self.valid_from {
            CertificateStatus::NotYetValid
        } else if today > self.valid_until {
            CertificateStatus::Expired
        } else {
            let days_left = (self.valid_until - today).num_days();
            if days_left < EXPIRY_WARNING_DAYS {
                CertificateStatus::ExpiringSoon { days_left }
            } else {
                CertificateStatus::Valid
            }
        }
    }
}

/// A certificate that needs attention: expired, or expiring within the warning window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateAlert {
    pub person_id: String,
    pub person_name: String,
    pub unit_id: String,
    pub number: String,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
}

/// The certificates of these people that expired or expire within the warning window,
/// soonest first.
pub fn certificate_alerts<'a>(
    people: impl IntoIterator<Item = &'a Person>,
    today: NaiveDate,
) -> Vec<CertificateAlert> {
    let mut out: Vec<CertificateAlert> = people
        .into_iter()
        .flat_map(|p| {
            p.certificates.iter().filter_map(move |c| {
                let status = c.status(today);
                matches!(
                    status,
                    CertificateStatus::Expired | CertificateStatus::ExpiringSoon { .. }
                )
                .then(|| CertificateAlert {
                    person_id: p.id.clone(),
                    person_name: p.name.clone(),
                    unit_id: p.unit_id.clone(),
                    number: c.number.clone(),
                    valid_until: c.valid_until,
                    status,
                })
            })
        })
        .collect();
    out.sort_by_key(|a| a.valid_until);
    out
}

/// What the policy needs to know of someone who would carry out a 行政检查: their unit (with
/// its enforcement powers) and certificates, on a day.
#[derive(Debug, Clone, Copy)]
pub struct Officer<'a> {
    pub unit: &'a Unit,
    pub certificates: &'a [Certificate],
    pub today: NaiveDate,
}

/// The roles that may carry out a 行政检查 (with a certificate, in an enforcement body).
pub const OFFICER_ROLES: &[Role] = &[Role::UnitHead, Role::UnitDeputyHead, Role::Inspector];

impl Officer<'_> {
    /// Whether this officer may carry out a 行政检查 at `site`: the reason in Chinese when not.
    /// It names the caller's own unit and certificate only, never the site.
    pub fn standing(&self, site: &Site) -> Result<&Certificate, DomainError> {
        let refuse = |reason: String| DomainError::NotQualified(reason);
        let Some(body) = &self.unit.enforcement else {
            return Err(refuse(format!(
                "{}不是行政执法主体，不能开展行政检查（发现问题请按巡查报告移交行业主管部门）",
                self.unit.name
            )));
        };
        if !body.covers(self.unit, site) {
            return Err(refuse(format!(
                "该场所不在{}的执法范围内，不能开展行政检查",
                body.name_of_record
            )));
        }
        let for_field: Vec<&Certificate> = self
            .certificates
            .iter()
            .filter(|c| c.fields.contains(&site.industry))
            .collect();
        if let Some(c) = for_field.iter().find(|c| c.status(self.today).usable()) {
            return Ok(c);
        }
        Err(refuse(
            match for_field.iter().max_by_key(|c| c.valid_until) {
                None if self.certificates.is_empty() => {
                    "未持有行政执法证，不能开展行政检查".to_string()
                }
                None => "所持行政执法证的执法领域不含该行业，不能开展行政检查".to_string(),
                Some(c) if c.status(self.today) == CertificateStatus::NotYetValid => format!(
                    "行政执法证 {} 自 {} 起生效，不能开展行政检查",
                    c.number, c.valid_from
                ),
                Some(c) => format!(
                    "行政执法证 {} 已于 {} 过期，不能开展行政检查",
                    c.number, c.valid_until
                ),
            },
        ))
    }

    /// Whether the officer's unit has powers over the site's industry (so that any visit of
    /// theirs there is a 行政检查, whatever it is called).
    pub fn body_covers(&self, site: &Site) -> bool {
        self.unit
            .enforcement
            .as_ref()
            .is_some_and(|b| b.covers(self.unit, site))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(until: NaiveDate) -> Certificate {
        Certificate {
            number: "渝5002330001".into(),
            issued_by: "重庆市人民政府".into(),
            valid_from: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            valid_until: until,
            fields: vec!["gas".into()],
        }
    }

    #[test]
    fn a_certificate_is_flagged_before_it_expires_and_unusable_after() {
        let until = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let c = cert(until);
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(c.status(day(6, 1)), CertificateStatus::Valid);
        assert_eq!(
            c.status(day(12, 1)),
            CertificateStatus::ExpiringSoon { days_left: 30 }
        );
        assert!(c.status(day(12, 31)).usable());
        assert_eq!(
            c.status(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            CertificateStatus::Expired
        );
        let bad = Certificate {
            valid_until: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            ..cert(until)
        };
        assert!(bad.validate().is_err());
        assert!(Certificate {
            fields: vec!["no-such".into()],
            ..cert(until)
        }
        .validate()
        .is_err());
    }

    #[test]
    fn every_kind_of_the_notice_has_a_lawful_activity() {
        for k in InspectionKind::ALL {
            assert!(!activities_for(k).is_empty());
        }
        assert!(!activities_for(InspectionKind::LeaderSupervision)
            .contains(&FieldActivity::AdministrativeInspection));
        assert!(!activities_for(InspectionKind::RandomCheck)
            .contains(&FieldActivity::AdministrativeInspection));
    }
}
