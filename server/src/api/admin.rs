//! 县安委办 administration: units, people (with accounts) and sites, one by one or imported
//! from an Excel sheet the way enterprise lists actually arrive.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use anjian_domain::checklist;
use anjian_domain::org::{Person, Unit, UnitKind};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use crate::audit;
use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ratelimit::ClientAddr;
use crate::records;
use crate::scope::Caller;
use crate::AppState;

/// A checklist file is a few dozen items; these bound what an upload can make the server do.
pub const MAX_CHECKLIST_BYTES: usize = 512 * 1024;
pub const MAX_CHECKLIST_ITEMS: usize = 2000;

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有县安委办可以维护单位、人员和场所"))
    }
}

/// Publishes a checklist version (the TOML of the manual's `checklists/*.toml`): it becomes
/// the industry's current version for new inspections here and, after their next sync, on
/// every phone. Inspections already made keep their version. Publishing the same version
/// again changes nothing; the same version number with other content is refused.
#[utoipa::path(post, path = "/v1/admin/checklists", request_body(content = String, content_type = "application/toml"), responses((status = 201, body = checklist::Checklist), (status = 200, body = checklist::Checklist), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_checklist(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    body: String,
) -> ApiResult<(StatusCode, Json<checklist::Checklist>)> {
    require_admin(&caller)?;
    if body.len() > MAX_CHECKLIST_BYTES {
        return Err(ApiError::invalid(format!(
            "检查表文件过大（最多 {} KB）",
            MAX_CHECKLIST_BYTES / 1024
        )));
    }
    let list = checklist::parse(&body)?;
    if list.items.len() > MAX_CHECKLIST_ITEMS {
        return Err(ApiError::invalid(format!(
            "检查表条目过多（最多 {MAX_CHECKLIST_ITEMS} 条）"
        )));
    }
    let actor = caller.username.clone();
    let checklists = state.checklists.clone();
    let doc = records::ChecklistDoc {
        checklist: list.clone(),
        published_at: chrono::Utc::now(),
        published_by: caller.person.id.clone(),
    };
    let created = state
        .write(move |tx| {
            if let Some((_, stored)) =
                records::load::<records::ChecklistDoc>(tx, entity::CHECKLIST, &doc.id())?
            {
                if stored.checklist == doc.checklist {
                    return Ok(false);
                }
                return Err(ApiError::invalid(format!(
                    "{} 的版本 {} 已存在且内容不同，请使用新的版本号",
                    stored.checklist.name, stored.checklist.version
                )));
            }
            // Refuse before storing what this process could not take.
            if let Some(existing) =
                checklists.version(doc.checklist.industry, &doc.checklist.version)
            {
                if *existing != doc.checklist {
                    return Err(ApiError::invalid(format!(
                        "{} 的版本 {} 已存在且内容不同，请使用新的版本号",
                        existing.name, existing.version
                    )));
                }
            }
            records::save_checklist(tx, &doc)?;
            audit::record(
                tx,
                &actor,
                audit::CHECKLIST_PUBLISHED,
                &doc.id(),
                Some(client),
                "",
            )?;
            Ok(true)
        })
        .await?;
    let published = state.checklists.publish(list)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json((*published).clone())))
}

