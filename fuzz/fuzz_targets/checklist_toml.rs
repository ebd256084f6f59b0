//! A checklist version as 县安委办 uploads it (`POST /v1/admin/checklists`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > anjian_server::api::admin::MAX_CHECKLIST_BYTES {
        return;
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = anjian_domain::checklist::parse(text);
    }
});
