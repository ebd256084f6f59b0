//! Login, logout, and who am I.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::account_rules::{self, normalise_username};
use crate::audit;
use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::metrics::Metrics;
use crate::ratelimit::ClientAddr;
use crate::scope::Caller;
use crate::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub person: anjian_domain::org::Person,
    /// Principals the caller holds (for debugging scope).
    pub principals: Vec<String>,
}

/// A wrong password: counted against the name and the address (which may put them on hold),
/// and audited with the reason, and the hold when it starts.
async fn failed_login(
    state: &AppState,
    username: &str,
    client: std::net::IpAddr,
    reason: &'static str,
) -> ApiResult<()> {
    let name = username.to_string();
    let guard = state.login.clone();
    state
        .write(move |tx| {
            let hold = guard.failure(tx, &name, client, Utc::now())?;
            audit::record(tx, &name, audit::LOGIN_FAILED, &name, Some(client), reason)?;
            if let Some(h) = hold {
                audit::record(tx, &name, audit::LOCKOUT, &name, Some(client), h.code())?;
            }
            Ok(())
        })
        .await
}

/// Whether the throttle lets this attempt go ahead (state shared by every instance).
async fn check_throttle(
    state: &AppState,
    username: &str,
    client: std::net::IpAddr,
) -> ApiResult<crate::ratelimit::Verdict> {
    let guard = state.login.clone();
    let name = username.to_string();
    state
        .write(move |tx| Ok(guard.check(tx, &name, client, Utc::now())?))
        .await
}

fn wrong_login() -> Response {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "用户名或密码错误").into_response()
}

fn held(seconds: u64) -> Response {
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "locked",
        format!("登录失败次数过多，请 {seconds} 秒后再试"),
    )
    .into_response();
    resp.headers_mut().insert("Retry-After", seconds.into());
    resp
}

/// Logs in with username and password; returns a short-lived bearer token.
///
/// Usernames are matched in their normalised form (NFKC, lower case). Unknown usernames get
/// the same answers, in the same time, as known ones; repeated failures from one address
/// wait (429 with `Retry-After`), without holding back the account's owner elsewhere.
#[utoipa::path(post, path = "/v1/auth/login", security(()), request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, body = ErrorBody, description = "用户名或密码错误"),
    (status = 403, body = ErrorBody, description = "账号已停用"),
    (status = 429, body = ErrorBody, description = "失败次数过多，暂时等待"),
    (status = 503, body = ErrorBody, description = "登录请求过多")
))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> Response {
    let username = normalise_username(&req.username);
    match check_throttle(&state, &username, client).await {
        Ok(Ok(())) => {}
        Ok(Err((seconds, _))) => {
            Metrics::inc(&state.metrics.logins_failed, 1);
            return held(seconds);
        }
        Err(e) => return e.into_response(),
    }
    let name = username.clone();
    let account = match state.read(move |tx| Ok(tx.get_account(&name)?)).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    // Hashing outside every lock, a bounded number at a time; unknown names cost the same.
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let password_ok = match auth::check_password_bounded(&state, req.password, hash).await {
        Ok(ok) => ok,
        Err(e) => return e.into_response(),
    };
    if !password_ok {
        Metrics::inc(&state.metrics.logins_failed, 1);
        let reason = if account.is_some() {
            "密码错误"
        } else {
            "账号不存在"
        };
        let logged = failed_login(&state, &username, client, reason).await;
        if let Err(e) = logged {
            return e.into_response();
        }
        // Every failure costs time: guessing is slow even before the hold.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        return wrong_login();
    }
    let account = account.expect("password matched an account");
    if account.disabled {
        return refuse_disabled(&state, &username, client, "").await;
    }
    if let Some(provider) = &state.identity {
        if provider.config().password_off_for_linked {
            let name = username.clone();
            let linked = state.read(move |tx| Ok(tx.account_identity(&name)?)).await;
            match linked {
                Ok(None) => {}
                Ok(Some(_)) => {
                    return ApiError::forbidden(format!(
                        "此账号须通过{}",
                        provider.config().display_name
                    ))
                    .into_response()
                }
                Err(e) => return e.into_response(),
            }
        }
    }
    issue_session(&state, account, client, "").await
}

/// A disabled account proved who it is: audited, and refused.
pub async fn refuse_disabled(
    state: &AppState,
    username: &str,
    client: std::net::IpAddr,
    how: &'static str,
) -> Response {
    let name = username.to_string();
    let _ = state
        .write(move |tx| audit::record(tx, &name, audit::LOGIN_DISABLED, &name, Some(client), how))
        .await;
    ApiError::forbidden("账号已停用，请联系县安委办").into_response()
}

