//! Shared test and benchmark helpers; the tests themselves live in `tests/tests/`.

pub mod cluster;
pub mod county;
pub mod proxy;
