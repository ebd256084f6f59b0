//! 县安委办 account administration: disable and enable an account, reset a password, end a
//! user's sessions, and read the audit log.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::account_rules::{self, normalise_username};
use crate::audit;
use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ratelimit::ClientAddr;
use crate::scope::Caller;
use crate::storage::{AuditEntry, AuditQuery};
use crate::AppState;

pub(crate) fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "只有县安委办可以管理账号和查看审计日志",
        ))
    }
}

pub(crate) fn not_found(username: &str) -> ApiError {
    ApiError::not_found(format!("未找到账号：{username}"))
}

async fn set_disabled(
    state: AppState,
    client: ClientAddr,
    caller: Caller,
    username: String,
    disabled: bool,
) -> ApiResult<StatusCode> {
    require_admin(&caller)?;
    let username = normalise_username(&username);
    if disabled && username == caller.username {
        return Err(ApiError::invalid("不能停用自己的账号"));
    }
    state
        .write(move |tx| {
            let mut account = tx
                .get_account(&username)?
                .ok_or_else(|| not_found(&username))?;
            account.disabled = disabled;
            tx.put_account(&account)?;
            let ended = if disabled {
                tx.delete_tokens_of(&username, None)?
            } else {
                0
            };
            audit::record(
                tx,
                &caller.username,
                if disabled {
                    audit::ACCOUNT_DISABLED
                } else {
                    audit::ACCOUNT_ENABLED
                },
                &username,
                Some(client.0),
                if disabled {
                    format!("结束 {ended} 个会话")
                } else {
                    String::new()
                },
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disables an account: no login, and every session it has ends now.
#[utoipa::path(post, path = "/v1/admin/accounts/{username}/disable", params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    client: ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(state, client, caller, username, true).await
}

/// Enables a disabled account again.
#[utoipa::path(post, path = "/v1/admin/accounts/{username}/enable", params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    client: ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(state, client, caller, username, false).await
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    pub new_password: String,
}

/// Sets a new password for someone who lost theirs; all their sessions end.
#[utoipa::path(post, path = "/v1/admin/accounts/{username}/password", params(("username" = String, Path)), request_body = PasswordReset, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
    Json(req): Json<PasswordReset>,
) -> ApiResult<StatusCode> {
    require_admin(&caller)?;
    let username = normalise_username(&username);
    account_rules::check_password(&username, &req.new_password).map_err(ApiError::invalid)?;
    let name = username.clone();
    if state
        .read(move |tx| Ok(tx.get_account(&name)?))
        .await?
        .is_none()
    {
        return Err(not_found(&username));
    }
    let hash = auth::hash_password_bounded(&state, req.new_password).await?;
    state
        .write(move |tx| {
            let mut account = tx
                .get_account(&username)?
                .ok_or_else(|| not_found(&username))?;
            account.password_hash = hash;
            tx.put_account(&account)?;
            let ended = tx.delete_tokens_of(&username, None)?;
            audit::record(
                tx,
                &caller.username,
                audit::PASSWORD_RESET,
                &username,
                Some(client),
                format!("结束 {ended} 个会话"),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions ended.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// Ends every session of a user (a lost phone, someone leaving).
#[utoipa::path(post, path = "/v1/admin/accounts/{username}/revoke-sessions", params(("username" = String, Path)), responses((status = 200, body = SessionsEnded), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<SessionsEnded>> {
    require_admin(&caller)?;
    let username = normalise_username(&username);
    let ended = state
        .write(move |tx| {
            tx.get_account(&username)?
                .ok_or_else(|| not_found(&username))?;
            let n = tx.delete_tokens_of(&username, None)?;
            audit::record(
                tx,
                &caller.username,
                audit::SESSIONS_REVOKED,
                &username,
                Some(client),
                format!("结束 {n} 个会话"),
            )?;
            Ok(n)
        })
        .await?;
    Ok(Json(SessionsEnded { ended }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Entries older than this id (paging backwards).
    pub before: Option<i64>,
    /// One action (`login_failed`, `lockout`, `account_disabled`, ...).
    pub action: Option<String>,
    /// Entries by or about one username.
    pub username: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// The audit log, newest first: logins (success and failure), lockouts, account creation
/// and changes, administrative actions. 县安委办 only.
#[utoipa::path(get, path = "/v1/admin/audit", params(AuditParams), responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    require_admin(&caller)?;
    let query = AuditQuery {
        before_id: q.before,
        action: q.action,
        username: q.username.map(|u| normalise_username(&u)),
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    Ok(Json(
        state.read(move |tx| Ok(tx.list_audit(&query)?)).await?,
    ))
}

/// One login account as 县安委办 manages it (never its password hash).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AccountSummary {
    pub username: String,
    /// The person the account signs in as (`/v1/people`).
    pub person_id: String,
    /// Disabled by 县安委办: no login.
    pub disabled: bool,
    /// Locked after failed logins until this time (RFC 3339), if still locked.
    #[schema(format = DateTime)]
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Failed logins since the last successful one.
    pub failed_logins: i64,
    /// The unified identity (the provider's linking claim) this account is linked to.
    pub identity: Option<String>,
}

/// Every login account, by username. 县安委办 only.
#[utoipa::path(get, path = "/v1/admin/accounts", responses((status = 200, body = Vec<AccountSummary>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccountSummary>>> {
    require_admin(&caller)?;
    let now = chrono::Utc::now();
    let (accounts, links) = state
        .read(|tx| Ok((tx.list_accounts()?, tx.identity_links()?)))
        .await?;
    let mut links: std::collections::HashMap<String, String> = links.into_iter().collect();
    Ok(Json(
        accounts
            .into_iter()
            .map(|a| AccountSummary {
                identity: links.remove(&a.username),
                username: a.username,
                person_id: a.person_id,
                disabled: a.disabled,
                locked_until: a.locked_until.filter(|t| *t > now),
                failed_logins: a.failed_logins,
            })
            .collect(),
    ))
}
