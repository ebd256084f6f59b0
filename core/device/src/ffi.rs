//! The uniffi facade: a thin shell over [`Store`] with FFI-friendly records. Every method
//! maps internal errors to [`AnjianError`] in one place (`From<StoreError>`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use anjian_domain::checklist;
use anjian_domain::evidence::{EvidenceRecord, EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{
    FiveImplementations, Funding, Hazard, HazardAction, HazardDraft, HazardEvent, HazardLevel,
    HazardSource, HazardStatus,
};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome};
use anjian_domain::org::{Actor, Role};
use anjian_domain::site::{GeoPoint, Site, SiteLocation};
use chrono::NaiveDate;

use crate::error::{AnjianError, StoreError};
use crate::store::{self, LedgerFilter, Store};

use anjian_domain::duty::QuotaState;
use anjian_domain::month::YearMonth;

type FfiResult<T> = std::result::Result<T, AnjianError>;

#[uniffi::remote(Enum)]
pub enum HazardLevel {
    General,
    Major,
}

#[uniffi::remote(Enum)]
pub enum HazardStatus {
    Registered,
    Assigned,
    Rectifying,
    Submitted,
    Closed,
}

#[uniffi::remote(Enum)]
pub enum ItemOutcome {
    Pass,
    Fail,
    NotApplicable,
}

#[uniffi::remote(Enum)]
pub enum EvidenceStage {
    Before,
    During,
    After,
    None,
}

#[uniffi::remote(Enum)]
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
}

#[uniffi::remote(Enum)]
pub enum InspectionKind {
    LeaderSupervision,
    RoutineCheck,
    UnannouncedPatrol,
    RandomCheck,
    ProfessionalAssessment,
}

