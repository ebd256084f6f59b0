//! Third parties and experts: engagements (委托技术服务) by a department for its industries,
//! sites and a period, their coverage per industry for the year, and the county's expert
//! pool (专家库) kept by 县安委办, with both as files.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use anjian_domain::engagement::{self, Engagement, IndustryCoverage};
use anjian_domain::experts::Expert;
use anjian_domain::hazard::china_date;
use anjian_domain::org::{Person, Unit, UnitKind};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_reports::{parties as sheets, xlsx};

use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::monthly::County;
use crate::parties;
use crate::phones::is_outsider;
use crate::ratelimit::ClientAddr;
use crate::records;
use crate::scope::Caller;
use crate::AppState;

pub const ENGAGEMENT_SAVED: &str = "engagement_saved";
pub const EXPERT_SAVED: &str = "expert_saved";
pub const EXPERT_RETIRED: &str = "expert_retired";

#[derive(Debug, Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// Default: this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// One department (county callers); a department's own people always get their own.
    pub department: Option<String>,
}

fn today() -> chrono::NaiveDate {
    china_date(Utc::now())
}

fn year_of(q: Option<i32>) -> ApiResult<i32> {
    let year = q.unwrap_or(today().year());
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid(format!("年份 {year} 无效")));
    }
    Ok(year)
}

fn unit_of(tx: &mut dyn crate::storage::Tx, id: &str) -> ApiResult<Option<Unit>> {
    Ok(records::load::<Unit>(tx, entity::UNIT, id)?.map(|(_, u)| u))
}

/// Engagements the caller may see (the county: all; a department: its own; the engaged:
/// theirs), newest first; `year` keeps those overlapping it.
#[utoipa::path(get, path = "/v1/engagements", params(CoverageQuery), responses((status = 200, body = Vec<Engagement>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<Json<Vec<Engagement>>> {
    let year = q.year.map(|y| year_of(Some(y))).transpose()?;
    let mut out: Vec<Engagement> = state
        .read(move |tx| records::visible(tx, entity::ENGAGEMENT, &caller))
        .await?;
    out.retain(|e| {
        year.is_none_or(|y| e.in_year(y))
            && q.department.as_deref().is_none_or(|d| e.department_id == d)
    });
    out.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
    Ok(Json(out))
}

/// A department engages a third-party institution and/or pool experts (委托技术服务) for its
/// industries, sites it supervises and a period. 县安委办 may record it for a department.
#[utoipa::path(post, path = "/v1/engagements", request_body = Engagement, responses((status = 201, body = Engagement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Json(mut e): Json<Engagement>,
) -> ApiResult<(StatusCode, Json<Engagement>)> {
    e.validate()?;
    policy::check(
        &caller.actor(),
        Act::Engage,
        &Target {
            unit_id: Some(&e.department_id),
            ..Target::default()
        },
    )?;
    if e.id.trim().is_empty() {
        e.id = uuid::Uuid::now_v7().to_string();
    }
    e.expert_person_ids.sort();
    e.expert_person_ids.dedup();
    e.site_ids.sort();
    e.site_ids.dedup();
    e.created_by = caller.person.id.clone();
    e.created_at = Some(Utc::now());
    let saved = e.clone();
    state
        .write(move |tx| {
            if tx.get_record(entity::ENGAGEMENT, &saved.id)?.is_some() {
                return Err(ApiError::invalid(format!("委托 {} 已存在", saved.id)));
            }
            check_parties(tx, &saved)?;
            let mut sites = Vec::new();
            for id in &saved.site_ids {
                match records::load::<Site>(tx, entity::SITE, id)? {
                    Some((rec, s)) if caller.can_see(&rec.audience) => sites.push(s),
                    _ => return Err(ApiError::not_found(format!("未找到场所：{id}"))),
                }
            }
            saved.check_sites(&sites.iter().collect::<Vec<_>>())?;
            parties::save_engagement(tx, &saved)?;
            parties::announce_sites(tx, &saved)?;
            audit::record(
                tx,
                &caller.username,
                ENGAGEMENT_SAVED,
                &saved.id,
                Some(client),
                format!(
                    "{}：{} 个场所，{} 至 {}",
                    saved.title,
                    saved.site_ids.len(),
                    saved.start,
                    saved.end
                ),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// The department is one; the institution is a third party; each expert is in the pool and
/// available for the whole period.
fn check_parties(tx: &mut dyn crate::storage::Tx, e: &Engagement) -> ApiResult<()> {
    match unit_of(tx, &e.department_id)? {
        Some(u) if u.kind == UnitKind::Department => {}
        _ => return Err(ApiError::invalid("委托单位须为县级行业部门")),
    }
    if let Some(id) = &e.institution_unit_id {
        match unit_of(tx, id)? {
            Some(u) if u.kind == UnitKind::ThirdPartyInstitution => {}
            _ => {
                return Err(ApiError::invalid(format!(
                    "受委托机构须为登记的第三方专业机构：{id}"
                )))
            }
        }
    }
    let pool = parties::experts(tx)?;
    for p in &e.expert_person_ids {
        let person = records::load::<Person>(tx, entity::PERSON, p)?.map(|(_, p)| p);
        let entry = pool.iter().find(|x| x.person_id.as_deref() == Some(p));
        match (person, entry) {
            (Some(person), Some(x)) if parties::is_engageable(&person) => {
                if !x.available_for(e.start, e.end) {
                    return Err(ApiError::invalid(format!(
                        "专家{}不在库或聘期不覆盖委托期限",
                        x.name
                    )));
                }
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "受委托专家须为专家库中有账号的专家：{p}"
                )))
            }
        }
    }
    Ok(())
}

/// Which department's coverage the caller may read: the county any (or all), a department's
/// people their own; others none.
fn coverage_scope(
    caller: &Caller,
    asked: Option<&str>,
    kind: Option<UnitKind>,
) -> ApiResult<Option<String>> {
    if caller.is_county_level() {
        return Ok(asked.map(str::to_string));
    }
    if kind != Some(UnitKind::Department) {
        return Err(ApiError::forbidden(
            "评估检查覆盖情况仅限县级和行业部门查看",
        ));
    }
    match asked {
        Some(d) if d != caller.person.unit_id => {
            Err(ApiError::forbidden("无权查看其他部门的委托情况"))
        }
        _ => Ok(Some(caller.person.unit_id.clone())),
    }
}

async fn load_coverage(
    state: &AppState,
    caller: &Caller,
    q: &CoverageQuery,
) -> ApiResult<(County, Vec<Engagement>, Option<String>, i32)> {
    let year = year_of(q.year)?;
    let unit_id = caller.person.unit_id.clone();
    let (county, engagements, kind) = state
        .read(move |tx| {
            let kind = unit_of(tx, &unit_id)?.map(|u| u.kind);
            Ok((County::load(tx)?, parties::engagements(tx)?, kind))
        })
        .await?;
    let dept = coverage_scope(caller, q.department.as_deref(), kind)?;
    Ok((county, engagements, dept, year))
}

/// Coverage per industry for a year (全年全覆盖): sites in the industry, sites engaged, sites
/// assessed by a finished 技术服务 under an engagement, and the rate.
#[utoipa::path(get, path = "/v1/engagements/coverage", params(CoverageQuery), responses((status = 200, body = Vec<IndustryCoverage>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<Json<Vec<IndustryCoverage>>> {
    let (c, list, dept, year) = load_coverage(&state, &caller, &q).await?;
    Ok(Json(engagement::coverage(
        year,
        &c.sites,
        &list,
        &c.inspections,
        dept.as_deref(),
    )))
}

