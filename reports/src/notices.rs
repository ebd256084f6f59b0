//! The monthly notices as Chinese government documents: 考核通报 (the monthly assessment) and
//! 暗访通报 (the unannounced patrols), each with masthead, document number, title, addressees,
//! body, tables of results and problems, issuing body and date.

use chrono::{Datelike, NaiveDate};

use anjian_domain::assessment::{MonthlyAssessment, UnitScore};
use anjian_domain::month::YearMonth;
use anjian_domain::org::UnitKind;

use crate::docx::{Document, Para, TableBlock};

/// Who issues a notice, under which number, on which day.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// 发文机关 ("忠县安全生产委员会办公室").
    pub issuer: String,
    /// 发文字号 ("忠安委办〔2026〕45号").
    pub number: String,
    pub date: NaiveDate,
}

fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn begin(doc: &mut Document, issue: &Issue, title: &str) {
    doc.title = title.to_string();
    doc.author = issue.issuer.clone();
    doc.push(Para {
        size: 26.0,
        red: true,
        before: 24.0,
        ..Para::title(format!("{}文件", issue.issuer))
    });
    doc.push(Para {
        align: crate::docx::Align::Center,
        red_rule: true,
        before: 12.0,
        ..Para::plain(&issue.number)
    });
    doc.push(Para {
        before: 24.0,
        ..Para::title(title)
    });
    doc.push(Para::plain(""));
    doc.push(Para::plain("各乡镇人民政府、街道办事处，县级有关部门："));
}

fn end(doc: &mut Document, issue: &Issue) {
    doc.push(Para::plain(""));
    doc.push(Para {
        before: 24.0,
        ..Para::right(format!("{}　　", issue.issuer))
    });
    doc.push(Para::right(format!("{}　　　　", chinese_date(issue.date))));
}

fn score(x: f64) -> String {
    format!("{x:.2}")
}

fn results_table(scores: &[&UnitScore]) -> TableBlock {
    TableBlock {
        widths: vec![900, 2900, 1500, 1500, 2000],
        header: ["排名", "单位", "考核得分", "自评得分", "月末未清零问题"]
            .map(String::from)
            .to_vec(),
        rows: scores
            .iter()
            .map(|s| {
                vec![
                    s.rank.to_string(),
                    s.unit_name.clone(),
                    score(s.total),
                    s.self_score.map_or("未报送".into(), score),
                    format!("{}个", s.month_clear_open.len()),
                ]
            })
            .collect(),
    }
}

/// 考核通报: the month's scores of townships and departments, and where points were lost.
pub fn assessment_notice(a: &MonthlyAssessment, issue: &Issue) -> Document {
    let mut doc = Document::default();
    let title = format!("关于{}全县安全生产综合考核评估情况的通报", a.month.label());
    begin(&mut doc, issue, &title);
    let towns: Vec<&UnitScore> = a
        .scores
        .iter()
        .filter(|s| s.unit_kind == UnitKind::Township)
        .collect();
    let depts: Vec<&UnitScore> = a
        .scores
        .iter()
        .filter(|s| s.unit_kind != UnitKind::Township)
        .collect();
    doc.push(Para::body(format!(
        "按照《忠县“五查四改月述考”工作机制》要求，县安委办对{}个乡镇（街道）和{}个县级行业部门{}安全生产工作进行了综合考核评估（满分{}分）。现将有关情况通报如下。",
        towns.len(),
        depts.len(),
        a.month.label(),
        a.full_marks
    )));
    doc.push(Para::heading("一、考核评估结果"));
    for (label, group) in [
        ("（一）乡镇（街道）", &towns),
        ("（二）县级行业部门", &depts),
    ] {
        doc.push(Para::subheading(label));
        if group.is_empty() {
            doc.push(Para::body("本月无考核对象。"));
            continue;
        }
        let avg = group.iter().map(|s| s.total).sum::<f64>() / group.len() as f64;
        let first = group.first().expect("non-empty");
        let last = group.last().expect("non-empty");
        doc.push(Para::body(format!(
            "平均得分{}分，最高分{}（{}分），最低分{}（{}分）。",
            score(avg),
            first.unit_name,
            score(first.total),
            last.unit_name,
            score(last.total)
        )));
        doc.table(results_table(group));
    }
    doc.push(Para::heading("二、存在的主要问题"));
    let mut n = 0;
    let indicators = a.scores.first().map(|s| s.indicators.len()).unwrap_or(0);
    for idx in 0..indicators {
        let lost: Vec<&UnitScore> = a
            .scores
            .iter()
            .filter(|s| s.indicators[idx].points < s.indicators[idx].weight)
            .collect();
        if lost.is_empty() {
            continue;
        }
        n += 1;
        // Units grouped by what they lost points for ("未报送：甲镇、乙镇").
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for s in &lost {
            let detail = s.indicators[idx].detail.as_str();
            match groups.iter_mut().find(|(d, _)| *d == detail) {
                Some((_, names)) => names.push(&s.unit_name),
                None => groups.push((detail, vec![&s.unit_name])),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(detail, names)| format!("{}：{}", detail, names.join("、")))
            .collect();
        doc.push(Para::body(format!(
            "（{}）{}。{}个单位失分。{}。",
            chinese_number(n),
            a.scores[0].indicators[idx].label,
            lost.len(),
            parts.join("；")
        )));
    }
    if n == 0 {
        doc.push(Para::body("本月各单位考核指标均得满分，未发现扣分事项。"));
    }
    doc.push(Para::heading("三、工作要求"));
    for text in [
        "（一）压紧压实责任。各乡镇（街道）、县级行业部门主要负责人要切实履行安全生产第一责任人职责，对照履职纪实频次要求，逐项补齐短板，确保带队督查、专题会议等履职事项按期完成、全程留痕。",
        "（二）抓实隐患整改。对考核中发现的问题，要建立问题清单，严格落实“五落实”要求，限时整改销号；重大隐患逾期未整改的，县安委办将按程序提醒约谈。",
        "（三）落实“月清零”要求。执法检查发现的问题原则上当月清零，确需跨月整改的，须落实临时防控措施并明确整改时限。",
        "（四）按时报送材料。各单位每月末前将履职纪实、设施设备投入佐证材料和月度自评结果报送县安委办。",
    ] {
        doc.push(Para::body(text));
    }
    end(&mut doc, issue);
    doc
}

/// One problem found by an unannounced patrol, for the patrol notice.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolFinding {
    pub unit: String,
    pub site: String,
    pub description: String,
    pub level: String,
    pub deadline: Option<NaiveDate>,
    pub status: String,
}

