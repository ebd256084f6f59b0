//! The documents an enforcement body leaves with the enterprise after a 行政检查: 现场检查记录,
//! 责令限期整改指令书, 整改复查意见书 and 行政检查结果告知书, as the emergency-management
//! authorities' formats and the Ministry of Justice's 实施—记录—反馈 steps lay them out (文号,
//! the parties, what was found, the legal basis, the deadline, the signatures).
//!
//! Pure: the content is composed here from the inspection, its checklist and its hazards; a
//! renderer (`core/paper`) draws it, the phone signs and stores it. The signatures (every
//! officer's of the team and the enterprise's representative's, or a recorded refusal before
//! a witness; see `document_signing`) travel with the PDF's evidence record as their images'
//! SHA-256 and times.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;
use crate::enforcement::FieldActivity;
use crate::hazard::{china_date, Hazard, HazardStatus};
use crate::inspection::{Inspection, ItemOutcome};
use crate::site::Site;
use crate::task_source::TaskSource;
use crate::{required_text, DomainError};

/// The documents left on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocumentKind {
    /// 现场检查记录
    InspectionRecord,
    /// 责令限期整改指令书
    RectificationOrder,
    /// 整改复查意见书
    ReviewOpinion,
    /// 行政检查结果告知书: the 反馈 step, the result told to the enterprise once the
    /// inspection is finished.
    ResultNotice,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::InspectionRecord,
        DocumentKind::RectificationOrder,
        DocumentKind::ReviewOpinion,
        DocumentKind::ResultNotice,
    ];

    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::InspectionRecord => "现场检查记录",
            DocumentKind::RectificationOrder => "责令限期整改指令书",
            DocumentKind::ReviewOpinion => "整改复查意见书",
            DocumentKind::ResultNotice => "行政检查结果告知书",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::InspectionRecord => "inspection_record",
            DocumentKind::RectificationOrder => "rectification_order",
            DocumentKind::ReviewOpinion => "review_opinion",
            DocumentKind::ResultNotice => "result_notice",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "文书类型",
                reason: format!("未知文书类型 {code}"),
            })
    }
}

#[derive(Debug, Deserialize)]
struct Numbering {
    county: String,
    kinds: BTreeMap<String, String>,
    bodies: BTreeMap<String, String>,
}

fn numbering() -> &'static Numbering {
    static N: OnceLock<Numbering> = OnceLock::new();
    N.get_or_init(|| {
        toml::from_str(include_str!("../data/site_documents.toml"))
            .expect("site document numbering is valid")
    })
}

/// 文号: （忠）应急责改〔2026〕1003号. The serial is unique without a server: the last four
/// digits of the officer's certificate number, then their own count of this kind of document
/// in the year (three digits).
pub fn document_number(
    kind: DocumentKind,
    in_name_of: &str,
    certificate_number: &str,
    year: i32,
    count_in_year: u32,
) -> String {
    let n = numbering();
    let body = n.bodies.get(in_name_of).cloned().unwrap_or_else(|| {
        let county = crate::county::zhong_county().county_name.as_str();
        in_name_of.trim_start_matches(county).to_string()
    });
    let tag = n.kinds.get(kind.code()).map_or("", String::as_str);
    let digits: String = certificate_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let tail: u32 = digits[digits.len().saturating_sub(4)..]
        .parse()
        .unwrap_or(0);
    format!(
        "（{}）{body}{tag}〔{year}〕{}号",
        n.county,
        tail * 1000 + count_in_year.min(999)
    )
}

pub use crate::document_signing::{
    check_evidence, check_finish, check_in_sequence, check_officer_signatures, team_signers,
    unsigned_officers, DocumentSignature, SignatureRefusal, Signer, SiteDocumentInfo, TeamSigner,
};

/// One line of the fields block: 被检查单位：…
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

impl Field {
    fn new(label: &str, value: String) -> Field {
        Field {
            label: label.into(),
            value,
        }
    }
}

