//! Shared test and benchmark helpers; the tests themselves live in `tests/tests/`.

pub mod county;
pub mod cluster;
pub mod proxy;
