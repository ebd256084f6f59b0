//! The organisation tree and the people who act in it (MECHANISM.md, "Who acts").

use serde::{Deserialize, Serialize};

use crate::enforcement::{Certificate, EnforcementBody};
use crate::{required_text, DomainError};

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 县政府
    CountyGovernment,
    /// 县安委办: assigns problems, runs unannounced patrols, scores everyone.
    SafetyCommitteeOffice,
    /// 县政府督查办: random checks and half-year special supervision.
    SupervisionOffice,
    /// 乡镇（街道）: territorial responsibility (属地).
    Township,
    /// 行业部门: sector responsibility (属事).
    Department,
    /// 第三方专业机构
    ThirdPartyInstitution,
}

impl UnitKind {
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::CountyGovernment => "县政府",
            UnitKind::SafetyCommitteeOffice => "县安委办",
            UnitKind::SupervisionOffice => "县政府督查办",
            UnitKind::Township => "乡镇（街道）",
            UnitKind::Department => "行业部门",
            UnitKind::ThirdPartyInstitution => "第三方专业机构",
        }
    }
}

/// A role a person holds; one person may hold several (一岗双责).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 县政府主要领导
    CountyHead,
    /// 县政府分管领导 (work safety)
    CountyDeputyHead,
    /// 县政府其他领导, each for a portfolio
    CountyOtherLeader,
    /// 县安委办 staff
    SafetyOfficeStaff,
    /// 县政府督查办 staff
    SupervisionStaff,
    /// 主要负责人 of a township or department
    UnitHead,
    /// 分管负责人 of a township or department
    UnitDeputyHead,
    /// 工作专班 member (a unit's patrol team)
    PatrolMember,
    /// 检查人员
    Inspector,
    /// 第三方专业机构 assessor
    ThirdPartyAssessor,
    /// 专家库 expert
    Expert,
    /// 企业/场所 safety contact doing the rectification
    SiteContact,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::CountyHead,
        Role::CountyDeputyHead,
        Role::CountyOtherLeader,
        Role::SafetyOfficeStaff,
        Role::SupervisionStaff,
        Role::UnitHead,
        Role::UnitDeputyHead,
        Role::PatrolMember,
        Role::Inspector,
        Role::ThirdPartyAssessor,
        Role::Expert,
        Role::SiteContact,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::CountyHead => "县政府主要领导",
            Role::CountyDeputyHead => "县政府分管领导",
            Role::CountyOtherLeader => "县政府其他领导",
            Role::SafetyOfficeStaff => "县安委办工作人员",
            Role::SupervisionStaff => "县政府督查办工作人员",
            Role::UnitHead => "主要负责人",
            Role::UnitDeputyHead => "分管负责人",
            Role::PatrolMember => "工作专班成员",
            Role::Inspector => "检查人员",
            Role::ThirdPartyAssessor => "第三方专业机构人员",
            Role::Expert => "专家库专家",
            Role::SiteContact => "企业（场所）安全联系人",
        }
    }

    /// Stable machine name, the same as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            Role::CountyHead => "county_head",
            Role::CountyDeputyHead => "county_deputy_head",
            Role::CountyOtherLeader => "county_other_leader",
            Role::SafetyOfficeStaff => "safety_office_staff",
            Role::SupervisionStaff => "supervision_staff",
            Role::UnitHead => "unit_head",
            Role::UnitDeputyHead => "unit_deputy_head",
            Role::PatrolMember => "patrol_member",
            Role::Inspector => "inspector",
            Role::ThirdPartyAssessor => "third_party_assessor",
            Role::Expert => "expert",
            Role::SiteContact => "site_contact",
        }
    }

    pub fn from_code(code: &str) -> Result<Role, DomainError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "角色",
                reason: format!("未知角色 {code}"),
            })
    }

    /// County leaders, the office and unit heads may assign (交办) problems.
    pub fn may_assign(self) -> bool {
        matches!(
            self,
            Role::CountyHead
                | Role::CountyDeputyHead
                | Role::CountyOtherLeader
                | Role::SafetyOfficeStaff
                | Role::SupervisionStaff
                | Role::UnitHead
                | Role::UnitDeputyHead
        )
    }

    /// Site contacts rectify; they do not verify rectifications.
    pub fn may_verify(self) -> bool {
        !matches!(self, Role::SiteContact)
    }
}

/// A unit of the organisation tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub name: String,
    pub kind: UnitKind,
    /// The parent unit (the county government for townships and departments).
    pub parent_id: Option<String>,
    /// Administrative division code for townships (e.g. 500233001), sector for departments.
    pub code: Option<String>,
    /// Its enforcement powers, when it is a 行政执法主体.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<EnforcementBody>,
}

impl Unit {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.id, "单位编号")?;
        required_text(&self.name, "单位名称")?;
        if let Some(b) = &self.enforcement {
            b.validate()?;
        }
        Ok(())
    }
}

/// A person with their unit and roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub unit_id: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub roles: Vec<Role>,
    /// For experts and third-party assessors: the industries they cover (checklist codes).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::checklist::Industry>))]
    pub industries: Vec<String>,
    /// For 县政府其他领导: their portfolio (分管领域).
    pub portfolio: Option<String>,
    pub phone: Option<String>,
    /// Administrative enforcement certificates (行政执法证) held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
}

impl Person {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.id, "人员编号")?;
        required_text(&self.name, "姓名")?;
        required_text(&self.unit_id, "所属单位")?;
        if self.roles.is_empty() {
            return Err(DomainError::MissingField("角色"));
        }
        for c in &self.certificates {
            c.validate()?;
        }
        Ok(())
    }

    pub fn actor(&self) -> Actor {
        Actor {
            person_id: self.id.clone(),
            name: self.name.clone(),
            unit_id: self.unit_id.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// Who performs an action: copied into every event so the history stays readable even when
/// the person later changes unit or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has_role(&self, pred: impl Fn(Role) -> bool) -> bool {
        self.roles.iter().copied().any(pred)
    }

    /// The roles joined for a message ("检查人员、工作专班成员").
    pub fn roles_label(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}
