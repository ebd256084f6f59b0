//! 扫码入企 for signed-in users: the county's public key for site codes (phones verify codes
//! offline with it), a site's code and sticker, and the complaints left through codes.

use anjian_domain::complaint::{self, FollowUp};
use anjian_domain::inspection::Inspection;
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

/// A complaint as the county follows it: the complaint, and once the body it was handed over
/// to started a 行政检查 from it, that inspection and where it stands.
#[derive(Serialize, ToSchema)]
pub struct ComplaintRow {
    #[serde(flatten)]
    pub complaint: Complaint,
    pub follow_up: Option<FollowUp>,
}

/// Complaints left through site codes, newest first (county level only), with their follow-up.
#[utoipa::path(get, path = "/v1/complaints", responses((status = 200, body = Vec<ComplaintRow>), (status = 403, body = ErrorBody)))]
pub async fn complaints(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ComplaintRow>>> {
    if !caller.is_county_level() {
        return Err(ApiError::forbidden("只有县级可以查看企业投诉"));
    }
    let rows = state
        .read(move |tx| {
            let mut list: Vec<Complaint> = records::visible(tx, COMPLAINT, &caller)?;
            list.sort_by_key(|c| std::cmp::Reverse(c.received_at));
            list.into_iter()
                .map(|c| {
                    let follow_up = match c.inspection_id.as_deref() {
                        Some(id) => records::load::<Inspection>(tx, entity::INSPECTION, id)?
                            .map(|(_, i)| FollowUp::of(&i)),
                        None => None,
                    };
                    Ok(ComplaintRow {
                        complaint: c,
                        follow_up,
                    })
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(Json(rows))
}

#[derive(Serialize, ToSchema)]
pub struct ComplaintBody {
    pub id: String,
    pub name: String,
}

/// The enforcement bodies a complaint may be handed over to: those with powers over its site
/// (the rule the hand-over itself checks, `complaint::may_take`).
#[utoipa::path(get, path = "/v1/complaints/{id}/bodies", params(("id" = String, Path)), responses((status = 200, body = Vec<ComplaintBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn complaint_bodies(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ComplaintBody>>> {
    policy::check(&caller.actor(), Act::AssignComplaint, &Target::default())?;
    let out = state
        .read(move |tx| {
            let (_, site) = complaint_and_site(tx, &id)?;
            let units = records::units(tx)?;
            Ok(complaint::bodies_for(&units, &site)
                .into_iter()
                .map(|u| ComplaintBody {
                    id: u.id.clone(),
                    name: u.name.clone(),
                })
                .collect())
        })
        .await?;
    Ok(Json(out))
}

/// A complaint with its stored record and the site it is about.
fn complaint_and_site(
    tx: &mut dyn crate::storage::Tx,
    id: &str,
) -> ApiResult<((crate::storage::StoredRecord, Complaint), Site)> {
    let Some(found) = records::load::<Complaint>(tx, COMPLAINT, id)? else {
        return Err(ApiError::not_found(format!("投诉举报 {id} 不存在")));
    };
    let site = records::load::<Site>(tx, entity::SITE, &found.1.site_id)?
        .map(|(_, s)| s)
        .ok_or_else(|| ApiError::not_found(format!("场所 {} 不存在", found.1.site_id)))?;
    Ok((found, site))
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
            let ((_, c), site) = complaint_and_site(tx, &id)?;
            let unit = records::load::<Unit>(tx, entity::UNIT, &req.unit_id)?
                .map(|(_, u)| u)
                .ok_or_else(|| ApiError::not_found(format!("单位 {} 不存在", req.unit_id)))?;
            if c.inspection_id.is_some() {
                return Err(ApiError::invalid(
                    "已据此投诉举报开始行政检查，不能再改交其他单位",
                ));
            }
            let assigned = c
                .assign(&unit, &site, &caller.person.name, chrono::Utc::now())
                .map_err(|e| ApiError::invalid(e.to_string()))?;
            records::save_complaint(tx, &assigned)?;
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
