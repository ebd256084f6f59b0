//! Sign-in through the unified identity provider (`crate::oidc`), for the console and the
//! phone alike, and 县安委办 linking an account to an identity.
//!
//! `start` hands the caller the provider's URL and a secret handle; the provider sends the
//! browser back with `code` and `state`; `finish` takes the handle, code and state, and
//! answers like the password login. The handle binds the finish to whoever started: a code
//! and state seen on the way (a redirect intercepted) are of no use without it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;

use crate::account_rules::normalise_username;
use crate::api::session::{issue_session, refuse_disabled, LoginResponse};
use crate::audit;
use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::metrics::Metrics;
use crate::oidc::{self, IdentityProvider, SignInClient};
use crate::ratelimit::ClientAddr;
use crate::scope::Caller;
use crate::AppState;

/// What the audit log says of a login through the provider.
const HOW: &str = "统一身份认证";

fn provider(state: &AppState) -> ApiResult<std::sync::Arc<IdentityProvider>> {
    state
        .identity
        .clone()
        .ok_or_else(|| ApiError::not_found("本服务器未配置统一身份认证"))
}

#[derive(Deserialize, ToSchema)]
pub struct IdentityStart {
    /// `console` (default) or `app`: where the provider sends the browser back.
    #[serde(default)]
    pub client: SignInClient,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityStarted {
    /// Open this in the browser (the phone: the system browser, never a web view).
    pub authorize_url: String,
    /// Keep this secret until `finish`; it alone can finish this sign-in.
    pub handle: String,
    pub expires_at: DateTime<Utc>,
}

/// Starts a sign-in through the unified identity provider (no sign-in needed).
#[utoipa::path(post, path = "/v1/auth/oidc/start", security(()), request_body = IdentityStart, responses(
    (status = 200, body = IdentityStarted),
    (status = 404, body = ErrorBody, description = "未配置统一身份认证"),
    (status = 422, body = ErrorBody, description = "未配置手机应用的回调地址"),
    (status = 502, body = ErrorBody, description = "统一身份认证服务不可用"),
    (status = 503, body = ErrorBody, description = "登录请求过多")
))]
pub async fn start(
    State(state): State<AppState>,
    Json(req): Json<IdentityStart>,
) -> ApiResult<Json<IdentityStarted>> {
    let provider = provider(&state)?;
    let handle = auth::new_token();
    let started = provider
        .start(req.client, auth::token_hash(&handle))
        .await?;
    let expires_at = started.login_state.expires_at;
    let login_state = started.login_state;
    state
        .write(move |tx| {
            if tx.prune_login_states(Utc::now())? >= oidc::MAX_PENDING {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "登录请求过多，请稍后再试",
                ));
            }
            Ok(tx.put_login_state(&login_state)?)
        })
        .await?;
    Ok(Json(IdentityStarted {
        authorize_url: started.authorize_url,
        handle,
        expires_at,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct IdentityFinish {
    /// The handle `start` gave.
    pub handle: String,
    /// The `code` the provider sent back.
    pub code: String,
    /// The `state` the provider sent back.
    pub state: String,
}

/// Longest handle, code or state accepted (bounded work for anyone's input).
const MAX_PARAM: usize = 4096;

fn same(a: &str, b: &str) -> bool {
    // Compared as hashes: equal time whatever the inputs.
    sha2::Sha256::digest(a.as_bytes()) == sha2::Sha256::digest(b.as_bytes())
}

async fn refused(
    state: &AppState,
    client: std::net::IpAddr,
    target: &str,
    reason: String,
    answer: ApiError,
) -> Response {
    Metrics::inc(&state.metrics.logins_failed, 1);
    let target = target.to_string();
    let logged = state
        .write(move |tx| {
            audit::record(
                tx,
                "",
                audit::LOGIN_FAILED,
                &target,
                Some(client),
                format!("{HOW}：{reason}"),
            )
        })
        .await;
    match logged {
        Ok(()) => answer.into_response(),
        Err(e) => e.into_response(),
    }
}

fn expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "identity_rejected",
        "登录已失效，请重新点击统一身份认证登录",
    )
}

/// Finishes a sign-in through the unified identity provider: the identity must be linked to
/// an enabled account by 县安委办; the answer is then the same as the password login's.
#[utoipa::path(post, path = "/v1/auth/oidc/finish", security(()), request_body = IdentityFinish, responses(
    (status = 200, body = LoginResponse),
    (status = 401, body = ErrorBody, description = "统一身份认证未通过或已失效"),
    (status = 403, body = ErrorBody, description = "该统一身份未关联账号，或账号已停用"),
    (status = 404, body = ErrorBody, description = "未配置统一身份认证"),
    (status = 502, body = ErrorBody, description = "统一身份认证服务不可用")
))]
pub async fn finish(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(req): Json<IdentityFinish>,
) -> Response {
    let provider = match provider(&state) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if [&req.handle, &req.code, &req.state]
        .iter()
        .any(|v| v.is_empty() || v.len() > MAX_PARAM)
    {
        return ApiError::invalid("登录参数不完整或过长").into_response();
    }
    let hash = auth::token_hash(&req.handle);
    // Taken whatever happens next: a sign-in is finished once.
    let pending = match state
        .write(move |tx| Ok(tx.take_login_state(&hash, Utc::now())?))
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => {
            let reason = "登录句柄无效或已过期".to_string();
            return refused(&state, client, "", reason, expired()).await;
        }
        Err(e) => return e.into_response(),
    };
    if !same(&pending.state, &req.state) {
        let reason = "state 与发起时不符".to_string();
        return refused(&state, client, "", reason, expired()).await;
    }
    let identity = match provider.identify(&pending, &req.code).await {
        Ok(id) => id,
        Err(refusal) => {
            let reason = refusal.reason().to_string();
            return refused(&state, client, "", reason, refusal.into_api_error()).await;
        }
    };
    let id = identity.clone();
    let account = match state
        .read(move |tx| match tx.identity_account(&id)? {
            Some(username) => Ok(tx.get_account(&username)?),
            None => Ok(None),
        })
        .await
    {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let Some(account) = account else {
        let answer = ApiError::forbidden(format!(
            "统一身份 {identity} 尚未关联本系统账号，请联系县安委办关联后再登录"
        ));
        let reason = "统一身份未关联账号".to_string();
        return refused(&state, client, &identity, reason, answer).await;
    };
    if account.disabled {
        return refuse_disabled(&state, &account.username, client, HOW).await;
    }
    issue_session(&state, account, client, HOW).await
}

