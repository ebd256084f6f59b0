//! Test fixtures shared by the unit tests of several modules.

use std::path::Path;
use std::sync::Arc;

use anjian_domain::enforcement::{EnforcementBasis, EnforcementBody};
use anjian_domain::org::{Role, Unit, UnitKind};

use crate::ffi::{AnjianStore, Profile};

/// A phone in `dir` signed in as 陈刚 of 石宝镇 with these roles.
pub(crate) fn phone(dir: &Path, roles: &[Role]) -> Arc<AnjianStore> {
    let s = AnjianStore::open(dir.join("a.db").display().to_string()).unwrap();
    s.set_profile(Profile {
        person_id: "p1".into(),
        name: "陈刚".into(),
        unit_id: "500233107".into(),
        roles: roles.to_vec(),
    })
    .unwrap();
    s
}

/// A county department; an enforcement body (named 忠…) over `industries` when there are any.
pub(crate) fn department(id: &str, name: &str, industries: &[&str]) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind: UnitKind::Department,
        parent_id: None,
        code: None,
        enforcement: (!industries.is_empty()).then(|| EnforcementBody {
            name_of_record: format!("忠{name}"),
            basis: EnforcementBasis::Statutory,
            industries: industries.iter().map(|i| i.to_string()).collect(),
        }),
    }
}
