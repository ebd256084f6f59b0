//! Earlier released versions of the compiled-in checklists, and the record of every released
//! version's content (`checklists/versions.toml`).
//!
//! A file in `checklists/` is the current version of its industry. When its content changes
//! (an item reworded, re-levelled, re-based, verified ...), the file gets a new version number,
//! the version it replaces is kept in `checklists/released/<code>@<version>.toml`, and the new
//! version's content hash is recorded in `versions.toml`. Inspections made with an earlier
//! version keep reading it, and the office sees what changed (`diff`) between any two.
//! A test fails when a file's content no longer matches the hash recorded for its version.

#[cfg(test)]
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use super::{parse, Checklist, Industry};

/// Earlier released versions, oldest first per industry. Add a line here when a file moves on.
const RELEASED: &[&str] = &[
    include_str!("../../checklists/released/gas@2026.1.toml"),
    include_str!("../../checklists/released/gas@2026.2.toml"),
    include_str!("../../checklists/released/gas@2026.3.toml"),
    include_str!("../../checklists/released/hazchem@2026.1.toml"),
    include_str!("../../checklists/released/non_coal_mine@2026.1.toml"),
    include_str!("../../checklists/released/non_coal_mine@2026.2.toml"),
    include_str!("../../checklists/released/non_coal_mine@2026.3.toml"),
    include_str!("../../checklists/released/fire@2026.1.toml"),
    include_str!("../../checklists/released/elderly_care@2026.1.toml"),
    include_str!("../../checklists/released/construction@2026.1.toml"),
    include_str!("../../checklists/released/construction@2026.2.toml"),
    include_str!("../../checklists/released/construction@2026.3.toml"),
    include_str!("../../checklists/released/road_transport@2026.1.toml"),
    include_str!("../../checklists/released/road_transport@2026.2.toml"),
    include_str!("../../checklists/released/road_transport@2026.3.toml"),
    include_str!("../../checklists/released/road_transport@2026.4.toml"),
    include_str!("../../checklists/released/water_transport@2026.1.toml"),
    include_str!("../../checklists/released/water_transport@2026.2.toml"),
    include_str!("../../checklists/released/water_transport@2026.3.toml"),
    include_str!("../../checklists/released/industrial@2026.1.toml"),
    include_str!("../../checklists/released/industrial@2026.2.toml"),
    include_str!("../../checklists/released/industrial@2026.3.toml"),
    include_str!("../../checklists/released/geohazard@2026.1.toml"),
    include_str!("../../checklists/released/special_equipment@2026.1.toml"),
    include_str!("../../checklists/released/special_equipment@2026.2.toml"),
    include_str!("../../checklists/released/school@2026.1.toml"),
    include_str!("../../checklists/released/school@2026.2.toml"),
    include_str!("../../checklists/released/culture_tourism@2026.1.toml"),
    include_str!("../../checklists/released/water_conservancy@2026.1.toml"),
    include_str!("../../checklists/released/water_conservancy@2026.2.toml"),
    include_str!("../../checklists/released/water_conservancy@2026.3.toml"),
    include_str!("../../checklists/released/agriculture@2026.1.toml"),
    include_str!("../../checklists/released/agriculture@2026.2.toml"),
    include_str!("../../checklists/released/agriculture@2026.3.toml"),
    include_str!("../../checklists/released/agriculture@2026.4.toml"),
    include_str!("../../checklists/released/forest_fire@2026.1.toml"),
    include_str!("../../checklists/released/forest_fire@2026.2.toml"),
    include_str!("../../checklists/released/self_built_housing@2026.1.toml"),
    include_str!("../../checklists/released/commerce@2026.1.toml"),
    include_str!("../../checklists/released/commerce@2026.2.toml"),
    include_str!("../../checklists/released/civil_explosives@2026.1.toml"),
    include_str!("../../checklists/released/civil_explosives@2026.2.toml"),
    include_str!("../../checklists/released/power@2026.1.toml"),
    include_str!("../../checklists/released/power@2026.2.toml"),
    include_str!("../../checklists/released/power@2026.3.toml"),
    include_str!("../../checklists/released/medical@2026.1.toml"),
    include_str!("../../checklists/released/elderly_care@2026.2.toml"),
    include_str!("../../checklists/released/self_built_housing@2026.2.toml"),
    include_str!("../../checklists/released/school@2026.3.toml"),
    include_str!("../../checklists/released/culture_tourism@2026.2.toml"),
    include_str!("../../checklists/released/medical@2026.2.toml"),
    include_str!("../../checklists/released/commerce@2026.3.toml"),
    include_str!("../../checklists/released/fire@2026.2.toml"),
    include_str!("../../checklists/released/fire@2026.3.toml"),
    include_str!("../../checklists/released/school@2026.4.toml"),
    include_str!("../../checklists/released/road_transport@2026.5.toml"),
    include_str!("../../checklists/released/medical@2026.3.toml"),
    include_str!("../../checklists/released/elderly_care@2026.3.toml"),
    include_str!("../../checklists/released/culture_tourism@2026.3.toml"),
    include_str!("../../checklists/released/power@2026.4.toml"),
    include_str!("../../checklists/released/self_built_housing@2026.3.toml"),
    include_str!("../../checklists/released/medical@2026.4.toml"),
    include_str!("../../checklists/released/commerce@2026.4.toml"),
    include_str!("../../checklists/released/medical@2026.5.toml"),
    include_str!("../../checklists/released/school@2026.5.toml"),
    include_str!("../../checklists/released/agriculture@2026.5.toml"),
    include_str!("../../checklists/released/fire@2026.4.toml"),
    include_str!("../../checklists/released/medical@2026.6.toml"),
    include_str!("../../checklists/released/elderly_care@2026.4.toml"),
    include_str!("../../checklists/released/self_built_housing@2026.4.toml"),
    include_str!("../../checklists/released/school@2026.6.toml"),
    include_str!("../../checklists/released/agriculture@2026.6.toml"),
    include_str!("../../checklists/released/water_transport@2026.4.toml"),
    include_str!("../../checklists/released/school@2026.7.toml"),
    include_str!("../../checklists/released/elderly_care@2026.5.toml"),
    include_str!("../../checklists/released/construction@2026.4.toml"),
    include_str!("../../checklists/released/elderly_care@2026.6.toml"),
];

