//! Sites (企业/场所): the things inspected.

use serde::{Deserialize, Serialize};

use crate::{checklist, required_text, DomainError};

/// A WGS-84 (CGCS2000-compatible) coordinate in degrees. GCJ-02 is never stored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: f64,
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub lon: f64,
}

impl GeoPoint {
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |reason: &str| DomainError::InvalidValue {
            field: "坐标",
            reason: reason.to_string(),
        };
        if !self.lat.is_finite() || !self.lon.is_finite() {
            return Err(bad("不是有效数字"));
        }
        if !(-90.0..=90.0).contains(&self.lat) || !(-180.0..=180.0).contains(&self.lon) {
            return Err(bad("纬度须在 -90 至 90 之间，经度须在 -180 至 180 之间"));
        }
        if self.lat == 0.0 && self.lon == 0.0 {
            return Err(bad("坐标为 0,0，定位无效"));
        }
        Ok(())
    }
}

/// Where a site is: a point, with an optional radius or boundary polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteLocation {
    pub point: GeoPoint,
    /// Radius in metres around the point that counts as "at the site".
    #[cfg_attr(
        feature = "openapi",
        schema(exclusive_minimum = 0.0, maximum = 50000.0)
    )]
    pub radius_m: Option<f64>,
    /// Boundary ring (WGS-84), first point not repeated at the end.
    #[cfg_attr(feature = "openapi", schema(min_items = 3))]
    pub polygon: Option<Vec<GeoPoint>>,
}

impl SiteLocation {
    /// A point with an optional radius, no boundary.
    pub fn circle(lat: f64, lon: f64, radius_m: Option<f64>) -> SiteLocation {
        SiteLocation {
            point: GeoPoint { lat, lon },
            radius_m,
            polygon: None,
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        self.point.validate()?;
        if let Some(r) = self.radius_m {
            if !r.is_finite() || r <= 0.0 || r > 50_000.0 {
                return Err(DomainError::InvalidValue {
                    field: "场所半径",
                    reason: "须为 0 至 50000 米之间的数".into(),
                });
            }
        }
        if let Some(ring) = &self.polygon {
            if ring.len() < 3 {
                return Err(DomainError::InvalidValue {
                    field: "场所范围",
                    reason: "多边形至少需要 3 个顶点".into(),
                });
            }
            for p in ring {
                p.validate()?;
            }
        }
        Ok(())
    }
}

/// An enterprise or place (企业/场所).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    /// Empty: the server assigns one.
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub name: String,
    /// Checklist industry code, e.g. `gas`, `hazchem` (see [`checklist::Industry`]).
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^(agriculture|civil_explosives|commerce|construction|culture_tourism|elderly_care|fire|forest_fire|gas|geohazard|hazchem|industrial|medical|non_coal_mine|power|road_transport|school|self_built_housing|special_equipment|water_conservancy|water_transport)$"
        )
    )]
    pub industry: String,
    pub location: SiteLocation,
    /// 属地: the township the site lies in.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub township_id: String,
    /// 属事: the department that supervises its sector.
    pub department_id: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    /// 7 to 15 digits (spaces and dashes allowed), or empty.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(\D*\d){7,15}\D*$|^$"))]
    pub contact_phone: Option<String>,
    /// 场所属性: what the site has that makes conditional checklist items apply (涉氨制冷,
    /// 粉尘涉爆 ...), as condition codes its industry's checklist declares (`[[conditions]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_items = 16, pattern = "^[a-z0-9_]{1,40}$")
    )]
    pub attributes: Vec<String>,
}

/// Corrections a field user makes to a site they look after (a township inspector finds a new
/// contact, a wrong address or position, an attribute the checklist asks about): each field
/// `None` is left as it is, so two people correcting different fields both keep theirs. An
/// empty text clears it. The site's name, industry and units (who sees and answers for it)
/// are the office's to change, never an edit's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SiteLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
}

