//! Pure domain logic of the county work-safety mechanism 五查四改月述考.
//!
//! No I/O here: the phone's core and the server link this crate so that both enforce exactly
//! the same rules. With the `ffi` feature (enabled by the phone core only) the enums the app
//! sees derive their uniffi form here, so no mirror of them is written elsewhere. Every refusal is a [`DomainError`] whose `Display` text is
//! the Chinese message a user sees.

#[cfg(feature = "ffi")]
uniffi::setup_scaffolding!("anjian_domain");

pub mod access;
pub mod accountability;
pub mod assessment;
pub mod campaign;
pub mod checklist;
pub mod complaint;
pub mod county;
pub mod document_signing;
pub mod duty;
pub mod enforcement;
pub mod engagement;
pub mod error;
pub mod evidence;
pub mod experts;
pub mod feedback;
pub mod hazard;
pub mod inspection;
pub mod ledger;
pub mod location;
pub mod mechanism;
pub mod month;
pub mod month_end;
pub mod org;
pub mod patrol;
pub mod policy;
pub mod proof;
pub mod received;
pub mod records;
pub mod referral;
pub mod reminders;
pub mod rotation;
pub mod schema_text;
pub mod self_assessment;
pub mod site;
pub mod site_code;
pub mod site_document;
pub mod sync;
pub mod task;
pub mod task_source;
pub mod team;
pub mod visits;

pub use error::{DomainError, ErrorKind};

/// Trims a user-entered text and refuses it when nothing is left.
pub fn required_text(value: &str, field: &'static str) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::MissingField(field));
    }
    Ok(trimmed.to_string())
}
