//! Evidence: photos and documents that prove what was seen and what was fixed.
//!
//! The SHA-256 of the original bytes is a piece of evidence's identity; the original is kept
//! untouched. Photos get an upload copy (long side 2048, orientation applied, watermarked)
//! and a thumbnail (long side 320). Missing or junk EXIF never loses a photo: it is kept and
//! flagged. Files that are not what they claim, or too large to decode safely, are refused
//! with a clear Chinese message before anything is written.

pub mod document;
pub mod error;
pub mod meta;
pub mod phash;
pub mod photo;
pub mod sniff;
pub mod timecheck;
pub mod watermark;

pub use error::EvidenceError;

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a whole evidence file, refusing empty and oversized ones.
pub fn read_limited(path: &std::path::Path, max_bytes: u64) -> Result<Vec<u8>, EvidenceError> {
    let meta = std::fs::metadata(path).map_err(EvidenceError::io)?;
    if meta.len() == 0 {
        return Err(EvidenceError::Empty);
    }
    if meta.len() > max_bytes {
        return Err(EvidenceError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    std::fs::read(path).map_err(EvidenceError::io)
}

/// Writes a file atomically (temp file in the same folder, fsync, rename), so a crash never
/// leaves a half-written derived file under its final name.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), EvidenceError> {
    use std::io::Write;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let mut f = std::fs::File::create(&tmp).map_err(EvidenceError::io)?;
    f.write_all(bytes).map_err(EvidenceError::io)?;
    f.sync_all().map_err(EvidenceError::io)?;
    std::fs::rename(&tmp, path).map_err(EvidenceError::io)
}
