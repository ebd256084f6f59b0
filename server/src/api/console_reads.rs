//! Reads the office's web console needs beyond the phone's: the hazard ledger filtered,
//! sorted and paged on the server, a hazard's evidence, and the overview's aggregates. Each
//! is limited to the caller's scope like the other reads (the county level sees all, a
//! township or department its own unit).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::reads::HazardItem;

use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::hazard::{china_date, Hazard, HazardLevel, HazardStatus};
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Unit, UnitKind};
use anjian_domain::sync::entity;

use anjian_reports::{ledgers, xlsx, Directory};

pub use super::ledger_filter::LedgerQuery;
use super::ledger_filter::{matches, parse_filter};
use super::ledger_names::{HazardOnly, Names};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::monthly::{unit_scope, County};
use crate::records::{self, HazardDoc};
use crate::scope::Caller;
use crate::AppState;

fn today() -> NaiveDate {
    china_date(chrono::Utc::now())
}

pub(crate) fn code_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One line of the console's hazard ledger, with the names it is shown with.
#[derive(Serialize, ToSchema)]
pub struct LedgerRow {
    #[serde(flatten)]
    pub hazard: HazardItem,
    pub unit_name: String,
    pub rectifying_unit_name: String,
    pub site_name: Option<String>,
    pub township_id: Option<String>,
    pub township_name: Option<String>,
    /// Checklist industry code.
    pub industry: Option<String>,
    pub industry_name: Option<String>,
    /// The kind of inspection that found it (`leader_supervision`, `routine_check`,
    /// `unannounced_patrol`, `random_check`, `professional_assessment`).
    pub source_kind: Option<String>,
    pub source_kind_label: Option<String>,
    pub raised_at: chrono::DateTime<chrono::Utc>,
    /// The day it was raised, China time.
    pub raised_on: NaiveDate,
    pub needs_hardware: bool,
    /// 移交: what found it and where it was referred, e.g. 巡查报告发现，已移交县应急管理局（待受理）.
    pub referral: Option<String>,
    pub referred_to_unit_id: Option<String>,
    /// Referred and not yet accepted by the competent unit.
    pub referral_pending: bool,
    /// When the server received it (none for records from before receipts were kept).
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
    /// 时间存疑: its 发现时间 disagrees with when the server received it.
    pub time_doubt: Option<String>,
}

/// One page of the ledger and the number of lines matching the filter.
#[derive(Serialize, ToSchema)]
pub struct LedgerPage {
    pub total: usize,
    pub page: usize,
    pub size: usize,
    pub items: Vec<LedgerRow>,
}

/// The hazards of the caller's scope that pass the filter, sorted as asked: the number that
/// match, and the lines of `page` (page number from 1, size) or all of them. Each hazard is
/// decoded once; the names of sites and inspections are loaded for every line only when the
/// filter needs them, otherwise for the lines returned.
async fn filtered(
    state: &AppState,
    caller: Caller,
    q: &LedgerQuery,
    page: Option<(usize, usize)>,
) -> ApiResult<(usize, Vec<(LedgerRow, Hazard)>, Names)> {
    let filter = parse_filter(q)?;
    let q = q.clone();
    let today = today();
    state
        .read(move |tx| {
            let docs: Vec<HazardOnly> = records::visible(tx, entity::HAZARD, &caller)?;
            let mut names = Names::for_filter(tx, &q)?;
            let mut rows: Vec<(LedgerRow, HazardOnly)> = Vec::new();
            for d in docs {
                let row = names.row(&d.hazard, d.received.as_ref(), today);
                if matches(&q, &filter, &d.hazard, &row) {
                    rows.push((row, d));
                }
            }
            sort(&mut rows, &q);
            let total = rows.len();
            if let Some((page, size)) = page {
                rows = rows
                    .into_iter()
                    .skip((page - 1).saturating_mul(size))
                    .take(size)
                    .collect();
            }
            names.complete(tx, rows.iter().map(|(_, d)| &d.hazard))?;
            let rows = rows
                .into_iter()
                .map(|(_, d)| (names.row(&d.hazard, d.received.as_ref(), today), d.hazard))
                .collect();
            Ok((total, rows, names))
        })
        .await
}

