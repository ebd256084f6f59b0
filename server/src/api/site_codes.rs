//! 扫码入企 for signed-in users: the county's public key for site codes (phones verify codes
//! offline with it), a site's code and sticker, and the complaints left through codes.

use anjian_domain::org::Unit;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::site::Site;
use anjian_domain::site_code;
use anjian_domain::sync::entity;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::Caller;
use crate::site_code::{public_base, qr_svg, Complaint, COMPLAINT};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct SiteCodeKey {
    /// `ed25519`
    pub algorithm: String,
    /// The public key, 32 bytes as hex.
    pub public_key: String,
}

/// The county's public key for site codes.
#[utoipa::path(get, path = "/v1/site-code/key", responses((status = 200, body = SiteCodeKey), (status = 401, body = ErrorBody)))]
pub async fn key(State(state): State<AppState>, _caller: Caller) -> Json<SiteCodeKey> {
    Json(SiteCodeKey {
        algorithm: "ed25519".into(),
        public_key: site_code::public_key_hex(&state.site_codes.public_key()),
    })
}

#[derive(Serialize, ToSchema)]
pub struct SiteCode {
    pub site_id: String,
    pub site_name: String,
    pub address: Option<String>,
    /// What the code carries: the site's public page, with the signature.
    pub text: String,
    /// The QR code as SVG, for the sticker at the gate.
    pub svg: String,
}

/// A site's code for its sticker (扫码入企), if the site is in the caller's scope.
#[utoipa::path(get, path = "/v1/sites/{id}/code", params(("id" = String, Path)), responses((status = 200, body = SiteCode), (status = 404, body = ErrorBody)))]
pub async fn site_code(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteCode>> {
    let site = state
        .read(
            move |tx| match records::load::<Site>(tx, entity::SITE, &id)? {
                Some((rec, s)) if caller.can_see(&rec.audience) => Ok(s),
                _ => Err(ApiError::not_found(format!("未找到场所：{id}"))),
            },
        )
        .await?;
    if !site_code::valid_site_id(&site.id) {
        return Err(ApiError::invalid(
            "该场所编号不能制作场所码（仅限字母、数字、-、_，64 字符以内）",
        ));
    }
    let text = state.site_codes.text(&public_base(&headers), &site.id);
    Ok(Json(SiteCode {
        svg: qr_svg(&text)?,
        text,
        site_id: site.id,
        site_name: site.name,
        address: site.address,
    }))
}

/// Complaints left through site codes, newest first (county level only).
#[utoipa::path(get, path = "/v1/complaints", responses((status = 200, body = Vec<Complaint>), (status = 403, body = ErrorBody)))]
pub async fn complaints(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Complaint>>> {
    if !caller.is_county_level() {
        return Err(ApiError::forbidden("只有县级可以查看企业投诉"));
    }
    let mut list: Vec<Complaint> = state
        .read(move |tx| records::visible(tx, COMPLAINT, &caller))
        .await?;
    list.sort_by_key(|c| std::cmp::Reverse(c.received_at));
    Ok(Json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignComplaint {
    /// The enforcement body (a department or township with powers over the site).
    pub unit_id: String,
}

/// Hands a 投诉举报 over (交办) to an enforcement body with powers over the site (县安委办):
/// its officers then see it on their phones and may start a 行政检查 from it.
#[utoipa::path(post, path = "/v1/complaints/{id}/assign", request_body = AssignComplaint, params(("id" = String, Path)), responses((status = 200, body = Complaint), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AssignComplaint>,
) -> ApiResult<Json<Complaint>> {
    policy::check(&caller.actor(), Act::AssignComplaint, &Target::default())?;
    let out = state
        .write(move |tx| {
            let Some((rec, c)) = records::load::<Complaint>(tx, COMPLAINT, &id)? else {
                return Err(ApiError::not_found(format!("投诉举报 {id} 不存在")));
            };
            let unit = records::load::<Unit>(tx, entity::UNIT, &req.unit_id)?
                .map(|(_, u)| u)
                .ok_or_else(|| ApiError::not_found(format!("单位 {} 不存在", req.unit_id)))?;
            let site = records::load::<Site>(tx, entity::SITE, &c.site_id)?
                .map(|(_, s)| s)
                .ok_or_else(|| ApiError::not_found(format!("场所 {} 不存在", c.site_id)))?;
            let assigned = c
                .assign(&unit, &site, chrono::Utc::now())
                .map_err(|e| ApiError::invalid(e.to_string()))?;
            tx.put_record(&crate::storage::StoredRecord {
                version: rec.version + 1,
                data: serde_json::to_value(&assigned).map_err(ApiError::internal)?,
                // The county and the body it was handed to (whose phones pull it).
                audience: vec![
                    anjian_domain::access::COUNTY.to_string(),
                    anjian_domain::access::unit(&unit.id),
                ],
                ..rec
            })?;
            crate::audit::record(
                tx,
                &caller.username,
                crate::audit::COMPLAINT_ASSIGNED,
                &assigned.id,
                None,
                format!("{}：交办{}", assigned.site_name, unit.name),
            )?;
            Ok(assigned)
        })
        .await?;
    Ok(Json(out))
}
