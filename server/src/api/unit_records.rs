//! A unit's own records, as the office and the unit read them: meetings (会议纪要), proof of
//! hardware investment (改设施佐证) and reminder talks / accountability (提醒约谈、追责问责).
//! Each list is what the caller may see (county level: every unit; a unit: its own), filtered
//! by unit and month.

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_domain::accountability::Suggestion;
use anjian_domain::hazard::china_date;
use anjian_domain::mechanism::MechanismRecord;
use anjian_domain::month::YearMonth;
use anjian_domain::proof::{ProofStatus, RecycledUse};
use anjian_domain::records::{AccountabilityRecord, HardwareInvestment, Meeting};
use anjian_domain::sync::entity;

use super::attached::{attached_files, AttachedFile};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::proof::ProofPhotos;
use crate::records;
use crate::scope::Caller;
use crate::AppState;
use anjian_domain::evidence::EvidenceTarget;

#[derive(Deserialize, IntoParams)]
pub struct UnitRecordQuery {
    /// Only this unit's records.
    pub unit: Option<String>,
    /// Only this month's (YYYY-MM, China time).
    #[param(pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")]
    pub month: Option<String>,
}

impl UnitRecordQuery {
    fn month(&self) -> ApiResult<Option<YearMonth>> {
        self.month
            .as_deref()
            .map(|m| {
                m.parse::<YearMonth>()
                    .map_err(|e| ApiError::invalid(e.to_string()))
            })
            .transpose()
    }

    fn unit_ok(&self, unit_id: &str) -> bool {
        self.unit.as_deref().is_none_or(|u| u == unit_id)
    }
}

/// Meetings (安委会、例会、专题会、形势分析、培训), newest first.
#[utoipa::path(get, path = "/v1/meetings", params(UnitRecordQuery), responses((status = 200, body = Vec<Meeting>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn meetings(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitRecordQuery>,
) -> ApiResult<Json<Vec<Meeting>>> {
    let month = q.month()?;
    let mut out: Vec<Meeting> = state
        .read(move |tx| records::visible(tx, entity::MEETING, &caller))
        .await?;
    out.retain(|m| {
        q.unit_ok(&m.unit_id) && month.is_none_or(|ym| ym.contains(china_date(m.held_at)))
    });
    out.sort_by(|a, b| b.held_at.cmp(&a.held_at).then(a.id.cmp(&b.id)));
    Ok(Json(out))
}

/// A hardware investment as the office and the unit read it: which parts of the proof it has,
/// and photos of it already used as proof elsewhere (recycled).
#[derive(Serialize, ToSchema)]
pub struct InvestmentView {
    #[serde(flatten)]
    pub investment: HardwareInvestment,
    pub proof: ProofStatus,
    /// 已报送 / 待报送（佐证齐全） / 佐证不全.
    pub status_label: String,
    pub recycled_photos: Vec<RecycledUse>,
}

