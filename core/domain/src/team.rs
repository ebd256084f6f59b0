//! The team of a 行政检查: at least two officers, each holding a valid enforcement certificate
//! (执法证) for the site's industry, of the body in whose name the inspection is made or of a
//! body joining it (联合检查). 《行政处罚法》第四十二条 asks for no fewer than two officers who
//! show their certificates; 国办发〔2024〕54号 forbids inspections by staff without one
//! (辅助人员, 网格员, 临时工).
//!
//! The phone names the other members as it always did (names typed, or person ids); a
//! 行政检查's names are resolved here against the people of the bodies taking part, on the
//! phone before anything is queued and again on the server, which keeps the resolved team.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enforcement::{FieldActivity, Officer};
use crate::inspection::Inspection;
use crate::org::{Person, Unit};
use crate::site::Site;
use crate::DomainError;

/// Officers a 行政检查 needs, the leader included.
pub const MIN_OFFICERS: usize = 2;
/// At most this many other members are named on one inspection (bounded work on outside input).
pub const MAX_PARTICIPANTS: usize = 12;

/// One other officer of a 行政检查 team, with the certificate shown (亮证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamOfficer {
    pub person_id: String,
    pub name: String,
    /// The enforcement body the officer belongs to (the leader's or a joint one).
    pub unit_id: String,
    pub certificate_number: String,
}

/// The team of an inspection whose standing and joint bodies are already decided: for a
/// 行政检查, its participants resolved among the people of the leader's unit and the joint
/// bodies (refused when fewer than [`MIN_OFFICERS`] certified officers); for any other
/// activity, none (its participants stay names).
pub fn of_inspection(
    insp: &Inspection,
    units: &[Unit],
    people: &[Person],
    site: &Site,
    today: NaiveDate,
) -> Result<Vec<TeamOfficer>, DomainError> {
    if insp.activity != Some(FieldActivity::AdministrativeInspection) {
        return Ok(Vec::new());
    }
    let bodies: Vec<&Unit> = std::iter::once(&insp.leader.unit_id)
        .chain(&insp.joint_unit_ids)
        .filter_map(|id| units.iter().find(|u| &u.id == id))
        .collect();
    resolve(
        &insp.participants,
        &insp.leader.person_id,
        &bodies,
        people,
        site,
        today,
    )
}

