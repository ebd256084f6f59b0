//! Where evidence was taken, against where the site is: WGS-84 distances (geo), the site's
//! radius or boundary plus the reported accuracy, and GCJ-02 conversion for drawing on
//! Amap/Tencent maps (never stored).

use geo::{Contains, Distance, Haversine, Point, Polygon};
use serde::{Deserialize, Serialize};

use crate::site::{GeoPoint, SiteLocation};

/// Radius used when a site has neither radius nor boundary.
pub const DEFAULT_SITE_RADIUS_M: f64 = 200.0;
/// Accuracy counted at most this much in a photo's favour (a 5 km "accuracy" proves nothing).
pub const MAX_ACCURACY_CREDIT_M: f64 = 500.0;

/// The verdict on a photo's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LocationCheck {
    /// Within the site's radius/boundary (plus accuracy).
    AtSite { distance_m: f64 },
    /// 位置异常: too far from the site.
    OutsideSite { distance_m: f64, allowed_m: f64 },
    /// 位置异常: coordinates 0,0 (a phone that had no fix).
    NullIsland,
    /// 无定位: no GPS in the photo.
    NoFix,
}

impl LocationCheck {
    pub fn label(&self) -> String {
        match self {
            LocationCheck::AtSite { distance_m } => {
                format!("位置正常（距场所 {distance_m:.0} 米）")
            }
            LocationCheck::OutsideSite {
                distance_m,
                allowed_m,
            } => {
                format!("位置异常：距场所 {distance_m:.0} 米，超出允许范围 {allowed_m:.0} 米")
            }
            LocationCheck::NullIsland => "位置异常：坐标为 0,0".into(),
            LocationCheck::NoFix => "无定位".into(),
        }
    }

    pub fn is_anomaly(&self) -> bool {
        !matches!(self, LocationCheck::AtSite { .. })
    }
}

fn point(p: GeoPoint) -> Point<f64> {
    Point::new(p.lon, p.lat)
}

/// Great-circle distance in metres.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    Haversine.distance(point(a), point(b))
}

/// Checks a photo position (with its reported horizontal accuracy) against a site.
pub fn check(
    photo: Option<GeoPoint>,
    accuracy_m: Option<f64>,
    site: &SiteLocation,
) -> LocationCheck {
    let Some(p) = photo else {
        return LocationCheck::NoFix;
    };
    if !p.lat.is_finite() || !p.lon.is_finite() {
        return LocationCheck::NoFix;
    }
    if p.lat.abs() < 1e-6 && p.lon.abs() < 1e-6 {
        return LocationCheck::NullIsland;
    }
    let distance = distance_m(p, site.point);
    if let Some(ring) = site.polygon.as_ref().filter(|r| r.len() >= 3) {
        let poly = Polygon::new(
            ring.iter()
                .map(|g| (g.lon, g.lat))
                .collect::<Vec<_>>()
                .into(),
            vec![],
        );
        if poly.contains(&point(p)) {
            return LocationCheck::AtSite {
                distance_m: distance,
            };
        }
    }
    let credit = accuracy_m
        .filter(|a| a.is_finite() && *a > 0.0)
        .unwrap_or(0.0)
        .min(MAX_ACCURACY_CREDIT_M);
    let allowed = site.radius_m.unwrap_or(DEFAULT_SITE_RADIUS_M) + credit;
    if distance <= allowed {
        LocationCheck::AtSite {
            distance_m: distance,
        }
    } else {
        LocationCheck::OutsideSite {
            distance_m: distance,
            allowed_m: allowed,
        }
    }
}

/// GCJ-02 ("火星坐标") conversion, only for drawing on Amap/Tencent layers. Outside China the
/// offset is not applied.
pub mod gcj02 {
    use crate::site::GeoPoint;

    const A: f64 = 6_378_245.0;
    const EE: f64 = 0.006_693_421_622_965_943;

    pub fn outside_china(p: GeoPoint) -> bool {
        !(73.66..=135.05).contains(&p.lon) || !(3.86..=53.55).contains(&p.lat)
    }

    fn transform_lat(x: f64, y: f64) -> f64 {
        use std::f64::consts::PI;
        let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
        ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
        ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
        ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
        ret
    }

    fn transform_lon(x: f64, y: f64) -> f64 {
        use std::f64::consts::PI;
        let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
        ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
        ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
        ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
        ret
    }

