//! EXIF as real phones write it: GPS position, altitude and horizontal accuracy, GPS time,
//! DateTimeOriginal with its offset, make, model, orientation. Junk is tolerated: a field
//! that does not parse is left out and the photo is flagged, never lost.

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use exif::{Exif, Field, In, Tag, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    pub altitude_m: Option<f64>,
    /// GPSHPositioningError, where the phone wrote it.
    pub accuracy_m: Option<f64>,
    /// GPSDateStamp + GPSTimeStamp (UTC by definition).
    pub time: Option<DateTime<Utc>>,
}

/// What the EXIF says; every field optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoMeta {
    pub make: Option<String>,
    pub model: Option<String>,
    /// 1–8 as written; `None` when absent or invalid.
    pub orientation: Option<u16>,
    /// DateTimeOriginal as the camera's local wall-clock time.
    pub taken_local: Option<NaiveDateTime>,
    /// OffsetTimeOriginal, when written.
    pub taken_offset: Option<FixedOffset>,
    pub gps: Option<GpsFix>,
    /// Flags found while reading (codes; see [`crate::photo::flag_message`]).
    pub flags: Vec<String>,
}

impl PhotoMeta {
    /// The capture instant, when the offset is known.
    pub fn taken_at(&self) -> Option<DateTime<FixedOffset>> {
        let local = self.taken_local?;
        self.taken_offset?.from_local_datetime(&local).single()
    }
}

fn ascii(field: &Field) -> Option<String> {
    match &field.value {
        Value::Ascii(parts) => {
            let joined: Vec<u8> = parts.iter().flatten().copied().collect();
            let s = String::from_utf8_lossy(&joined)
                .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_string();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

fn ascii_bytes(field: &Field) -> Option<Vec<u8>> {
    match &field.value {
        Value::Ascii(parts) => parts.first().cloned(),
        _ => None,
    }
}

fn rationals(field: &Field) -> Option<Vec<f64>> {
    let ratio = |num: f64, denom: f64| if denom == 0.0 { f64::NAN } else { num / denom };
    match &field.value {
        Value::Rational(v) => Some(
            v.iter()
                .map(|r| ratio(r.num.into(), r.denom.into()))
                .collect(),
        ),
        Value::SRational(v) => Some(
            v.iter()
                .map(|r| ratio(r.num.into(), r.denom.into()))
                .collect(),
        ),
        _ => None,
    }
}

fn get<'a>(exif: &'a Exif, tag: Tag) -> Option<&'a Field> {
    exif.get_field(tag, In::PRIMARY)
}

fn dms(exif: &Exif, tag: Tag, ref_tag: Tag, negative: u8) -> Option<Result<f64, ()>> {
    let v = rationals(get(exif, tag)?)?;
    if v.is_empty() {
        return None;
    }
    let deg =
        v[0] + v.get(1).copied().unwrap_or(0.0) / 60.0 + v.get(2).copied().unwrap_or(0.0) / 3600.0;
    if !deg.is_finite() {
        return Some(Err(()));
    }
    let sign = match get(exif, ref_tag)
        .and_then(ascii_bytes)
        .and_then(|b| b.first().copied())
    {
        Some(c) if c.to_ascii_uppercase() == negative => -1.0,
        _ => 1.0,
    };
    Some(Ok(sign * deg))
}

fn gps(exif: &Exif, flags: &mut Vec<String>) -> Option<GpsFix> {
    let lat = dms(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let lon = dms(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    let (lat, lon) = match (lat, lon) {
        (Some(Ok(lat)), Some(Ok(lon))) => (lat, lon),
        (None, None) => return None,
        _ => {
            flags.push("gps_invalid".into());
            return None;
        }
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        flags.push("gps_invalid".into());
        return None;
    }
    let altitude_m = get(exif, Tag::GPSAltitude)
        .and_then(rationals)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite())
        .map(|a| {
            let below = get(exif, Tag::GPSAltitudeRef).and_then(|f| f.value.get_uint(0)) == Some(1);
            if below {
                -a
            } else {
                a
            }
        });
    let accuracy_m = get(exif, Tag::GPSHPositioningError)
        .and_then(rationals)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite() && *a >= 0.0);
    let time = (|| {
        let date = ascii(get(exif, Tag::GPSDateStamp)?)?;
        let date = NaiveDate::parse_from_str(&date, "%Y:%m:%d").ok()?;
        let t = rationals(get(exif, Tag::GPSTimeStamp)?)?;
        if t.len() < 3 || t.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return None;
        }
        let secs = t[0] * 3600.0 + t[1] * 60.0 + t[2];
        // A time of day (a leap second allowed): anything else is junk, not a date overflow.
        if secs >= 86_401.0 {
            return None;
        }
        let naive =
            date.and_hms_opt(0, 0, 0)?
                .checked_add_signed(chrono::Duration::milliseconds(
                    (secs * 1000.0).round() as i64
                ))?;
        Some(Utc.from_utc_datetime(&naive))
    })();
    Some(GpsFix {
        lat,
        lon,
        altitude_m,
        accuracy_m,
        time,
    })
}

