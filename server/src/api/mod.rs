//! HTTP routes. Every handler that touches data takes a [`Caller`] (bearer token) and checks
//! the caller's role and org scope.

pub mod accounts;
pub mod admin;
pub mod attached;
pub mod blobs;
pub mod campaigns;
pub mod checklist_diff;
pub mod console;
pub mod console_reads;
pub mod duty_reports;
pub mod errors_doc;
pub mod feedback;
pub mod identity;
pub mod ledger_filter;
pub mod ledger_names;
pub mod monthly;
pub mod parties;
pub mod publish;
pub mod reads;
pub mod schema_formats;
pub mod session;
pub mod site_codes;
pub mod sync;
pub mod tasks;
pub mod unit_records;
pub mod visit_warnings;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::metrics::Metrics;
use crate::{listen, security_headers, tus, AppState, Config};
use errors_doc::CommonErrors;
use schema_formats::DatePatterns;

#[derive(OpenApi)]
#[openapi(
    info(title = "anjian 安检 API", description = "五查四改月述考：账号、按单位范围的访问、同步、可续传证据上传。"),
    paths(
        health,
        session::login,
        session::logout,
        session::logout_others,
        session::change_password,
        session::me,
        identity::start,
        identity::finish,
        identity::link,
        identity::unlink,
        accounts::list,
        accounts::disable,
        accounts::enable,
        accounts::reset_password,
        accounts::revoke_sessions,
        accounts::audit_log,
        reads::units,
        reads::people,
        reads::sites,
        reads::site,
        reads::hazards,
        reads::hazard,
        reads::inspections,
        reads::inspection_documents,
        reads::checklists,
        reads::checklist,
        checklist_diff::checklist_diff,
        reads::patrols,
        unit_records::meetings,
        unit_records::investments,
        unit_records::accountability,
        unit_records::accountability_suggestions,
        tasks::tasks,
        unit_records::mechanism,
        reads::create_patrol,
        console::config,
        console_reads::ledger,
        console_reads::ledger_xlsx,
        console_reads::hazard_evidence,
        console_reads::overview,
        publish::publish,
        publish::published,
        publish::reopen,
        publish::publications,
        site_codes::key,
        visit_warnings::visit_warnings,
        campaigns::list,
        campaigns::create,
        campaigns::approve,
        feedback::list,
        feedback::reply,
        site_codes::site_code,
        site_codes::complaints,
        site_codes::assign_complaint,
        site_codes::complaint_bodies,
        admin::publish_checklist,
        admin::create_unit,
        admin::create_person,
        admin::create_site,
        admin::import_sites,
        monthly::month_end,
        monthly::duty,
        monthly::assessment,
        monthly::annual,
        monthly::month_clear,
        monthly::rotation,
        monthly::create_duty_report,
        duty_reports::list,
        duty_reports::add_file,
        monthly::create_self_assessment,
        monthly::export,
        parties::list,
        parties::create,
        parties::coverage,
        parties::coverage_xlsx,
        parties::experts,
        parties::create_expert,
        parties::update_expert,
        parties::retire_expert,
        parties::experts_xlsx,
        sync::push,
        sync::pull,
        blobs::head_blob,
        blobs::get_blob,
        tus::options,
        tus::create,
        tus::head,
        tus::patch,
        tus::terminate,
        crate::reminders::api::mine,
        crate::reminders::api::mark_read,
        crate::reminders::api::deliveries,
        crate::reminders::api::channels,
        crate::reminders::api::set_channel,
        crate::reminders::api::remove_channel,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        session::LoginRequest,
        session::LoginResponse,
        session::PasswordChange,
        accounts::PasswordReset,
        identity::IdentityStart,
        identity::IdentityStarted,
        identity::IdentityFinish,
        identity::IdentityLink,
        crate::oidc::SignInClient,
        console::IdentityProviderInfo,
        accounts::AccountSummary,
        accounts::SessionsEnded,
        crate::storage::AuditEntry,
        crate::storage::Delivery,
        crate::reminders::api::MyReminders,
        crate::reminders::api::ChannelView,
        crate::reminders::api::ChannelRequest,
        crate::reminders::channels::ChannelKind,
        anjian_domain::reminders::InAppReminder,
        reads::HazardItem,
        reads::ChecklistSummary,
        reads::NewPatrol,
        admin::NewPerson,
        admin::ImportReport,
        admin::RowError,
        console::ConsoleConfig,
        console_reads::LedgerRow,
        console_reads::LedgerPage,
        console_reads::UnitLine,
        console_reads::TrendPoint,
        console_reads::MapSite,
        console_reads::MapTownship,
        console_reads::Overview,
        publish::Publication,
        publish::PublicationSummary,
        site_codes::SiteCodeKey,
        anjian_domain::campaign::CampaignDraft,
        anjian_domain::campaign::CampaignPlan,
        anjian_domain::campaign::CampaignApproval,
        campaigns::Approve,
        feedback::Reply,
        anjian_domain::feedback::Feedback,
        anjian_domain::feedback::FeedbackKind,
        anjian_domain::feedback::FeedbackReply,
        anjian_domain::received::Receipt,
        anjian_domain::received::TimeDoubt,
        anjian_domain::received::DoubtKind,
        anjian_domain::duty::NotCounted,
        visit_warnings::VisitWarningView,
        site_codes::SiteCode,
        crate::site_code::Complaint,
        site_codes::AssignComplaint,
        site_codes::ComplaintRow,
        site_codes::ComplaintBody,
        anjian_domain::complaint::FollowUp,
        publish::ReopenRequest,
        publish::Reopening,
        parties::RetireRequest,
        anjian_domain::engagement::Engagement,
        anjian_domain::engagement::IndustryCoverage,
        anjian_domain::experts::Expert,
    )),
    modifiers(&BearerAuth, &CommonErrors, &DatePatterns),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Liveness: `{"status":"ok"}` when the database answers, 503 otherwise. Nothing more (no
/// counters, no backend): anyone can call it.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, description = "ok"), (status = 503, description = "database unavailable")))]
pub async fn health(State(state): State<AppState>) -> Response {
    match state.read(|tx| Ok(tx.log_id()?)).await {
        Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "error" })),
        )
            .into_response(),
    }
}

