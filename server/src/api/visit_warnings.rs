//! Warnings before a visit, in the console where the office and the units plan inspections
//! (国办发〔2024〕54号): the body's annual cap for the site's industry reached, or another body's
//! recent visit (联合检查 suggested). The same domain function as the phone's `visitWarnings`
//! (`anjian_domain::visits::warnings`), over the inspections of the site the caller may read.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_domain::access;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::Inspection;
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_domain::visits::{self, VisitWarning};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::Caller;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// The body that would visit (unit id): the caller's own unit by default; the county
    /// level may ask for any unit.
    pub unit: Option<String>,
}

/// One warning, as shown.
#[derive(Serialize, ToSchema)]
pub struct VisitWarningView {
    /// `cap` (the annual cap reached) or `repeat` (another body's recent visit).
    #[schema(pattern = "^(cap|repeat)$")]
    pub kind: String,
    pub message: String,
}

/// Warnings before `unit` visits the site, from the site's inspections the caller may read.
#[utoipa::path(get, path = "/v1/sites/{id}/visit-warnings", params(("id" = String, Path), WarningQuery), responses((status = 200, body = Vec<VisitWarningView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn visit_warnings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WarningQuery>,
) -> ApiResult<Json<Vec<VisitWarningView>>> {
    let own = caller.person.unit_id.clone();
    let unit = match q.unit.filter(|u| !u.trim().is_empty()) {
        Some(u) if u != own && !access::is_county_level(&caller.actor()) => {
            return Err(ApiError::forbidden("只能查看本单位到访该场所的提示"));
        }
        Some(u) => u,
        None => own,
    };
    let out = state
        .read(move |tx| {
            let site = match records::load::<Site>(tx, entity::SITE, &id)? {
                Some((rec, s)) if caller.can_see(&rec.audience) => s,
                _ => return Err(ApiError::not_found(format!("未找到场所：{id}"))),
            };
            let mut past: Vec<Inspection> = records::visible(tx, entity::INSPECTION, &caller)?;
            past.retain(|i| i.site_id == site.id);
            let units = records::units(tx)?;
            let name_of = |u: &str| {
                units
                    .iter()
                    .find(|x| x.id == u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone())
            };
            let today = china_date(chrono::Utc::now());
            Ok(visits::warnings(&unit, &site, &past, today)
                .iter()
                .map(|w| VisitWarningView {
                    kind: match w {
                        VisitWarning::Cap { .. } => "cap".into(),
                        VisitWarning::Repeat { .. } => "repeat".into(),
                    },
                    message: w.message(name_of),
                })
                .collect())
        })
        .await?;
    Ok(Json(out))
}
