//! Reminders over HTTP: a person's own in-app reminders (the console's bell) and marking one
//! read; the delivery log for the office (policy-checked, scoped to the caller's units); each
//! unit's group chat robot, set by 县安委办 (the webhook's token and secret never shown back).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_domain::access;
use anjian_domain::org::Unit;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::reminders::{InAppReminder, IN_APP};
use anjian_domain::sync::entity;

use super::channels::{ChannelConfig, ChannelKind, CHANNEL};
use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ratelimit::ClientAddr;
use crate::records;
use crate::scope::Caller;
use crate::storage::{Delivery, StoredRecord, Tx};
use crate::AppState;

/// The audit action of a robot set or removed.
pub const CHANNEL_SAVED: &str = "reminder_channel_saved";

/// My reminders, newest first, and how many are unread.
#[derive(Serialize, ToSchema)]
pub struct MyReminders {
    pub unread: usize,
    pub items: Vec<InAppReminder>,
}

/// The caller's in-app reminders (at most the newest 200).
#[utoipa::path(get, path = "/v1/reminders", responses((status = 200, body = MyReminders), (status = 401, body = ErrorBody)))]
pub async fn mine(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MyReminders>> {
    let me = vec![access::person(&caller.person.id)];
    let mut items: Vec<InAppReminder> = state
        .read(move |tx| {
            tx.list_records(IN_APP, Some(&me))?
                .into_iter()
                .map(|r| serde_json::from_value(r.data).map_err(ApiError::internal))
                .collect::<ApiResult<_>>()
        })
        .await?;
    items.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
    items.truncate(200);
    Ok(Json(MyReminders {
        unread: items.iter().filter(|r| r.read_at.is_none()).count(),
        items,
    }))
}

/// Marks one of the caller's reminders read (once; later calls keep the first time).
#[utoipa::path(post, path = "/v1/reminders/{id}/read", params(("id" = String, Path)), responses((status = 200, body = InAppReminder), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<InAppReminder>> {
    let r = state
        .write(move |tx| mark_read_in(tx, &caller, &id))
        .await?;
    Ok(Json(r))
}

