//! 县安委办 administration: units, people (with accounts) and sites, one by one or imported
//! from an Excel sheet the way enterprise lists actually arrive.

use std::io::Cursor;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use calamine::{Data, Reader, Xlsx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_domain::checklist::{self, Industry};
use anjian_domain::org::{Person, Unit, UnitKind};
use anjian_domain::site::{GeoPoint, Site, SiteLocation};
use anjian_domain::sync::entity;

use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::Caller;
use crate::AppState;

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
#[utoipa::path(post, path = "/v1/admin/checklists", request_body(content = String, content_type = "application/toml"), responses((status = 201, body = Object), (status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_checklist(
    State(state): State<AppState>,
    caller: Caller,
    body: String,
) -> ApiResult<(StatusCode, Json<checklist::Checklist>)> {
    require_admin(&caller)?;
    let list = checklist::parse(&body)?;
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
                checklist::version(doc.checklist.industry, &doc.checklist.version)
            {
                if *existing != doc.checklist {
                    return Err(ApiError::invalid(format!(
                        "{} 的版本 {} 已存在且内容不同，请使用新的版本号",
                        existing.name, existing.version
                    )));
                }
            }
            records::save_checklist(tx, &doc)?;
            Ok(true)
        })
        .await?;
    let published = checklist::publish(list)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(published.clone())))
}

/// Adds or updates a unit.
#[utoipa::path(post, path = "/v1/admin/units", request_body = Object, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    caller: Caller,
    Json(unit): Json<Unit>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    require_admin(&caller)?;
    let saved = unit.clone();
    state
        .write(move |tx| records::save_unit(tx, &saved))
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPerson {
    #[schema(value_type = Object)]
    pub person: Person,
    pub username: String,
    pub password: String,
}

/// Adds a person with a login account.
#[utoipa::path(post, path = "/v1/admin/people", request_body = NewPerson, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    require_admin(&caller)?;
    let person = req.person.clone();
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
            auth::create_account(tx, req.username.trim(), &req.password, &person.id)
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
#[utoipa::path(post, path = "/v1/admin/sites", request_body = Object, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    caller: Caller,
    Json(mut site): Json<Site>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    require_admin(&caller)?;
    if site.id.trim().is_empty() {
        site.id = uuid::Uuid::now_v7().to_string();
    }
    site.validate()?;
    let saved = site.clone();
    state
        .write(move |tx| {
            check_site_units(tx, &saved)?;
            records::save_site(tx, &saved)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(site)))
}

#[derive(Serialize, ToSchema)]
pub struct RowError {
    /// Row number as Excel shows it (the header is row 1).
    pub row: usize,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub errors: Vec<RowError>,
}

/// The columns of the site sheet, by their Chinese headers.
const COLUMNS: [&str; 10] = [
    "名称",
    "行业",
    "纬度",
    "经度",
    "半径（米）",
    "属地乡镇",
    "属事部门",
    "地址",
    "联系人",
    "联系电话",
];

fn cell_text(row: &[Data], i: Option<usize>) -> String {
    match i.and_then(|i| row.get(i)) {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(n)) => n.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string().trim().to_string(),
    }
}

fn find_industry(text: &str) -> Option<Industry> {
    Industry::from_code(text).ok().or_else(|| {
        checklist::all()
            .iter()
            .find(|c| c.name == text || c.name.starts_with(text))
            .map(|c| c.industry)
    })
}

fn find_unit<'a>(units: &'a [Unit], kind: UnitKind, text: &str) -> Option<&'a Unit> {
    units
        .iter()
        .filter(|u| u.kind == kind)
        .find(|u| u.id == text || u.name == text || u.code.as_deref() == Some(text))
}

/// Parses the sheet into sites; every bad row is reported, none is half-read.
pub fn parse_site_sheet(bytes: &[u8], units: &[Unit]) -> Result<Vec<(usize, Site)>, Vec<RowError>> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![RowError {
            row: 0,
            message: format!("无法读取 Excel 文件：{e}"),
        }]
    })?;
    let Some(Ok(range)) = book.worksheet_range_at(0) else {
        return Err(vec![RowError {
            row: 0,
            message: "Excel 文件中没有工作表".into(),
        }]);
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(vec![RowError {
            row: 1,
            message: "工作表为空".into(),
        }]);
    };
    let headers: Vec<String> = header
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name || h.replace(['(', ')'], "") == name.replace(['（', '）'], ""))
    };
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&idx)
        .take(6)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError {
            row: 1,
            message: format!("缺少列：{}", missing.join("、")),
        }]);
    }
    let mut sites = Vec::new();
    let mut errors = Vec::new();
    for (n, row) in rows.enumerate() {
        let row_no = n + 2;
        let text = |i: usize| cell_text(row, idx[i]);
        if (0..COLUMNS.len()).all(|i| text(i).is_empty()) {
            continue;
        }
        let result = (|| -> Result<Site, String> {
            let industry =
                find_industry(&text(1)).ok_or_else(|| format!("行业“{}”无法识别", text(1)))?;
            let number = |i: usize, what: &str| -> Result<f64, String> {
                text(i)
                    .parse::<f64>()
                    .map_err(|_| format!("{what}“{}”不是数字", text(i)))
            };
            let lat = number(2, "纬度")?;
            let lon = number(3, "经度")?;
            let radius = if text(4).is_empty() {
                None
            } else {
                Some(number(4, "半径")?)
            };
            let township = find_unit(units, UnitKind::Township, &text(5))
                .ok_or_else(|| format!("属地乡镇“{}”不存在", text(5)))?;
            let department = if text(6).is_empty() {
                None
            } else {
                Some(
                    find_unit(units, UnitKind::Department, &text(6))
                        .ok_or_else(|| format!("属事部门“{}”不存在", text(6)))?
                        .id
                        .clone(),
                )
            };
            let opt = |i: usize| Some(text(i)).filter(|s| !s.is_empty());
            let site = Site {
                id: format!("site-{}", uuid::Uuid::now_v7()),
                name: text(0),
                industry: industry.code().to_string(),
                location: SiteLocation {
                    point: GeoPoint { lat, lon },
                    radius_m: radius,
                    polygon: None,
                },
                township_id: township.id.clone(),
                department_id: department,
                address: opt(7),
                contact_name: opt(8),
                contact_phone: opt(9),
            };
            site.validate().map_err(|e| e.to_string())?;
            Ok(site)
        })();
        match result {
            Ok(site) => sites.push((row_no, site)),
            Err(message) => errors.push(RowError {
                row: row_no,
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(sites)
    } else {
        Err(errors)
    }
}

/// Imports sites from an .xlsx sheet (columns 名称, 行业, 纬度, 经度, 半径（米）, 属地乡镇,
/// 属事部门, 地址, 联系人, 联系电话). All rows or none: any bad row is reported with its row
/// number and nothing is imported.
#[utoipa::path(post, path = "/v1/admin/sites/import", request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), responses((status = 200, body = ImportReport), (status = 422, body = ImportReport), (status = 403, body = ErrorBody)))]
pub async fn import_sites(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    require_admin(&caller)?;
    let units: Vec<Unit> = state
        .read(move |tx| records::visible(tx, entity::UNIT, &caller))
        .await?;
    match parse_site_sheet(&body, &units) {
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
                    Ok(())
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
