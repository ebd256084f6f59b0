//! What the office and the units read: the organisation, sites, the hazard ledger,
//! inspections, checklists and patrol plans, each limited to the caller's scope.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_domain::checklist;
use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::hazard::{china_date, Hazard, HazardLevel, HazardStatus};
use anjian_domain::inspection::Inspection;
use anjian_domain::org::{Person, Role, Unit};
use anjian_domain::patrol::{PatrolPlan, PatrolTarget};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::phones::PhoneReach;
use crate::records::{self, HazardDoc};
use crate::scope::Caller;
use crate::AppState;

/// The organisation tree.
#[utoipa::path(get, path = "/v1/units", responses((status = 200, body = Vec<Unit>), (status = 401, body = ErrorBody)))]
pub async fn units(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(
        state
            .read(move |tx| records::visible(tx, entity::UNIT, &caller))
            .await?,
    ))
}

/// People of the organisation; phone numbers only where the caller's role needs them
/// (`crate::phones`).
#[utoipa::path(get, path = "/v1/people", responses((status = 200, body = Vec<Person>), (status = 401, body = ErrorBody)))]
pub async fn people(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(
        state
            .read(move |tx| {
                let mut people: Vec<Person> = records::visible(tx, entity::PERSON, &caller)?;
                let mut reach = PhoneReach::new(&caller);
                for p in &mut people {
                    reach.redact(tx, p)?;
                }
                Ok(people)
            })
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct SiteQuery {
    /// Township (属地) id.
    pub township: Option<String>,
    /// Industry code.
    pub industry: Option<String>,
}

/// Sites the caller may see (a township its own, a department its sector, the county all).
#[utoipa::path(get, path = "/v1/sites", params(SiteQuery), responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody)))]
pub async fn sites(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SiteQuery>,
) -> ApiResult<Json<Vec<Site>>> {
    let mut all: Vec<Site> = state
        .read(move |tx| records::visible(tx, entity::SITE, &caller))
        .await?;
    all.retain(|s| {
        q.township.as_ref().is_none_or(|t| &s.township_id == t)
            && q.industry.as_ref().is_none_or(|i| &s.industry == i)
    });
    Ok(Json(all))
}

/// One site, if in the caller's scope.
#[utoipa::path(get, path = "/v1/sites/{id}", params(("id" = String, Path)), responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
pub async fn site(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Site>> {
    state
        .read(
            move |tx| match records::load::<Site>(tx, entity::SITE, &id)? {
                Some((rec, s)) if caller.can_see(&rec.audience) => Ok(Json(s)),
                _ => Err(ApiError::not_found(format!("未找到场所：{id}"))),
            },
        )
        .await
}

#[derive(Deserialize, IntoParams)]
pub struct HazardQuery {
    /// registered / assigned / rectifying / submitted / closed
    #[param(pattern = "^(registered|assigned|rectifying|submitted|closed)$")]
    pub status: Option<String>,
    /// general / major
    #[param(pattern = "^(general|major)$")]
    pub level: Option<String>,
    /// The rectifying unit.
    pub unit: Option<String>,
    pub site: Option<String>,
    /// Only hazards open past their deadline.
    #[serde(default)]
    pub overdue: bool,
}

/// One line of the hazard ledger (隐患台账).
#[derive(Serialize, ToSchema)]
pub struct HazardItem {
    pub id: String,
    pub number: String,
    pub description: String,
    /// `general` or `major`.
    pub level: String,
    pub level_label: String,
    /// `registered`, `assigned`, `rectifying`, `submitted` or `closed`.
    pub status: String,
    pub status_label: String,
    /// The unit the hazard was raised for.
    pub unit_id: String,
    /// The unit rectifying it (the assigned one after 交办).
    pub rectifying_unit_id: String,
    pub site_id: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
    pub version: u64,
}

impl HazardItem {
    pub fn of(h: &Hazard, today: NaiveDate) -> HazardItem {
        HazardItem {
            id: h.id.clone(),
            number: h.number.clone(),
            description: h.description.clone(),
            level: super::console_reads::code_of(&h.level),
            level_label: h.level.label().into(),
            status: h.status.code().into(),
            status_label: h.status.label().into(),
            unit_id: h.unit_id.clone(),
            rectifying_unit_id: h.rectifying_unit().to_string(),
            site_id: h.site_id.clone(),
            deadline: h.deadline(),
            overdue: h.is_overdue(today),
            version: h.version,
        }
    }
}

fn parse_level(s: &str) -> ApiResult<HazardLevel> {
    match s {
        "general" => Ok(HazardLevel::General),
        "major" => Ok(HazardLevel::Major),
        _ => Err(ApiError::invalid(format!("隐患等级无效：{s}"))),
    }
}

/// The hazard ledger in the caller's scope, overdue first.
#[utoipa::path(get, path = "/v1/hazards", params(HazardQuery), responses((status = 200, body = Vec<HazardItem>), (status = 401, body = ErrorBody)))]
pub async fn hazards(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HazardQuery>,
) -> ApiResult<Json<Vec<HazardItem>>> {
    let status = q
        .status
        .as_deref()
        .map(HazardStatus::from_code)
        .transpose()?;
    let level = q.level.as_deref().map(parse_level).transpose()?;
    let docs: Vec<HazardDoc> = state
        .read(move |tx| records::visible(tx, entity::HAZARD, &caller))
        .await?;
    let today = china_date(chrono::Utc::now());
    let mut hazards: Vec<_> = docs
        .into_iter()
        .map(|d| d.hazard)
        .filter(|h| status.is_none_or(|s| h.status == s))
        .filter(|h| level.is_none_or(|l| h.level == l))
        .filter(|h| q.unit.as_ref().is_none_or(|u| h.rectifying_unit() == u))
        .filter(|h| {
            q.site
                .as_ref()
                .is_none_or(|s| h.site_id.as_ref() == Some(s))
        })
        .filter(|h| !q.overdue || h.is_overdue(today))
        .collect();
    anjian_domain::ledger::sort_ledger(&mut hazards, today);
    let items: Vec<HazardItem> = hazards.iter().map(|h| HazardItem::of(h, today)).collect();
    Ok(Json(items))
}

/// One hazard with its whole history, if in the caller's scope.
#[utoipa::path(get, path = "/v1/hazards/{id}", params(("id" = String, Path)), responses((status = 200, body = HazardDoc), (status = 404, body = ErrorBody)))]
pub async fn hazard(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<HazardDoc>> {
    state
        .read(
            move |tx| match records::load::<HazardDoc>(tx, entity::HAZARD, &id)? {
                Some((rec, doc)) if caller.can_see(&rec.audience) => Ok(Json(doc)),
                _ => Err(ApiError::not_found(format!("未找到隐患：{id}"))),
            },
        )
        .await
}

/// Inspections in the caller's scope (secret patrols only for their team).
#[utoipa::path(get, path = "/v1/inspections", responses((status = 200, body = Vec<Inspection>), (status = 401, body = ErrorBody)))]
pub async fn inspections(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Inspection>>> {
    Ok(Json(
        state
            .read(move |tx| records::visible(tx, entity::INSPECTION, &caller))
            .await?,
    ))
}

/// The documents left on site of an inspection (现场检查记录, 责令限期整改指令书, 整改复查意见书, 行政检查结果告知书):
/// evidence records with their 文号, hazards and signatures, oldest first; each PDF is read
/// from `/v1/blobs/{sha256}`.
#[utoipa::path(get, path = "/v1/inspections/{id}/documents", params(("id" = String, Path)), responses((status = 200, body = Vec<EvidenceRecord>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn inspection_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EvidenceRecord>>> {
    state
        .read(move |tx| {
            match tx.get_record(entity::INSPECTION, &id)? {
                Some(r) if !r.deleted && caller.can_see(&r.audience) => {}
                _ => return Err(ApiError::not_found(format!("未找到检查：{id}"))),
            }
            let mut docs: Vec<EvidenceRecord> =
                records::visible::<EvidenceRecord>(tx, entity::EVIDENCE, &caller)?
                    .into_iter()
                    .filter(|e| {
                        e.document.is_some()
                            && matches!(&e.target, EvidenceTarget::InspectionReport { inspection_id } if *inspection_id == id)
                    })
                    .collect();
            docs.sort_by(|a, b| (a.captured_at, &a.id).cmp(&(b.captured_at, &b.id)));
            Ok(Json(docs))
        })
        .await
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistSummary {
    pub code: String,
    pub name: String,
    /// The current version (new inspections use it).
    pub version: String,
    /// Every version known, oldest first.
    pub versions: Vec<String>,
    pub items: usize,
    pub major_items: usize,
    /// Items checked against the official text of their basis (the rest wait for review).
    pub verified_items: usize,
    pub major_hazard_standard: String,
    /// The site attributes (场所属性) its conditional items depend on.
    pub conditions: Vec<checklist::Condition>,
}

/// The manual's checklists and their versions.
#[utoipa::path(get, path = "/v1/checklists", responses((status = 200, body = Vec<ChecklistSummary>)))]
pub async fn checklists(
    State(state): State<AppState>,
    _caller: Caller,
) -> Json<Vec<ChecklistSummary>> {
    Json(
        state
            .checklists
            .all()
            .into_iter()
            .map(|c| ChecklistSummary {
                code: c.industry.code().into(),
                name: c.name.clone(),
                version: c.version.clone(),
                versions: state
                    .checklists
                    .versions(c.industry)
                    .into_iter()
                    .map(|v| v.version.clone())
                    .collect(),
                items: c.items.len(),
                major_items: c.major_count(),
                verified_items: c.verified_count(),
                major_hazard_standard: c.major_hazard_standard.clone(),
                conditions: c.conditions.clone(),
            })
            .collect(),
    )
}

#[derive(Deserialize, IntoParams)]
pub struct ChecklistQuery {
    /// A version other than the current one.
    pub version: Option<String>,
}

/// One industry's checklist: the current version, or the one asked for.
#[utoipa::path(get, path = "/v1/checklists/{industry}", params(("industry" = String, Path, pattern = "^(agriculture|civil_explosives|commerce|construction|culture_tourism|elderly_care|fire|forest_fire|gas|geohazard|hazchem|industrial|medical|non_coal_mine|power|road_transport|school|self_built_housing|special_equipment|water_conservancy|water_transport)$"), ChecklistQuery), responses((status = 200, body = checklist::Checklist), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checklist(
    State(state): State<AppState>,
    _caller: Caller,
    Path(industry): Path<String>,
    Query(q): Query<ChecklistQuery>,
) -> ApiResult<Json<checklist::Checklist>> {
    let current = state.checklists.by_code(&industry)?;
    match q.version {
        None => Ok(Json((*current).clone())),
        Some(v) => state
            .checklists
            .version(current.industry, &v)
            .map(|c| Json((*c).clone()))
            .ok_or_else(|| ApiError::not_found(format!("{} 没有版本 {v}", current.name))),
    }
}

/// Patrol plans the caller is on the team of (or finished ones in the caller's scope).
#[utoipa::path(get, path = "/v1/patrols", responses((status = 200, body = Vec<PatrolPlan>), (status = 401, body = ErrorBody)))]
pub async fn patrols(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PatrolPlan>>> {
    Ok(Json(
        state
            .read(move |tx| records::visible(tx, entity::PATROL_PLAN, &caller))
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPatrol {
    #[schema(min_length = 1, pattern = r"\S")]
    pub title: String,
    /// Person ids of the team besides the caller.
    #[serde(default)]
    pub team: Vec<String>,
    pub site_ids: Vec<String>,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
}

/// Plans an unannounced patrol (暗访巡查); the plan stays secret to the team until visited.
#[utoipa::path(post, path = "/v1/patrols", request_body = NewPatrol, responses((status = 201, body = PatrolPlan), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_patrol(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewPatrol>,
) -> ApiResult<(StatusCode, Json<PatrolPlan>)> {
    let allowed = [
        Role::SafetyOfficeStaff,
        Role::PatrolMember,
        Role::UnitHead,
        Role::UnitDeputyHead,
    ];
    if !allowed.iter().any(|r| caller.has_role(*r)) {
        return Err(ApiError::forbidden(
            "只有县安委办或工作专班可以安排暗访巡查",
        ));
    }
    let mut team = req.team.clone();
    team.push(caller.person.id.clone());
    team.sort();
    team.dedup();
    let plan = PatrolPlan {
        id: uuid::Uuid::now_v7().to_string(),
        title: req.title,
        organiser_unit_id: caller.person.unit_id.clone(),
        team,
        targets: req
            .site_ids
            .iter()
            .map(|s| PatrolTarget {
                site_id: s.clone(),
                visited_inspection_id: None,
            })
            .collect(),
        window_start: req.window_start,
        window_end: req.window_end,
    };
    let saved = plan.clone();
    state
        .write(move |tx| {
            // A site outside the caller's scope gets the same answer as one that does not
            // exist: the refusal tells nothing about it.
            for t in &saved.targets {
                match records::load::<Site>(tx, entity::SITE, &t.site_id)? {
                    Some((rec, _)) if caller.can_see(&rec.audience) => {}
                    _ => return Err(ApiError::not_found(format!("未找到场所：{}", t.site_id))),
                }
            }
            for p in &saved.team {
                if tx.get_record(entity::PERSON, p)?.is_none() {
                    return Err(ApiError::invalid(format!("暗访组成员不存在：{p}")));
                }
            }
            records::save_patrol(tx, &saved)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(plan)))
}