/// The signed-in person. `roles` are role codes such as `inspector`, `unit_head`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Profile {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OpenReport {
    /// Set when an unreadable database was moved aside to this path and a new one created.
    pub recovered_from: Option<String>,
    pub schema_version: i64,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct IndustrySummary {
    pub code: String,
    pub name: String,
    pub version: String,
    pub item_count: u32,
    pub major_count: u32,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChecklistItemRecord {
    pub id: String,
    pub section: String,
    pub text: String,
    pub basis: String,
    pub major: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChecklistRecord {
    pub industry: String,
    pub name: String,
    pub version: String,
    pub major_hazard_standard: String,
    pub items: Vec<ChecklistItemRecord>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteInput {
    pub name: String,
    /// Industry code (see `list_industries`).
    pub industry: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: Option<f64>,
    pub township_id: String,
    pub department_id: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteRecord {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub industry_name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: Option<f64>,
    pub township_id: String,
    pub department_id: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ItemResultRecord {
    pub item_id: String,
    pub outcome: ItemOutcome,
    pub note: Option<String>,
    pub recorded_at: SystemTime,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct InspectionRecord {
    pub id: String,
    pub kind: InspectionKind,
    pub kind_label: String,
    pub site_id: String,
    pub industry: String,
    pub checklist_version: String,
    pub leader_name: String,
    pub participants: Vec<String>,
    pub started_at: SystemTime,
    pub finished_at: Option<SystemTime>,
    pub total_items: u32,
    pub answered_items: u32,
    pub failed_item_ids: Vec<String>,
    pub results: Vec<ItemResultRecord>,
}

/// What an inspector fills in to raise a hazard. From a failed checklist item, give
/// `inspection_id` and `item_id`; the level then follows the item unless overridden with a
/// reason.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardInput {
    pub description: String,
    pub site_id: Option<String>,
    /// Responsible unit; empty takes the site's township (属地).
    pub unit_id: Option<String>,
    pub inspection_id: Option<String>,
    pub item_id: Option<String>,
    pub level: Option<HazardLevel>,
    pub level_reason: Option<String>,
    pub needs_hardware: bool,
}

/// 五落实 as the app edits it: `None` leaves a field as it is. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct FivePlanInput {
    pub target: Option<String>,
    pub measures: Option<String>,
    pub deadline: Option<String>,
    pub responsible: Option<String>,
    pub funding_fen: Option<i64>,
    pub funding_source: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FivePlanRecord {
    pub target: Option<String>,
    pub measures: Option<String>,
    pub deadline: Option<String>,
    pub responsible: Option<String>,
    pub funding_fen: Option<i64>,
    pub funding_source: Option<String>,
    /// What is still missing, as the notice names it (整改目标, 整改措施 ...).
    pub missing: Vec<String>,
}

/// One workflow action on a hazard.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum HazardCommand {
    Reclassify {
        level: HazardLevel,
        reason: String,
    },
    UpdatePlan {
        plan: FivePlanInput,
    },
    SetHardwarePlan {
        plan: String,
    },
    SetTemporaryMeasures {
        measures: String,
    },
    Assign {
        unit_id: String,
        deadline: String,
    },
    CloseOnSpot {
        note: String,
        after_evidence: Vec<String>,
    },
    StartRectification,
    SubmitRectification {
        note: String,
        after_evidence: Vec<String>,
    },
    Verify {
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardRecord {
    pub id: String,
    pub number: String,
    pub description: String,
    pub site_id: Option<String>,
    pub unit_id: String,
    pub rectifying_unit_id: String,
    pub inspection_id: Option<String>,
    pub item_id: Option<String>,
    pub level: HazardLevel,
    pub level_label: String,
    pub level_reason: Option<String>,
    pub needs_hardware: bool,
    pub status: HazardStatus,
    pub status_label: String,
    pub overdue: bool,
    pub deadline: Option<String>,
    pub plan: FivePlanRecord,
    pub hardware_plan: Option<String>,
    pub temporary_measures: Option<String>,
    pub rectified_by: Option<String>,
    pub rectification_note: Option<String>,
    pub after_evidence: Vec<String>,
    pub rejections: u32,
    pub raised_by_name: String,
    pub raised_at: SystemTime,
    pub closed_at: Option<SystemTime>,
    pub version: u64,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardEventRecord {
    pub id: String,
    pub label: String,
    pub from_status: Option<HazardStatus>,
    pub to_status: HazardStatus,
    pub actor_name: String,
    pub at: SystemTime,
    pub version: u64,
    /// The action's details as JSON (for the history screen).
    pub detail_json: String,
}

#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct LedgerQuery {
    pub status: Option<HazardStatus>,
    pub level: Option<HazardLevel>,
    pub unit_id: Option<String>,
    pub site_id: Option<String>,
    pub overdue_only: bool,
}

/// A photo or document as the app shows it, with the paths of its files.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EvidenceItem {
    pub id: String,
    pub sha256: String,
    /// photo / contract / invoice / other_document
    pub kind: String,
    pub stage: EvidenceStage,
    pub stage_label: String,
    pub target: EvidenceTarget,
    pub taken_at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub flags: Vec<String>,
    /// Chinese sentences for the flags (位置异常, 无定位, 时间异常 ...).
    pub notes: Vec<String>,
    pub amount_fen: Option<i64>,
    pub document_date: Option<String>,
    pub original_path: String,
    pub upload_path: Option<String>,
    pub thumbnail_path: Option<String>,
}

/// Contract, invoice, or other proof.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum DocumentType {
    Contract,
    Invoice,
    Other,
}

fn evidence_item(store: &Store, rec: EvidenceRecord) -> EvidenceItem {
    let files = store.evidence_files(&rec);
    let path = |p: &std::path::Path| p.display().to_string();
    EvidenceItem {
        kind: serde_json::to_value(rec.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        stage_label: rec.stage.label().to_string(),
        original_path: path(&files.original),
        upload_path: files.upload.as_deref().map(path),
        thumbnail_path: files.thumbnail.as_deref().map(path),
        document_date: rec.document_date.map(|d| d.to_string()),
        id: rec.id,
        sha256: rec.sha256,
        stage: rec.stage,
        target: rec.target,
        taken_at: rec.taken_at,
        lat: rec.lat,
        lon: rec.lon,
        accuracy_m: rec.accuracy_m,
        flags: rec.flags,
        notes: rec.notes,
        amount_fen: rec.amount_fen,
    }
}

fn parse_date(text: &str, field: &'static str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| StoreError::Invalid {
        field,
        reason: format!("“{text}”不是 年-月-日 格式的日期"),
    })
}

impl FivePlanInput {
    fn into_domain(self) -> Result<FiveImplementations, StoreError> {
        let funding = match (self.funding_fen, self.funding_source) {
            (Some(amount_fen), Some(source)) => Some(Funding { amount_fen, source }),
            (None, None) => None,
            _ => {
                return Err(StoreError::Invalid {
                    field: "整改资金",
                    reason: "金额和资金来源须同时填写".into(),
                })
            }
        };
        Ok(FiveImplementations {
            target: self.target,
            measures: self.measures,
            deadline: self
                .deadline
                .as_deref()
                .map(|d| parse_date(d, "整改时限"))
                .transpose()?,
            responsible: self.responsible,
            funding,
        })
    }
}

impl HazardCommand {
    fn into_action(self) -> Result<HazardAction, StoreError> {
        Ok(match self {
            HazardCommand::Reclassify { level, reason } => {
                HazardAction::Reclassify { level, reason }
            }
            HazardCommand::UpdatePlan { plan } => HazardAction::UpdatePlan {
                plan: plan.into_domain()?,
            },
            HazardCommand::SetHardwarePlan { plan } => HazardAction::SetHardwarePlan { plan },
            HazardCommand::SetTemporaryMeasures { measures } => {
                HazardAction::SetTemporaryMeasures { measures }
            }
            HazardCommand::Assign { unit_id, deadline } => HazardAction::Assign {
                unit_id,
                deadline: parse_date(&deadline, "交办时限")?,
            },
            HazardCommand::CloseOnSpot {
                note,
                after_evidence,
            } => HazardAction::CloseOnSpot {
                note,
                after_evidence,
            },
            HazardCommand::StartRectification => HazardAction::StartRectification,
            HazardCommand::SubmitRectification {
                note,
                after_evidence,
            } => HazardAction::SubmitRectification {
                note,
                after_evidence,
            },
            HazardCommand::Verify { note } => HazardAction::Verify { note },
            HazardCommand::Reject { reason } => HazardAction::Reject { reason },
        })
    }
}

impl From<Site> for SiteRecord {
    fn from(s: Site) -> Self {
        let industry_name = checklist::by_code(&s.industry)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        SiteRecord {
            id: s.id,
            name: s.name,
            industry: s.industry,
            industry_name,
            lat: s.location.point.lat,
            lon: s.location.point.lon,
            radius_m: s.location.radius_m,
            township_id: s.township_id,
            department_id: s.department_id,
            address: s.address,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
        }
    }
}

impl From<Inspection> for InspectionRecord {
    fn from(i: Inspection) -> Self {
        let total = i.checklist().items.len() as u32;
        let failed_item_ids = i
            .failed_items()
            .into_iter()
            .map(|(item, _)| item.id.clone())
            .collect();
        InspectionRecord {
            kind_label: i.kind.label().to_string(),
            total_items: total,
            answered_items: total - i.unanswered() as u32,
            failed_item_ids,
            results: i
                .results
                .iter()
                .map(|(id, r)| ItemResultRecord {
                    item_id: id.clone(),
                    outcome: r.outcome,
                    note: r.note.clone(),
                    recorded_at: r.recorded_at.into(),
                })
                .collect(),
            id: i.id,
            kind: i.kind,
            site_id: i.site_id,
            industry: i.industry.code().to_string(),
            checklist_version: i.checklist_version,
            leader_name: i.leader.name,
            participants: i.participants,
            started_at: i.started_at.into(),
            finished_at: i.finished_at.map(Into::into),
        }
    }
}

fn hazard_record(h: Hazard, today: NaiveDate) -> HazardRecord {
    HazardRecord {
        overdue: h.is_overdue(today),
        deadline: h.deadline().map(|d| d.to_string()),
        rectifying_unit_id: h.rectifying_unit().to_string(),
        level_label: h.level.label().to_string(),
        status_label: h.status.label().to_string(),
        plan: FivePlanRecord {
            missing: h.plan.missing().into_iter().map(str::to_string).collect(),
            target: h.plan.target,
            measures: h.plan.measures,
            deadline: h.plan.deadline.map(|d| d.to_string()),
            responsible: h.plan.responsible,
            funding_fen: h.plan.funding.as_ref().map(|f| f.amount_fen),
            funding_source: h.plan.funding.map(|f| f.source),
        },
        inspection_id: h.source.as_ref().map(|s| s.inspection_id.clone()),
        item_id: h.source.map(|s| s.item_id),
        id: h.id,
        number: h.number,
        description: h.description,
        site_id: h.site_id,
        unit_id: h.unit_id,
        level: h.level,
        level_reason: h.level_reason,
        needs_hardware: h.needs_hardware,
        status: h.status,
        hardware_plan: h.hardware_plan,
        temporary_measures: h.temporary_measures,
        rectified_by: h.rectified_by,
        rectification_note: h.rectification_note,
        after_evidence: h.after_evidence,
        rejections: h.rejections,
        raised_by_name: h.raised_by.name,
        raised_at: h.raised_at.into(),
        closed_at: h.closed_at.map(Into::into),
        version: h.version,
    }
}

impl From<HazardEvent> for HazardEventRecord {
    fn from(e: HazardEvent) -> Self {
        HazardEventRecord {
            label: e.label().to_string(),
            detail_json: e
                .action
                .as_ref()
                .and_then(|a| serde_json::to_string(a).ok())
                .unwrap_or_else(|| "{}".into()),
            id: e.id,
            from_status: e.from,
            to_status: e.to,
            actor_name: e.actor.name,
            at: e.at.into(),
            version: e.version,
        }
    }
}

fn industry_summary(c: &checklist::Checklist) -> IndustrySummary {
    IndustrySummary {
        code: c.industry.code().to_string(),
        name: c.name.clone(),
        version: c.version.clone(),
        item_count: c.items.len() as u32,
        major_count: c.major_count() as u32,
    }
}

/// The manual's industries with their checklist sizes (no store needed).
#[uniffi::export]
pub fn list_industries() -> Vec<IndustrySummary> {
    checklist::all().into_iter().map(industry_summary).collect()
}

/// The checklist of one industry.
#[uniffi::export]
pub fn checklist_for(industry: String) -> FfiResult<ChecklistRecord> {
    let c = checklist::by_code(&industry).map_err(StoreError::from)?;
    Ok(ChecklistRecord {
        industry: c.industry.code().to_string(),
        name: c.name.clone(),
        version: c.version.clone(),
        major_hazard_standard: c.major_hazard_standard.clone(),
        items: c
            .items
            .iter()
            .map(|i| ChecklistItemRecord {
                id: i.id.clone(),
                section: i.section.clone(),
                text: i.text.clone(),
                basis: i.basis.clone(),
                major: i.major,
            })
            .collect(),
    })
}

/// The phone's offline store: open once, share the object.
#[derive(uniffi::Object)]
pub struct AnjianStore {
    inner: Arc<Store>,
}

#[uniffi::export]
impl AnjianStore {
    /// Opens or creates the store at `path` (a file in the app's private storage).
    #[uniffi::constructor]
    pub fn open(path: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(AnjianStore {
            inner: Arc::new(Store::open(&PathBuf::from(path))?),
        }))
    }

    pub fn open_report(&self) -> OpenReport {
        let r = self.inner.report();
        OpenReport {
            recovered_from: r.recovered_from.as_ref().map(|p| p.display().to_string()),
            schema_version: r.schema_version,
        }
    }

    /// Cancels a running query (a long ledger read, for example).
    pub fn interrupt(&self) {
        self.inner.interrupt();
    }

    pub fn device_id(&self) -> FfiResult<String> {
        Ok(self.inner.device_id()?)
    }

    pub fn set_profile(&self, profile: Profile) -> FfiResult<()> {
        let roles = profile
            .roles
            .iter()
            .map(|r| Role::from_code(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)?;
        Ok(self.inner.set_profile(&Actor {
            person_id: profile.person_id,
            name: profile.name,
            unit_id: profile.unit_id,
            roles,
        })?)
    }

    pub fn profile(&self) -> FfiResult<Option<Profile>> {
        Ok(self.inner.profile()?.map(|a| Profile {
            person_id: a.person_id,
            name: a.name,
            unit_id: a.unit_id,
            roles: a.roles.iter().map(|r| r.code().to_string()).collect(),
        }))
    }

    pub fn add_site(&self, input: SiteInput) -> FfiResult<SiteRecord> {
        let site = Site {
            id: String::new(),
            name: input.name,
            industry: input.industry,
            location: SiteLocation {
                point: GeoPoint {
                    lat: input.lat,
                    lon: input.lon,
                },
                radius_m: input.radius_m,
                polygon: None,
            },
            township_id: input.township_id,
            department_id: input.department_id,
            address: input.address,
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
        };
        Ok(self.inner.add_site(site)?.into())
    }

    pub fn list_sites(&self, township_id: Option<String>) -> FfiResult<Vec<SiteRecord>> {
        Ok(self
            .inner
            .sites(township_id.as_deref())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn start_inspection(
        &self,
        kind: InspectionKind,
        site_id: String,
        participants: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        Ok(self
            .inner
            .start_inspection(kind, &site_id, participants)?
            .into())
    }

    pub fn record_item(
        &self,
        inspection_id: String,
        item_id: String,
        outcome: ItemOutcome,
        note: Option<String>,
    ) -> FfiResult<InspectionRecord> {
        Ok(self
            .inner
            .record_item(&inspection_id, &item_id, outcome, note)?
            .into())
    }

    pub fn finish_inspection(&self, inspection_id: String) -> FfiResult<InspectionRecord> {
        Ok(self.inner.finish_inspection(&inspection_id)?.into())
    }

    pub fn inspection(&self, inspection_id: String) -> FfiResult<InspectionRecord> {
        Ok(self.inner.inspection(&inspection_id)?.into())
    }

    pub fn raise_hazard(&self, input: HazardInput) -> FfiResult<HazardRecord> {
        let source = match (input.inspection_id, input.item_id) {
            (Some(inspection_id), Some(item_id)) => {
                let insp = self.inner.inspection(&inspection_id)?;
                Some(HazardSource {
                    inspection_id,
                    industry: insp.industry,
                    item_id,
                })
            }
            (None, None) => None,
            _ => {
                return Err(StoreError::Invalid {
                    field: "隐患来源",
                    reason: "检查和检查项须同时填写".into(),
                }
                .into())
            }
        };
        let draft = HazardDraft {
            id: String::new(),
            number: String::new(),
            site_id: input.site_id,
            unit_id: input.unit_id.unwrap_or_default(),
            description: input.description,
            location: None,
            source,
            level: input.level,
            level_reason: input.level_reason,
            needs_hardware: input.needs_hardware,
        };
        Ok(hazard_record(
            self.inner.raise_hazard(draft)?,
            store::today(),
        ))
    }

    pub fn act_on_hazard(
        &self,
        hazard_id: String,
        command: HazardCommand,
    ) -> FfiResult<HazardRecord> {
        let action = command.into_action()?;
        Ok(hazard_record(
            self.inner.act_on_hazard(&hazard_id, action)?,
            store::today(),
        ))
    }

    pub fn hazard(&self, hazard_id: String) -> FfiResult<HazardRecord> {
        Ok(hazard_record(
            self.inner.hazard(&hazard_id)?,
            store::today(),
        ))
    }

    pub fn hazard_history(&self, hazard_id: String) -> FfiResult<Vec<HazardEventRecord>> {
        Ok(self
            .inner
            .hazard_events(&hazard_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The hazard ledger (隐患台账), overdue first.
    pub fn ledger(&self, query: LedgerQuery) -> FfiResult<Vec<HazardRecord>> {
        let today = store::today();
        let filter = LedgerFilter {
            status: query.status,
            level: query.level,
            unit_id: query.unit_id,
            site_id: query.site_id,
            overdue_only: query.overdue_only,
            open_only: false,
        };
        Ok(self
            .inner
            .ledger(&filter, today)?
            .into_iter()
            .map(|h| hazard_record(h, today))
            .collect())
    }

    /// The CJK font for photo watermarks (a platform path; .ttc face index).
    pub fn set_watermark_font(&self, path: String, index: u32) -> FfiResult<()> {
        Ok(self
            .inner
            .set_watermark_font(std::path::Path::new(&path), index)?)
    }

    /// Attaches a photo the camera wrote at `path` (never bytes across the FFI). The original
    /// is kept byte for byte; an upload copy and a thumbnail are made; doubtful location or
    /// time is flagged, never silently accepted.
    pub fn attach_photo(
        &self,
        path: String,
        target: EvidenceTarget,
        stage: EvidenceStage,
    ) -> FfiResult<EvidenceItem> {
        let rec = self
            .inner
            .attach_photo(std::path::Path::new(&path), target, stage)?;
        Ok(evidence_item(&self.inner, rec))
    }

    /// Attaches a contract, invoice or other proof (PDF or image) with its amount and date.
    pub fn attach_document(
        &self,
        path: String,
        target: EvidenceTarget,
        kind: DocumentType,
        amount_fen: Option<i64>,
        date: Option<String>,
    ) -> FfiResult<EvidenceItem> {
        let date = date.as_deref().map(|d| parse_date(d, "日期")).transpose()?;
        let kind = match kind {
            DocumentType::Contract => anjian_evidence::document::DocumentKind::Contract,
            DocumentType::Invoice => anjian_evidence::document::DocumentKind::Invoice,
            DocumentType::Other => anjian_evidence::document::DocumentKind::Other,
        };
        let rec = self.inner.attach_document(
            std::path::Path::new(&path),
            target,
            kind,
            amount_fen,
            date,
        )?;
        Ok(evidence_item(&self.inner, rec))
    }

    /// Evidence of one target, oldest first.
    pub fn evidence_for(&self, target: EvidenceTarget) -> FfiResult<Vec<EvidenceItem>> {
        let (t, id) = target.key();
        Ok(self
            .inner
            .evidence_for(t, id)?
            .into_iter()
            .map(|r| evidence_item(&self.inner, r))
            .collect())
    }

    /// The local path of a file of a piece of evidence, downloaded from the server (and
    /// checked against its SHA-256) when someone else captured it. Blocks on the network:
    /// call it off the main thread. Offline → `Offline`; not uploaded yet → `InvalidInput`.
    pub fn fetch_evidence(
        &self,
        evidence_id: String,
        file: crate::evidence_fetch::EvidenceFile,
    ) -> FfiResult<String> {
        let path = self.inner.fetch_evidence_file(&evidence_id, file)?;
        Ok(path.display().to_string())
    }

    /// Operations recorded here and not yet accepted by the server.
    pub fn pending_changes(&self) -> FfiResult<u64> {
        Ok(self.inner.outbox_len()?)
    }

    /// My duty status (履职纪实), offline: each duty of my roles for the periods containing
    /// `month` ("2026-11"; this month when absent), required vs done, with the records.
    pub fn my_duty_status(&self, month: Option<String>) -> FfiResult<Vec<DutyStatusRecord>> {
        let today = store::today();
        let day = match month {
            Some(m) => {
                let m: YearMonth = m.parse().map_err(StoreError::from)?;
                if m.contains(today) {
                    today
                } else {
                    m.last_day()
                }
            }
            None => today,
        };
        let (statuses, activities) = self.inner.my_duty(day, today)?;
        Ok(statuses
            .into_iter()
            .map(|s| DutyStatusRecord {
                label: s.quota.label.clone(),
                activity: serde_json::to_value(s.quota.activity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                requirement: format!("{}{}次", s.quota.period.label(), s.quota.count),
                period_start: s.period_start.to_string(),
                period_end: s.period_end.to_string(),
                required: s.required,
                done: s.done,
                state: match s.state {
                    QuotaState::Met => "met",
                    QuotaState::Missed => "missed",
                    QuotaState::InProgress => "in_progress",
                }
                .to_string(),
                state_label: s.state.label().to_string(),
                records: s
                    .activity_ids
                    .iter()
                    .filter_map(|id| activities.iter().find(|a| &a.id == id))
                    .map(|a| DutyActivityRecord {
                        id: a.id.clone(),
                        source: a.source.clone(),
                        title: a.title.clone(),
                        date: a.date.to_string(),
                        evidence_count: a.evidence_count,
                    })
                    .collect(),
            })
            .collect())
    }

    /// My unit's hazards still open (the rectifying unit is mine): overdue first, then by
    /// deadline.
    pub fn my_unit_open_hazards(&self) -> FfiResult<Vec<HazardRecord>> {
        let today = store::today();
        Ok(self
            .inner
            .my_unit_open_hazards(today)?
            .into_iter()
            .map(|h| hazard_record(h, today))
            .collect())
    }
}

/// One duty of my roles for its period (履职纪实).
#[derive(Debug, Clone, uniffi::Record)]
pub struct DutyStatusRecord {
    /// What the notice requires ("带队开展实地督查").
    pub label: String,
    /// Activity code (`led_inspection`, `special_meeting`, ...).
    pub activity: String,
    /// "每月1次"
    pub requirement: String,
    pub period_start: String,
    pub period_end: String,
    pub required: u32,
    pub done: u32,
    /// `met`, `missed` or `in_progress`.
    pub state: String,
    /// 已完成 / 未完成 / 进行中
    pub state_label: String,
    /// The records that count.
    pub records: Vec<DutyActivityRecord>,
}

/// A recorded activity that counts for a duty.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DutyActivityRecord {
    pub id: String,
    /// `inspection` or `meeting`.
    pub source: String,
    pub title: String,
    pub date: String,
    pub evidence_count: u32,
}

impl AnjianStore {
    /// The inner store, for Rust callers (the CLI, tests).
    pub fn inner(&self) -> &Store {
        &self.inner
    }
}

/// Where a sync is.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum SyncPhase {
    Push,
    Upload,
    Pull,
    Done,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub records_done: u64,
    pub records_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current_file: Option<String>,
}

/// Progress of a running sync, implemented by the app (Kotlin/Swift).
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
}

/// What the app hears from a sync started with `start_sync`.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
    /// The sync ended (completed, offline, login required or cancelled).
    fn on_finished(&self, result: SyncResult);
    /// Local storage failed during the sync; the message is for the user.
    fn on_failed(&self, message: String);
}

/// A running sync started with `start_sync`.
#[derive(uniffi::Object)]
pub struct SyncTask {
    store: Arc<Store>,
    finished: Arc<std::sync::atomic::AtomicBool>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[uniffi::export]
impl SyncTask {
    /// Stops this sync at its next step; what was done stays done, the rest stays queued.
    pub fn cancel(&self) {
        if !self.is_finished() {
            self.store.cancel_sync();
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Blocks until the sync has ended and its observer has been told. (Not `wait`: that
    /// name belongs to every JVM object.)
    pub fn join(&self) {
        let Ok(mut slot) = self.thread.lock() else {
            return;
        };
        // From the observer itself (on the sync thread) there is nothing to wait for.
        if slot
            .as_ref()
            .is_some_and(|t| t.thread().id() == std::thread::current().id())
        {
            return;
        }
        if let Some(t) = slot.take() {
            let _ = t.join();
        }
    }
}

impl From<crate::sync_engine::Progress> for SyncProgress {
    fn from(p: crate::sync_engine::Progress) -> Self {
        use crate::sync_engine::Phase;
        SyncProgress {
            phase: match p.phase {
                Phase::Push => SyncPhase::Push,
                Phase::Upload => SyncPhase::Upload,
                Phase::Pull => SyncPhase::Pull,
                Phase::Done => SyncPhase::Done,
            },
            records_done: p.records_done,
            records_total: p.records_total,
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
            current_file: p.current_file,
        }
    }
}

impl From<crate::sync_engine::SyncReport> for SyncResult {
    fn from(report: crate::sync_engine::SyncReport) -> Self {
        use crate::sync_engine::Outcome;
        SyncResult {
            outcome: match report.outcome {
                Outcome::Completed => SyncOutcome::Completed,
                Outcome::Offline(message) => SyncOutcome::Offline { message },
                Outcome::LoginRequired => SyncOutcome::LoginRequired,
                Outcome::Cancelled => SyncOutcome::Cancelled,
            },
            pushed: report.pushed,
            rejected: report.rejected,
            uploaded_files: report.uploaded_files,
            uploaded_bytes: report.uploaded_bytes,
            pulled: report.pulled,
        }
    }
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum SyncOutcome {
    Completed,
    /// The server is unreachable or failing; everything stays queued.
    Offline {
        message: String,
    },
    /// Log in again; nothing recorded is lost.
    LoginRequired,
    Cancelled,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncResult {
    pub outcome: SyncOutcome,
    pub pushed: u64,
    pub rejected: u64,
    pub uploaded_files: u64,
    pub uploaded_bytes: u64,
    pub pulled: u64,
}

/// What the sync screen shows.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub pending_changes: u64,
    pub pending_files: u64,
    pub pending_bytes: u64,
    pub needs_attention: u64,
    pub last_sync: Option<String>,
    /// The last failure, in Chinese (empty after a good sync).
    pub last_error: Option<String>,
    /// Device clock minus server clock, seconds; more than 300 either way is shown as wrong.
    pub clock_skew_seconds: Option<i64>,
    /// Consecutive failed syncs; the app backs off `min(2^n, 60)` minutes.
    pub failures: u32,
}

/// An operation the server refused, with its reason in Chinese.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AttentionRecord {
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PendingFileRecord {
    pub sha256: String,
    pub path: String,
    pub size: u64,
    pub evidence_id: String,
    pub priority: i64,
    pub error: Option<String>,
}

#[uniffi::export]
impl AnjianStore {
    /// Logs in to the county server; the signed-in person becomes this device's profile.
    pub fn login(&self, server: String, username: String, password: String) -> FfiResult<Profile> {
        let person = self.inner.login(&server, &username, &password)?;
        Ok(Profile {
            person_id: person.id,
            name: person.name,
            unit_id: person.unit_id,
            roles: person.roles.iter().map(|r| r.code().to_string()).collect(),
        })
    }

    /// Push, upload, pull, on the calling thread (call it from a background thread; or use
    /// `start_sync`, which runs it on the store's sync thread).
    /// `include_originals`: the network is unmetered, or the user asked for originals now.
    pub fn sync_now(
        &self,
        include_originals: bool,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> FfiResult<SyncResult> {
        let report = self.inner.sync(
            crate::sync_engine::SyncOptions { include_originals },
            &|p| {
                if let Some(l) = &listener {
                    l.on_progress(p.into());
                }
            },
        )?;
        Ok(report.into())
    }

    /// Starts a sync on a background thread and returns at once: progress and the end come
    /// to `observer`; the handle cancels it. Refused (NotAllowed) while another sync of this
    /// store runs, so a tap on 同步 during an automatic sync cannot start a second one.
    pub fn start_sync(
        &self,
        include_originals: bool,
        observer: Arc<dyn SyncObserver>,
    ) -> FfiResult<Arc<SyncTask>> {
        self.inner.claim_sync()?;
        let store = Arc::clone(&self.inner);
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let spawned = std::thread::Builder::new()
            .name("anjian-sync".into())
            .spawn(move || {
                let outcome = {
                    let _release = crate::sync_engine::ReleaseOnDrop(&store);
                    store.sync_claimed(
                        crate::sync_engine::SyncOptions { include_originals },
                        &|p| observer.on_progress(p.into()),
                    )
                };
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                match outcome {
                    Ok(report) => observer.on_finished(report.into()),
                    Err(e) => observer.on_failed(AnjianError::from(e).to_string()),
                }
            });
        match spawned {
            Ok(thread) => Ok(Arc::new(SyncTask {
                store: Arc::clone(&self.inner),
                finished,
                thread: std::sync::Mutex::new(Some(thread)),
            })),
            Err(e) => {
                self.inner.release_sync();
                Err(AnjianError::Storage(format!("无法启动同步：{e}")))
            }
        }
    }

    /// Stops a running sync at its next step (from any thread).
    pub fn cancel_sync(&self) {
        self.inner.cancel_sync();
    }

    pub fn sync_status(&self) -> FfiResult<SyncStatus> {
        let s = &self.inner;
        let files = s.pending_files(true)?;
        let setting = |k: &str| -> FfiResult<Option<String>> {
            Ok(s.sync_setting(k)?.filter(|v| !v.is_empty()))
        };
        Ok(SyncStatus {
            signed_in: setting("token")?.is_some(),
            pending_changes: s.outbox_len()?,
            pending_files: files.len() as u64,
            pending_bytes: files.iter().map(|f| f.size).sum(),
            needs_attention: s.attention()?.len() as u64,
            last_sync: setting("last_sync")?,
            last_error: setting("last_error")?,
            clock_skew_seconds: setting("clock_skew_s")?.and_then(|v| v.parse().ok()),
            failures: setting("failures")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }

    /// Operations the server refused ("needs attention").
    pub fn attention(&self) -> FfiResult<Vec<AttentionRecord>> {
        Ok(self
            .inner
            .attention()?
            .into_iter()
            .map(|a| AttentionRecord {
                op_id: a.op_id,
                entity: a.entity,
                entity_id: a.entity_id,
                op: a.op,
                reason: a.reason,
                at: a.at,
            })
            .collect())
    }

    pub fn dismiss_attention(&self, op_id: String) -> FfiResult<()> {
        Ok(self.inner.dismiss_attention(&op_id)?)
    }

    /// Evidence files not yet on the server (what verification is waiting for).
    pub fn pending_files(&self) -> FfiResult<Vec<PendingFileRecord>> {
        Ok(self
            .inner
            .pending_files(true)?
            .into_iter()
            .map(|f| PendingFileRecord {
                sha256: f.sha256,
                path: f.path,
                size: f.size,
                evidence_id: f.evidence_id,
                priority: f.priority,
                error: f.error,
            })
            .collect())
    }
}