    /// WGS-84 → GCJ-02 (closed form).
    pub fn from_wgs84(p: GeoPoint) -> GeoPoint {
        use std::f64::consts::PI;
        if outside_china(p) {
            return p;
        }
        let mut d_lat = transform_lat(p.lon - 105.0, p.lat - 35.0);
        let mut d_lon = transform_lon(p.lon - 105.0, p.lat - 35.0);
        let rad_lat = p.lat / 180.0 * PI;
        let mut magic = rad_lat.sin();
        magic = 1.0 - EE * magic * magic;
        let sqrt_magic = magic.sqrt();
        d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
        d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
        GeoPoint {
            lat: p.lat + d_lat,
            lon: p.lon + d_lon,
        }
    }

    /// GCJ-02 → WGS-84 by fixed-point iteration (converges to ~1e-9° in a few steps).
    pub fn to_wgs84(g: GeoPoint) -> GeoPoint {
        if outside_china(g) {
            return g;
        }
        let mut w = g;
        for _ in 0..10 {
            let f = from_wgs84(w);
            let (dl, dn) = (f.lat - g.lat, f.lon - g.lon);
            w = GeoPoint {
                lat: w.lat - dl,
                lon: w.lon - dn,
            };
            if dl.abs() < 1e-10 && dn.abs() < 1e-10 {
                break;
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(radius: Option<f64>) -> SiteLocation {
        SiteLocation::circle(30.2950, 108.0337, radius)
    }

    #[test]
    fn distance_radius_and_accuracy() {
        let near = GeoPoint {
            lat: 30.2955,
            lon: 108.0337,
        }; // ~56 m north
        assert!(matches!(
            check(Some(near), None, &site(Some(100.0))),
            LocationCheck::AtSite { .. }
        ));
        let far = GeoPoint {
            lat: 30.3000,
            lon: 108.0337,
        }; // ~556 m
        let c = check(Some(far), None, &site(Some(100.0)));
        match c {
            LocationCheck::OutsideSite {
                distance_m,
                allowed_m,
            } => {
                assert!((distance_m - 556.0).abs() < 5.0, "{distance_m}");
                assert_eq!(allowed_m, 100.0);
            }
            other => panic!("{other:?}"),
        }
        assert!(c.label().starts_with("位置异常"));
        // A reported accuracy of 500 m brings it inside; 5 km counts only as 500 m.
        assert!(!check(Some(far), Some(500.0), &site(Some(100.0))).is_anomaly());
        let very_far = GeoPoint {
            lat: 30.35,
            lon: 108.0337,
        };
        assert!(check(Some(very_far), Some(5000.0), &site(Some(100.0))).is_anomaly());
        assert_eq!(check(None, None, &site(None)), LocationCheck::NoFix);
        assert_eq!(
            check(Some(GeoPoint { lat: 0.0, lon: 0.0 }), None, &site(None)),
            LocationCheck::NullIsland
        );
    }

    #[test]
    fn inside_the_boundary_polygon_counts_as_at_site() {
        let mut s = site(Some(10.0));
        s.polygon = Some(vec![
            GeoPoint {
                lat: 30.290,
                lon: 108.030,
            },
            GeoPoint {
                lat: 30.290,
                lon: 108.040,
            },
            GeoPoint {
                lat: 30.300,
                lon: 108.040,
            },
            GeoPoint {
                lat: 30.300,
                lon: 108.030,
            },
        ]);
        let inside = GeoPoint {
            lat: 30.2990,
            lon: 108.0390,
        };
        assert!(!check(Some(inside), None, &s).is_anomaly());
    }

    /// Published pairs: the GeoNames places inside the county with their GCJ-02 values
    /// (../shared/testdata/geo, read in place).
    #[test]
    fn gcj02_matches_reference_points_both_ways() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/geo/geonames_places_inside_zhongxian.csv"
        );
        let text = std::fs::read_to_string(path).expect("../shared/testdata beside the project");
        let mut n = 0;
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            let f = |i: usize| c[i].parse::<f64>().unwrap();
            let wgs = GeoPoint {
                lat: f(3),
                lon: f(4),
            };
            let gcj = GeoPoint {
                lat: f(5),
                lon: f(6),
            };
            let got = gcj02::from_wgs84(wgs);
            assert!(
                distance_m(got, gcj) < 1.0,
                "{} off by {} m",
                c[0],
                distance_m(got, gcj)
            );
            let back = gcj02::to_wgs84(gcj);
            assert!(distance_m(back, wgs) < 1.0);
            // The offset here is a few hundred metres, as the notes say.
            let offset = distance_m(wgs, gcj);
            assert!((200.0..800.0).contains(&offset), "{offset}");
            n += 1;
        }
        assert_eq!(n, 3);
        // Outside China nothing moves.
        let london = GeoPoint {
            lat: 51.5,
            lon: -0.12,
        };
        assert_eq!(gcj02::from_wgs84(london), london);
    }
}
