//! 专项检查 plans (国办发〔2024〕54号): recorded by 县安委办 or a department for its own
//! enforcement body, approved by the county government; a 行政检查 under a campaign is refused
//! outside an approved plan (the one apply path, `crate::sync::apply`). Every signed-in person
//! reads the plans (phones pull them to start a 专项检查 offline).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use anjian_domain::campaign::{CampaignDraft, CampaignPlan};
use anjian_domain::org::Unit;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::{self, Caller};
use crate::storage::Tx;
use crate::AppState;

/// The 专项检查 plans, newest period first.
#[utoipa::path(get, path = "/v1/campaigns", responses((status = 200, body = Vec<CampaignPlan>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CampaignPlan>>> {
    let mut plans: Vec<CampaignPlan> = state
        .read(move |tx| records::visible(tx, entity::CAMPAIGN_PLAN, &caller))
        .await?;
    plans.sort_by(|a, b| {
        b.draft
            .starts_on
            .cmp(&a.draft.starts_on)
            .then(a.id.cmp(&b.id))
    });
    Ok(Json(plans))
}

fn save(tx: &mut dyn Tx, plan: &CampaignPlan) -> ApiResult<()> {
    let record = crate::storage::StoredRecord {
        entity: entity::CAMPAIGN_PLAN.to_string(),
        id: plan.id.clone(),
        version: tx
            .get_record(entity::CAMPAIGN_PLAN, &plan.id)?
            .map_or(1, |r| r.version + 1),
        data: serde_json::to_value(plan).map_err(ApiError::internal)?,
        audience: vec![scope::ALL.into()],
        deleted: false,
    };
    tx.put_record(&record)?;
    Ok(())
}

/// Records a 专项检查 plan (待批准): 县安委办 for any enforcement bodies, a department's head or
/// deputy head for its own.
#[utoipa::path(post, path = "/v1/campaigns", request_body = CampaignDraft, responses((status = 201, body = CampaignPlan), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(draft): Json<CampaignDraft>,
) -> ApiResult<(StatusCode, Json<CampaignPlan>)> {
    let draft = draft.validate()?;
    let actor = caller.actor();
    for u in &draft.unit_ids {
        let target = Target {
            unit_id: Some(u),
            ..Target::default()
        };
        policy::check(&actor, Act::RecordCampaignPlan, &target)?;
    }
    let plan = CampaignPlan {
        id: uuid::Uuid::now_v7().to_string(),
        draft,
        recorded_by: actor,
        recorded_at: Utc::now(),
        approval: None,
    };
    let saved = plan.clone();
    state
        .write(move |tx| {
            for id in &saved.draft.unit_ids {
                match records::load::<Unit>(tx, entity::UNIT, id)? {
                    Some((_, u)) if u.enforcement.is_some() => {}
                    Some((_, u)) => {
                        return Err(ApiError::invalid(format!(
                            "{}不是行政执法主体，不能实施专项检查",
                            u.name
                        )))
                    }
                    None => return Err(ApiError::invalid(format!("未找到单位：{id}"))),
                }
            }
            save(tx, &saved)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

#[derive(Deserialize, ToSchema)]
pub struct Approve {
    /// 批准文件 (e.g. 忠府办〔2026〕12号).
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub document: String,
}

/// Approves a plan (the county government: 县长 or 分管副县长), once.
#[utoipa::path(post, path = "/v1/campaigns/{id}/approve", request_body = Approve, params(("id" = String, Path)), responses((status = 200, body = CampaignPlan), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Approve>,
) -> ApiResult<Json<CampaignPlan>> {
    let actor = caller.actor();
    policy::check(&actor, Act::ApproveCampaignPlan, &Target::default())?;
    let plan = state
        .write(move |tx| {
            let Some((_, plan)) = records::load::<CampaignPlan>(tx, entity::CAMPAIGN_PLAN, &id)?
            else {
                return Err(ApiError::not_found(format!("未找到专项检查计划：{id}")));
            };
            let approved = plan.approve(&actor, &req.document, Utc::now())?;
            save(tx, &approved)?;
            Ok(approved)
        })
        .await?;
    Ok(Json(plan))
}