fn taken(exif: &Exif, meta: &mut PhotoMeta) {
    let Some(field) =
        get(exif, Tag::DateTimeOriginal).or_else(|| get(exif, Tag::DateTimeDigitized))
    else {
        return;
    };
    let Some(bytes) = ascii_bytes(field) else {
        meta.flags.push("time_invalid".into());
        return;
    };
    let Ok(mut dt) = exif::DateTime::from_ascii(&bytes) else {
        meta.flags.push("time_invalid".into());
        return;
    };
    if let Some(sub) = get(exif, Tag::SubSecTimeOriginal).and_then(ascii_bytes) {
        let _ = dt.parse_subsec(&sub);
    }
    if let Some(off) = get(exif, Tag::OffsetTimeOriginal).and_then(ascii_bytes) {
        let _ = dt.parse_offset(&off);
    }
    let naive =
        NaiveDate::from_ymd_opt(dt.year as i32, dt.month as u32, dt.day as u32).and_then(|d| {
            d.and_hms_nano_opt(
                dt.hour as u32,
                dt.minute as u32,
                dt.second as u32,
                dt.nanosecond.unwrap_or(0),
            )
        });
    match naive {
        Some(n) => {
            meta.taken_local = Some(n);
            meta.taken_offset = dt.offset.and_then(|m| FixedOffset::east_opt(m as i32 * 60));
        }
        None => meta.flags.push("time_invalid".into()),
    }
}

/// Reads the EXIF of a JPEG (or other container kamadak-exif understands).
pub fn read(bytes: &[u8]) -> PhotoMeta {
    let mut meta = PhotoMeta::default();
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(e) => e,
        Err(exif::Error::NotFound(_)) => {
            meta.flags.push("no_exif".into());
            return meta;
        }
        Err(e) => match e.distill_partial_result(|_| {}) {
            Ok(partial) => {
                meta.flags.push("exif_partial".into());
                partial
            }
            Err(_) => {
                meta.flags.push("exif_unreadable".into());
                return meta;
            }
        },
    };
    meta.make = get(&exif, Tag::Make).and_then(ascii);
    meta.model = get(&exif, Tag::Model).and_then(ascii);
    match get(&exif, Tag::Orientation).and_then(|f| f.value.get_uint(0)) {
        Some(o @ 1..=8) => meta.orientation = Some(o as u16),
        Some(_) => meta.flags.push("orientation_invalid".into()),
        None => {}
    }
    taken(&exif, &mut meta);
    let mut flags = Vec::new();
    meta.gps = gps(&exif, &mut flags);
    meta.flags.extend(flags);
    meta
}

/// Reads EXIF, then fills what it lacks from the XMP packet (some phones, e.g. Jolla, write
/// capture time and orientation only there).
pub fn read_with_xmp(bytes: &[u8]) -> PhotoMeta {
    let mut meta = read(bytes);
    if let Some(xmp) = xmp_packet(bytes) {
        xmp_fill(&xmp, &mut meta);
    }
    meta
}