/// A block of text under an optional heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub heading: Option<String>,
    pub lines: Vec<String>,
}

/// A place to sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureSlot {
    pub signer: Signer,
    pub name: String,
    /// 执法证号 for officers.
    pub note: Option<String>,
}

/// A document's content, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentDraft {
    pub kind: DocumentKind,
    /// The body in whose name it is issued (its seal line).
    pub issuer: String,
    pub number: String,
    pub fields: Vec<Field>,
    pub paragraphs: Vec<Paragraph>,
    pub slots: Vec<SignatureSlot>,
    pub date: NaiveDate,
    pub hazard_ids: Vec<String>,
}

impl DocumentDraft {
    pub fn title(&self) -> &'static str {
        self.kind.title()
    }

    /// Every text of the document, in reading order (what a reader of the PDF finds).
    pub fn texts(&self) -> Vec<String> {
        let mut out = vec![self.kind.title().to_string(), self.number.clone()];
        for f in &self.fields {
            out.push(format!("{}：{}", f.label, f.value));
        }
        for p in &self.paragraphs {
            out.extend(p.heading.clone());
            out.extend(p.lines.iter().cloned());
        }
        out
    }
}

/// An enforcement officer taking part, with the certificate shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerOnSite {
    pub name: String,
    pub certificate_number: String,
}

/// What every document of one inspection is composed from.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub inspection: &'a Inspection,
    pub checklist: &'a Checklist,
    pub site: &'a Site,
    pub site_attributes: &'a [String],
    /// The officers: the leader first (with the certificate recorded on the inspection), then
    /// the team's other certified officers.
    pub officers: &'a [OfficerOnSite],
    /// 被检查单位负责人 (or the person in charge on site).
    pub representative: &'a str,
    /// The representative's own words, when they gave any (当事人意见).
    pub statement: Option<&'a str>,
    /// When the document is made.
    pub at: DateTime<Utc>,
    /// The officer's count of documents of this kind in the year, this one included.
    pub count_in_year: u32,
    /// 任务来源: why the inspection was made.
    pub source: TaskSource,
    /// 检查频次: the body's 行政检查 of the enterprise this year, this one included
    /// (`visits::inspections_in_year`).
    pub visits_in_year: usize,
}

fn time_cn(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y年%m月%d日%H时%M分")
        .to_string()
}

