//! 四改: the hazard ledger's rectification workflow as a state machine.
//!
//! A hazard's current row is a projection of its events: [`Hazard::raise`] makes the first
//! event, [`Hazard::apply`] checks one action against the rules of 四改 and returns the next
//! state. Nothing here touches storage, so the phone and the server decide identically.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::{ChecklistRegistry, Industry};
use crate::org::{Actor, Role};
use crate::site::GeoPoint;
use crate::{required_text, DomainError};

/// 一般隐患 / 重大隐患
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HazardLevel {
    General,
    Major,
}

impl HazardLevel {
    pub fn label(self) -> &'static str {
        match self {
            HazardLevel::General => "一般隐患",
            HazardLevel::Major => "重大隐患",
        }
    }
}

/// Where a hazard is in the ledger's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HazardStatus {
    /// 已登记: raised, not yet assigned or started.
    Registered,
    /// 已交办: assigned to a unit with a deadline.
    Assigned,
    /// 整改中
    Rectifying,
    /// 待验收: rectification submitted, waiting for verification.
    Submitted,
    /// 已销号: closed (verified, or fixed on the spot).
    Closed,
}

impl HazardStatus {
    pub const ALL: [HazardStatus; 5] = [
        HazardStatus::Registered,
        HazardStatus::Assigned,
        HazardStatus::Rectifying,
        HazardStatus::Submitted,
        HazardStatus::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            HazardStatus::Registered => "已登记",
            HazardStatus::Assigned => "已交办",
            HazardStatus::Rectifying => "整改中",
            HazardStatus::Submitted => "待验收",
            HazardStatus::Closed => "已销号",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            HazardStatus::Registered => "registered",
            HazardStatus::Assigned => "assigned",
            HazardStatus::Rectifying => "rectifying",
            HazardStatus::Submitted => "submitted",
            HazardStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "隐患状态",
                reason: format!("未知状态 {code}"),
            })
    }
}

/// 整改资金: amount in fen (1/100 yuan) and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funding {
    pub amount_fen: i64,
    pub source: String,
}

/// 五落实 of a major hazard. Every field must be set before the hazard moves on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiveImplementations {
    /// 整改目标
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// 整改措施
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<String>,
    /// 整改时限
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// 整改责任 (the responsible person)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// 整改资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<Funding>,
}

impl FiveImplementations {
    /// The labels of what is still missing, in the notice's order.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.target.is_none() {
            out.push("整改目标");
        }
        if self.measures.is_none() {
            out.push("整改措施");
        }
        if self.deadline.is_none() {
            out.push("整改时限");
        }
        if self.responsible.is_none() {
            out.push("整改责任");
        }
        if self.funding.is_none() {
            out.push("整改资金");
        }
        out
    }

    pub fn is_complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// Applies a patch: a `Some` field replaces the current value.
    fn merge(&mut self, patch: &FiveImplementations) -> Result<(), DomainError> {
        if let Some(t) = &patch.target {
            self.target = Some(required_text(t, "整改目标")?);
        }
        if let Some(m) = &patch.measures {
            self.measures = Some(required_text(m, "整改措施")?);
        }
        if let Some(d) = patch.deadline {
            self.deadline = Some(d);
        }
        if let Some(r) = &patch.responsible {
            self.responsible = Some(required_text(r, "整改责任人")?);
        }
        if let Some(f) = &patch.funding {
            if f.amount_fen < 0 {
                return Err(DomainError::InvalidValue {
                    field: "整改资金",
                    reason: "金额不能为负数".into(),
                });
            }
            self.funding = Some(Funding {
                amount_fen: f.amount_fen,
                source: required_text(&f.source, "资金来源")?,
            });
        }
        Ok(())
    }
}

/// Where a hazard was found: a failed checklist item of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardSource {
    pub inspection_id: String,
    pub industry: Industry,
    pub item_id: String,
}

/// What an inspector fills in to raise a hazard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardDraft {
    pub id: String,
    /// Human-facing number (隐患编号).
    pub number: String,
    pub site_id: Option<String>,
    /// The unit responsible for the rectification (属地 township or 属事 department).
    pub unit_id: String,
    pub description: String,
    pub location: Option<GeoPoint>,
    pub source: Option<HazardSource>,
    /// Level chosen by the inspector; `None` takes the level derived from the checklist item.
    pub level: Option<HazardLevel>,
    /// Required when `level` differs from the derived level.
    pub level_reason: Option<String>,
    /// The problem is in hardware (设施设备): needs 一患一策 and temporary control measures.
    pub needs_hardware: bool,
}