/// The XMP packet of a JPEG (APP1 with the Adobe namespace header).
fn xmp_packet(bytes: &[u8]) -> Option<String> {
    const NS: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if len < 2 || i + 2 + len > bytes.len() {
            return None;
        }
        let body = &bytes[i + 4..i + 2 + len];
        if marker == 0xE1 && body.starts_with(NS) {
            return Some(String::from_utf8_lossy(&body[NS.len()..]).into_owned());
        }
        i += 2 + len;
    }
    None
}

/// The value of an XMP property, written as an attribute or as an element.
fn xmp_value(xmp: &str, name: &str) -> Option<String> {
    let attr = format!("{name}=\"");
    if let Some(start) = xmp.find(&attr) {
        let rest = &xmp[start + attr.len()..];
        return rest.find('"').map(|end| rest[..end].trim().to_string());
    }
    let open = format!("<{name}>");
    let start = xmp.find(&open)? + open.len();
    let end = xmp[start..].find('<')?;
    Some(xmp[start..start + end].trim().to_string())
}

/// XMP GPS coordinates: `DDD,MM,SSk` or `DDD,MM.mmk`, `k` one of N, S, E, W; anything else
/// is no coordinate.
fn xmp_coordinate(v: &str) -> Option<f64> {
    let v = v.trim();
    let hemi = v.chars().last()?.to_ascii_uppercase();
    if !matches!(hemi, 'N' | 'S' | 'E' | 'W') {
        return None;
    }
    // The letter is ASCII: one byte (a multibyte last character is refused above).
    let parts: Vec<f64> = v[..v.len() - 1]
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let deg = parts.first()?
        + parts.get(1).unwrap_or(&0.0) / 60.0
        + parts.get(2).unwrap_or(&0.0) / 3600.0;
    Some(if hemi == 'S' || hemi == 'W' {
        -deg
    } else {
        deg
    })
}

