//! Errors every operation can answer, stated once: the JSON error body for requests the
//! framework refuses before a handler runs (a body that is not JSON or lacks a field, a query
//! that does not parse, a wrong content type), and the OpenAPI responses that say so.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::Modify;

use crate::error::ApiError;

/// The framework's own refusals are plain text in English; the API answers every error as
/// `ErrorBody` with a Chinese message (the English detail kept after it for developers).
pub async fn json_rejections(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let encoded = resp.headers().contains_key(header::CONTENT_ENCODING);
    if !plain || encoded || !status.is_client_error() {
        return resp;
    }
    let message = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "请求内容须为 JSON（Content-Type: application/json）",
        StatusCode::PAYLOAD_TOO_LARGE => "请求内容过大",
        StatusCode::METHOD_NOT_ALLOWED => "不支持此请求方法",
        _ => "请求格式不正确",
    };
    let detail = axum::body::to_bytes(resp.into_body(), 2048)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        "unsupported_media_type"
    } else {
        "invalid"
    };
    let mut out = ApiError::new(
        status,
        code,
        if detail.is_empty() {
            message.to_string()
        } else {
            format!("{message}：{detail}")
        },
    )
    .into_response();
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out
}

/// Adds to every operation the error responses it can give without saying so itself: 401
/// when it needs a token, 400/422 when it takes parameters or a body, 413/415 for a JSON body.
pub struct CommonErrors;

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| error(description));
}

/// The operations of one path, whatever their method (the documents' walkers visit each).
pub fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
        &mut item.head,
    ]
    .into_iter()
    .flatten()
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = matches!(
                path.as_str(),
                "/healthz" | "/openapi.json" | "/v1/console/config" | "/v1/auth/login"
            );
            for op in operations(item) {
                if !public {
                    add(op, "401", "未登录或登录已失效");
                }
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                if has_params || op.request_body.is_some() {
                    add(op, "400", "请求格式不正确");
                    add(op, "422", "请求内容不符合要求（原因见 message）");
                }
                if op.request_body.is_some() {
                    add(op, "413", "请求内容过大");
                }
                if json_body {
                    add(op, "415", "请求内容须为 JSON");
                }
            }
        }
    }
}