fn date_cn(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

impl Facts<'_> {
    fn in_name_of(&self) -> Result<&str, DomainError> {
        if self.inspection.activity != Some(FieldActivity::AdministrativeInspection) {
            return Err(DomainError::NotQualified(
                "只有行政检查才制作现场执法文书（督查、巡查发现的问题移交行业主管部门）".into(),
            ));
        }
        self.inspection
            .in_name_of
            .as_deref()
            .ok_or(DomainError::MissingField("执法主体"))
    }

    fn number(&self, kind: DocumentKind) -> Result<String, DomainError> {
        let certificate = self
            .inspection
            .certificate_number
            .as_deref()
            .ok_or(DomainError::MissingField("行政执法证号"))?;
        Ok(document_number(
            kind,
            self.in_name_of()?,
            certificate,
            chrono::Datelike::year(&china_date(self.at)),
            self.count_in_year,
        ))
    }

    fn party_fields(&self) -> Vec<Field> {
        let f = Field::new;
        vec![
            f("被检查单位", self.site.name.clone()),
            f("地址", self.site.address.clone().unwrap_or_default()),
            f("负责人", self.representative.trim().to_string()),
            f(
                "联系电话",
                self.site.contact_phone.clone().unwrap_or_default(),
            ),
        ]
    }

    fn slots(&self) -> Vec<SignatureSlot> {
        // Every officer of the team signs, the leader first (each on the same phone in turn).
        let mut slots: Vec<SignatureSlot> = self
            .officers
            .iter()
            .map(|o| SignatureSlot {
                signer: Signer::Officer,
                name: o.name.clone(),
                note: Some(format!("证号：{}", o.certificate_number)),
            })
            .collect();
        slots.push(SignatureSlot {
            signer: Signer::Representative,
            name: self.representative.trim().to_string(),
            note: None,
        });
        slots
    }

    fn check_people(&self) -> Result<(), DomainError> {
        required_text(self.representative, "被检查单位负责人")?;
        if self.officers.is_empty() {
            return Err(DomainError::MissingField("执法人员"));
        }
        Ok(())
    }

    fn frequency_line(&self) -> String {
        let cap = crate::visits::caps().per_year(&self.site.industry);
        let over = if self.visits_in_year as u32 > cap {
            "，超过公布的年度频次上限"
        } else {
            ""
        };
        format!(
            "本年度本机关对该企业第 {} 次行政检查（年度上限 {cap} 次{over}）",
            self.visits_in_year
        )
    }

    /// 检查情况: the count of items by result, then each failed item with its level and basis.
    fn findings(&self) -> Vec<String> {
        let insp = self.inspection;
        let score = insp.score(self.checklist, self.site_attributes);
        let mut found = vec![format!(
            "检查 {} 项：合格 {} 项，不合格 {} 项（其中重大事故隐患 {} 项），不适用 {} 项。",
            score.applicable, score.passed, score.failed, score.major_failed, score.not_applicable
        )];
        for (n, (item, result)) in insp.failed_items(self.checklist).iter().enumerate() {
            found.push(format!(
                "{}. {}：{}（{}；依据：{}）",
                n + 1,
                item.section,
                result.note.as_deref().unwrap_or(&item.text),
                if item.major {
                    "重大事故隐患"
                } else {
                    "一般隐患"
                },
                item.basis
            ));
        }
        if score.failed == 0 {
            found.push("未发现问题。".into());
        }
        let noted = insp
            .results
            .values()
            .filter(|r| r.outcome == ItemOutcome::Pass)
            .filter_map(|r| r.note.clone())
            .count();
        if noted > 0 {
            found.push(format!("另有 {noted} 项合格项附有检查说明。"));
        }
        found
    }

    /// The document in this body's name, numbered, with every signature slot, dated today.
    fn draft(
        &self,
        kind: DocumentKind,
        fields: Vec<Field>,
        paragraphs: Vec<Paragraph>,
        hazard_ids: Vec<String>,
    ) -> Result<DocumentDraft, DomainError> {
        Ok(DocumentDraft {
            kind,
            issuer: self.in_name_of()?.to_string(),
            number: self.number(kind)?,
            fields,
            paragraphs,
            slots: self.slots(),
            date: china_date(self.at),
            hazard_ids,
        })
    }

    fn basis_line(&self) -> String {
        format!(
            "《{}检查表》（{}版）",
            self.checklist.name, self.checklist.version
        )
    }

    fn officers_line(&self) -> String {
        self.officers
            .iter()
            .map(|o| format!("{}（执法证号 {}）", o.name, o.certificate_number))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// 现场检查记录: who inspected what, when, on what basis, and each finding with its basis.
/// Every applicable item needs a result first.
pub fn inspection_record(facts: &Facts) -> Result<DocumentDraft, DomainError> {
    facts.check_people()?;
    let insp = facts.inspection;
    let missing = insp.unanswered_at_site(facts.checklist, facts.site_attributes);
    if missing > 0 {
        return Err(DomainError::InspectionIncomplete(missing));
    }
    let mut fields = facts.party_fields();
    let f = Field::new;
    fields.extend([
        f(
            "检查场所",
            facts
                .site
                .address
                .clone()
                .unwrap_or_else(|| facts.site.name.clone()),
        ),
        f(
            "检查时间",
            format!("{}至{}", time_cn(insp.started_at), time_cn(facts.at)),
        ),
        f("执法主体", facts.in_name_of()?.to_string()),
        f("任务来源", facts.source.label().to_string()),
        f("检查频次", facts.frequency_line()),
        f("检查人员", facts.officers_line()),
        f("检查依据", facts.basis_line()),
    ]);
    let found = facts.findings();
    facts.draft(
        DocumentKind::InspectionRecord,
        fields,
        vec![
            Paragraph {
                heading: Some("告知事项".into()),
                lines: vec![
                    "执法人员已出示行政执法证件。被检查单位认为执法人员与本案有利害关系的，可以申请回避；对检查情况可以陈述、申辩。".into(),
                ],
            },
            Paragraph {
                heading: Some("检查情况".into()),
                lines: found,
            },
            Paragraph {
                heading: Some("被检查单位意见".into()),
                lines: vec![facts
                    .statement
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("无")
                    .to_string()],
            },
        ],
        Vec::new(),
    )
}

/// The hazards of this inspection that a document lists, in number order; each must come
/// from the inspection, and there must be one.
fn of_inspection<'h>(
    facts: &Facts,
    hazards: &[&'h Hazard],
) -> Result<Vec<&'h Hazard>, DomainError> {
    let hs = sorted_of_inspection(facts, hazards)?;
    if hs.is_empty() {
        return Err(DomainError::MissingField("须整改的隐患"));
    }
    Ok(hs)
}

/// The hazards in number order, each checked to come from this inspection.
fn sorted_of_inspection<'h>(
    facts: &Facts,
    hazards: &[&'h Hazard],
) -> Result<Vec<&'h Hazard>, DomainError> {
    let mut hs: Vec<&Hazard> = hazards.to_vec();
    for h in &hs {
        if h.source.as_ref().map(|s| s.inspection_id.as_str()) != Some(facts.inspection.id.as_str())
        {
            return Err(DomainError::InvalidValue {
                field: "隐患",
                reason: format!("隐患 {} 不是本次检查发现的", h.number),
            });
        }
    }
    hs.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(hs)
}