/// Sorts ledger lines by `q.sort` (default: overdue first, then by deadline), reversed with
/// `q.desc`.
fn sort<T>(rows: &mut [(LedgerRow, T)], q: &LedgerQuery) {
    match q.sort.as_deref().unwrap_or("deadline") {
        "raised_at" => rows.sort_by(|(a, _), (b, _)| {
            a.raised_at
                .cmp(&b.raised_at)
                .then(a.hazard.number.cmp(&b.hazard.number))
        }),
        "number" => rows.sort_by(|(a, _), (b, _)| a.hazard.number.cmp(&b.hazard.number)),
        "status" => rows.sort_by(|(a, _), (b, _)| {
            status_rank(&a.hazard.status)
                .cmp(&status_rank(&b.hazard.status))
                .then(a.hazard.number.cmp(&b.hazard.number))
        }),
        "level" => rows.sort_by(|(a, _), (b, _)| {
            b.hazard
                .level
                .cmp(&a.hazard.level)
                .then(a.hazard.number.cmp(&b.hazard.number))
        }),
        "unit" => rows.sort_by(|(a, _), (b, _)| {
            a.rectifying_unit_name
                .cmp(&b.rectifying_unit_name)
                .then(a.hazard.number.cmp(&b.hazard.number))
        }),
        _ => rows.sort_by(|(a, _), (b, _)| {
            b.hazard
                .overdue
                .cmp(&a.hazard.overdue)
                .then(
                    a.hazard
                        .deadline
                        .is_none()
                        .cmp(&b.hazard.deadline.is_none()),
                )
                .then(a.hazard.deadline.cmp(&b.hazard.deadline))
                .then(a.hazard.number.cmp(&b.hazard.number))
        }),
    }
    if q.desc {
        rows.reverse();
    }
}

/// The hazard ledger in the caller's scope: filtered, sorted and paged on the server.
#[utoipa::path(get, path = "/v1/console/ledger", params(LedgerQuery), responses((status = 200, body = LedgerPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LedgerQuery>,
) -> ApiResult<Json<LedgerPage>> {
    let page = q.page.unwrap_or(1);
    let size = q.size.unwrap_or(20);
    if page == 0 {
        return Err(ApiError::invalid("页码从 1 开始"));
    }
    if !(1..=500).contains(&size) {
        return Err(ApiError::invalid("每页条数应在 1 到 500 之间"));
    }
    let (total, rows, _) = filtered(&state, caller, &q, Some((page, size))).await?;
    let items = rows.into_iter().map(|(r, _)| r).collect();
    Ok(Json(LedgerPage {
        total,
        page,
        size,
        items,
    }))
}

/// The filtered ledger as the office's 问题清单台账 (.xlsx): every line that matches, not a page.
#[utoipa::path(get, path = "/v1/console/ledger.xlsx", params(LedgerQuery), responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ledger_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LedgerQuery>,
) -> ApiResult<Response> {
    let scope = if caller.is_county_level() {
        "忠县".to_string()
    } else {
        caller.person.unit_id.clone()
    };
    let (_, rows, names) = filtered(&state, caller, &q, None).await?;
    let scope = names.unit_name(&scope);
    let dir = Directory {
        units: names
            .units
            .iter()
            .map(|(k, u)| (k.clone(), u.name.clone()))
            .collect(),
        sites: names
            .sites
            .iter()
            .map(|(k, s)| (k.clone(), s.name.clone()))
            .collect(),
        people: Default::default(),
        inspection_kinds: names.kinds.clone(),
        time_doubts: rows
            .iter()
            .filter_map(|(r, h)| Some((h.id.clone(), r.time_doubt.clone()?)))
            .collect(),
    };
    let bytes = tokio::task::spawn_blocking(move || {
        let hazards: Vec<&Hazard> = rows.iter().map(|(_, h)| h).collect();
        xlsx::workbook(&[ledgers::problem_ledger(&hazards, &dir, &scope, today())])
            .map_err(ApiError::internal)
    })
    .await??;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn is_open(h: &Hazard) -> bool {
    h.status != HazardStatus::Closed
}

fn status_rank(code: &str) -> usize {
    HazardStatus::ALL
        .iter()
        .position(|s| s.code() == code)
        .unwrap_or(usize::MAX)
}

/// A piece of evidence as the console shows it, with recycled-photo flags (a photo already
/// used as proof of another hazard or investment).
#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    #[serde(flatten)]
    pub evidence: EvidenceRecord,
    pub recycled: Vec<anjian_domain::proof::RecycledUse>,
}

