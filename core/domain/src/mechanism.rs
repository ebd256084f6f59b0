//! 改机制: a unit's records of fixing the mechanism — a revised 属地属事职责清单, a rule
//! (制度) revised, an emergency plan (突发事件现场应急处置方案), joint enforcement, information
//! sharing, and 举一反三 after a finding — each linked to the hazards or inspections that
//! caused it, with its document.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{required_text, DomainError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MechanismKind {
    /// 属地属事职责清单修订
    ResponsibilityList,
    /// 安全管理制度修订
    RuleRevision,
    /// 突发事件现场应急处置方案
    EmergencyPlan,
    /// 联合执法检查机制
    JointEnforcement,
    /// 资源信息共享机制
    InformationSharing,
    /// 举一反三（针对发现问题开展的同类排查整治）
    LessonsApplied,
}

impl MechanismKind {
    pub const ALL: [MechanismKind; 6] = [
        MechanismKind::ResponsibilityList,
        MechanismKind::RuleRevision,
        MechanismKind::EmergencyPlan,
        MechanismKind::JointEnforcement,
        MechanismKind::InformationSharing,
        MechanismKind::LessonsApplied,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MechanismKind::ResponsibilityList => "属地属事职责清单修订",
            MechanismKind::RuleRevision => "安全管理制度修订",
            MechanismKind::EmergencyPlan => "现场应急处置方案",
            MechanismKind::JointEnforcement => "联合执法检查机制",
            MechanismKind::InformationSharing => "资源信息共享机制",
            MechanismKind::LessonsApplied => "举一反三",
        }
    }
}

/// One 改机制 record of a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MechanismRecord {
    pub id: String,
    pub kind: MechanismKind,
    pub unit_id: String,
    pub title: String,
    /// What changed and why (the problem of unclear responsibility it settles).
    pub content: String,
    /// 印发、施行日期.
    pub effective_on: NaiveDate,
    /// 文号, when the document has one.
    #[serde(default)]
    pub document_number: Option<String>,
    /// The findings that caused it.
    #[serde(default)]
    pub hazard_ids: Vec<String>,
    #[serde(default)]
    pub inspection_ids: Vec<String>,
    /// Who recorded it and when the server received it (set by the server).
    #[serde(default)]
    pub recorded_by: Option<String>,
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

impl MechanismRecord {
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), DomainError> {
        self.title = required_text(&self.title, "名称")?;
        self.content = required_text(&self.content, "主要内容")?;
        required_text(&self.unit_id, "单位")?;
        if self.title.chars().count() > 200 || self.content.chars().count() > 5000 {
            return Err(DomainError::InvalidValue {
                field: "主要内容",
                reason: "内容过长".into(),
            });
        }
        if self.hazard_ids.len() + self.inspection_ids.len() > 100 {
            return Err(DomainError::InvalidValue {
                field: "关联问题",
                reason: "过多".into(),
            });
        }
        if self.effective_on > today {
            return Err(DomainError::InvalidValue {
                field: "印发日期",
                reason: "不能晚于今天".into(),
            });
        }
        if self.kind == MechanismKind::LessonsApplied
            && self.hazard_ids.is_empty()
            && self.inspection_ids.is_empty()
        {
            return Err(DomainError::InvalidValue {
                field: "关联问题",
                reason: "举一反三须关联引发它的隐患或检查".into(),
            });
        }
        self.document_number = self
            .document_number
            .take()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lessons_applied_need_a_finding_and_dates_are_not_in_the_future() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let mut r = MechanismRecord {
            id: "m".into(),
            kind: MechanismKind::LessonsApplied,
            unit_id: "u".into(),
            title: " 燃气“瓶改管”同类问题排查 ".into(),
            content: "对全镇餐饮场所开展同类问题排查".into(),
            effective_on: d(11, 20),
            document_number: Some(" ".into()),
            hazard_ids: vec![],
            inspection_ids: vec![],
            recorded_by: None,
            received_at: None,
        };
        let e = r.validate(d(11, 28)).unwrap_err();
        assert!(e.to_string().contains("举一反三须关联"), "{e}");
        r.hazard_ids.push("H1".into());
        r.validate(d(11, 28)).unwrap();
        assert_eq!(r.title, "燃气“瓶改管”同类问题排查");
        assert_eq!(r.document_number, None);
        let e = r.validate(d(11, 19)).unwrap_err();
        assert!(e.to_string().contains("不能晚于今天"), "{e}");
        r.kind = MechanismKind::EmergencyPlan;
        r.hazard_ids.clear();
        assert!(r.validate(d(11, 28)).is_ok(), "other kinds need no finding");
    }
}