/// Issues a session token to an account that has proved who it is (a password, or the
/// unified identity provider: `how` says which in the audit log), and audits the login.
pub async fn issue_session(
    state: &AppState,
    account: crate::storage::Account,
    client: std::net::IpAddr,
    how: &'static str,
) -> Response {
    let ttl = state.token_ttl;
    let guard = state.login.clone();
    let name = account.username.clone();
    let token = auth::new_token();
    let hashed = auth::token_hash(&token);
    let issued = state
        .write(move |tx| {
            guard.success(tx, &name, client, Utc::now())?;
            let person = auth::load_person(tx, &account.person_id)?;
            let expires_at = Utc::now() + ttl;
            tx.put_token(&hashed, &account.username, expires_at)?;
            audit::record(
                tx,
                &account.username,
                audit::LOGIN_OK,
                &account.username,
                Some(client),
                how,
            )?;
            Ok((person, expires_at))
        })
        .await;
    match issued {
        Ok((person, expires_at)) => {
            Metrics::inc(&state.metrics.logins_ok, 1);
            let caller = Caller {
                person: person.clone(),
                username: String::new(),
                engaged: Vec::new(),
            };
            Json(LoginResponse {
                token,
                expires_at,
                principals: caller.principals(),
                person,
            })
            .into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/v1/auth/logout", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let token = own_token(&headers)?;
    state.write(move |tx| Ok(tx.delete_token(&token)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The hash of the bearer token of this request.
fn own_token(headers: &HeaderMap) -> ApiResult<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| auth::token_hash(t.trim()))
        .ok_or_else(ApiError::unauthorized)
}

/// Ends every other session of the signed-in user (other phones, a lost one); this one stays.
#[utoipa::path(post, path = "/v1/auth/logout-others", responses((status = 200, body = crate::api::accounts::SessionsEnded), (status = 401, body = ErrorBody)))]
pub async fn logout_others(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Json<crate::api::accounts::SessionsEnded>> {
    let keep = own_token(&headers)?;
    let ended = state
        .write(move |tx| {
            let n = tx.delete_tokens_of(&caller.username, Some(&keep))?;
            audit::record(
                tx,
                &caller.username,
                audit::SESSIONS_REVOKED,
                &caller.username,
                Some(client),
                format!("本人结束其他 {n} 个会话"),
            )?;
            Ok(n)
        })
        .await?;
    Ok(Json(crate::api::accounts::SessionsEnded { ended }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Changes the signed-in user's own password (the old one is required); every other session
/// of the user ends.
#[utoipa::path(post, path = "/v1/auth/password", request_body = PasswordChange, responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "原密码错误"), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    let keep = own_token(&headers)?;
    let username = caller.username.clone();
    account_rules::check_password(&username, &req.new_password).map_err(ApiError::invalid)?;
    if let Err((seconds, _)) = check_throttle(&state, &username, client).await? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "locked",
            format!("失败次数过多，请 {seconds} 秒后再试"),
        ));
    }
    let name = username.clone();
    let account = state
        .read(move |tx| tx.get_account(&name)?.ok_or_else(ApiError::unauthorized))
        .await?;
    let ok =
        auth::check_password_bounded(&state, req.old_password, Some(account.password_hash)).await?;
    if !ok {
        failed_login(&state, &username, client, "修改密码时原密码错误").await?;
        return Err(ApiError::forbidden("原密码错误"));
    }
    let hash = auth::hash_password_bounded(&state, req.new_password).await?;
    state
        .write(move |tx| {
            let mut account = tx
                .get_account(&username)?
                .ok_or_else(ApiError::unauthorized)?;
            account.password_hash = hash;
            tx.put_account(&account)?;
            let ended = tx.delete_tokens_of(&username, Some(&keep))?;
            audit::record(
                tx,
                &username,
                audit::PASSWORD_CHANGED,
                &username,
                Some(client),
                format!("结束其他 {ended} 个会话"),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub person: anjian_domain::org::Person,
    pub username: String,
    pub principals: Vec<String>,
    pub county_level: bool,
}

/// The signed-in person.
#[utoipa::path(get, path = "/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        principals: caller.principals(),
        county_level: caller.is_county_level(),
        username: caller.username.clone(),
        person: caller.person,
    })
}