/// The photos and documents of one hazard: its own (before, during, after) and those of the
/// checklist item it was found on; its proof photos carry recycled-photo flags.
#[utoipa::path(get, path = "/v1/console/hazards/{id}/evidence", params(("id" = String, Path)), responses((status = 200, body = Vec<EvidenceView>), (status = 404, body = ErrorBody)))]
pub async fn hazard_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EvidenceView>>> {
    state
        .read(move |tx| {
            let doc = match records::load::<HazardDoc>(tx, entity::HAZARD, &id)? {
                Some((rec, doc)) if caller.can_see(&rec.audience) => doc,
                _ => return Err(ApiError::not_found(format!("未找到隐患：{id}"))),
            };
            let source = doc.hazard.source.clone();
            let photos = crate::proof::ProofPhotos::load(tx, Some(&caller))?;
            let index = photos.index();
            let ours = |ev: &EvidenceRecord| match &ev.target {
                EvidenceTarget::Hazard { hazard_id } => *hazard_id == doc.hazard.id,
                EvidenceTarget::InspectionItem {
                    inspection_id,
                    item_id,
                } => source
                    .as_ref()
                    .is_some_and(|s| &s.inspection_id == inspection_id && &s.item_id == item_id),
                _ => false,
            };
            let mut out: Vec<EvidenceView> = photos
                .all()
                .filter(|ev| ours(ev))
                .map(|ev| EvidenceView {
                    recycled: photos.recycled(&index, &[ev]),
                    evidence: ev.clone(),
                })
                .collect();
            out.sort_by(|a, b| {
                (a.evidence.captured_at, &a.evidence.id)
                    .cmp(&(b.evidence.captured_at, &b.evidence.id))
            });
            Ok(Json(out))
        })
        .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// "2026-11"; default: this month.
    #[param(pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")]
    pub month: Option<String>,
}

/// One unit's line of the overview.
#[derive(Serialize, ToSchema)]
pub struct UnitLine {
    pub unit_id: String,
    pub name: String,
    /// `township` or `department`.
    pub kind: String,
    pub open: usize,
    pub overdue: usize,
    pub major_open: usize,
    /// Findings of the month still open at its end (月清零: 0 means cleared).
    pub month_clear_open: usize,
    /// Duty quotas of the unit's people for the month: met and all.
    pub duty_met: usize,
    pub duty_total: usize,
}