/// Who ran the patrols a notice reports: 县安委办, or a township's or department's 工作专班.
#[derive(Debug, Clone, PartialEq)]
pub struct Organiser {
    /// As the notice names it: 县安委办, 石宝镇安全生产工作专班.
    pub name: String,
    /// Whether it is the county office (its notice goes to every township and department).
    pub county: bool,
}

/// 暗访通报 of one organiser: the month's unannounced patrols it ran and what they found.
pub fn patrol_notice(
    month: YearMonth,
    organiser: &Organiser,
    patrols: usize,
    sites_visited: usize,
    findings: &[PatrolFinding],
    issue: &Issue,
) -> Document {
    let mut doc = Document::default();
    let title = format!("关于{}安全生产暗访巡查情况的通报", month.label());
    begin(&mut doc, issue, &title);
    let major = findings.iter().filter(|f| f.level == "重大隐患").count();
    let closed = findings
        .iter()
        .filter(|f| f.status.starts_with("已销号"))
        .count();
    let whom = if organiser.county {
        "各乡镇（街道）、县级行业部门"
    } else {
        "本辖区、本行业各责任单位和企业"
    };
    doc.push(Para::body(format!(
        "为督促{whom}认真履行安全生产职责，{}，{}采取“四不两直”方式开展暗访巡查{}次，暗访企业（场所）{}家，发现问题{}个（其中重大隐患{}个），截至通报时已整改销号{}个。现将有关情况通报如下。",
        month.label(),
        organiser.name,
        patrols,
        sites_visited,
        findings.len(),
        major,
        closed
    )));
    doc.push(Para::heading("一、发现的主要问题"));
    if findings.is_empty() {
        doc.push(Para::body("本月暗访巡查未发现问题。"));
    } else {
        doc.table(TableBlock {
            widths: vec![700, 1500, 2000, 2900, 1100, 1300, 1300],
            header: [
                "序号",
                "责任单位",
                "企业（场所）",
                "存在问题",
                "隐患等级",
                "整改时限",
                "整改状态",
            ]
            .map(String::from)
            .to_vec(),
            rows: findings
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    vec![
                        (i + 1).to_string(),
                        f.unit.clone(),
                        f.site.clone(),
                        f.description.clone(),
                        f.level.clone(),
                        f.deadline
                            .map(chinese_date)
                            .unwrap_or_else(|| "立即整改".into()),
                        f.status.clone(),
                    ]
                })
                .collect(),
        });
    }
    doc.push(Para::heading("二、整改要求"));
    for text in [
        "（一）各责任单位要对通报问题逐一建立台账，明确整改责任人和整改时限，整改完成后将整改前、中、后照片及佐证材料报送县安委办。",
        "（二）重大隐患要严格落实整改目标、措施、时限、责任和资金“五落实”，整改期间落实临时防控措施，确保安全。",
    ] {
        doc.push(Para::body(text));
    }
    doc.push(Para::body(format!(
        "（三）{}将对通报问题整改情况进行复查，整改不力的纳入月度考核扣分，并视情提醒约谈。",
        organiser.name
    )));
    end(&mut doc, issue);
    doc
}

fn chinese_number(n: usize) -> &'static str {
    const N: [&str; 11] = [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    N.get(n).copied().unwrap_or("十")
}
