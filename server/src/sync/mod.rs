//! Push and pull. Each pushed operation is applied in its own transaction together with its
//! idempotency key, so a retried batch returns the stored results and applies nothing twice.

mod accountability;
mod apply;
mod feedback;
mod inspections;
mod pull;
pub mod tasks;

pub use apply::{apply_op, missing_after_files, ApplyError};
pub use pull::{pull, PulledPage};
