//! The organisation tree of Zhong County (忠县): county government, 县安委办, 县政府督查办,
//! the 28 township-level units and the industry departments, from a data file.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::checklist::Industry;
use crate::enforcement::{EnforcementBasis, EnforcementBody};
use crate::org::{Unit, UnitKind};
use crate::site::GeoPoint;

#[derive(Debug, Clone, Deserialize)]
pub struct TownshipEntry {
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

impl TownshipEntry {
    /// Approximate centre, for placing demo sites.
    pub fn centre(&self) -> GeoPoint {
        GeoPoint {
            lat: self.lat,
            lon: self.lon,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentEntry {
    pub code: String,
    pub name: String,
    pub industries: Vec<Industry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct County {
    pub county_code: String,
    pub county_name: String,
    pub townships: Vec<TownshipEntry>,
    pub departments: Vec<DepartmentEntry>,
    /// Industries no department of this county supervises yet (sites keep their township).
    #[serde(default)]
    pub unsupervised_industries: Vec<Industry>,
}

/// Stable unit ids of the county-level bodies.
pub const COUNTY_GOVERNMENT_ID: &str = "county";
pub const SAFETY_OFFICE_ID: &str = "county-safety-office";
pub const SUPERVISION_OFFICE_ID: &str = "county-supervision-office";

impl County {
    pub fn department_id(code: &str) -> String {
        format!("dept-{code}")
    }

    /// The department supervising an industry (属事), if any.
    pub fn supervisor_of(&self, industry: Industry) -> Option<&DepartmentEntry> {
        self.departments
            .iter()
            .find(|d| d.industries.contains(&industry))
    }

    /// Every unit of the tree; townships use their division code as id.
    pub fn units(&self) -> Vec<Unit> {
        let county = |id: &str, name: String, kind: UnitKind, parent: Option<&str>| Unit {
            id: id.to_string(),
            name,
            kind,
            parent_id: parent.map(str::to_string),
            code: None,
            enforcement: None,
        };
        let mut units = vec![
            Unit {
                code: Some(self.county_code.clone()),
                ..county(
                    COUNTY_GOVERNMENT_ID,
                    format!("{}人民政府", self.county_name),
                    UnitKind::CountyGovernment,
                    None,
                )
            },
            county(
                SAFETY_OFFICE_ID,
                format!("{}安全生产委员会办公室", self.county_name),
                UnitKind::SafetyCommitteeOffice,
                Some(COUNTY_GOVERNMENT_ID),
            ),
            county(
                SUPERVISION_OFFICE_ID,
                format!("{}人民政府督查办公室", self.county_name),
                UnitKind::SupervisionOffice,
                Some(COUNTY_GOVERNMENT_ID),
            ),
        ];
        units.extend(self.townships.iter().map(|t| Unit {
            id: t.code.clone(),
            name: t.name.clone(),
            kind: UnitKind::Township,
            parent_id: Some(COUNTY_GOVERNMENT_ID.into()),
            code: Some(t.code.clone()),
            enforcement: None,
        }));
        units.extend(self.departments.iter().map(|d| Unit {
            id: Self::department_id(&d.code),
            name: d.name.clone(),
            kind: UnitKind::Department,
            parent_id: Some(COUNTY_GOVERNMENT_ID.into()),
            code: Some(d.code.clone()),
            // Every industry department of the county is a statutory enforcement body for
            // the industries it supervises, in its own name.
            enforcement: (!d.industries.is_empty()).then(|| EnforcementBody {
                name_of_record: format!("{}{}", self.county_name, d.name.trim_start_matches('县')),
                basis: EnforcementBasis::Statutory,
                industries: d.industries.iter().map(|i| i.code().to_string()).collect(),
            }),
        }));
        units
    }
}

/// Zhong County, parsed once from the compiled-in data file.
pub fn zhong_county() -> &'static County {
    static COUNTY: OnceLock<County> = OnceLock::new();
    COUNTY.get_or_init(|| {
        toml::from_str(include_str!("../data/zhongxian.toml")).expect("county data is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_eight_townships_inside_the_county_box() {
        let c = zhong_county();
        assert_eq!(c.townships.len(), 28);
        for t in &c.townships {
            assert!(
                (29.95..30.65).contains(&t.lat) && (107.5..108.4).contains(&t.lon),
                "{}",
                t.name
            );
        }
        let units = c.units();
        assert_eq!(
            units
                .iter()
                .filter(|u| u.kind == UnitKind::Township)
                .count(),
            28
        );
        assert!(units
            .iter()
            .any(|u| u.kind == UnitKind::SafetyCommitteeOffice));
        assert!(c.departments.len() >= 15);
        for industry in Industry::ALL {
            assert!(
                c.supervisor_of(industry).is_some()
                    != c.unsupervised_industries.contains(&industry),
                "{industry:?}: a department, or listed as unsupervised"
            );
        }
        for d in &c.departments {
            assert!(!d.industries.is_empty(), "{} inspects nothing", d.name);
        }
    }

    /// The townships match the statistical list in ../shared (read in place).
    #[test]
    fn townships_match_the_shared_division_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/geo/xiangyuecn-AreaCity/ok_data_level4_zhongxian_500233.csv"
        );
        let text = std::fs::read_to_string(path).expect("../shared/testdata is beside the project");
        let mut expected: Vec<(String, String)> = text
            .lines()
            .skip(1)
            .filter_map(|line| {
                let cols: Vec<&str> = line.split(',').map(|c| c.trim_matches('"')).collect();
                (cols.get(2) == Some(&"3")).then(|| (cols[0].to_string(), cols[7].to_string()))
            })
            .collect();
        expected.sort();
        let mut ours: Vec<(String, String)> = zhong_county()
            .townships
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect();
        ours.sort();
        assert_eq!(ours, expected);
    }
}