fn basis_of(facts: &Facts, h: &Hazard) -> String {
    h.source
        .as_ref()
        .and_then(|s| facts.checklist.item(&s.item_id).ok())
        .map(|i| i.basis.clone())
        .unwrap_or_default()
}

/// 责令限期整改指令书: the problems found, each with its legal basis and deadline.
pub fn rectification_order(
    facts: &Facts,
    hazards: &[&Hazard],
) -> Result<DocumentDraft, DomainError> {
    facts.check_people()?;
    let hs = of_inspection(facts, hazards)?;
    let mut problems = Vec::new();
    for (n, h) in hs.iter().enumerate() {
        let deadline = h.deadline().ok_or_else(|| DomainError::InvalidValue {
            field: "整改期限",
            reason: format!("隐患 {} 尚未确定整改期限", h.number),
        })?;
        problems.push(format!(
            "{}. {}（{}，隐患编号 {}；依据：{}）。限于{}前整改完毕。",
            n + 1,
            h.description,
            h.level.label(),
            h.number,
            basis_of(facts, h),
            date_cn(deadline)
        ));
    }
    let mut fields = facts.party_fields();
    fields.push(Field {
        label: "检查时间".into(),
        value: time_cn(facts.inspection.started_at),
    });
    facts.draft(
        DocumentKind::RectificationOrder,
        fields,
        vec![
            Paragraph {
                heading: Some("经现场检查，你单位存在下列问题".into()),
                lines: problems,
            },
            Paragraph {
                heading: Some("整改要求".into()),
                lines: vec![
                    "请按上列期限整改，达到有关法律、法规、规章和国家标准、行业标准的要求；整改完成前须采取措施保证安全，不能保证安全的应停止相关作业。逾期未整改的，将依法处理。".into(),
                    "对本指令书不服的，可以依法申请行政复议或者提起行政诉讼；复议、诉讼期间本指令书不停止执行，法律另有规定的除外。".into(),
                ],
            },
        ],
        hs.iter().map(|h| h.id.clone()).collect(),
    )
}

