//! 投诉建议 (国办函〔2026〕12号): phones send them through sync (`feedback/submit`, applied in
//! `crate::sync`); 县安委办 lists every one here and replies once; the reply updates the stored
//! record, so it reaches the sender's phone with its next pull.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use anjian_domain::feedback::Feedback;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::{self, Caller};
use crate::AppState;

/// Who sees a complaint or suggestion: its sender and the county level.
pub fn audience(sender_id: &str) -> Vec<String> {
    vec![scope::COUNTY.to_string(), scope::person(sender_id)]
}

/// The complaints and suggestions the caller may read (县安委办 and county leaders: all; anyone
/// else: their own), unanswered first, then newest first.
#[utoipa::path(get, path = "/v1/feedback", responses((status = 200, body = Vec<Feedback>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Feedback>>> {
    let mut v: Vec<Feedback> = state
        .read(move |tx| records::visible(tx, entity::FEEDBACK, &caller))
        .await?;
    v.sort_by(|a, b| {
        a.reply
            .is_some()
            .cmp(&b.reply.is_some())
            .then(b.received_at.cmp(&a.received_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(Json(v))
}

#[derive(Deserialize, ToSchema)]
pub struct Reply {
    /// 答复内容
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub text: String,
}

/// 县安委办 replies to a complaint or suggestion, once; the sender's phone gets the reply with
/// its next sync.
#[utoipa::path(post, path = "/v1/feedback/{id}/reply", request_body = Reply, params(("id" = String, Path)), responses((status = 200, body = Feedback), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Reply>,
) -> ApiResult<Json<Feedback>> {
    policy::check(&caller.actor(), Act::ReplyFeedback, &Target::default())?;
    let answered = state
        .write(move |tx| {
            let Some((_, f)) = records::load::<Feedback>(tx, entity::FEEDBACK, &id)? else {
                return Err(ApiError::not_found(format!("未找到投诉建议：{id}")));
            };
            let answered = f.answer(
                &req.text,
                &caller.person.id,
                &caller.person.name,
                Utc::now(),
            )?;
            records::put(
                tx,
                entity::FEEDBACK,
                &answered.id,
                &answered,
                audience(&answered.sent_by),
                None,
            )?;
            crate::audit::record(
                tx,
                &caller.username,
                crate::audit::FEEDBACK_REPLIED,
                &answered.id,
                None,
                format!("答复{}", answered.kind.label()),
            )?;
            Ok(answered)
        })
        .await?;
    Ok(Json(answered))
}