/// One action on a hazard after it was raised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HazardAction {
    /// Change the level (一般 ↔ 重大), with a reason.
    Reclassify { level: HazardLevel, reason: String },
    /// Set some of 五落实.
    UpdatePlan { plan: FiveImplementations },
    /// 一患一策: the plan for a hardware problem (先标后本).
    SetHardwarePlan { plan: String },
    /// 临时防控措施 while the real fix waits.
    SetTemporaryMeasures { measures: String },
    /// 交办: assign to a unit with a deadline.
    Assign {
        unit_id: String,
        deadline: NaiveDate,
    },
    /// 即查即改: a general hazard fixed on the spot, proven by an after-photo.
    CloseOnSpot {
        note: String,
        after_evidence: Vec<String>,
    },
    /// The responsible unit starts rectifying.
    StartRectification,
    /// The rectification is done and submitted for verification, with after-photos.
    SubmitRectification {
        note: String,
        after_evidence: Vec<String>,
    },
    /// 验收通过 / 销号, by someone other than the rectifier.
    Verify { note: Option<String> },
    /// 验收不通过: back to 整改中.
    Reject { reason: String },
    /// 受理移交: the competent department accepts a referred finding (`crate::referral`).
    AcceptReferral,
}

impl HazardAction {
    pub fn label(&self) -> &'static str {
        match self {
            HazardAction::Reclassify { .. } => "调整隐患等级",
            HazardAction::UpdatePlan { .. } => "填报五落实",
            HazardAction::SetHardwarePlan { .. } => "制定一患一策",
            HazardAction::SetTemporaryMeasures { .. } => "落实临时防控措施",
            HazardAction::Assign { .. } => "交办",
            HazardAction::CloseOnSpot { .. } => "即查即改销号",
            HazardAction::StartRectification => "开始整改",
            HazardAction::SubmitRectification { .. } => "提交整改",
            HazardAction::Verify { .. } => "验收销号",
            HazardAction::Reject { .. } => "验收退回",
            HazardAction::AcceptReferral => "受理移交",
        }
    }
}

/// The current state of one hazard: the projection of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hazard {
    pub id: String,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    pub unit_id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<HazardSource>,
    pub level: HazardLevel,
    /// The level the checklist item implies, when the hazard came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_level: Option<HazardLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_reason: Option<String>,
    pub needs_hardware: bool,
    pub status: HazardStatus,
    pub plan: FiveImplementations,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_measures: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_unit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_deadline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectified_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification_note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_evidence: Vec<String>,
    pub rejections: u32,
    pub raised_by: Actor,
    pub raised_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// 移交: a finding made in a 督查暗访, 巡查报告 or 技术服务, referred to the competent unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<crate::referral::Referral>,
    /// Number of events applied; the first event gives version 1.
    pub version: u64,
}

/// The columns a ledger indexes a hazard by, read from its JSON without the rest (a phone
/// applying a pulled page reads thousands of hazards and keeps their JSON as received).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HazardKeys {
    pub id: String,
    pub number: String,
    pub unit_id: String,
    pub site_id: Option<String>,
    pub level: HazardLevel,
    pub status: HazardStatus,
    pub assigned_unit_id: Option<String>,
    pub assigned_deadline: Option<NaiveDate>,
    pub plan: PlanDeadline,
    pub raised_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanDeadline {
    pub deadline: Option<NaiveDate>,
}

impl HazardKeys {
    /// As [`Hazard::deadline`].
    pub fn deadline(&self) -> Option<NaiveDate> {
        self.plan.deadline.or(self.assigned_deadline)
    }

    /// As [`Hazard::rectifying_unit`].
    pub fn rectifying_unit(&self) -> &str {
        self.assigned_unit_id.as_deref().unwrap_or(&self.unit_id)
    }
}

/// 隐患编号: the China calendar day and the random tail of the id (10 hex digits, 40 bits:
/// ten thousand hazards on one day collide with odds of about 1 in 20,000), unique without
/// a server.
pub fn hazard_number(id: &str, at: DateTime<Utc>) -> String {
    let tail: String = id.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let tail = &tail[tail.len().saturating_sub(10)..];
    format!(
        "YH-{}-{}",
        china_date(at).format("%Y%m%d"),
        tail.to_uppercase()
    )
}

/// The calendar day in China (UTC+8) of an instant: deadlines are local dates.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    at.with_timezone(&offset).date_naive()
}

fn non_empty_evidence(ids: &[String], action: &'static str) -> Result<Vec<String>, DomainError> {
    let ids: Vec<String> = ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(DomainError::AfterPhotoRequired(action));
    }
    Ok(ids)
}

