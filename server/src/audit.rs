//! The audit log: logins (success and failure), lockouts, account creation and changes, and
//! the office's administrative actions. Written in the same transaction as the change it
//! describes; read by 县安委办 through `GET /v1/admin/audit`.

use std::net::IpAddr;

use chrono::Utc;

use crate::error::ApiResult;
use crate::storage::{AuditEntry, Tx};

pub const LOGIN_OK: &str = "login_ok";
pub const LOGIN_FAILED: &str = "login_failed";
pub const LOCKOUT: &str = "lockout";
pub const LOGIN_DISABLED: &str = "login_disabled";
pub const ACCOUNT_CREATED: &str = "account_created";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const PASSWORD_RESET: &str = "password_reset";
pub const ACCOUNT_DISABLED: &str = "account_disabled";
pub const ACCOUNT_ENABLED: &str = "account_enabled";
pub const SESSIONS_REVOKED: &str = "sessions_revoked";
pub const UNIT_SAVED: &str = "unit_saved";
pub const SITE_SAVED: &str = "site_saved";
pub const SITES_IMPORTED: &str = "sites_imported";
pub const CHECKLIST_PUBLISHED: &str = "checklist_published";
pub const REPORT_FILE_ADDED: &str = "report_file_added";
pub const ASSESSMENT_PUBLISHED: &str = "assessment_published";
pub const ASSESSMENT_REOPENED: &str = "assessment_reopened";
pub const FEEDBACK_REPLIED: &str = "feedback_replied";
pub const IDENTITY_LINKED: &str = "identity_linked";
pub const IDENTITY_UNLINKED: &str = "identity_unlinked";
pub const COMPLAINT_ASSIGNED: &str = "complaint_assigned";

/// Appends one entry (inside the caller's transaction).
pub fn record(
    tx: &mut dyn Tx,
    actor: &str,
    action: &str,
    target: &str,
    client: Option<IpAddr>,
    detail: impl Into<String>,
) -> ApiResult<()> {
    tx.append_audit(&AuditEntry {
        id: 0,
        at: Utc::now(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        client: client.map(|c| c.to_string()).unwrap_or_default(),
        detail: detail.into(),
    })?;
    Ok(())
}