/// Proof of hardware investment (改设施), newest first, each with its proof parts (合同、
/// 施工前中后照片、发票) and recycled-photo flags; `month` filters by the month of submission.
#[utoipa::path(get, path = "/v1/investments", params(UnitRecordQuery), responses((status = 200, body = Vec<InvestmentView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn investments(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitRecordQuery>,
) -> ApiResult<Json<Vec<InvestmentView>>> {
    let month = q.month()?;
    let mut out = state
        .read(move |tx| {
            let list: Vec<HardwareInvestment> =
                records::visible(tx, entity::HARDWARE_INVESTMENT, &caller)?;
            let photos = ProofPhotos::load(tx, Some(&caller))?;
            let index = photos.index();
            Ok(list
                .into_iter()
                .filter(|i| q.unit_ok(&i.unit_id))
                .map(|i| {
                    let evidence = photos.of_target(entity::HARDWARE_INVESTMENT, &i.id);
                    let recycled_photos = photos.recycled(&index, &evidence);
                    let proof = photos.investment_status(&i.id);
                    let status_label = match (i.submitted_at, proof.complete) {
                        (Some(_), _) => "已报送",
                        (None, true) => "待报送（佐证齐全）",
                        (None, false) => "佐证不全",
                    }
                    .to_string();
                    InvestmentView {
                        investment: i,
                        proof,
                        status_label,
                        recycled_photos,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    out.retain(|v| month.is_none_or(|ym| ym.contains(v.investment.proof_date())));
    out.sort_by(|a, b| {
        b.investment
            .proof_date()
            .cmp(&a.investment.proof_date())
            .then(b.investment.invested_on.cmp(&a.investment.invested_on))
            .then(a.investment.id.cmp(&b.investment.id))
    });
    Ok(Json(out))
}

/// A talk or accountability as the office and the unit read it: the record with its labels.
#[derive(Serialize, ToSchema)]
pub struct AccountabilityView {
    #[serde(flatten)]
    pub record: AccountabilityRecord,
    /// 提醒约谈 / 追责问责.
    pub kind_label: &'static str,
    pub outcome_label: Option<&'static str>,
}

/// Reminder talks and accountability (提醒约谈、追责问责), newest first: county level every unit,
/// a township or department its own; `month` filters by the day decided.
#[utoipa::path(get, path = "/v1/accountability", params(UnitRecordQuery), responses((status = 200, body = Vec<AccountabilityView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accountability(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitRecordQuery>,
) -> ApiResult<Json<Vec<AccountabilityView>>> {
    let month = q.month()?;
    let mut out: Vec<AccountabilityRecord> = state
        .read(move |tx| records::visible(tx, entity::ACCOUNTABILITY, &caller))
        .await?;
    out.retain(|a| q.unit_ok(&a.unit_id) && month.is_none_or(|ym| ym.contains(a.decided_on)));
    out.sort_by(|a, b| b.decided_on.cmp(&a.decided_on).then(a.id.cmp(&b.id)));
    Ok(Json(
        out.into_iter()
            .map(|record| AccountabilityView {
                kind_label: record.kind.label(),
                outcome_label: record.outcome.map(|o| o.label()),
                record,
            })
            .collect(),
    ))
}

/// A suggestion with the names the office reads.
#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    #[serde(flatten)]
    pub suggestion: Suggestion,
    pub kind_label: &'static str,
    pub unit_name: String,
    pub person_name: Option<String>,
}

/// 约谈问责 the rules suggest today (`data/accountability_rules.toml`: major hazards overdue,
/// duty quotas missed months running, late month-end submissions), for 县安委办 to decide; a
/// record made with the suggestion's id ends it. County level only.
#[utoipa::path(get, path = "/v1/accountability/suggestions", params(UnitRecordQuery), responses((status = 200, body = Vec<SuggestionView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn accountability_suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitRecordQuery>,
) -> ApiResult<Json<Vec<SuggestionView>>> {
    if !caller.is_county_level() {
        return Err(ApiError::forbidden("约谈问责建议仅限县级查看"));
    }
    let county = state.read(crate::monthly::County::load).await?;
    let today = china_date(chrono::Utc::now());
    let dir = county.directory();
    Ok(Json(
        county
            .accountability_suggestions(q.unit.as_deref(), today)
            .into_iter()
            .map(|s| SuggestionView {
                kind_label: s.kind.label(),
                unit_name: dir.unit(&s.unit_id),
                person_name: s.person_id.as_deref().map(|p| dir.person(p)),
                suggestion: s,
            })
            .collect(),
    ))
}

/// A 改机制 record with its label.
#[derive(Serialize, ToSchema)]
pub struct MechanismView {
    #[serde(flatten)]
    pub record: MechanismRecord,
    pub kind_label: &'static str,
    /// Its documents (the revised list, rule or plan), oldest first.
    pub files: Vec<AttachedFile>,
}

/// 改机制 records (职责清单、制度修订、应急处置方案、联合执法、信息共享、举一反三), newest first, in
/// the caller's scope; `month` filters by the day it took effect.
#[utoipa::path(get, path = "/v1/mechanism", params(UnitRecordQuery), responses((status = 200, body = Vec<MechanismView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mechanism(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitRecordQuery>,
) -> ApiResult<Json<Vec<MechanismView>>> {
    let month = q.month()?;
    let (mut out, mut files) = state
        .read(move |tx| {
            let out: Vec<MechanismRecord> = records::visible(tx, entity::MECHANISM, &caller)?;
            let files = attached_files(tx, &caller, |t| match t {
                EvidenceTarget::MechanismRecord { record_id } => Some(record_id.clone()),
                _ => None,
            })?;
            Ok((out, files))
        })
        .await?;
    out.retain(|m| q.unit_ok(&m.unit_id) && month.is_none_or(|ym| ym.contains(m.effective_on)));
    out.sort_by(|a, b| b.effective_on.cmp(&a.effective_on).then(a.id.cmp(&b.id)));
    Ok(Json(
        out.into_iter()
            .map(|record| MechanismView {
                kind_label: record.kind.label(),
                files: files.remove(&record.id).unwrap_or_default(),
                record,
            })
            .collect(),
    ))
}
