//! What changed between two versions of an industry's checklist (for 县安委办 before and after
//! publishing a county version).

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use anjian_domain::checklist::{self, ChecklistDiff};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::scope::Caller;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// The older version.
    pub from: String,
    /// The newer version (default: the current one).
    pub to: Option<String>,
}

/// What changed between two versions of an industry's checklist: items added, removed, changed.
#[utoipa::path(get, path = "/v1/checklists/{industry}/diff", params(("industry" = String, Path, pattern = "^(agriculture|civil_explosives|commerce|construction|culture_tourism|elderly_care|fire|forest_fire|gas|geohazard|hazchem|industrial|medical|non_coal_mine|power|road_transport|school|self_built_housing|special_equipment|water_conservancy|water_transport)$"), DiffQuery), responses((status = 200, body = ChecklistDiff), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checklist_diff(
    State(state): State<AppState>,
    _caller: Caller,
    Path(industry): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<ChecklistDiff>> {
    let current = state.checklists.by_code(&industry)?;
    let find = |v: &str| {
        state
            .checklists
            .version(current.industry, v)
            .ok_or_else(|| ApiError::not_found(format!("{} 没有版本 {v}", current.name)))
    };
    let from = find(&q.from)?;
    let to = match &q.to {
        Some(v) => find(v)?,
        None => current,
    };
    Ok(Json(checklist::diff(&from, &to)?))
}
