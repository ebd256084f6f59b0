//! 修改场所信息: a field user corrects a site's contact, address, position or attributes.

use super::*;
use anjian_domain::site::SiteEdit;

/// What to change: each field left empty (null) stays as it is; an empty text clears it.
/// The position is given together (both or neither).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SiteEditInput {
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// 场所属性 codes of the industry's checklist (`ChecklistRecord.conditions`).
    pub attributes: Option<Vec<String>>,
}

#[uniffi::export]
impl AnjianStore {
    /// Whether I may correct this site (the app shows 修改 only then).
    pub fn can_edit_site(&self, site_id: String) -> FfiResult<bool> {
        Ok(self.inner.may_edit_site(&site_id)?)
    }

    /// Corrects the site here at once and sends the change with the next sync; refused in
    /// Chinese when I may not edit it or a value is invalid (then nothing changes).
    pub fn edit_site(&self, site_id: String, input: SiteEditInput) -> FfiResult<SiteRecord> {
        let location = match (input.lat, input.lon) {
            (None, None) => None,
            (Some(lat), Some(lon)) => {
                let mut l = self.inner.site(&site_id)?.location;
                l.point = GeoPoint { lat, lon };
                Some(l)
            }
            _ => {
                return Err(StoreError::from(anjian_domain::DomainError::InvalidValue {
                    field: "坐标",
                    reason: "经度和纬度须同时填写".into(),
                })
                .into())
            }
        };
        let edit = SiteEdit {
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            address: input.address,
            location,
            attributes: input.attributes,
        };
        Ok(self.inner.edit_site(&site_id, edit)?.into())
    }
}