#[derive(Serialize, ToSchema)]
pub struct TrendPoint {
    /// "2026-11"
    pub month: String,
    pub raised: usize,
    pub closed: usize,
    pub major_raised: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MapSite {
    pub id: String,
    pub name: String,
    /// In the map's datum (`/v1/console/config`): WGS-84, or GCJ-02 for 高德 tiles.
    pub lat: f64,
    pub lon: f64,
    pub township_name: String,
    pub open: usize,
    pub major_open: usize,
    pub overdue: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MapTownship {
    pub id: String,
    pub name: String,
    /// The centre of the township's sites, in the map's datum.
    pub lat: f64,
    pub lon: f64,
    pub sites: usize,
    pub open: usize,
}

/// The console's first page: the caller's scope in numbers.
#[derive(Serialize, ToSchema)]
pub struct Overview {
    pub month: String,
    pub open: usize,
    pub overdue: usize,
    pub major_open: usize,
    pub units: Vec<UnitLine>,
    /// The twelve months up to `month`.
    pub trend: Vec<TrendPoint>,
    /// The latest findings of unannounced patrols the caller may see.
    pub recent_patrol_findings: Vec<LedgerRow>,
    /// Sites with open hazards.
    pub map_sites: Vec<MapSite>,
    pub map_townships: Vec<MapTownship>,
}

/// Open, overdue and major hazards by township and department, 月清零, duty completion,
/// recent patrol findings, the monthly trend and the map, in the caller's scope.
#[utoipa::path(get, path = "/v1/console/overview", params(OverviewQuery), responses((status = 200, body = Overview), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<OverviewQuery>,
) -> ApiResult<Json<Overview>> {
    let month: YearMonth = match q.month.as_deref() {
        Some(m) => m
            .parse()
            .map_err(|e: anjian_domain::DomainError| ApiError::invalid(e.to_string()))?,
        None => YearMonth::of(today()),
    };
    let scope = unit_scope(&caller, None)?;
    let (docs, names, county) = state
        .read(move |tx| {
            let docs: Vec<HazardOnly> = records::visible(tx, entity::HAZARD, &caller)?;
            Ok((docs, Names::load(tx)?, County::load(tx)?))
        })
        .await?;
    let today = today();
    let hazards: Vec<&Hazard> = docs.iter().map(|d| &d.hazard).collect();

    // The units shown: every township and department for the county level, else the caller's.
    let mut units: Vec<&Unit> = names
        .units
        .values()
        .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
        .filter(|u| scope.as_deref().is_none_or(|s| s == u.id))
        .collect();
    units.sort_by(|a, b| {
        (a.kind != UnitKind::Township)
            .cmp(&(b.kind != UnitKind::Township))
            .then(a.id.cmp(&b.id))
    });
    let duty = county.duty(scope.as_deref(), month, today);
    // 月清零 of every unit from one assessment pass (per-unit calls rebuild its indexes).
    let scores = county.assessment(month, today);
    let month_clear: HashMap<&str, usize> = scores
        .scores
        .iter()
        .map(|s| (s.unit_id.as_str(), s.month_clear_open.len()))
        .collect();
    let mut lines = Vec::new();
    for u in units {
        let mine: Vec<&&Hazard> = hazards
            .iter()
            .filter(|h| h.rectifying_unit() == u.id)
            .collect();
        let quotas = duty
            .iter()
            .filter(|p| p.unit_id == u.id)
            .flat_map(|p| p.statuses.iter());
        let (mut met, mut total) = (0, 0);
        for s in quotas {
            total += 1;
            if s.state == anjian_domain::duty::QuotaState::Met {
                met += 1;
            }
        }
        lines.push(UnitLine {
            unit_id: u.id.clone(),
            name: u.name.clone(),
            kind: code_of(&u.kind),
            open: mine.iter().filter(|h| is_open(h)).count(),
            overdue: mine.iter().filter(|h| h.is_overdue(today)).count(),
            major_open: mine
                .iter()
                .filter(|h| is_open(h))
                .filter(|h| h.level == HazardLevel::Major)
                .count(),
            month_clear_open: month_clear.get(u.id.as_str()).copied().unwrap_or(0),
            duty_met: met,
            duty_total: total,
        });
    }

    let mut trend: BTreeMap<YearMonth, TrendPoint> = BTreeMap::new();
    let mut m = month;
    for _ in 0..12 {
        trend.insert(
            m,
            TrendPoint {
                month: m.to_string(),
                raised: 0,
                closed: 0,
                major_raised: 0,
            },
        );
        m = m.prev();
    }
    for h in &hazards {
        if let Some(p) = trend.get_mut(&YearMonth::of(china_date(h.raised_at))) {
            p.raised += 1;
            if h.level == HazardLevel::Major {
                p.major_raised += 1;
            }
        }
        if let Some(c) = h.closed_at {
            if let Some(p) = trend.get_mut(&YearMonth::of(china_date(c))) {
                p.closed += 1;
            }
        }
    }

    let mut patrol: Vec<LedgerRow> = hazards
        .iter()
        .map(|h| names.row(h, None, today))
        .filter(|r| r.source_kind.as_deref() == Some("unannounced_patrol"))
        .collect();
    patrol.sort_by(|a, b| {
        b.raised_at
            .cmp(&a.raised_at)
            .then(a.hazard.number.cmp(&b.hazard.number))
    });
    patrol.truncate(10);

    let mut per_site: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for h in hazards.iter().filter(|h| h.status != HazardStatus::Closed) {
        if let Some(s) = &h.site_id {
            let e = per_site.entry(s.as_str()).or_default();
            e.0 += 1;
            if h.level == HazardLevel::Major {
                e.1 += 1;
            }
            if h.is_overdue(today) {
                e.2 += 1;
            }
        }
    }
    let datum = super::console::MapDatum::configured();
    let map_sites: Vec<MapSite> = per_site
        .iter()
        .filter_map(|(id, (o, m, d))| {
            let s = names.sites.get(*id)?;
            let (lat, lon) = datum.project(s.location.point.lat, s.location.point.lon);
            Some(MapSite {
                id: s.id.clone(),
                name: s.name.clone(),
                lat,
                lon,
                township_name: names.unit_name(&s.township_id),
                open: *o,
                major_open: *m,
                overdue: *d,
            })
        })
        .collect();
    let mut by_township: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    for s in names.sites.values() {
        let e = by_township.entry(s.township_id.as_str()).or_default();
        e.0 += s.location.point.lat;
        e.1 += s.location.point.lon;
        e.2 += 1;
    }
    let map_townships = by_township
        .into_iter()
        .filter(|(t, _)| {
            scope.as_deref().is_none_or(|s| s == *t)
                || map_sites
                    .iter()
                    .any(|m| names.sites.get(&m.id).is_some_and(|x| x.township_id == *t))
        })
        .filter_map(|(t, (lat, lon, n))| {
            let u = names.units.get(t)?;
            let (lat, lon) = datum.project(lat / n as f64, lon / n as f64);
            Some(MapTownship {
                id: u.id.clone(),
                name: u.name.clone(),
                lat,
                lon,
                sites: n,
                open: map_sites
                    .iter()
                    .filter(|m| names.sites.get(&m.id).is_some_and(|x| x.township_id == t))
                    .map(|m| m.open)
                    .sum(),
            })
        })
        .collect();

    Ok(Json(Overview {
        month: month.to_string(),
        open: hazards.iter().filter(|h| is_open(h)).count(),
        overdue: hazards.iter().filter(|h| h.is_overdue(today)).count(),
        major_open: hazards
            .iter()
            .filter(|h| is_open(h))
            .filter(|h| h.level == HazardLevel::Major)
            .count(),
        units: lines,
        trend: trend.into_values().collect(),
        recent_patrol_findings: patrol,
        map_sites,
        map_townships,
    }))
}