/// Resolves the participants of a 行政检查 led by `leader_id` at `site`: each must be one of
/// `people` (by person id, or by name when the name is unique) in one of `bodies` (the leader's
/// unit first, then the joint bodies), with a certificate valid on `today` for the site's
/// industry. The refusal names who is not a certified officer there, and why.
pub fn resolve(
    participants: &[String],
    leader_id: &str,
    bodies: &[&Unit],
    people: &[Person],
    site: &Site,
    today: NaiveDate,
) -> Result<Vec<TeamOfficer>, DomainError> {
    if participants.len() > MAX_PARTICIPANTS {
        return Err(DomainError::InvalidValue {
            field: "同行检查人员",
            reason: format!("最多填写 {MAX_PARTICIPANTS} 人"),
        });
    }
    let body_names = bodies
        .iter()
        .map(|u| u.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let mut team: Vec<TeamOfficer> = Vec::new();
    for named in participants {
        let named = named.trim();
        if named.is_empty() {
            continue;
        }
        let mut found = people.iter().filter(|p| {
            (p.id == named || p.name == named)
                && p.id != leader_id
                && bodies.iter().any(|b| b.id == p.unit_id)
        });
        let (Some(person), None) = (found.next(), found.next()) else {
            let again = people
                .iter()
                .filter(|p| p.name == named && bodies.iter().any(|b| b.id == p.unit_id))
                .count();
            return Err(DomainError::NotQualified(if again > 1 {
                format!("同行检查人员{named}在{body_names}有重名，请改填其人员编号")
            } else {
                format!(
                    "同行检查人员{named}不是{body_names}的执法人员，不能参加行政检查（辅助人员、网格员等不能参加）"
                )
            }));
        };
        if team.iter().any(|t| t.person_id == person.id) {
            continue;
        }
        let unit = bodies
            .iter()
            .find(|b| b.id == person.unit_id)
            .expect("filtered on the bodies");
        let officer = Officer {
            unit,
            certificates: &person.certificates,
            today,
        };
        let cert = officer
            .standing(site)
            .map_err(|e| DomainError::NotQualified(format!("同行检查人员{}：{e}", person.name)))?;
        team.push(TeamOfficer {
            person_id: person.id.clone(),
            name: person.name.clone(),
            unit_id: person.unit_id.clone(),
            certificate_number: cert.number.clone(),
        });
    }
    if team.len() + 1 < MIN_OFFICERS {
        return Err(DomainError::NotQualified(format!(
            "行政检查须由 {MIN_OFFICERS} 名以上持有有效行政执法证的执法人员进行：请在同行检查人员中填写{body_names}的持证执法人员"
        )));
    }
    Ok(team)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enforcement::Certificate;
    use crate::org::Role;

    /// The demo county's bodies with powers over gas: 县住房城乡建委 and 县城市管理局.
    fn body(id: &str) -> Unit {
        crate::county::zhong_county()
            .units()
            .into_iter()
            .find(|u| u.id == id)
            .unwrap()
    }

    fn person(id: &str, name: &str, unit: &str, until: Option<NaiveDate>) -> Person {
        Person {
            id: id.into(),
            name: name.into(),
            unit_id: unit.into(),
            roles: vec![Role::Inspector],
            industries: vec![],
            portfolio: None,
            phone: None,
            certificates: until
                .map(|u| Certificate {
                    number: format!("渝{id}"),
                    issued_by: "重庆市人民政府".into(),
                    valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                    valid_until: u,
                    fields: vec!["gas".into()],
                })
                .into_iter()
                .collect(),
        }
    }

    fn site() -> Site {
        crate::engagement::tests::site("s1", "gas", "dept-zjw")
    }

    #[test]
    fn a_team_needs_two_certified_officers_of_the_bodies_and_names_who_lacks_one() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let valid = NaiveDate::from_ymd_opt(2028, 12, 31);
        let zjw = body("dept-zjw");
        let cgj = body("dept-cgj");
        let people = vec![
            person("lead", "许峰", "dept-zjw", valid),
            person("p1", "王强", "dept-zjw", valid),
            person("p2", "李娜", "dept-cgj", valid),
            person(
                "p3",
                "张敏",
                "dept-zjw",
                NaiveDate::from_ymd_opt(2026, 11, 1),
            ),
            person("p4", "刘洋", "dept-zjw", None),
            person("p5", "王强", "dept-cgj", valid),
        ];
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = site();
        let team = resolve(&names(&["王强"]), "lead", &[&zjw], &people, &s, today).unwrap();
        assert_eq!(team.len(), 1);
        assert_eq!(team[0].certificate_number, "渝p1");
        // Alone: refused.
        let err = resolve(&[], "lead", &[&zjw], &people, &s, today).unwrap_err();
        assert!(err.to_string().contains("2 名以上"), "{err}");
        // The leader does not count twice.
        assert!(resolve(&names(&["许峰"]), "lead", &[&zjw], &people, &s, today).is_err());
        // An expired certificate or none: named.
        let err = resolve(&names(&["张敏"]), "lead", &[&zjw], &people, &s, today).unwrap_err();
        assert!(
            err.to_string().contains("张敏") && err.to_string().contains("过期"),
            "{err}"
        );
        let err = resolve(&names(&["刘洋"]), "lead", &[&zjw], &people, &s, today).unwrap_err();
        assert!(
            err.to_string().contains("刘洋") && err.to_string().contains("未持有"),
            "{err}"
        );
        // A free-text name nobody holds, or a joint body's officer without the joint body.
        let err =
            resolve(&names(&["网格员老陈"]), "lead", &[&zjw], &people, &s, today).unwrap_err();
        assert!(
            err.to_string().contains("不是县住房城乡建委的执法人员"),
            "{err}"
        );
        assert!(resolve(&names(&["李娜"]), "lead", &[&zjw], &people, &s, today).is_err());
        let joint = resolve(&names(&["李娜"]), "lead", &[&zjw, &cgj], &people, &s, today).unwrap();
        assert_eq!(joint[0].unit_id, "dept-cgj");
        // The same name in two bodies taking part: asked for the id.
        let err =
            resolve(&names(&["王强"]), "lead", &[&zjw, &cgj], &people, &s, today).unwrap_err();
        assert!(err.to_string().contains("重名"), "{err}");
        let by_id = resolve(&names(&["p5"]), "lead", &[&zjw, &cgj], &people, &s, today).unwrap();
        assert_eq!(by_id[0].unit_id, "dept-cgj");
    }
}
