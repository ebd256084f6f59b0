//! The operations a device (or the console) pushes, typed.
//!
//! On the wire an operation is the protocol-1 envelope `{op_id, entity, entity_id, op,
//! payload}`; phones of earlier builds keep sending it unchanged. [`OpBody`] is what the
//! envelope means: one variant per operation with its typed payload. The server's apply and
//! the device's outbox both match on it exhaustively, so an operation added here without
//! being handled on both sides does not compile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::assessment::SelfAssessment;
use crate::evidence::EvidenceRecord;
use crate::feedback::Feedback;
use crate::hazard::{Hazard, HazardEvent};
use crate::inspection::{Inspection, ItemResult};
use crate::mechanism::MechanismRecord;
use crate::month_end::MonthEndSubmission;
use crate::records::{AccountabilityRecord, HardwareInvestment, Meeting};
use crate::rotation::DutyReport;
use crate::site::{Site, SiteEdit};
use crate::sync::{entity, Operation};
use crate::task::{ReviewTask, SubmitTaskProof, WorkTask};
use crate::DomainError;

/// `inspection/record_item`: one checklist item's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordItem {
    pub item_id: String,
    pub result: ItemResult,
}

/// `inspection/finish`: when the inspection ended, by the device's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishInspection {
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// A 行政检查's signed 现场检查记录 (its evidence id): no 行政检查 finishes without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_record_id: Option<String>,
}

/// `hardware_investment/submit`: the unit sends its proof of investment to 县安委办 (月底报送).
/// The server dates it by when the submission arrived.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SubmitInvestment {}

/// `reminder/read`: the recipient marks one of their in-app reminders read (the record id is
/// the reminder's); the server keeps the first time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReadReminder {}

/// What one pushed operation asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum OpBody {
    CreateSite(Site),
    StartInspection(Inspection),
    RecordItem(RecordItem),
    FinishInspection(FinishInspection),
    RaiseHazard(Hazard),
    /// A workflow action on a hazard, sent as the event the device recorded (its `from` and
    /// `to` tell the server whether the same change was already made elsewhere).
    ActOnHazard(HazardEvent),
    AttachEvidence(EvidenceRecord),
    CreateMeeting(Meeting),
    CreateHardwareInvestment(HardwareInvestment),
    SubmitHardwareInvestment(SubmitInvestment),
    CreateAccountability(AccountabilityRecord),
    CreateDutyReport(DutyReport),
    CreateSelfAssessment(SelfAssessment),
    SubmitMonthEnd(MonthEndSubmission),
    AssignTask(WorkTask),
    SubmitTaskProof(SubmitTaskProof),
    ReviewTask(ReviewTask),
    CreateMechanism(MechanismRecord),
    SubmitFeedback(Feedback),
    ReadReminder(ReadReminder),
    /// Corrections to a site's contact, address, position or attributes (field by field).
    EditSite(SiteEdit),
}

/// The kind of an operation, without its payload: what the access policy is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    CreateSite,
    StartInspection,
    RecordItem,
    FinishInspection,
    RaiseHazard,
    ActOnHazard,
    AttachEvidence,
    CreateMeeting,
    CreateHardwareInvestment,
    SubmitHardwareInvestment,
    CreateAccountability,
    CreateDutyReport,
    CreateSelfAssessment,
    SubmitMonthEnd,
    AssignTask,
    SubmitTaskProof,
    ReviewTask,
    CreateMechanism,
    SubmitFeedback,
    ReadReminder,
    EditSite,
}

impl OpKind {
    pub const ALL: [OpKind; 21] = [
        OpKind::CreateSite,
        OpKind::StartInspection,
        OpKind::RecordItem,
        OpKind::FinishInspection,
        OpKind::RaiseHazard,
        OpKind::ActOnHazard,
        OpKind::AttachEvidence,
        OpKind::CreateMeeting,
        OpKind::CreateHardwareInvestment,
        OpKind::SubmitHardwareInvestment,
        OpKind::CreateAccountability,
        OpKind::CreateDutyReport,
        OpKind::CreateSelfAssessment,
        OpKind::SubmitMonthEnd,
        OpKind::AssignTask,
        OpKind::SubmitTaskProof,
        OpKind::ReviewTask,
        OpKind::CreateMechanism,
        OpKind::SubmitFeedback,
        OpKind::ReadReminder,
        OpKind::EditSite,
    ];