fn xlsx_file(name: &str, title: &str, bytes: Vec<u8>) -> Response {
    let encoded = super::monthly::percent(&format!("{title}.xlsx"));
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// 专业机构评估检查覆盖情况 (.xlsx): coverage per industry and the year's engagements.
#[utoipa::path(get, path = "/v1/exports/engagement-coverage.xlsx", params(CoverageQuery), responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn coverage_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<Response> {
    let (c, list, dept, year) = load_coverage(&state, &caller, &q).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        let rows = engagement::coverage(year, &c.sites, &list, &c.inspections, dept.as_deref());
        let dir = c.directory();
        let scope = dept.as_deref().map_or("忠县".to_string(), |d| dir.unit(d));
        let mine: Vec<&Engagement> = list
            .iter()
            .filter(|e| e.in_year(year) && dept.as_deref().is_none_or(|d| e.department_id == d))
            .collect();
        xlsx::workbook(&[
            sheets::coverage_sheet(&rows, &dir, year, &scope),
            sheets::engagements_sheet(&mine, &dir, year),
        ])
        .map_err(ApiError::internal)
    })
    .await??;
    Ok(xlsx_file(
        "engagement-coverage.xlsx",
        "专业机构评估检查覆盖情况",
        bytes,
    ))
}

/// The pool as the caller may read it: government staff see every entry (townships and
/// departments invite experts from it); an expert sees their own; other outsiders nothing.
async fn readable_pool(state: &AppState, caller: Caller) -> ApiResult<Vec<Expert>> {
    let all = state.read(parties::experts).await?;
    if !is_outsider(&caller) {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|x| x.person_id.as_deref() == Some(caller.person.id.as_str()))
        .collect())
}

