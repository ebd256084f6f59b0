use thiserror::Error;

/// A rule of the mechanism refused an input or a transition.
///
/// The `Display` text is Chinese and is what the app and the server show to users.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("请填写{0}")]
    MissingField(&'static str),
    #[error("{field}无效：{reason}")]
    InvalidValue { field: &'static str, reason: String },
    #[error("未找到{what}：{id}")]
    NotFound { what: &'static str, id: String },
    #[error("当前状态为“{status}”，不能{action}")]
    WrongStatus {
        status: &'static str,
        action: &'static str,
    },
    #[error("重大隐患须“五落实”齐全后才能{action}，尚缺：{missing}")]
    FiveImplementationsIncomplete {
        action: &'static str,
        missing: String,
    },
    #[error("一般隐患才能即查即改，重大隐患须按“五落实”整改")]
    MajorCannotCloseOnSpot,
    #[error("{0}须附整改后照片")]
    AfterPhotoRequired(&'static str),
    #[error("涉及硬件设施的隐患须先制定“一患一策”并落实临时防控措施，尚缺：{0}")]
    HardwarePlanIncomplete(String),
    #[error("整改人不能验收自己整改的隐患")]
    VerifierIsRectifier,
    #[error("调整隐患等级须说明理由")]
    ReclassifyReasonRequired,
    #[error("{role}无权{action}")]
    NotPermitted { role: String, action: &'static str },
    #[error("检查表“{industry}”中没有检查项 {item_id}")]
    UnknownChecklistItem { industry: String, item_id: String },
    #[error("检查尚有 {0} 项未填写结果，不能完成")]
    InspectionIncomplete(usize),
    #[error("检查已完成，不能再修改")]
    InspectionFinished,
    #[error("整改时限不能早于今天（{0}）")]
    DeadlineInPast(chrono::NaiveDate),
    /// The person or their unit lacks the legal standing (执法主体资格, 执法证) for the act.
    #[error("{0}")]
    NotQualified(String),
}

/// What kind of refusal a [`DomainError`] is: the one mapping both the server (HTTP status)
/// and the phone (the app's error type) translate from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is incomplete or malformed (including an item the checklist lacks).
    Invalid,
    /// The record does not exist (or the caller may not know it does).
    NotFound,
    /// The person's role may not do this.
    NotPermitted,
    /// The record's state does not allow it now.
    Conflict,
}

impl DomainError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            DomainError::NotFound { .. } => ErrorKind::NotFound,
            DomainError::NotPermitted { .. }
            | DomainError::VerifierIsRectifier
            | DomainError::NotQualified(_) => ErrorKind::NotPermitted,
            DomainError::WrongStatus { .. }
            | DomainError::FiveImplementationsIncomplete { .. }
            | DomainError::MajorCannotCloseOnSpot
            | DomainError::HardwarePlanIncomplete(_)
            | DomainError::InspectionIncomplete(_)
            | DomainError::InspectionFinished => ErrorKind::Conflict,
            DomainError::MissingField(_)
            | DomainError::InvalidValue { .. }
            | DomainError::UnknownChecklistItem { .. }
            | DomainError::AfterPhotoRequired(_)
            | DomainError::ReclassifyReasonRequired
            | DomainError::DeadlineInPast(_) => ErrorKind::Invalid,
        }
    }
}