/// Adds or updates a unit.
#[utoipa::path(post, path = "/v1/admin/units", request_body = Unit, responses((status = 201, body = Unit), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Json(unit): Json<Unit>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    require_admin(&caller)?;
    let saved = unit.clone();
    state
        .write(move |tx| {
            records::save_unit(tx, &saved)?;
            audit::record(
                tx,
                &caller.username,
                audit::UNIT_SAVED,
                &saved.id,
                Some(client),
                saved.name.clone(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPerson {
    pub person: Person,
    /// 2 to 32 of: ASCII letters and digits, `.`, `_`, `-`, Chinese characters; compared
    /// after NFKC and lower-casing (so `Admin` is `admin`).
    #[schema(
        min_length = 2,
        max_length = 32,
        pattern = r"^[A-Za-z0-9._\u4e00-\u9fff-]*[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9._\u4e00-\u9fff-]*$"
    )]
    pub username: String,
    /// 10 to 128 characters (at most 128 bytes), at least 4 different, not the username, not
    /// a common password.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

/// Adds a person with a login account.
#[utoipa::path(post, path = "/v1/admin/people", request_body = NewPerson, responses((status = 201, body = Person), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Json(req): Json<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    require_admin(&caller)?;
    let person = req.person.clone();
    person.validate()?;
    let username = auth::check_new_account(&req.username, &req.password)?;
    // Hashed before the write transaction: the database lock is never held while hashing.
    let hash = auth::hash_password_bounded(&state, req.password.clone()).await?;
    state
        .write(move |tx| {
            person.validate()?;
            if tx.get_record(entity::UNIT, &person.unit_id)?.is_none()
                && tx.get_record(entity::SITE, &person.unit_id)?.is_none()
            {
                return Err(ApiError::invalid(format!(
                    "所属单位不存在：{}",
                    person.unit_id
                )));
            }
            if tx.get_record(entity::PERSON, &person.id)?.is_some() {
                return Err(ApiError::invalid(format!("人员编号已存在：{}", person.id)));
            }
            records::save_person(tx, &person)?;
            auth::insert_account(tx, &username, &hash, &person.id)?;
            audit::record(
                tx,
                &caller.username,
                audit::ACCOUNT_CREATED,
                &username,
                Some(client),
                format!("{}（{}）", person.name, person.id),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(req.person)))
}

fn check_site_units(tx: &mut dyn crate::storage::Tx, site: &Site) -> ApiResult<()> {
    let township = records::load::<Unit>(tx, entity::UNIT, &site.township_id)?;
    if !township.is_some_and(|(_, u)| u.kind == UnitKind::Township) {
        return Err(ApiError::invalid(format!(
            "属地乡镇（街道）不存在：{}",
            site.township_id
        )));
    }
    if let Some(d) = &site.department_id {
        let dept = records::load::<Unit>(tx, entity::UNIT, d)?;
        if !dept.is_some_and(|(_, u)| u.kind == UnitKind::Department) {
            return Err(ApiError::invalid(format!("属事部门不存在：{d}")));
        }
    }
    Ok(())
}

/// Adds or updates a site.
#[utoipa::path(post, path = "/v1/admin/sites", request_body = Site, responses((status = 201, body = Site), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Json(mut site): Json<Site>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    require_admin(&caller)?;
    if site.id.trim().is_empty() {
        site.id = uuid::Uuid::now_v7().to_string();
    }
    site.validate()?;
    let list = state.checklists.by_code(&site.industry)?;
    site.check_attributes(&list)?;
    let saved = site.clone();
    state
        .write(move |tx| {
            check_site_units(tx, &saved)?;
            records::save_site(tx, &saved)?;
            audit::record(
                tx,
                &caller.username,
                audit::SITE_SAVED,
                &saved.id,
                Some(client),
                saved.name.clone(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(site)))
}

pub use crate::import::{parse_site_sheet, parse_site_sheet_for, ImportReport, RowError};

/// Imports sites from an .xlsx sheet (columns 名称, 行业, 纬度, 经度, 半径（米）, 属地乡镇,
/// 属事部门, 地址, 联系人, 联系电话). All rows or none: any bad row is reported with its row
/// number and nothing is imported.
#[utoipa::path(post, path = "/v1/admin/sites/import", request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), responses((status = 200, body = ImportReport), (status = 422, body = ImportReport), (status = 403, body = ErrorBody)))]
pub async fn import_sites(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    require_admin(&caller)?;
    let reader = caller.clone();
    let units: Vec<Unit> = state
        .read(move |tx| records::visible(tx, entity::UNIT, &reader))
        .await?;
    // Bounded, but still CPU work: off the async threads.
    let lists = state.checklists.all();
    let parsed =
        tokio::task::spawn_blocking(move || parse_site_sheet_for(&body, &units, &lists)).await?;
    match parsed {
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportReport {
                imported: 0,
                errors,
            }),
        )),
        Ok(sites) => {
            let count = sites.len();
            state
                .write(move |tx| {
                    for (_, site) in &sites {
                        records::save_site(tx, site)?;
                    }
                    audit::record(
                        tx,
                        &caller.username,
                        audit::SITES_IMPORTED,
                        "sites",
                        Some(client),
                        format!("导入 {} 个场所", sites.len()),
                    )
                })
                .await?;
            Ok((
                StatusCode::OK,
                Json(ImportReport {
                    imported: count,
                    errors: vec![],
                }),
            ))
        }
    }
}
