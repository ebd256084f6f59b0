//! `POST /v1/sync/push` and `GET /v1/sync/pull`.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use anjian_domain::sync::{decode_cursor, OpStatus, PushRequest, PushResponse, PROTOCOL_VERSION};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::metrics::Metrics;
use crate::scope::Caller;
use crate::{sync as engine, AppState};

const MAX_BATCH: usize = 500;

/// Applies a batch of operations; each is idempotent by its `op_id`.
#[utoipa::path(post, path = "/v1/sync/push", request_body(content = PushRequest, description = "At most 500 operations; each payload is the operation's typed body (core/domain/src/sync/ops.rs)"), responses(
    (status = 200, body = PushResponse, description = "One result per op (applied / already_applied / rejected with reason and the server's row)"),
    (status = 401, body = ErrorBody),
    (status = 422, body = ErrorBody),
    (status = 426, body = ErrorBody, description = "client too old")
))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if req.protocol < PROTOCOL_VERSION {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade",
            "应用版本过旧，请升级后再同步",
        ));
    }
    if req.ops.len() > MAX_BATCH {
        return Err(ApiError::invalid(format!("每批最多 {MAX_BATCH} 条操作")));
    }
    if req
        .ops
        .iter()
        .any(|o| o.op_id.trim().is_empty() || o.entity_id.trim().is_empty())
    {
        return Err(ApiError::invalid("操作缺少编号"));
    }
    let mut results = Vec::with_capacity(req.ops.len());
    for op in req.ops {
        let caller = caller.clone();
        let checklists = state.checklists.clone();
        // One transaction per operation: a refusal never rolls back the others.
        let result = state
            .write(move |tx| engine::apply_op(tx, &checklists, &caller, &op))
            .await?;
        let counter = match result.status {
            OpStatus::Applied => &state.metrics.ops_applied,
            OpStatus::AlreadyApplied => &state.metrics.ops_already_applied,
            OpStatus::Rejected => &state.metrics.ops_rejected,
        };
        Metrics::inc(counter, 1);
        results.push(result);
    }
    // An applied change may make a reminder due (交办, 退回 ...): the engine looks soon.
    if results.iter().any(|r| r.status == OpStatus::Applied) {
        state.reminder_wake.notify_one();
    }
    Ok(Json(PushResponse { results }))
}

#[derive(Deserialize, IntoParams)]
pub struct PullQuery {
    /// Opaque cursor from the previous page; empty for the start.
    #[serde(default)]
    #[param(pattern = "^(c2-[0-9a-fA-F]{1,15}-[0-9]{1,18}|c1-[0-9]{1,18})?$")]
    pub cursor: String,
    /// Page size (default 500, at most 2000).
    pub limit: Option<i64>,
}

/// One page of changes in the caller's scope after the cursor.
#[utoipa::path(get, path = "/v1/sync/pull", params(PullQuery), responses(
    (status = 200, body = anjian_domain::sync::PullResponse, description = "One page of changes (zstd or gzip when asked)"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 410, body = ErrorBody, description = "The cursor is not of this server's log: pull again from the start")
))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PullQuery>,
) -> ApiResult<Response> {
    let from = decode_cursor(&q.cursor).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_cursor",
            "同步游标无效，请重新同步",
        )
    })?;
    let limit = q.limit.unwrap_or(500).clamp(1, 2000);
    let page = state
        .read(move |tx| engine::pull(tx, &caller, from, limit))
        .await?;
    Metrics::inc(&state.metrics.changes_pulled, page.count as u64);
    Ok(([(header::CONTENT_TYPE, "application/json")], page.body).into_response())
}