/// 整改复查意见书: each ordered problem as the review found it, and the opinion.
pub fn review_opinion(
    facts: &Facts,
    order_number: &str,
    order_date: NaiveDate,
    hazards: &[&Hazard],
) -> Result<DocumentDraft, DomainError> {
    facts.check_people()?;
    let order_number = required_text(order_number, "责令限期整改指令书文号")?;
    let hs = of_inspection(facts, hazards)?;
    let done = |h: &Hazard| matches!(h.status, HazardStatus::Closed | HazardStatus::Submitted);
    let lines: Vec<String> = hs
        .iter()
        .enumerate()
        .map(|(n, h)| {
            let how = h
                .rectification_note
                .as_deref()
                .map(|r| format!("：{r}"))
                .unwrap_or_default();
            format!(
                "{}. {}（隐患编号 {}）——{}{how}",
                n + 1,
                h.description,
                h.number,
                if done(h) {
                    "已整改"
                } else {
                    "未整改完毕"
                },
            )
        })
        .collect();
    let open: Vec<&str> = hs
        .iter()
        .filter(|h| !done(h))
        .map(|h| h.number.as_str())
        .collect();
    let opinion = if open.is_empty() {
        "经复查，指令书所列问题已整改完毕，符合要求。".to_string()
    } else {
        format!(
            "经复查，隐患 {} 未整改完毕，请继续整改并采取安全措施；逾期仍未整改的，将依法处理。",
            open.join("、")
        )
    };
    facts.draft(
        DocumentKind::ReviewOpinion,
        {
            let mut f = facts.party_fields();
            f.push(Field {
                label: "复查依据".into(),
                value: format!(
                    "《责令限期整改指令书》（{order_number}，{}）",
                    date_cn(order_date)
                ),
            });
            f.push(Field {
                label: "复查时间".into(),
                value: time_cn(facts.at),
            });
            f
        },
        vec![
            Paragraph {
                heading: Some("复查情况".into()),
                lines,
            },
            Paragraph {
                heading: Some("复查意见".into()),
                lines: vec![opinion],
            },
        ],
        hs.iter().map(|h| h.id.clone()).collect(),
    )
}

/// Whether an inspection's result is to be told with a 行政检查结果告知书: a finished 行政检查.
pub fn tells_result(inspection: &Inspection) -> bool {
    inspection.activity == Some(FieldActivity::AdministrativeInspection)
        && inspection.finished_at.is_some()
}

/// The 行政检查结果告知书 among an inspection's documents, if one was made.
pub fn result_notice_among<'d>(documents: &[&'d SiteDocumentInfo]) -> Option<&'d SiteDocumentInfo> {
    documents
        .iter()
        .copied()
        .find(|d| d.kind == DocumentKind::ResultNotice)
}

/// A document made earlier in the same inspection, as a later one cites it.
#[derive(Debug, Clone, Copy)]
pub struct Issued<'a> {
    pub number: &'a str,
    pub date: NaiveDate,
    pub hazard_ids: &'a [String],
}

