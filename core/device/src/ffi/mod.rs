//! The uniffi facade: a thin shell over [`Store`] with FFI-friendly records. Every method
//! maps internal errors to [`AnjianError`] in one place (`From<StoreError>`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use anjian_domain::checklist;
use anjian_domain::evidence::{EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{
    FiveImplementations, Funding, Hazard, HazardAction, HazardDraft, HazardEvent, HazardLevel,
    HazardSource, HazardStatus,
};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome};
use anjian_domain::org::{Actor, Role};
use anjian_domain::site::{GeoPoint, Site, SiteLocation};
use chrono::NaiveDate;

use crate::error::{AnjianError, StoreError};
use crate::store::{self, LedgerFilter, Store};

use anjian_domain::duty::QuotaState;
use anjian_domain::month::YearMonth;

pub(crate) type FfiResult<T> = std::result::Result<T, AnjianError>;

mod campaigns;
mod documents;
mod duty;
mod evidence;
mod feedback;
mod hazards;
mod identity;
mod records;
mod reminders;
mod screens;
mod self_assessment;
mod site_edit;
mod sites;
mod sync;
mod tasks;

pub use campaigns::*;
pub use documents::*;
pub use duty::*;
pub use evidence::*;
pub use feedback::*;
pub use hazards::*;
pub use identity::*;
pub use records::*;
pub use reminders::*;
pub use screens::*;
pub use self_assessment::*;
pub use site_edit::*;
pub use sites::*;
pub use sync::*;

/// A role's name as the notice says it (工作专班成员, 主要负责人 ...).
#[uniffi::export]
pub fn role_label(role: Role) -> String {
    role.label().to_string()
}

/// The signed-in person.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Profile {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub roles: Vec<Role>,
}

impl From<anjian_domain::org::Person> for Profile {
    fn from(person: anjian_domain::org::Person) -> Self {
        Profile {
            person_id: person.id,
            name: person.name,
            unit_id: person.unit_id,
            roles: person.roles,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OpenReport {
    /// Set when an unreadable database was moved aside to this path and a new one created.
    pub recovered_from: Option<String>,
    pub schema_version: i64,
}

pub(crate) fn parse_date(text: &str, field: &'static str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| StoreError::Invalid {
        field,
        reason: format!("“{text}”不是 年-月-日 格式的日期"),
    })
}

/// The phone's offline store: open once, share the object.
#[derive(uniffi::Object)]
pub struct AnjianStore {
    inner: Arc<Store>,
}

impl AnjianStore {
    /// The inner store, for Rust callers (the CLI, tests).
    pub fn inner(&self) -> &Store {
        &self.inner
    }
}

#[uniffi::export]
impl AnjianStore {
    /// Opens or creates the store at `path` (a file in the app's private storage).
    #[uniffi::constructor]
    pub fn open(path: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(AnjianStore {
            inner: Arc::new(Store::open(&PathBuf::from(path))?),
        }))
    }

    pub fn open_report(&self) -> OpenReport {
        let r = self.inner.report();
        OpenReport {
            recovered_from: r.recovered_from.as_ref().map(|p| p.display().to_string()),
            schema_version: r.schema_version,
        }
    }

    /// Cancels a running query (a long ledger read, for example).
    pub fn interrupt(&self) {
        self.inner.interrupt();
    }

    pub fn device_id(&self) -> FfiResult<String> {
        Ok(self.inner.device_id()?)
    }

    pub fn set_profile(&self, profile: Profile) -> FfiResult<()> {
        Ok(self.inner.set_profile(&Actor {
            person_id: profile.person_id,
            name: profile.name,
            unit_id: profile.unit_id,
            roles: profile.roles,
        })?)
    }

    pub fn profile(&self) -> FfiResult<Option<Profile>> {
        Ok(self.inner.profile()?.map(|a| Profile {
            person_id: a.person_id,
            name: a.name,
            unit_id: a.unit_id,
            roles: a.roles,
        }))
    }
}