    /// The `(entity, op)` pair of the wire envelope.
    pub fn wire(self) -> (&'static str, &'static str) {
        match self {
            OpKind::CreateSite => (entity::SITE, "create"),
            OpKind::StartInspection => (entity::INSPECTION, "start"),
            OpKind::RecordItem => (entity::INSPECTION, "record_item"),
            OpKind::FinishInspection => (entity::INSPECTION, "finish"),
            OpKind::RaiseHazard => (entity::HAZARD, "raise"),
            OpKind::ActOnHazard => (entity::HAZARD, "transition"),
            OpKind::AttachEvidence => (entity::EVIDENCE, "attach"),
            OpKind::CreateMeeting => (entity::MEETING, "create"),
            OpKind::CreateHardwareInvestment => (entity::HARDWARE_INVESTMENT, "create"),
            OpKind::SubmitHardwareInvestment => (entity::HARDWARE_INVESTMENT, "submit"),
            OpKind::CreateAccountability => (entity::ACCOUNTABILITY, "create"),
            OpKind::CreateDutyReport => (entity::DUTY_REPORT, "create"),
            OpKind::CreateSelfAssessment => (entity::SELF_ASSESSMENT, "create"),
            OpKind::SubmitMonthEnd => (entity::MONTH_END, "submit"),
            OpKind::AssignTask => (entity::WORK_TASK, "assign"),
            OpKind::SubmitTaskProof => (entity::WORK_TASK, "submit"),
            OpKind::ReviewTask => (entity::WORK_TASK, "review"),
            OpKind::CreateMechanism => (entity::MECHANISM, "create"),
            OpKind::SubmitFeedback => (entity::FEEDBACK, "submit"),
            OpKind::ReadReminder => (crate::reminders::IN_APP, "read"),
            OpKind::EditSite => (entity::SITE, "edit"),
        }
    }