/// Longest contact name or address an edit may set.
pub const MAX_SITE_TEXT: usize = 200;

impl SiteEdit {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &SiteEdit::default()
    }

    /// `site` with this edit applied and checked (the attributes against the industry's
    /// checklist separately, [`Site::check_attributes`]). Refused in Chinese when empty or
    /// invalid; `site` itself is not changed.
    pub fn applied_to(&self, site: &Site) -> Result<Site, DomainError> {
        if self.is_empty() {
            return Err(DomainError::InvalidValue {
                field: "场所信息",
                reason: "没有需要修改的内容".into(),
            });
        }
        let text = |field: &'static str, v: &Option<String>, old: &Option<String>| {
            let Some(v) = v else {
                return Ok(old.clone());
            };
            let v = v.trim();
            if v.chars().count() > MAX_SITE_TEXT {
                return Err(DomainError::InvalidValue {
                    field,
                    reason: format!("不能超过 {MAX_SITE_TEXT} 字"),
                });
            }
            Ok((!v.is_empty()).then(|| v.to_string()))
        };
        let mut out = site.clone();
        out.contact_name = text("联系人", &self.contact_name, &site.contact_name)?;
        out.contact_phone = text("联系电话", &self.contact_phone, &site.contact_phone)?;
        out.address = text("地址", &self.address, &site.address)?;
        if let Some(l) = &self.location {
            out.location = l.clone();
        }
        if let Some(a) = &self.attributes {
            out.attributes = a.clone();
        }
        out.validate()?;
        Ok(out)
    }
}

/// At most this many attributes on one site (bounded work on outside input).
pub const MAX_SITE_ATTRIBUTES: usize = 16;

