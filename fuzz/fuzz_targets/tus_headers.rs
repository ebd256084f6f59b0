//! tus request headers: `Upload-Metadata` (key base64value pairs) and the numbers and
//! checksums the server reads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = anjian_server::tus::parse_metadata(text);
        let _ = anjian_server::tus::parse_checksum_value(text);
    }
});