/// 行政检查结果告知书: once the inspection is finished, what it found and what follows from it,
/// told to the enterprise (the 反馈 step). It cites the signed 现场检查记录; every hazard the
/// inspection raised is either rectified or ordered rectified (`rectification_order`) first,
/// so that the notice never tells a result the body has not acted on.
pub fn result_notice(
    facts: &Facts,
    record: &Issued,
    order: Option<&Issued>,
    hazards: &[&Hazard],
) -> Result<DocumentDraft, DomainError> {
    facts.check_people()?;
    let insp = facts.inspection;
    let finished = insp
        .finished_at
        .ok_or_else(crate::document_signing::result_too_early)?;
    let record_number = required_text(record.number, "现场检查记录文号")?;
    let hs = sorted_of_inspection(facts, hazards)?;
    if hs.is_empty() && insp.score(facts.checklist, facts.site_attributes).failed > 0 {
        return Err(DomainError::InvalidValue {
            field: "行政检查结果告知书",
            reason: "本次检查发现的问题尚未登记隐患，请先登记隐患再告知检查结果".into(),
        });
    }
    let ordered = |h: &Hazard| order.is_some_and(|o| o.hazard_ids.contains(&h.id));
    let unordered: Vec<&str> = hs
        .iter()
        .filter(|h| h.status != HazardStatus::Closed && !ordered(h))
        .map(|h| h.number.as_str())
        .collect();
    if !unordered.is_empty() {
        return Err(DomainError::InvalidValue {
            field: "行政检查结果告知书",
            reason: format!(
                "隐患 {} 尚未下达责令限期整改指令书，请先制作指令书再告知检查结果",
                unordered.join("、")
            ),
        });
    }
    let mut handling: Vec<String> = hs
        .iter()
        .enumerate()
        .map(|(n, h)| {
            let how = if h.status == HazardStatus::Closed {
                "已整改".to_string()
            } else {
                // Open here means ordered (checked above).
                let o = order.map_or("", |o| o.number);
                match h.deadline() {
                    Some(d) => format!(
                        "已责令于{}前整改完毕（《责令限期整改指令书》{o}）",
                        date_cn(d)
                    ),
                    None => format!("已责令限期整改（《责令限期整改指令书》{o}）"),
                }
            };
            format!(
                "{}. {}（{}，隐患编号 {}）——{how}",
                n + 1,
                h.description,
                h.level.label(),
                h.number
            )
        })
        .collect();
    match order {
        Some(o) if hs.iter().any(|h| h.status != HazardStatus::Closed) => handling.push(format!(
            "请按{}下达的《责令限期整改指令书》{}所列期限整改，整改期间采取措施保证安全；整改完毕后报告，本机关将组织复查。",
            date_cn(o.date),
            o.number
        )),
        _ if hs.is_empty() => handling.push("本次检查无须整改的隐患。".into()),
        _ => {}
    }
    let mut fields = facts.party_fields();
    let f = Field::new;
    fields.extend([
        f(
            "检查时间",
            format!("{}至{}", time_cn(insp.started_at), time_cn(finished)),
        ),
        f("执法主体", facts.in_name_of()?.to_string()),
        f("检查人员", facts.officers_line()),
        f("检查依据", facts.basis_line()),
        f(
            "现场检查记录",
            format!("{record_number}（{}）", date_cn(record.date)),
        ),
    ]);
    facts.draft(
        DocumentKind::ResultNotice,
        fields,
        vec![
            Paragraph {
                heading: Some("检查结果".into()),
                lines: facts.findings(),
            },
            Paragraph {
                heading: Some("处理情况".into()),
                lines: handling,
            },
            Paragraph {
                heading: Some("告知事项".into()),
                lines: vec![
                    "对检查结果有异议的，可以向本机关陈述、申辩，本机关将予以核实。".into(),
                    "对本次检查或执法人员的行为有意见的，可以扫描本场所的场所码向县安委办反映。"
                        .into(),
                ],
            },
        ],
        hs.iter().map(|h| h.id.clone()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_from_the_data_and_the_officers_certificate() {
        assert_eq!(
            document_number(
                DocumentKind::RectificationOrder,
                "忠县应急管理局",
                "渝50023360992",
                2026,
                3
            ),
            "（忠）应急责改〔2026〕992003号"
        );
        assert_eq!(
            document_number(
                DocumentKind::InspectionRecord,
                "忠县某某局",
                "0001",
                2027,
                12
            ),
            "（忠）某某局检记〔2027〕1012号",
            "a body not in the data keeps its own name"
        );
    }
}