impl Site {
    /// A site with what every site has; no department, address, contact or attributes yet.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        industry: impl Into<String>,
        location: SiteLocation,
        township_id: impl Into<String>,
    ) -> Site {
        Site {
            id: id.into(),
            name: name.into(),
            industry: industry.into(),
            location,
            township_id: township_id.into(),
            department_id: None,
            address: None,
            contact_name: None,
            contact_phone: None,
            attributes: Vec::new(),
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.id, "场所编号")?;
        required_text(&self.name, "场所名称")?;
        required_text(&self.township_id, "属地乡镇（街道）")?;
        checklist::Industry::from_code(&self.industry)?;
        self.location.validate()?;
        if let Some(phone) = &self.contact_phone {
            let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
            if !phone.is_empty() && !(7..=15).contains(&digits) {
                return Err(DomainError::InvalidValue {
                    field: "联系电话",
                    reason: format!("“{phone}”不是有效的电话号码"),
                });
            }
        }
        self.check_attribute_codes()
    }

    /// The attributes' shape: short lower-case codes, no repeats, a bounded number. Whether
    /// the industry's checklist declares them is [`Site::check_attributes`].
    fn check_attribute_codes(&self) -> Result<(), DomainError> {
        let bad = |reason: String| DomainError::InvalidValue {
            field: "场所属性",
            reason,
        };
        if self.attributes.len() > MAX_SITE_ATTRIBUTES {
            return Err(bad(format!("最多 {MAX_SITE_ATTRIBUTES} 项")));
        }
        for (n, a) in self.attributes.iter().enumerate() {
            let code_like = (1..=40).contains(&a.len())
                && a.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !code_like {
                let shown: String = a.chars().take(40).collect();
                return Err(bad(format!("“{shown}”不是场所属性代码")));
            }
            if self.attributes[..n].contains(a) {
                return Err(bad(format!("{a} 重复")));
            }
        }
        Ok(())
    }

    /// The site's attributes are conditions its industry's checklist (this version) declares.
    pub fn check_attributes(&self, list: &checklist::Checklist) -> Result<(), DomainError> {
        if list.industry.code() != self.industry {
            return Err(DomainError::InvalidValue {
                field: "场所属性",
                reason: format!("{} 的检查表不适用于本场所的行业", list.name),
            });
        }
        list.check_attributes(&self.attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::{compiled_for, Industry};

    fn site(industry: Industry, attributes: &[&str]) -> Site {
        let location = SiteLocation::circle(30.42, 108.18, Some(100.0));
        Site {
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
            ..Site::new(
                "s-1",
                "忠县石宝镇冷藏食品厂",
                industry.code(),
                location,
                "500233107",
            )
        }
    }

    #[test]
    fn an_edit_changes_only_the_fields_it_names_and_is_checked() {
        let mut s = site(Industry::Industrial, &[]);
        s.contact_name = Some("王强".into());
        s.address = Some("石宝镇老街 3 号".into());
        let edit = SiteEdit {
            contact_phone: Some("023-5468 1234".into()),
            address: Some("  ".into()),
            attributes: Some(vec!["liquid_ammonia".into()]),
            ..SiteEdit::default()
        };
        let out = edit.applied_to(&s).unwrap();
        assert_eq!(out.contact_name.as_deref(), Some("王强"));
        assert_eq!(out.contact_phone.as_deref(), Some("023-5468 1234"));
        assert_eq!(out.address, None, "an empty text clears the field");
        assert_eq!(out.attributes, vec!["liquid_ammonia".to_string()]);
        assert_eq!(
            (out.id.as_str(), out.name.as_str()),
            (s.id.as_str(), s.name.as_str())
        );
        let e = SiteEdit::default().applied_to(&s).unwrap_err().to_string();
        assert!(e.contains("没有需要修改的内容"), "{e}");
        let bad_phone = SiteEdit {
            contact_phone: Some("12".into()),
            ..SiteEdit::default()
        };
        assert!(bad_phone
            .applied_to(&s)
            .unwrap_err()
            .to_string()
            .contains("联系电话"));
        let mut far = s.location.clone();
        far.point.lat = 95.0;
        let bad_place = SiteEdit {
            location: Some(far),
            ..SiteEdit::default()
        };
        assert!(bad_place
            .applied_to(&s)
            .unwrap_err()
            .to_string()
            .contains("纬度"));
    }

    #[test]
    fn attributes_are_codes_the_industry_declares() {
        let cold = site(Industry::Industrial, &["liquid_ammonia", "confined_space"]);
        cold.validate().unwrap();
        cold.check_attributes(compiled_for(Industry::Industrial))
            .unwrap();
        // A site without attributes is valid and stored without the field.
        let plain = site(Industry::Industrial, &[]);
        plain.validate().unwrap();
        assert!(!serde_json::to_string(&plain)
            .unwrap()
            .contains("attributes"));
        let back: Site = serde_json::from_str(&serde_json::to_string(&cold).unwrap()).unwrap();
        assert_eq!(back.attributes, cold.attributes);

        let undeclared = site(Industry::Industrial, &["elevator"]);
        undeclared.validate().unwrap();
        let err = undeclared
            .check_attributes(compiled_for(Industry::Industrial))
            .unwrap_err()
            .to_string();
        assert!(err.contains("elevator"), "{err}");
        let other = cold
            .check_attributes(compiled_for(Industry::Gas))
            .unwrap_err();
        assert!(other.to_string().contains("行业"));

        let repeated = site(Industry::Industrial, &["liquid_ammonia", "liquid_ammonia"]);
        assert!(repeated
            .validate()
            .unwrap_err()
            .to_string()
            .contains("重复"));
        let label = site(Industry::Industrial, &["使用液氨制冷"]);
        assert!(label
            .validate()
            .unwrap_err()
            .to_string()
            .contains("不是场所属性代码"));
        let many: Vec<String> = (0..17).map(|n| format!("a{n}")).collect();
        let mut crowded = site(Industry::Industrial, &[]);
        crowded.attributes = many;
        assert!(crowded.validate().unwrap_err().to_string().contains("最多"));
    }
}
