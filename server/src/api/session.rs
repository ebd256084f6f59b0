//! Login, logout, and who am I.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, LoginOutcome};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::metrics::Metrics;
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
    #[schema(value_type = Object)]
    pub person: anjian_domain::org::Person,
    /// Principals the caller holds (for debugging scope).
    pub principals: Vec<String>,
}

/// Logs in with username and password; returns a short-lived bearer token.
#[utoipa::path(post, path = "/v1/auth/login", security(()), request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, body = ErrorBody, description = "用户名或密码错误"),
    (status = 429, body = ErrorBody, description = "失败次数过多，暂时锁定")
))]
pub async fn login(State(state): State<AppState>, Json(req): Json<LoginRequest>) -> Response {
    let ttl = state.token_ttl;
    let username = req.username.trim().to_string();
    let outcome = state
        .write(move |tx| auth::login(tx, &username, &req.password, ttl, Utc::now()))
        .await;
    match outcome {
        Ok(LoginOutcome::Ok {
            token,
            expires_at,
            person,
        }) => {
            Metrics::inc(&state.metrics.logins_ok, 1);
            let caller = Caller {
                person: person.clone(),
                username: String::new(),
            };
            Json(LoginResponse {
                token,
                expires_at,
                principals: caller.principals(),
                person,
            })
            .into_response()
        }
        Ok(LoginOutcome::Wrong) => {
            Metrics::inc(&state.metrics.logins_failed, 1);
            // Every failure costs time: guessing is slow even before the lock.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "用户名或密码错误")
                .into_response()
        }
        Ok(LoginOutcome::Locked { seconds }) => {
            Metrics::inc(&state.metrics.logins_failed, 1);
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                format!("登录失败次数过多，请 {seconds} 秒后再试"),
            )
            .into_response();
            resp.headers_mut().insert("Retry-After", seconds.into());
            resp
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
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| auth::token_hash(t.trim()))
        .ok_or_else(ApiError::unauthorized)?;
    state.write(move |tx| Ok(tx.delete_token(&token)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = Object)]
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
