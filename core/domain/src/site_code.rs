//! 扫码入企: the code on a site's gate. It carries the site's id signed by the county server
//! (Ed25519), so a phone verifies it offline with the server's public key, and a phone's
//! ordinary camera opens the site's public page (who inspected it, when, on what basis, with
//! what result; a complaint form).
//!
//! Text: `{base}/q/{site_id}/{signature}`: `base` is the server's public address, the
//! signature is over `anjian-site-code/v1/{site_id}`, base64url without padding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::DomainError;

/// Longest code text read (a scanned text beyond it is refused unread).
pub const MAX_CODE_TEXT: usize = 512;
/// Longest site id a code carries.
pub const MAX_SITE_ID: usize = 64;

fn message(site_id: &str) -> Vec<u8> {
    format!("anjian-site-code/v1/{site_id}").into_bytes()
}

fn invalid(reason: &str) -> DomainError {
    DomainError::InvalidValue {
        field: "场所码",
        reason: reason.to_string(),
    }
}

/// Whether a site id may be carried in a code (and a URL path): letters, digits, `-`, `_`.
pub fn valid_site_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_SITE_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The signature part for a site, made with the server's key.
pub fn sign(key: &SigningKey, site_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(&message(site_id)).to_bytes())
}

/// The full text of a site's code.
pub fn code_text(base: &str, key: &SigningKey, site_id: &str) -> String {
    format!(
        "{}/q/{site_id}/{}",
        base.trim_end_matches('/'),
        sign(key, site_id)
    )
}

/// Checks the signature part for a site id with the server's public key.
pub fn verify_parts(key: &VerifyingKey, site_id: &str, signature: &str) -> Result<(), DomainError> {
    if !valid_site_id(site_id) {
        return Err(invalid("不是本系统的场所码"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| invalid("签名格式错误"))?;
    let sig = Signature::from_slice(&bytes).map_err(|_| invalid("签名格式错误"))?;
    key.verify(&message(site_id), &sig)
        .map_err(|_| invalid("签名不符，不是本县发放的场所码"))
}

/// The site id a scanned text carries, once its signature checks out.
pub fn verify(key: &VerifyingKey, text: &str) -> Result<String, DomainError> {
    if text.len() > MAX_CODE_TEXT {
        return Err(invalid("内容过长"));
    }
    let mut parts = text.trim().trim_end_matches('/').rsplit('/');
    let (Some(sig), Some(site_id), Some("q")) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("不是本系统的场所码"));
    };
    verify_parts(key, site_id, sig)?;
    Ok(site_id.to_string())
}

/// A public key from its hex text (as the server publishes it).
pub fn public_key_from_hex(hex_text: &str) -> Result<VerifyingKey, DomainError> {
    let t = hex_text.trim();
    if t.len() != 64 {
        return Err(invalid("公钥长度错误"));
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| invalid("公钥格式错误"))?;
    }
    VerifyingKey::from_bytes(&bytes).map_err(|_| invalid("公钥无效"))
}

/// A public key as hex text.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    key.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_offline_and_a_forged_or_other_county_code_does_not() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = public_key_from_hex(&public_key_hex(&key.verifying_key())).unwrap();
        let text = code_text("https://aj.zhongxian.gov.cn/", &key, "site-07-03");
        assert!(text.starts_with("https://aj.zhongxian.gov.cn/q/site-07-03/"));
        assert_eq!(verify(&public, &text).unwrap(), "site-07-03");
        // Another site's id with this signature, another county's key, garbage: refused.
        let forged = text.replace("site-07-03", "site-07-04");
        assert!(verify(&public, &forged).is_err());
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let theirs = code_text("https://x", &other, "site-07-03");
        assert_eq!(
            verify(&public, &theirs).unwrap_err().to_string(),
            "场所码无效：签名不符，不是本县发放的场所码"
        );
        assert!(verify(&public, "hello").is_err());
        assert!(verify(&public, &"q/".repeat(400)).is_err());
        assert!(!valid_site_id("../etc"));
    }
}
