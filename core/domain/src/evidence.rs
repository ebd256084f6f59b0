//! Evidence records: a photo or document tied to what it proves.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// 整改前 / 整改中 / 整改后, or none (inspection findings, meetings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceStage {
    Before,
    During,
    After,
    None,
}

impl EvidenceStage {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceStage::Before => "整改前",
            EvidenceStage::During => "整改中",
            EvidenceStage::After => "整改后",
            EvidenceStage::None => "现场照片",
        }
    }
}

/// What a piece of evidence proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceTarget {
    InspectionItem {
        inspection_id: String,
        item_id: String,
    },
    Hazard {
        hazard_id: String,
    },
    HardwareInvestment {
        investment_id: String,
    },
    Meeting {
        meeting_id: String,
    },
    /// The inspection as a whole: a 技术服务 assessment's 评估报告, or the documents left on
    /// site after a 行政检查 (现场检查记录 …, with their `document`).
    InspectionReport {
        inspection_id: String,
    },
    /// A file of a task's assignment (`unit_id` empty) or of a unit's proof.
    WorkTask {
        task_id: String,
        #[serde(default)]
        unit_id: String,
    },
    /// The document of a 改机制 record (the revised list, rule or plan).
    MechanismRecord {
        record_id: String,
    },
}

impl EvidenceTarget {
    pub fn key(&self) -> (&'static str, &str) {
        match self {
            EvidenceTarget::InspectionItem { inspection_id, .. } => ("inspection", inspection_id),
            EvidenceTarget::Hazard { hazard_id } => ("hazard", hazard_id),
            EvidenceTarget::HardwareInvestment { investment_id } => {
                ("hardware_investment", investment_id)
            }
            EvidenceTarget::Meeting { meeting_id } => ("meeting", meeting_id),
            EvidenceTarget::InspectionReport { inspection_id } => ("inspection", inspection_id),
            EvidenceTarget::WorkTask { task_id, .. } => ("work_task", task_id),
            EvidenceTarget::MechanismRecord { record_id } => ("mechanism_record", record_id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceKind {
    Photo,
    Contract,
    Invoice,
    OtherDocument,
    /// A signed document left on site (现场检查记录, 责令限期整改指令书, 整改复查意见书, 行政检查结果告知书).
    SiteDocument,
}

impl EvidenceKind {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Photo => "照片",
            EvidenceKind::Contract => "合同",
            EvidenceKind::Invoice => "发票",
            EvidenceKind::OtherDocument => "其他材料",
            EvidenceKind::SiteDocument => "现场执法文书",
        }
    }
}

/// The file an evidence record is about.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceFile {
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
}

/// A photo or document as recorded on the device and synced to the server. The file itself
/// travels separately, by its SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceRecord {
    pub id: String,
    pub sha256: String,
    pub kind: EvidenceKind,
    pub content_type: String,
    pub size: u64,
    pub target: EvidenceTarget,
    pub stage: EvidenceStage,
    /// When the app recorded it (device clock; shown, never used for order).
    pub captured_at: DateTime<Utc>,
    pub captured_by: String,
    /// The photo's own time (EXIF), RFC 3339.
    pub taken_at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// Problem codes (no_gps, location_outside, capture_gap, after_before_before, ...).
    pub flags: Vec<String>,
    /// The same, as Chinese sentences.
    pub notes: Vec<String>,
    /// Documents: the amount and date the user entered.
    pub amount_fen: Option<i64>,
    pub document_date: Option<NaiveDate>,
    /// SHA-256 of the upload copy and thumbnail (photos).
    pub upload_sha256: Option<String>,
    pub thumb_sha256: Option<String>,
    /// A document left on site: its kind, number, hazards and signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<crate::site_document::SiteDocumentInfo>,
    /// When the server received the record, and whether its 拍摄时间 is doubtful (server only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<crate::received::Receipt>,
}

impl EvidenceRecord {
    /// A new record of `file` for `target`, taken by `captured_by` at `captured_at`; the
    /// place, the photo's own time, flags and document facts start empty for the caller to
    /// set what it knows.
    pub fn new(
        id: String,
        kind: EvidenceKind,
        file: EvidenceFile,
        target: EvidenceTarget,
        stage: EvidenceStage,
        captured_by: String,
        captured_at: DateTime<Utc>,
    ) -> EvidenceRecord {
        EvidenceRecord {
            received: None,
            id,
            sha256: file.sha256,
            kind,
            content_type: file.content_type,
            size: file.size,
            target,
            stage,
            captured_at,
            captured_by,
            taken_at: None,
            lat: None,
            lon: None,
            accuracy_m: None,
            flags: vec![],
            notes: vec![],
            amount_fen: None,
            document_date: None,
            upload_sha256: None,
            thumb_sha256: None,
            document: None,
        }
    }
}