fn xmp_fill(xmp: &str, meta: &mut PhotoMeta) {
    if meta.taken_local.is_none() {
        if let Some(v) = xmp_value(xmp, "exif:DateTimeOriginal")
            .or_else(|| xmp_value(xmp, "photoshop:DateCreated"))
        {
            if let Ok(t) = DateTime::parse_from_rfc3339(&v) {
                meta.taken_local = Some(t.naive_local());
                meta.taken_offset = Some(*t.offset());
            } else if let Ok(t) = NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M:%S%.f") {
                meta.taken_local = Some(t);
            } else if let Ok(t) = NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M") {
                meta.taken_local = Some(t);
            }
            if meta.taken_local.is_some() {
                meta.flags.retain(|f| f != "time_invalid");
            }
        }
    }
    if meta.orientation.is_none() {
        if let Some(o) = xmp_value(xmp, "tiff:Orientation")
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|o| (1..=8).contains(o))
        {
            meta.orientation = Some(o);
            meta.flags.retain(|f| f != "orientation_invalid");
        }
    }
    if meta.gps.is_none() {
        let lat = xmp_value(xmp, "exif:GPSLatitude").and_then(|v| xmp_coordinate(&v));
        let lon = xmp_value(xmp, "exif:GPSLongitude").and_then(|v| xmp_coordinate(&v));
        if let (Some(lat), Some(lon)) = (lat, lon) {
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
                meta.gps = Some(GpsFix {
                    lat,
                    lon,
                    altitude_m: None,
                    accuracy_m: None,
                    time: None,
                });
                meta.flags.retain(|f| f != "gps_invalid");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG whose only EXIF is a GPS block (30°N 108°E) with this date and time of day
    /// (hours, minutes, seconds as rationals n/1).
    fn jpeg_with_gps_time(date: &str, hms: [u32; 3]) -> Vec<u8> {
        let rationals = |v: [u32; 3]| -> Vec<u8> {
            v.iter()
                .flat_map(|n| n.to_le_bytes().into_iter().chain(1u32.to_le_bytes()))
                .collect()
        };
        let mut date_bytes = date.as_bytes().to_vec();
        date_bytes.push(0);
        // (tag, type, count, value bytes)
        let entries: Vec<(u16, u16, u32, Vec<u8>)> = vec![
            (0x0001, 2, 2, b"N\0".to_vec()),
            (0x0002, 5, 3, rationals([30, 0, 0])),
            (0x0003, 2, 2, b"E\0".to_vec()),
            (0x0004, 5, 3, rationals([108, 0, 0])),
            (0x0007, 5, 3, rationals(hms)),
            (0x001D, 2, date_bytes.len() as u32, date_bytes),
        ];
        let gps_at = 26u32;
        let mut data_at = gps_at + 2 + 12 * entries.len() as u32 + 4;
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        tiff.extend(1u16.to_le_bytes());
        tiff.extend(0x8825u16.to_le_bytes());
        tiff.extend(4u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(gps_at.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        tiff.extend((entries.len() as u16).to_le_bytes());
        let mut data: Vec<u8> = Vec::new();
        for (tag, typ, count, bytes) in &entries {
            tiff.extend(tag.to_le_bytes());
            tiff.extend(typ.to_le_bytes());
            tiff.extend(count.to_le_bytes());
            if bytes.len() <= 4 {
                let mut inline = bytes.clone();
                inline.resize(4, 0);
                tiff.extend(inline);
            } else {
                tiff.extend(data_at.to_le_bytes());
                data.extend(bytes);
                data_at += bytes.len() as u32;
            }
        }
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(data);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn a_gps_time_of_day_beyond_a_day_is_junk_not_a_panic() {
        // Found by the photo_inspect fuzz target: `NaiveDateTime + TimeDelta` overflowed.
        let sound = read(&jpeg_with_gps_time("2026:11:29", [8, 30, 5]));
        assert_eq!(
            sound
                .gps
                .as_ref()
                .and_then(|g| g.time)
                .map(|t| t.to_rfc3339()),
            Some("2026-11-29T08:30:05+00:00".to_string()),
            "{sound:?}"
        );
        for hms in [[u32::MAX, 0, 0], [24, 0, 2], [0, u32::MAX, 0]] {
            let junk = read(&jpeg_with_gps_time("2026:11:29", hms));
            assert_eq!(junk.gps.and_then(|g| g.time), None);
        }
        let far = read(&jpeg_with_gps_time("9999:12:31", [23, 59, 59]));
        let _ = far;
    }

    #[test]
    fn an_xmp_coordinate_not_ending_in_a_direction_is_junk_not_a_panic() {
        // Found by the photo_inspect fuzz target: the last character was cut off as one byte,
        // inside a multibyte character (`Ψ`).
        for v in [
            "54,59.38Ψ",
            "Ψ",
            "54,59,3Ψ",
            "1,54.85中",
            "54,59.38",
            "54,59.38X",
            "",
        ] {
            assert_eq!(xmp_coordinate(v), None, "{v}");
            let xmp = format!(
                "<exif:GPSLatitude>{v}</exif:GPSLatitude><exif:GPSLongitude>{v}</exif:GPSLongitude>"
            );
            let mut meta = PhotoMeta::default();
            xmp_fill(&xmp, &mut meta);
            assert!(meta.gps.is_none(), "{v}: {meta:?}");
        }
        assert_eq!(xmp_coordinate("30,18N"), Some(30.3));
        assert_eq!(xmp_coordinate("107,54w"), Some(-107.9));
    }

    #[test]
    fn xmp_values_as_attributes_or_elements() {
        let xmp = r#"<rdf:Description exif:DateTimeOriginal="2013-06-02T14:26:45+03:00" tiff:Orientation="6"><exif:GPSLatitude>54,59.38N</exif:GPSLatitude><exif:GPSLongitude>1,54.85W</exif:GPSLongitude></rdf:Description>"#;
        let mut meta = PhotoMeta::default();
        xmp_fill(xmp, &mut meta);
        assert_eq!(meta.orientation, Some(6));
        assert_eq!(
            meta.taken_at().unwrap().to_rfc3339(),
            "2013-06-02T14:26:45+03:00"
        );
        let g = meta.gps.unwrap();
        assert!((g.lat - 54.98967).abs() < 1e-4 && (g.lon + 1.91417).abs() < 1e-4);
    }
}