impl Hazard {
    /// Raises a hazard; the level comes from the checklist item unless overridden with a reason.
    /// The item is looked up in `checklists` (the registry of the store or server raising it).
    pub fn raise(
        draft: HazardDraft,
        checklists: &ChecklistRegistry,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Hazard, DomainError> {
        let description = required_text(&draft.description, "隐患描述")?;
        let unit_id = required_text(&draft.unit_id, "责任单位")?;
        let number = required_text(&draft.number, "隐患编号")?;
        if let Some(p) = &draft.location {
            p.validate()?;
        }
        let derived_level = match &draft.source {
            Some(src) => {
                let item = checklists.find_item(src.industry, &src.item_id)?;
                Some(if item.major {
                    HazardLevel::Major
                } else {
                    HazardLevel::General
                })
            }
            None => None,
        };
        let level = draft
            .level
            .or(derived_level)
            .unwrap_or(HazardLevel::General);
        let reason = draft
            .level_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if derived_level.is_some_and(|d| d != level) && reason.is_none() {
            return Err(DomainError::ReclassifyReasonRequired);
        }
        Ok(Hazard {
            id: draft.id,
            number,
            site_id: draft.site_id,
            unit_id,
            description,
            location: draft.location,
            source: draft.source,
            level,
            derived_level,
            level_reason: reason,
            needs_hardware: draft.needs_hardware,
            status: HazardStatus::Registered,
            plan: FiveImplementations::default(),
            hardware_plan: None,
            temporary_measures: None,
            assigned_unit_id: None,
            assigned_deadline: None,
            rectified_by: None,
            rectification_note: None,
            after_evidence: Vec::new(),
            rejections: 0,
            raised_by: actor.clone(),
            raised_at: at,
            closed_at: None,
            referral: None,
            version: 1,
        })
    }

    /// The deadline that counts: 五落实's 整改时限 when set, otherwise the assignment's.
    pub fn deadline(&self) -> Option<NaiveDate> {
        self.plan.deadline.or(self.assigned_deadline)
    }

    /// Overdue (逾期) is derived, never stored: open past its deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status != HazardStatus::Closed && self.deadline().is_some_and(|d| d < today)
    }

    /// Closed, but after the deadline.
    pub fn closed_late(&self) -> bool {
        match (self.closed_at, self.deadline()) {
            (Some(closed), Some(deadline)) => china_date(closed) > deadline,
            _ => false,
        }
    }

    /// The unit that must rectify now: the assignee, else the responsible unit.
    pub fn rectifying_unit(&self) -> &str {
        self.assigned_unit_id.as_deref().unwrap_or(&self.unit_id)
    }

    fn refuse_status(&self, action: &HazardAction) -> DomainError {
        DomainError::WrongStatus {
            status: self.status.label(),
            action: action.label(),
        }
    }