/// The content hash recorded for every released version: industry code → version → hash.
#[cfg(test)]
const RECORD: &str = include_str!("../../checklists/versions.toml");

/// Every earlier released version, parsed once (constant data, like [`super::compiled`]).
pub fn released() -> &'static [Arc<Checklist>] {
    static ALL: OnceLock<Vec<Arc<Checklist>>> = OnceLock::new();
    ALL.get_or_init(|| {
        RELEASED
            .iter()
            .map(|text| {
                Arc::new(
                    parse(text).unwrap_or_else(|e| panic!("released checklist malformed: {e}")),
                )
            })
            .collect()
    })
}

/// The earlier released versions of one industry, oldest first.
pub fn released_for(industry: Industry) -> impl Iterator<Item = &'static Arc<Checklist>> {
    released().iter().filter(move |c| c.industry == industry)
}

/// A compiled-in version by industry code and version (`gas@2026.1` on the command line):
/// an earlier released one or the current file.
pub fn compiled_version(code: &str, version: &str) -> Option<Checklist> {
    let industry = Industry::from_code(code).ok()?;
    released_for(industry)
        .map(|c| &**c)
        .chain(std::iter::once(super::compiled_for(industry)))
        .find(|c| c.version == version)
        .cloned()
}

/// The content of a version (everything but its version number), hashed: FNV-1a 64 over its
/// fields in a fixed order (unit separator between fields, record separator between records),
/// as 16 hex digits. Written out by hand so no serializer setting can change it.
pub fn content_hash(list: &Checklist) -> String {
    const FIELD: char = '\u{1f}';
    const RECORD: char = '\u{1e}';
    let mut text = String::new();
    let mut record = |fields: &[&str]| {
        for f in fields {
            text.push_str(f);
            text.push(FIELD);
        }
        text.push(RECORD);
    };
    record(&[
        list.industry.code(),
        &list.name,
        &list.major_hazard_standard,
    ]);
    for c in &list.conditions {
        record(&["condition", &c.code, &c.label]);
    }
    for i in &list.items {
        let (source, date) = i
            .verified
            .as_ref()
            .map(|v| (v.source.as_str(), v.date.as_str()))
            .unwrap_or(("", ""));
        record(&[
            "item",
            &i.id,
            &i.section,
            &i.text,
            &i.basis,
            if i.major { "major" } else { "general" },
            source,
            date,
            i.unverified.as_deref().unwrap_or(""),
            i.applies_if.as_deref().unwrap_or(""),
        ]);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
type Record = BTreeMap<String, BTreeMap<String, String>>;

#[cfg(test)]
fn record() -> &'static Record {
    static RECORD_PARSED: OnceLock<Record> = OnceLock::new();
    RECORD_PARSED.get_or_init(|| {
        toml::from_str(RECORD).unwrap_or_else(|e| panic!("checklists/versions.toml malformed: {e}"))
    })
}

/// Dotted numeric versions (`2026.2`) in order; anything else sorts first.
#[cfg(test)]
fn version_key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Whether a compiled-in version matches what `versions.toml` records for it: the content a
/// version was released with never changes under the same number. The error says what to do.
#[cfg(test)]
pub fn check_recorded(list: &Checklist, record: &Record) -> Result<(), String> {
    let code = list.industry.code();
    let hash = content_hash(list);
    match record.get(code).and_then(|v| v.get(&list.version)) {
        Some(recorded) if *recorded == hash => Ok(()),
        Some(recorded) => Err(format!(
            "{code} {}: content changed (hash {hash}, recorded {recorded}) without a new version: \
             keep the released file as checklists/released/{code}@{}.toml, give {code}.toml a new \
             version and record `\"NEW\" = \"{hash}\"` under [{code}] in checklists/versions.toml",
            list.version, list.version
        )),
        None => Err(format!(
            "{code} {} is not recorded: add `\"{}\" = \"{hash}\"` under [{code}] in \
             checklists/versions.toml",
            list.version, list.version
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{compiled, diff, ChecklistRegistry};
    use super::*;

    #[test]
    fn every_compiled_version_matches_its_recorded_content() {
        let rec = record();
        let mut problems = Vec::new();
        for current in compiled() {
            let code = current.industry.code();
            let earlier: Vec<_> = released_for(current.industry).collect();
            for list in earlier.iter().map(|c| &***c).chain([&**current]) {
                if let Err(e) = check_recorded(list, rec) {
                    problems.push(e);
                }
            }
            // The file is the newest version; the released ones are older and distinct.
            let recorded = rec.get(code).map(|v| v.len()).unwrap_or(0);
            assert_eq!(
                recorded,
                earlier.len() + 1,
                "{code}: versions.toml records {recorded} versions, the crate has {}",
                earlier.len() + 1
            );
            for old in &earlier {
                assert!(
                    version_key(&old.version) < version_key(&current.version),
                    "{code}: released {} is not older than the file's {}",
                    old.version,
                    current.version
                );
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // No version recorded for an industry the crate does not know.
        for code in rec.keys() {
            assert!(
                Industry::from_code(code).is_ok(),
                "versions.toml: unknown {code}"
            );
        }
    }

    #[test]
    fn a_content_change_without_a_new_version_fails_the_record() {
        let rec = record();
        let current = super::super::compiled_for(Industry::Gas);
        assert!(check_recorded(current, rec).is_ok());
        let mut reworded = current.clone();
        reworded.items[0].text.push_str("（改）");
        let err = check_recorded(&reworded, rec).unwrap_err();
        assert!(err.contains("without a new version"), "{err}");
        let mut relevelled = current.clone();
        relevelled.items[0].major = !relevelled.items[0].major;
        assert!(check_recorded(&relevelled, rec).is_err());
        let mut reverified = current.clone();
        reverified.items[0].verified = None;
        reverified.items[0].unverified = Some("待核".into());
        assert!(check_recorded(&reverified, rec).is_err());
        // A new version number alone is not enough: it has to be recorded.
        reworded.version = "2099.1".into();
        assert!(check_recorded(&reworded, rec)
            .unwrap_err()
            .contains("not recorded"));
        // The hash ignores the version number itself and nothing else.
        let mut renumbered = current.clone();
        renumbered.version = "2099.1".into();
        assert_eq!(content_hash(&renumbered), content_hash(current));
    }

    #[test]
    fn released_versions_are_known_to_every_registry_and_diff_against_the_file() {
        let reg = ChecklistRegistry::new();
        for current in compiled() {
            let versions: Vec<String> = reg
                .versions(current.industry)
                .iter()
                .map(|c| c.version.clone())
                .collect();
            let mut expected: Vec<String> = released_for(current.industry)
                .map(|c| c.version.clone())
                .collect();
            expected.push(current.version.clone());
            assert_eq!(versions, expected, "{}", current.name);
            assert_eq!(reg.current(current.industry).version, current.version);
            for old in released_for(current.industry) {
                let d = diff(old, current).unwrap();
                assert!(
                    !d.is_empty(),
                    "{}: {} and {} have the same items",
                    current.name,
                    old.version,
                    current.version
                );
            }
        }
        // A released version number cannot be published again with other content.
        let old = compiled_version("gas", "2026.1").unwrap();
        let mut clash = old.clone();
        clash.items[0].text.push_str("（县改）");
        assert!(reg.publish(clash).is_err());
        assert!(
            reg.publish(old).is_ok(),
            "the same content again is a no-op"
        );
        assert!(compiled_version("gas", "1999.1").is_none());
        assert!(compiled_version("bakery", "2026.1").is_none());
    }
}
