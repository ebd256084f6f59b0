//! The phone's core library (`anjian_core`): offline store, outbox, and the uniffi facade
//! that Kotlin and Swift call.

uniffi::setup_scaffolding!("anjian");

mod campaigns;
mod complaints;
pub mod duty_status;
pub mod error;
pub mod evidence_fetch;
pub mod evidence_store;
mod feedback;
pub mod ffi;
#[cfg(test)]
mod fixtures;
mod identity_login;
mod inspections;
mod reminders;
mod rows;
pub mod schema;
mod self_assessment;
pub mod site_documents;
mod site_edit;
mod site_scan;
mod standing;
pub mod store;
pub mod sync_engine;
mod tasks;
mod unit_records;

pub use error::{AnjianError, StoreError};
pub use store::Store;