    pub fn from_wire(entity: &str, op: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.wire() == (entity, op))
    }

    /// What a user calls it (refusals name it).
    pub fn label(self) -> &'static str {
        match self {
            OpKind::CreateSite => "登记场所",
            OpKind::StartInspection => "开始检查",
            OpKind::RecordItem => "填写检查结果",
            OpKind::FinishInspection => "完成检查",
            OpKind::RaiseHazard => "登记隐患",
            OpKind::ActOnHazard => "处理隐患",
            OpKind::AttachEvidence => "上传证据",
            OpKind::CreateMeeting => "登记会议",
            OpKind::CreateHardwareInvestment => "登记设施投入",
            OpKind::SubmitHardwareInvestment => "报送设施投入佐证",
            OpKind::CreateAccountability => "登记约谈问责",
            OpKind::CreateDutyReport => "登记述职",
            OpKind::CreateSelfAssessment => "报送月度自评",
            OpKind::SubmitMonthEnd => "月底报送",
            OpKind::AssignTask => "交办工作任务",
            OpKind::SubmitTaskProof => "报送任务办理情况",
            OpKind::ReviewTask => "审核任务办理情况",
            OpKind::CreateMechanism => "登记改机制记录",
            OpKind::SubmitFeedback => "提交投诉建议",
            OpKind::ReadReminder => "标记提醒已读",
            OpKind::EditSite => "修改场所信息",
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(payload: Value, kind: OpKind) -> Result<T, DomainError> {
    serde_json::from_value(payload).map_err(|e| DomainError::InvalidValue {
        field: "操作数据",
        reason: format!("{}：{e}", kind.label()),
    })
}

impl OpBody {
    pub fn kind(&self) -> OpKind {
        match self {
            OpBody::CreateSite(_) => OpKind::CreateSite,
            OpBody::StartInspection(_) => OpKind::StartInspection,
            OpBody::RecordItem(_) => OpKind::RecordItem,
            OpBody::FinishInspection(_) => OpKind::FinishInspection,
            OpBody::RaiseHazard(_) => OpKind::RaiseHazard,
            OpBody::ActOnHazard(_) => OpKind::ActOnHazard,
            OpBody::AttachEvidence(_) => OpKind::AttachEvidence,
            OpBody::CreateMeeting(_) => OpKind::CreateMeeting,
            OpBody::CreateHardwareInvestment(_) => OpKind::CreateHardwareInvestment,
            OpBody::SubmitHardwareInvestment(_) => OpKind::SubmitHardwareInvestment,
            OpBody::CreateAccountability(_) => OpKind::CreateAccountability,
            OpBody::CreateDutyReport(_) => OpKind::CreateDutyReport,
            OpBody::CreateSelfAssessment(_) => OpKind::CreateSelfAssessment,
            OpBody::SubmitMonthEnd(_) => OpKind::SubmitMonthEnd,
            OpBody::AssignTask(_) => OpKind::AssignTask,
            OpBody::SubmitTaskProof(_) => OpKind::SubmitTaskProof,
            OpBody::ReviewTask(_) => OpKind::ReviewTask,
            OpBody::CreateMechanism(_) => OpKind::CreateMechanism,
            OpBody::SubmitFeedback(_) => OpKind::SubmitFeedback,
            OpBody::ReadReminder(_) => OpKind::ReadReminder,
            OpBody::EditSite(_) => OpKind::EditSite,
        }
    }

    /// Reads an envelope's payload as the operation its `(entity, op)` names.
    pub fn decode(entity: &str, op: &str, payload: Value) -> Result<OpBody, DomainError> {
        let kind = OpKind::from_wire(entity, op).ok_or_else(|| DomainError::InvalidValue {
            field: "操作",
            reason: format!("不支持的操作：{entity}/{op}"),
        })?;
        Ok(match kind {
            OpKind::CreateSite => OpBody::CreateSite(decode(payload, kind)?),
            OpKind::StartInspection => OpBody::StartInspection(decode(payload, kind)?),
            OpKind::RecordItem => OpBody::RecordItem(decode(payload, kind)?),
            OpKind::FinishInspection => OpBody::FinishInspection(decode(payload, kind)?),
            OpKind::RaiseHazard => OpBody::RaiseHazard(decode(payload, kind)?),
            OpKind::ActOnHazard => OpBody::ActOnHazard(decode(payload, kind)?),
            OpKind::AttachEvidence => OpBody::AttachEvidence(decode(payload, kind)?),
            OpKind::CreateMeeting => OpBody::CreateMeeting(decode(payload, kind)?),
            OpKind::CreateHardwareInvestment => {
                OpBody::CreateHardwareInvestment(decode(payload, kind)?)
            }
            OpKind::SubmitHardwareInvestment => {
                OpBody::SubmitHardwareInvestment(decode(payload, kind)?)
            }
            OpKind::CreateAccountability => OpBody::CreateAccountability(decode(payload, kind)?),
            OpKind::CreateDutyReport => OpBody::CreateDutyReport(decode(payload, kind)?),
            OpKind::CreateSelfAssessment => OpBody::CreateSelfAssessment(decode(payload, kind)?),
            OpKind::SubmitMonthEnd => OpBody::SubmitMonthEnd(decode(payload, kind)?),
            OpKind::AssignTask => OpBody::AssignTask(decode(payload, kind)?),
            OpKind::SubmitTaskProof => OpBody::SubmitTaskProof(decode(payload, kind)?),
            OpKind::ReviewTask => OpBody::ReviewTask(decode(payload, kind)?),
            OpKind::CreateMechanism => OpBody::CreateMechanism(decode(payload, kind)?),
            OpKind::SubmitFeedback => OpBody::SubmitFeedback(decode(payload, kind)?),
            OpKind::ReadReminder => OpBody::ReadReminder(decode(payload, kind)?),
            OpKind::EditSite => OpBody::EditSite(decode(payload, kind)?),
        })
    }

    /// The payload as it goes on the wire.
    pub fn payload(&self) -> Value {
        let v = match self {
            OpBody::CreateSite(x) => serde_json::to_value(x),
            OpBody::StartInspection(x) => serde_json::to_value(x),
            OpBody::RecordItem(x) => serde_json::to_value(x),
            OpBody::FinishInspection(x) => serde_json::to_value(x),
            OpBody::RaiseHazard(x) => serde_json::to_value(x),
            OpBody::ActOnHazard(x) => serde_json::to_value(x),
            OpBody::AttachEvidence(x) => serde_json::to_value(x),
            OpBody::CreateMeeting(x) => serde_json::to_value(x),
            OpBody::CreateHardwareInvestment(x) => serde_json::to_value(x),
            OpBody::SubmitHardwareInvestment(x) => serde_json::to_value(x),
            OpBody::CreateAccountability(x) => serde_json::to_value(x),
            OpBody::CreateDutyReport(x) => serde_json::to_value(x),
            OpBody::CreateSelfAssessment(x) => serde_json::to_value(x),
            OpBody::SubmitMonthEnd(x) => serde_json::to_value(x),
            OpBody::AssignTask(x) => serde_json::to_value(x),
            OpBody::SubmitTaskProof(x) => serde_json::to_value(x),
            OpBody::ReviewTask(x) => serde_json::to_value(x),
            OpBody::CreateMechanism(x) => serde_json::to_value(x),
            OpBody::SubmitFeedback(x) => serde_json::to_value(x),
            OpBody::ReadReminder(x) => serde_json::to_value(x),
            OpBody::EditSite(x) => serde_json::to_value(x),
        };
        // Domain records always serialise (no maps with non-string keys).
        v.unwrap_or(Value::Null)
    }
}

impl Operation {
    /// The envelope for `body` on the record `entity_id`.
    pub fn new(op_id: impl Into<String>, entity_id: impl Into<String>, body: &OpBody) -> Operation {
        let (entity, op) = body.kind().wire();
        Operation {
            op_id: op_id.into(),
            entity: entity.to_string(),
            entity_id: entity_id.into(),
            op: op.to_string(),
            payload: body.payload(),
            device_time: Some(Utc::now()),
        }
    }

    /// What this envelope asks for.
    pub fn body(&self) -> Result<OpBody, DomainError> {
        OpBody::decode(&self.entity, &self.op, self.payload.clone())
    }
}

/// How far ahead of the server a phone's clock may run before its times are refused.
pub const CLOCK_SKEW_MINUTES: i64 = 10;
/// How long a phone may stay offline with unsent work before its times are refused.
pub const OFFLINE_DAYS: i64 = 366;

/// A time the phone reports (when an inspection started, an item was answered, a hazard was
/// raised): not in the future by the server's clock, not before `not_before` (allowing for
/// clock skew), not older than a year.
pub fn check_reported_time(
    field: &'static str,
    at: DateTime<Utc>,
    not_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let skew = chrono::Duration::minutes(CLOCK_SKEW_MINUTES);
    let bad = |reason: String| Err(DomainError::InvalidValue { field, reason });
    if at > now + skew {
        return bad("晚于服务器当前时间，请校准手机时间".into());
    }
    if at < now - chrono::Duration::days(OFFLINE_DAYS) {
        return bad("早于一年前".into());
    }
    if let Some(earliest) = not_before {
        if at + skew < earliest {
            return bad("早于检查开始时间".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_names() {
        for k in OpKind::ALL {
            let (e, o) = k.wire();
            assert_eq!(OpKind::from_wire(e, o), Some(k));
        }
        assert_eq!(OpKind::from_wire("hazard", "delete"), None);
    }

    #[test]
    fn a_protocol_1_envelope_reads_as_its_typed_operation() {
        // The exact shape an earlier build's phone pushes.
        let op: Operation = serde_json::from_value(serde_json::json!({
            "op_id": "op-1", "entity": "inspection", "entity_id": "i-1", "op": "record_item",
            "payload": {"item_id": "GAS-001", "result": {"outcome": "fail", "note": "阀门锈蚀",
                        "recorded_at": "2026-11-20T02:00:00Z"}}
        }))
        .unwrap();
        match op.body().unwrap() {
            OpBody::RecordItem(r) => {
                assert_eq!(r.item_id, "GAS-001");
                assert_eq!(r.result.note.as_deref(), Some("阀门锈蚀"));
            }
            other => panic!("read as {other:?}"),
        }
        let again = Operation::new("op-1", "i-1", &op.body().unwrap());
        assert_eq!(again.payload, op.payload);
        assert_eq!(
            (again.entity.as_str(), again.op.as_str()),
            ("inspection", "record_item")
        );
    }

    #[test]
    fn reported_times_are_checked_against_the_server_clock_and_each_other() {
        let now: DateTime<Utc> = "2026-11-29T08:00:00Z".parse().unwrap();
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(check_reported_time("开始时间", t("2026-11-29T07:00:00Z"), None, now).is_ok());
        assert!(check_reported_time("开始时间", t("2026-11-29T08:05:00Z"), None, now).is_ok());
        let e = check_reported_time("开始时间", t("2026-11-29T09:00:00Z"), None, now).unwrap_err();
        assert!(e.to_string().contains("晚于服务器当前时间"), "{e}");
        let e = check_reported_time(
            "完成时间",
            t("2026-11-29T06:00:00Z"),
            Some(t("2026-11-29T07:00:00Z")),
            now,
        )
        .unwrap_err();
        assert!(e.to_string().contains("早于检查开始时间"), "{e}");
        assert!(check_reported_time("开始时间", t("2024-01-01T00:00:00Z"), None, now).is_err());
    }

    #[test]
    fn unknown_operations_and_bad_payloads_are_refused_in_chinese() {
        let e = OpBody::decode("hazard", "delete", Value::Null).unwrap_err();
        assert!(e.to_string().contains("不支持的操作"), "{e}");
        let e = OpBody::decode(
            "inspection",
            "finish",
            serde_json::json!({"finished_at": 5}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("完成检查"), "{e}");
    }
}
