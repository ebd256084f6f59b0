//! A photo as a phone or `anjian photo inspect` reads it: sniffing, the JPEG's structure
//! (size, completeness), EXIF and the XMP fallback. Never a panic; bounded work.
#![no_main]

use anjian_evidence::photo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = photo::declared_size(data);
    let _ = photo::is_complete(data);
    let _ = anjian_evidence::meta::read_with_xmp(data);
    let _ = photo::inspect_bytes(data);
});