    fn require_status(
        &self,
        action: &HazardAction,
        allowed: &[HazardStatus],
    ) -> Result<(), DomainError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(self.refuse_status(action))
        }
    }

    fn require_plan_for_major(&self, action: &HazardAction) -> Result<(), DomainError> {
        if self.level == HazardLevel::Major && !self.plan.is_complete() {
            return Err(DomainError::FiveImplementationsIncomplete {
                action: action.label(),
                missing: self.plan.missing().join("、"),
            });
        }
        Ok(())
    }

    fn require_hardware_plan(&self) -> Result<(), DomainError> {
        if !self.needs_hardware {
            return Ok(());
        }
        let mut missing = Vec::new();
        if self.hardware_plan.is_none() {
            missing.push("一患一策");
        }
        if self.temporary_measures.is_none() {
            missing.push("临时防控措施");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::HardwarePlanIncomplete(missing.join("、")))
        }
    }

    fn require_role(
        actor: &Actor,
        action: &HazardAction,
        allowed: impl Fn(Role) -> bool,
    ) -> Result<(), DomainError> {
        if actor.has_role(allowed) {
            Ok(())
        } else {
            Err(DomainError::NotPermitted {
                role: actor.roles_label(),
                action: action.label(),
            })
        }
    }

    fn require_verifier(&self, actor: &Actor, action: &HazardAction) -> Result<(), DomainError> {
        if self.rectified_by.as_deref() == Some(actor.person_id.as_str()) {
            return Err(DomainError::VerifierIsRectifier);
        }
        Self::require_role(actor, action, Role::may_verify)
    }

    /// The status an action leads to, if it were allowed (for "already done" checks).
    pub fn target_status(&self, action: &HazardAction) -> HazardStatus {
        match action {
            HazardAction::Assign { .. } => HazardStatus::Assigned,
            HazardAction::CloseOnSpot { .. } | HazardAction::Verify { .. } => HazardStatus::Closed,
            HazardAction::StartRectification | HazardAction::Reject { .. } => {
                HazardStatus::Rectifying
            }
            HazardAction::SubmitRectification { .. } => HazardStatus::Submitted,
            HazardAction::Reclassify { .. }
            | HazardAction::UpdatePlan { .. }
            | HazardAction::SetHardwarePlan { .. }
            | HazardAction::SetTemporaryMeasures { .. }
            | HazardAction::AcceptReferral => self.status,
        }
    }

    /// Checks one action against the rules of 四改 and returns the hazard after it.
    /// `self` is left untouched, so a refusal changes nothing.
    pub fn apply(
        &self,
        action: &HazardAction,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Hazard, DomainError> {
        use HazardStatus::*;
        let mut next = self.clone();
        let open_for_planning = [Registered, Assigned, Rectifying];
        if let Some(r) = &self.referral {
            next.referral = Some(r.check(action, actor, at)?);
        }
        match action {
            HazardAction::Reclassify { level, reason } => {
                self.require_status(action, &open_for_planning)?;
                Self::require_role(actor, action, |r| r != Role::SiteContact)?;
                let reason = required_text(reason, "调整等级的理由")
                    .map_err(|_| DomainError::ReclassifyReasonRequired)?;
                next.level = *level;
                next.level_reason = Some(reason);
            }
            HazardAction::UpdatePlan { plan } => {
                self.require_status(action, &open_for_planning)?;
                next.plan.merge(plan)?;
            }
            HazardAction::SetHardwarePlan { plan } => {
                self.require_status(action, &open_for_planning)?;
                next.hardware_plan = Some(required_text(plan, "一患一策")?);
            }
            HazardAction::SetTemporaryMeasures { measures } => {
                self.require_status(action, &open_for_planning)?;
                next.temporary_measures = Some(required_text(measures, "临时防控措施")?);
            }
            HazardAction::Assign { unit_id, deadline } => {
                self.require_status(action, &[Registered, Assigned])?;
                Self::require_role(actor, action, Role::may_assign)?;
                let unit_id = required_text(unit_id, "交办单位")?;
                let today = china_date(at);
                if *deadline < today {
                    return Err(DomainError::DeadlineInPast(today));
                }
                next.assigned_unit_id = Some(unit_id);
                next.assigned_deadline = Some(*deadline);
                next.status = Assigned;
            }
            HazardAction::CloseOnSpot {
                note,
                after_evidence,
            } => {
                if self.level == HazardLevel::Major {
                    return Err(DomainError::MajorCannotCloseOnSpot);
                }
                self.require_status(action, &[Registered, Assigned])?;
                next.after_evidence = non_empty_evidence(after_evidence, "即查即改")?;
                next.rectification_note = Some(required_text(note, "整改情况")?);
                next.rectified_by = Some(actor.person_id.clone());
                next.status = Closed;
                next.closed_at = Some(at);
            }
            HazardAction::StartRectification => {
                self.require_status(action, &[Registered, Assigned])?;
                self.require_plan_for_major(action)?;
                self.require_hardware_plan()?;
                next.status = Rectifying;
            }
            HazardAction::SubmitRectification {
                note,
                after_evidence,
            } => {
                self.require_status(action, &[Rectifying])?;
                self.require_plan_for_major(action)?;
                self.require_hardware_plan()?;
                next.after_evidence = non_empty_evidence(after_evidence, "提交整改")?;
                next.rectification_note = Some(required_text(note, "整改情况")?);
                next.rectified_by = Some(actor.person_id.clone());
                next.status = Submitted;
            }
            HazardAction::Verify { .. } => {
                self.require_status(action, &[Submitted])?;
                self.require_verifier(actor, action)?;
                next.status = Closed;
                next.closed_at = Some(at);
            }
            HazardAction::Reject { reason } => {
                self.require_status(action, &[Submitted])?;
                self.require_verifier(actor, action)?;
                required_text(reason, "退回理由")?;
                next.rejections += 1;
                next.status = Rectifying;
            }
            HazardAction::AcceptReferral => {
                if self.referral.is_none() {
                    return Err(DomainError::InvalidValue {
                        field: "移交",
                        reason: "该隐患未移交，无需受理".into(),
                    });
                }
                self.require_status(action, &open_for_planning)?;
            }
        }
        next.version += 1;
        Ok(next)
    }
}

/// One entry of a hazard's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardEvent {
    pub id: String,
    pub hazard_id: String,
    /// `None` for the event that raised the hazard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<HazardAction>,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<HazardStatus>,
    pub to: HazardStatus,
    /// The hazard's version after this event.
    pub version: u64,
}

impl HazardEvent {
    pub fn label(&self) -> &'static str {
        self.action
            .as_ref()
            .map(HazardAction::label)
            .unwrap_or("登记隐患")
    }
}
