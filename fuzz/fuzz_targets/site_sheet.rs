//! A site sheet (.xlsx) as `POST /v1/admin/sites/import` receives it, against the demo
//! county's units.
#![no_main]

use std::sync::OnceLock;

use anjian_domain::org::Unit;
use libfuzzer_sys::fuzz_target;

fn units() -> &'static [Unit] {
    static UNITS: OnceLock<Vec<Unit>> = OnceLock::new();
    UNITS.get_or_init(|| anjian_domain::county::zhong_county().units())
}

fuzz_target!(|data: &[u8]| {
    let _ = anjian_server::import::parse_site_sheet(data, units());
});