/// Marks the caller's reminder `id` read (once: later calls keep the first time), for the
/// console's bell and a phone's `reminder/read` alike. Someone else's reads as not found.
pub fn mark_read_in(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<InAppReminder> {
    let me = access::person(&caller.person.id);
    let missing = || ApiError::not_found("未找到该提醒");
    let rec = tx.get_record(IN_APP, id)?.ok_or_else(missing)?;
    if rec.deleted || tx.record_audience(IN_APP, id)? != [me.clone()] {
        return Err(missing());
    }
    policy::check(
        &caller.actor(),
        Act::ReadReminder,
        &Target {
            owner_id: Some(&caller.person.id),
            ..Target::default()
        },
    )?;
    let mut r: InAppReminder = serde_json::from_value(rec.data).map_err(ApiError::internal)?;
    if r.read_at.is_none() {
        r.read_at = Some(Utc::now());
        records::put(tx, IN_APP, id, &r, vec![me], None)?;
    }
    Ok(r)
}

#[derive(Deserialize, IntoParams)]
pub struct LogQuery {
    /// Only this unit's deliveries.
    pub unit: Option<String>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// The delivery log, newest first: county level every unit's (or one), a unit's head or
/// deputy head their own unit's.
#[utoipa::path(get, path = "/v1/reminders/deliveries", params(LogQuery), responses((status = 200, body = Vec<Delivery>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<Vec<Delivery>>> {
    let actor = caller.actor();
    let unit = match q.unit {
        Some(u) => Some(u),
        None if caller.is_county_level() => None,
        None => Some(caller.person.unit_id.clone()),
    };
    policy::check(
        &actor,
        Act::ReadReminderLog,
        &Target {
            unit_id: unit.as_deref(),
            ..Target::default()
        },
    )?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let units = unit.map(|u| vec![u]);
    let list = state
        .read(move |tx| Ok(tx.list_deliveries(units.as_deref(), limit)?))
        .await?;
    Ok(Json(list))
}

/// A unit's robot as the console shows it: the address without its token, never the secret.
#[derive(Serialize, ToSchema)]
pub struct ChannelView {
    pub unit_id: String,
    pub kind: ChannelKind,
    /// Scheme, host and path of the webhook (the token is not shown).
    pub url_hint: String,
    pub signed: bool,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl ChannelView {
    fn of(c: &ChannelConfig) -> ChannelView {
        ChannelView {
            unit_id: c.unit_id.clone(),
            kind: c.kind,
            url_hint: c.url.split('?').next().unwrap_or_default().to_string(),
            signed: c.secret.is_some(),
            updated_by: c.updated_by.clone(),
            updated_at: c.updated_at,
        }
    }
}

fn office_only(caller: &Caller) -> ApiResult<()> {
    Ok(policy::check(
        &caller.actor(),
        Act::ConfigureReminders,
        &Target::default(),
    )?)
}

/// Every unit's group chat robot (县安委办).
#[utoipa::path(get, path = "/v1/reminders/channels", responses((status = 200, body = Vec<ChannelView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn channels(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ChannelView>>> {
    office_only(&caller)?;
    let all = state.read(super::channels::configured).await?;
    let mut out: Vec<ChannelView> = all.values().map(ChannelView::of).collect();
    out.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
    Ok(Json(out))
}

/// A unit's robot as the office sets it.
#[derive(Deserialize, ToSchema)]
pub struct ChannelRequest {
    pub kind: ChannelKind,
    /// The webhook address, `https://oapi.dingtalk.com/robot/send?access_token=...` or
    /// `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...`.
    pub url: String,
    /// 钉钉 加签 secret; leave out for 企业微信 or an unsigned robot.
    pub secret: Option<String>,
}

/// Sets (replaces) a unit's robot (县安委办; audited).
#[utoipa::path(put, path = "/v1/reminders/channels/{unit}", params(("unit" = String, Path)), request_body = ChannelRequest, responses((status = 200, body = ChannelView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_channel(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(unit): Path<String>,
    Json(req): Json<ChannelRequest>,
) -> ApiResult<Json<ChannelView>> {
    office_only(&caller)?;
    let url = req.url.trim().to_string();
    super::channels::check_webhook(&url, &state.webhook_hosts).map_err(ApiError::invalid)?;
    let secret = req
        .secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if secret.as_ref().is_some_and(|s| s.len() > 200) {
        return Err(ApiError::invalid("加签密钥过长"));
    }
    if secret.is_some() && req.kind == ChannelKind::Wecom {
        return Err(ApiError::invalid("企业微信群机器人不使用加签密钥"));
    }
    let view = state
        .write(move |tx| {
            let (_, u): (_, Unit) = records::load(tx, entity::UNIT, &unit)?
                .ok_or_else(|| ApiError::not_found(format!("未找到单位：{unit}")))?;
            let c = ChannelConfig {
                unit_id: u.id.clone(),
                kind: req.kind,
                url,
                secret,
                updated_by: caller.username.clone(),
                updated_at: Utc::now(),
            };
            let version = tx.get_record(CHANNEL, &u.id)?.map_or(1, |r| r.version + 1);
            tx.put_record(&StoredRecord {
                entity: CHANNEL.into(),
                id: u.id.clone(),
                version,
                data: serde_json::to_value(&c).map_err(ApiError::internal)?,
                audience: vec![],
                deleted: false,
            })?;
            let view = ChannelView::of(&c);
            audit::record(
                tx,
                &caller.username,
                CHANNEL_SAVED,
                &u.id,
                Some(client),
                format!("{}：{}", u.name, view.url_hint),
            )?;
            Ok(view)
        })
        .await?;
    Ok(Json(view))
}

/// Removes a unit's robot (县安委办; audited).
#[utoipa::path(delete, path = "/v1/reminders/channels/{unit}", params(("unit" = String, Path)), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_channel(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(unit): Path<String>,
) -> ApiResult<StatusCode> {
    office_only(&caller)?;
    state
        .write(move |tx| {
            let rec = tx
                .get_record(CHANNEL, &unit)?
                .filter(|r| !r.deleted)
                .ok_or_else(|| ApiError::not_found("该单位未配置工作群机器人"))?;
            tx.put_record(&StoredRecord {
                version: rec.version + 1,
                deleted: true,
                ..rec
            })?;
            audit::record(
                tx,
                &caller.username,
                CHANNEL_SAVED,
                &unit,
                Some(client),
                "删除",
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