#[derive(Deserialize, ToSchema)]
pub struct IdentityLink {
    /// The value of the provider's linking claim for this person (their username there, a
    /// phone number, an ID number: whichever claim the server is configured with).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*\S[^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub identity: String,
}

/// Links an account to an identity of the unified identity provider (replacing an earlier
/// link). 县安委办 only; audited.
#[utoipa::path(put, path = "/v1/admin/accounts/{username}/identity", params(("username" = String, Path)), request_body = IdentityLink, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<IdentityLink>,
) -> ApiResult<StatusCode> {
    crate::api::accounts::require_admin(&caller)?;
    let username = normalise_username(&username);
    let identity = oidc::check_identity(&req.identity).map_err(ApiError::invalid)?;
    state
        .write(move |tx| {
            tx.get_account(&username)?
                .ok_or_else(|| crate::api::accounts::not_found(&username))?;
            if let Some(other) = tx.identity_account(&identity)? {
                if other != username {
                    return Err(ApiError::invalid(format!(
                        "统一身份 {identity} 已关联账号 {other}，请先解除"
                    )));
                }
            }
            tx.set_identity(&username, Some(&identity), Utc::now())?;
            audit::record(
                tx,
                &caller.username,
                audit::IDENTITY_LINKED,
                &username,
                Some(client),
                identity,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an account's link to the unified identity provider. 县安委办 only; audited.
#[utoipa::path(delete, path = "/v1/admin/accounts/{username}/identity", params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlink(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    crate::api::accounts::require_admin(&caller)?;
    let username = normalise_username(&username);
    state
        .write(move |tx| {
            tx.get_account(&username)?
                .ok_or_else(|| crate::api::accounts::not_found(&username))?;
            let was = tx.account_identity(&username)?.unwrap_or_default();
            tx.set_identity(&username, None, Utc::now())?;
            audit::record(
                tx,
                &caller.username,
                audit::IDENTITY_UNLINKED,
                &username,
                Some(client),
                was,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