async fn render_metrics(state: &AppState) -> Response {
    let seq = state.read(|tx| Ok(tx.max_seq()?)).await.unwrap_or(-1);
    let mut body = state.metrics.render();
    body.push_str(&format!(
        "# HELP anjian_change_seq the change log's latest sequence number\n# TYPE anjian_change_seq gauge\nanjian_change_seq {seq}\n"
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// `/metrics` on the main address: only with the configured token (constant-time compare).
async fn metrics(
    State((state, token)): State<(AppState, Option<std::sync::Arc<str>>)>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(token) = token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    use sha2::Digest;
    let a = sha2::Sha256::digest(given.as_bytes());
    let b = sha2::Sha256::digest(token.as_bytes());
    if a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        != 0
    {
        return crate::error::ApiError::unauthorized().into_response();
    }
    render_metrics(&state).await
}

/// The router of a separate metrics address: `/metrics` without a token.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { render_metrics(&state).await }),
        )
        .layer(middleware::from_fn(security_headers::security_headers))
        .with_state(state)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn count_responses(State(state): State<AppState>, req: Request, next: Next) -> Response {
    Metrics::inc(&state.metrics.requests, 1);
    let resp = next.run(req).await;
    let status = resp.status();
    if status.is_client_error() {
        Metrics::inc(&state.metrics.responses_4xx, 1);
    } else if status.is_server_error() {
        Metrics::inc(&state.metrics.responses_5xx, 1);
    }
    resp
}

pub fn router(state: AppState, config: &Config) -> Router {
    let uploads = Router::new()
        .route("/v1/uploads", post(tus::create).options(tus::options))
        .route(
            "/v1/uploads/{id}",
            axum::routing::head(tus::head)
                .patch(tus::patch)
                .delete(tus::terminate),
        )
        .layer(middleware::from_fn(errors_doc::json_rejections))
        // Upload bodies are bounded by their declared length, not the general limit.
        .layer(DefaultBodyLimit::max(tus::MAX_SIZE as usize));
    let api = Router::new()
        .route("/healthz", get(health))
        .route(
            "/metrics",
            get(metrics).with_state((
                state.clone(),
                config
                    .metrics_token
                    .as_deref()
                    .map(std::sync::Arc::<str>::from),
            )),
        )
        .route("/openapi.json", get(openapi))
        .route("/v1/auth/login", post(session::login))
        .route("/v1/auth/logout", post(session::logout))
        .route("/v1/auth/logout-others", post(session::logout_others))
        .route("/v1/auth/password", post(session::change_password))
        .route("/v1/admin/accounts", get(accounts::list))
        .route(
            "/v1/admin/accounts/{username}/disable",
            post(accounts::disable),
        )
        .route(
            "/v1/admin/accounts/{username}/enable",
            post(accounts::enable),
        )
        .route(
            "/v1/admin/accounts/{username}/password",
            post(accounts::reset_password),
        )
        .route(
            "/v1/admin/accounts/{username}/revoke-sessions",
            post(accounts::revoke_sessions),
        )
        .route(
            "/v1/admin/accounts/{username}/identity",
            axum::routing::put(identity::link).delete(identity::unlink),
        )
        .route("/v1/auth/oidc/start", post(identity::start))
        .route("/v1/auth/oidc/finish", post(identity::finish))
        .route("/v1/admin/audit", get(accounts::audit_log))
        .route("/v1/me", get(session::me))
        .route("/v1/units", get(reads::units))
        .route("/v1/people", get(reads::people))
        .route("/v1/sites", get(reads::sites))
        .route("/v1/sites/{id}", get(reads::site))
        .route("/v1/sites/{id}/code", get(site_codes::site_code))
        .route("/v1/site-code/key", get(site_codes::key))
        .route("/v1/complaints", get(site_codes::complaints))
        .route(
            "/v1/complaints/{id}/assign",
            post(site_codes::assign_complaint),
        )
        .route(
            "/v1/complaints/{id}/bodies",
            get(site_codes::complaint_bodies),
        )
        .route(
            "/v1/campaigns",
            get(campaigns::list).post(campaigns::create),
        )
        .route(
            "/v1/sites/{id}/visit-warnings",
            get(visit_warnings::visit_warnings),
        )
        .route("/v1/campaigns/{id}/approve", post(campaigns::approve))
        .route("/v1/feedback", get(feedback::list))
        .route("/v1/feedback/{id}/reply", post(feedback::reply))
        .route(
            "/q/{site}/{sig}",
            get(crate::site_code::public_page).post(crate::site_code::complain),
        )
        .route("/v1/hazards", get(reads::hazards))
        .route("/v1/hazards/{id}", get(reads::hazard))
        .route("/v1/inspections", get(reads::inspections))
        .route(
            "/v1/inspections/{id}/documents",
            get(reads::inspection_documents),
        )
        .route("/v1/checklists", get(reads::checklists))
        .route("/v1/checklists/{industry}", get(reads::checklist))
        .route(
            "/v1/checklists/{industry}/diff",
            get(checklist_diff::checklist_diff),
        )
        .route("/v1/meetings", get(unit_records::meetings))
        .route("/v1/investments", get(unit_records::investments))
        .route("/v1/accountability", get(unit_records::accountability))
        .route(
            "/v1/accountability/suggestions",
            get(unit_records::accountability_suggestions),
        )
        .route("/v1/tasks", get(tasks::tasks))
        .route("/v1/mechanism", get(unit_records::mechanism))
        .route(
            "/v1/patrols",
            get(reads::patrols).post(reads::create_patrol),
        )
        .route("/v1/console/config", get(console::config))
        .route("/v1/console/ledger", get(console_reads::ledger))
        .route("/v1/console/ledger.xlsx", get(console_reads::ledger_xlsx))
        .route(
            "/v1/console/hazards/{id}/evidence",
            get(console_reads::hazard_evidence),
        )
        .route("/v1/console/overview", get(console_reads::overview))
        .route("/v1/admin/checklists", post(admin::publish_checklist))
        .route("/v1/admin/units", post(admin::create_unit))
        .route("/v1/admin/people", post(admin::create_person))
        .route("/v1/admin/sites", post(admin::create_site))
        .route("/v1/admin/sites/import", post(admin::import_sites))
        .route("/v1/duty", get(monthly::duty))
        .route("/v1/assessments/{month}", get(monthly::assessment))
        .route("/v1/assessments/annual/{year}", get(monthly::annual))
        .route("/v1/assessments/published", get(publish::publications))
        .route("/v1/assessments/{month}/publish", post(publish::publish))
        .route("/v1/assessments/{month}/published", get(publish::published))
        .route("/v1/assessments/{month}/reopen", post(publish::reopen))
        .route("/v1/month-end", get(monthly::month_end))
        .route("/v1/month-clear", get(monthly::month_clear))
        .route("/v1/rotation", get(monthly::rotation))
        .route(
            "/v1/duty-reports",
            get(duty_reports::list).post(monthly::create_duty_report),
        )
        .route("/v1/duty-reports/{id}/files", post(duty_reports::add_file))
        .route(
            "/v1/self-assessments",
            post(monthly::create_self_assessment),
        )
        .route("/v1/exports/{file}", get(monthly::export))
        .route("/v1/engagements", get(parties::list).post(parties::create))
        .route("/v1/engagements/coverage", get(parties::coverage))
        .route(
            "/v1/exports/engagement-coverage.xlsx",
            get(parties::coverage_xlsx),
        )
        .route(
            "/v1/experts",
            get(parties::experts).post(parties::create_expert),
        )
        .route(
            "/v1/experts/{id}",
            axum::routing::put(parties::update_expert),
        )
        .route("/v1/experts/{id}/retire", post(parties::retire_expert))
        .route("/v1/exports/experts.xlsx", get(parties::experts_xlsx))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/reminders", get(crate::reminders::api::mine))
        .route(
            "/v1/reminders/{id}/read",
            post(crate::reminders::api::mark_read),
        )
        .route(
            "/v1/reminders/deliveries",
            get(crate::reminders::api::deliveries),
        )
        .route(
            "/v1/reminders/channels",
            get(crate::reminders::api::channels),
        )
        .route(
            "/v1/reminders/channels/{unit}",
            axum::routing::put(crate::reminders::api::set_channel)
                .delete(crate::reminders::api::remove_channel),
        )
        .route("/v1/sync/pull", get(sync::pull))
        .route(
            "/v1/blobs/{sha256}",
            get(blobs::get_blob).head(blobs::head_blob),
        )
        // Inside the compression: the framework's refusals are rewritten before being encoded.
        .layer(middleware::from_fn(errors_doc::json_rejections))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        // Sync JSON compresses ~10x on the wire; evidence files are not recompressed.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .quality(CompressionLevel::Fastest)
                .compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/octet-stream")),
                ),
        )
        .layer(RequestDecompressionLayer::new().gzip(true))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ));
    // Every other path is the web console (its files, or its index for the app's routes).
    let console = Router::new().fallback(console::serve).layer(
        CompressionLayer::new()
            .gzip(true)
            .quality(CompressionLevel::Default),
    );
    Router::new()
        .merge(api)
        .merge(uploads)
        .merge(console)
        .layer(middleware::from_fn_with_state(
            config.conn_limits.clone(),
            listen::slow_bodies,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_responses,
        ))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(security_headers::security_headers))
        .with_state(state)
}
