//! 扫码入企 on the phone: a site's code is verified offline with the county's public key
//! (kept at login), and an inspection starts from the scanned text.

use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::site::Site;
use anjian_domain::site_code;

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::sync_engine::SITE_CODE_KEY;

impl Store {
    /// The site a scanned code names, once its signature checks out against the county's key.
    pub fn site_from_code(&self, scanned: &str) -> Result<Site> {
        let key = self
            .get_setting(SITE_CODE_KEY)?
            .ok_or(StoreError::Invalid {
                field: "场所码",
                reason: "本机尚未取得本县场所码公钥，请联网登录一次".into(),
            })?;
        let key = site_code::public_key_from_hex(&key)?;
        let site_id = site_code::verify(&key, scanned)?;
        self.site(&site_id).map_err(|_| StoreError::Invalid {
            field: "场所码",
            reason: "本机还没有该场所，请先同步".into(),
        })
    }

    /// Starts an inspection of the site whose code was scanned (the policy as for any start).
    pub fn start_inspection_from_code(
        &self,
        scanned: &str,
        kind: InspectionKind,
        participants: Vec<String>,
    ) -> Result<Inspection> {
        let site = self.site_from_code(scanned)?;
        self.start_inspection(kind, &site.id, participants)
    }

    /// Keeps the county's public key for site codes (hex), as the server publishes it.
    pub fn set_site_code_key(&self, hex: &str) -> Result<()> {
        site_code::public_key_from_hex(hex)?;
        self.put_setting(SITE_CODE_KEY, hex.trim())
    }
}