/// The expert pool (专家库): entries in the pool first, by name.
#[utoipa::path(get, path = "/v1/experts", responses((status = 200, body = Vec<Expert>), (status = 401, body = ErrorBody)))]
pub async fn experts(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Expert>>> {
    let mut out = readable_pool(&state, caller).await?;
    out.sort_by(|a, b| {
        a.retired_at
            .is_some()
            .cmp(&b.retired_at.is_some())
            .then(a.name.cmp(&b.name))
    });
    Ok(Json(out))
}

fn keeper(caller: &Caller) -> ApiResult<()> {
    policy::check(&caller.actor(), Act::KeepExperts, &Target::default())
        .map_err(|_| ApiError::forbidden("只有县安委办可以维护专家库"))
}

/// The linked account must be an expert's.
fn check_link(tx: &mut dyn crate::storage::Tx, x: &Expert) -> ApiResult<()> {
    if let Some(p) = &x.person_id {
        match records::load::<Person>(tx, entity::PERSON, p)?.map(|(_, p)| p) {
            Some(person) if person.roles.contains(&anjian_domain::org::Role::Expert) => {}
            _ => {
                return Err(ApiError::invalid(format!(
                    "关联账号须为专家库专家的账号：{p}"
                )))
            }
        }
        let others = parties::experts(tx)?;
        if others
            .iter()
            .any(|o| o.id != x.id && o.person_id.as_deref() == Some(p.as_str()))
        {
            return Err(ApiError::invalid("该账号已关联其他专家"));
        }
    }
    Ok(())
}

/// Adds an expert to the pool (县安委办; audited).
#[utoipa::path(post, path = "/v1/experts", request_body = Expert, responses((status = 201, body = Expert), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_expert(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Json(mut x): Json<Expert>,
) -> ApiResult<(StatusCode, Json<Expert>)> {
    keeper(&caller)?;
    x.validate()?;
    x.id = uuid::Uuid::now_v7().to_string();
    x.retired_at = None;
    x.retired_reason = None;
    x.updated_at = Some(Utc::now());
    let saved = x.clone();
    state
        .write(move |tx| {
            check_link(tx, &saved)?;
            parties::save_expert(tx, &saved)?;
            audit::record(
                tx,
                &caller.username,
                EXPERT_SAVED,
                &saved.id,
                Some(client),
                format!("入库：{}（{}）", saved.name, saved.employer),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(x)))
}

/// Updates an entry (contact, title, industries, appointment…); a retired entry stays retired.
#[utoipa::path(put, path = "/v1/experts/{id}", params(("id" = String, Path)), request_body = Expert, responses((status = 200, body = Expert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_expert(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(id): Path<String>,
    Json(mut x): Json<Expert>,
) -> ApiResult<Json<Expert>> {
    keeper(&caller)?;
    x.validate()?;
    x.id = id;
    let out = state
        .write(move |tx| {
            let Some((_, old)) = records::load::<Expert>(tx, entity::EXPERT, &x.id)? else {
                return Err(ApiError::not_found(format!("未找到专家：{}", x.id)));
            };
            x.retired_at = old.retired_at;
            x.retired_reason = old.retired_reason.clone();
            x.updated_at = Some(Utc::now());
            check_link(tx, &x)?;
            parties::save_expert(tx, &x)?;
            audit::record(
                tx,
                &caller.username,
                EXPERT_SAVED,
                &x.id,
                Some(client),
                format!("更新：{}", x.name),
            )?;
            Ok(x)
        })
        .await?;
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RetireRequest {
    /// 出库原因 (调离、到龄、不再履职…).
    #[schema(min_length = 1, pattern = r"\S")]
    pub reason: String,
}

/// Retires an entry from the pool (出库), with the reason (县安委办; audited). It stays in the
/// annex marked 已出库 and can no longer be engaged.
#[utoipa::path(post, path = "/v1/experts/{id}/retire", params(("id" = String, Path)), request_body = RetireRequest, responses((status = 200, body = Expert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "already retired", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn retire_expert(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<RetireRequest>,
) -> ApiResult<Json<Expert>> {
    keeper(&caller)?;
    let reason = anjian_domain::required_text(&req.reason, "出库原因")?;
    if reason.chars().count() > anjian_domain::experts::MAX_TEXT {
        return Err(ApiError::invalid("出库原因过长"));
    }
    let out = state
        .write(move |tx| {
            let Some((_, mut x)) = records::load::<Expert>(tx, entity::EXPERT, &id)? else {
                return Err(ApiError::not_found(format!("未找到专家：{id}")));
            };
            if x.retired_at.is_some() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("专家{}已出库", x.name),
                ));
            }
            x.retired_at = Some(Utc::now());
            x.retired_reason = Some(reason.clone());
            x.updated_at = x.retired_at;
            parties::save_expert(tx, &x)?;
            audit::record(
                tx,
                &caller.username,
                EXPERT_RETIRED,
                &x.id,
                Some(client),
                format!("出库：{}（{reason}）", x.name),
            )?;
            Ok(x)
        })
        .await?;
    Ok(Json(out))
}

/// 专家库名单 (.xlsx), in the annex's columns.
#[utoipa::path(get, path = "/v1/exports/experts.xlsx", responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn experts_xlsx(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if is_outsider(&caller) {
        return Err(ApiError::forbidden("专家库名单仅限党政机关工作人员查看"));
    }
    let pool = readable_pool(&state, caller).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        let refs: Vec<&Expert> = pool.iter().collect();
        xlsx::workbook(&[sheets::experts_annex(&refs, today())]).map_err(ApiError::internal)
    })
    .await??;
    Ok(xlsx_file("experts.xlsx", "专家库名单", bytes))
}
