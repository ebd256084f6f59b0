//! Meetings, hardware investments (改设施 proof) and accountability records (改作风).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::accountability::{AccountabilityOutcome, AccountabilityReason};
use crate::{required_text, DomainError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MeetingKind {
    /// 安全生产委员会工作会议 (quarterly, chaired by the county head)
    SafetyCommittee,
    /// 安全生产工作例会 (monthly)
    RegularMeeting,
    /// 安全生产专题工作会议
    SpecialMeeting,
    /// 分管领域安全形势分析
    SituationAnalysis,
    /// 业务培训工作会
    Training,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 5] = [
        MeetingKind::SafetyCommittee,
        MeetingKind::RegularMeeting,
        MeetingKind::SpecialMeeting,
        MeetingKind::SituationAnalysis,
        MeetingKind::Training,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::SafetyCommittee => "安全生产委员会工作会议",
            MeetingKind::RegularMeeting => "安全生产工作例会",
            MeetingKind::SpecialMeeting => "安全生产专题工作会议",
            MeetingKind::SituationAnalysis => "安全形势分析",
            MeetingKind::Training => "业务培训工作会",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: String,
    pub kind: MeetingKind,
    pub unit_id: String,
    pub title: String,
    /// Person id of who chaired it.
    pub chaired_by: String,
    /// Person id of the principal who delegated the chair (委托): the notice lets the county
    /// head 主持或委托分管负责人召开 the quarterly 安委会 meeting, which then counts for the head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    pub held_at: DateTime<Utc>,
    pub attendees: Vec<String>,
    pub minutes: Option<String>,
    pub evidence: Vec<String>,
    /// When the server received it, and whether its 召开时间 is doubtful (server only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<crate::received::Receipt>,
}

impl Meeting {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.title, "会议名称")?;
        required_text(&self.chaired_by, "主持人")?;
        required_text(&self.unit_id, "召开单位")?;
        if self.on_behalf_of.is_some() && self.kind != MeetingKind::SafetyCommittee {
            return Err(DomainError::InvalidValue {
                field: "委托主持",
                reason: "只有安全生产委员会工作会议可以委托主持".into(),
            });
        }
        Ok(())
    }

    /// Whose duty the meeting fulfils: the delegating principal, else the chair.
    pub fn counts_for(&self) -> &str {
        self.on_behalf_of.as_deref().unwrap_or(&self.chaired_by)
    }
}

/// Proof of investment in hardware (改设施): amount, what it fixed, and its documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HardwareInvestment {
    pub id: String,
    pub unit_id: String,
    pub hazard_id: Option<String>,
    pub site_id: Option<String>,
    pub description: String,
    pub amount_fen: i64,
    pub invested_on: NaiveDate,
    /// Evidence ids of contracts, invoices and photos.
    pub documents: Vec<String>,
    /// When the server received the record (set by the server, never by the phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    /// When the server received its submission (月底报送) with every part of the proof: the
    /// proof counts for the month of this time, not of `invested_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
}

impl HardwareInvestment {
    /// The day (China time) the proof counts for: of its submission, else of its arrival at
    /// the server, else of the spending (records from before the server dated them).
    pub fn proof_date(&self) -> NaiveDate {
        self.submitted_at
            .or(self.received_at)
            .map_or(self.invested_on, crate::hazard::china_date)
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.description, "投入内容")?;
        required_text(&self.unit_id, "投入单位")?;
        if self.amount_fen <= 0 {
            return Err(DomainError::InvalidValue {
                field: "投入金额",
                reason: "须大于 0".into(),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountabilityKind {
    /// 提醒约谈
    ReminderTalk,
    /// 追责问责
    Accountability,
}

impl AccountabilityKind {
    pub fn label(self) -> &'static str {
        match self {
            AccountabilityKind::ReminderTalk => "提醒约谈",
            AccountabilityKind::Accountability => "追责问责",
        }
    }
}

/// A reminder talk or accountability decided by 县安委办: who (unit, person), why (typed
/// reasons and the written 事由), what it decided, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountabilityRecord {
    pub id: String,
    pub kind: AccountabilityKind,
    pub unit_id: String,
    /// The person talked to, when they have an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    /// 事由, as the office writes it (filled from the typed reasons when left blank).
    pub reason: String,
    #[serde(default)]
    pub reasons: Vec<AccountabilityReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AccountabilityOutcome>,
    pub decided_by: String,
    pub decided_on: NaiveDate,
    pub hazard_ids: Vec<String>,
    /// The rules' suggestion this record answers (it is then no longer suggested).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion_id: Option<String>,
    /// Who recorded it and when the server received it (set by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
}

impl AccountabilityRecord {
    /// Checks what the office entered; a blank 事由 is written from the typed reasons, and the
    /// hazards the reasons name are linked.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), DomainError> {
        required_text(&self.unit_id, "被约谈（问责）单位")?;
        required_text(&self.decided_by, "决定单位")?;
        if self.reason.trim().is_empty() {
            self.reason = self
                .reasons
                .iter()
                .map(|r| r.describe(|p| p.to_string()))
                .collect::<Vec<_>>()
                .join("；");
        }
        required_text(&self.reason, "事由")?;
        if self.person_id.is_none()
            && self
                .person_name
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
        {
            return Err(DomainError::MissingField("被约谈（问责）人"));
        }
        if self.decided_on > today {
            return Err(DomainError::InvalidValue {
                field: "约谈（问责）日期",
                reason: "不能晚于今天".into(),
            });
        }
        if self.reason.chars().count() > 2000
            || self.reasons.len() > 100
            || self.hazard_ids.len() > 100
        {
            return Err(DomainError::InvalidValue {
                field: "事由",
                reason: "内容过长".into(),
            });
        }
        for h in self.reasons.iter().filter_map(|r| r.hazard_id()) {
            if !self.hazard_ids.iter().any(|x| x == h) {
                self.hazard_ids.push(h.to_string());
            }
        }
        Ok(())
    }
}
