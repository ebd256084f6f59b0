//! The site sheet (.xlsx) the office imports. Spreadsheets come from outside, so the work is
//! bounded before anything is parsed: the file's size, the number of entries in its zip, what
//! they inflate to (measured by inflating, not taken from the headers), and then, while the
//! sheet's cells are streamed (never laid out as a dense grid), the rows, columns and cells
//! read and the number of row errors reported.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use utoipa::ToSchema;

use anjian_domain::checklist::{self, Checklist, Industry};
use anjian_domain::org::{Unit, UnitKind};
use anjian_domain::site::{Site, SiteLocation};

/// Limits on one imported sheet.
#[derive(Debug, Clone, Copy)]
pub struct SheetLimits {
    /// The .xlsx file itself.
    pub max_file_bytes: usize,
    /// Entries in the zip.
    pub max_entries: usize,
    /// What all entries inflate to, together.
    pub max_inflated_bytes: u64,
    /// Data rows (the header not counted); a cell below this is refused.
    pub max_rows: u32,
    /// Columns read; cells further right are skipped (still counted as cells).
    pub max_cols: u32,
    /// Cells read in all.
    pub max_cells: usize,
    /// Row errors listed; the rest are counted in one last line.
    pub max_errors: usize,
}

pub const LIMITS: SheetLimits = SheetLimits {
    max_file_bytes: 4 * 1024 * 1024,
    max_entries: 200,
    max_inflated_bytes: 48 * 1024 * 1024,
    max_rows: 5000,
    max_cols: 40,
    max_cells: 200_000,
    max_errors: 100,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct RowError {
    /// Row number as Excel shows it (the header is row 1); 0 for the file as a whole.
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub errors: Vec<RowError>,
}

fn file_error(message: impl Into<String>) -> Vec<RowError> {
    vec![RowError {
        row: 0,
        message: message.into(),
    }]
}

/// Inflates every entry (into nothing) to measure it: a zip bomb is refused after at most
/// `max_inflated_bytes` of work, whatever its headers claim.
fn check_zip(bytes: &[u8], limits: &SheetLimits) -> Result<(), Vec<RowError>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| file_error(format!("无法读取 Excel 文件：{e}")))?;
    if zip.len() > limits.max_entries {
        return Err(file_error(format!(
            "Excel 文件结构异常：包含 {} 个部件（最多 {}）",
            zip.len(),
            limits.max_entries
        )));
    }
    let too_big = || {
        file_error(format!(
            "Excel 文件解压后过大（超过 {} MB），请删除无关内容或分批导入",
            limits.max_inflated_bytes / (1024 * 1024)
        ))
    };
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| file_error(format!("无法读取 Excel 文件：{e}")))?;
        if entry.size() > limits.max_inflated_bytes {
            return Err(too_big());
        }
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| file_error(format!("Excel 文件已损坏：{e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_inflated_bytes {
                return Err(too_big());
            }
        }
    }
    Ok(())
}

/// The first sheet's cells, row by row (sparse), within the limits.
fn read_rows(
    bytes: &[u8],
    limits: &SheetLimits,
) -> Result<BTreeMap<u32, Vec<(u32, Data)>>, Vec<RowError>> {
    if bytes.len() > limits.max_file_bytes {
        return Err(file_error(format!(
            "Excel 文件过大（最多 {} MB），请分批导入",
            limits.max_file_bytes / (1024 * 1024)
        )));
    }
    check_zip(bytes, limits)?;
    let mut book = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| file_error(format!("无法读取 Excel 文件：{e}")))?;
    let Some(first) = book.sheet_names().first().cloned() else {
        return Err(file_error("Excel 文件中没有工作表"));
    };
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| file_error(format!("无法读取工作表：{e}")))?;
    let mut rows: BTreeMap<u32, Vec<(u32, Data)>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| file_error(format!("无法读取工作表：{e}")))?
    {
        count += 1;
        if count > limits.max_cells {
            return Err(file_error(format!(
                "工作表单元格过多（最多 {} 个），请分批导入",
                limits.max_cells
            )));
        }
        let (row, col) = cell.get_position();
        if row > limits.max_rows {
            return Err(vec![RowError {
                row: row as usize + 1,
                message: format!(
                    "工作表超过 {} 行（第 {} 行有内容），请分批导入",
                    limits.max_rows,
                    row as u64 + 1
                ),
            }]);
        }
        if col >= limits.max_cols {
            continue;
        }
        let value: Data = cell.get_value().clone().into();
        if value == Data::Empty {
            continue;
        }
        rows.entry(row).or_default().push((col, value));
    }
    Ok(rows)
}

/// The columns of the site sheet, by their Chinese headers (the first six are required).
pub const COLUMNS: [&str; 11] = [
    "名称",
    "行业",
    "纬度",
    "经度",
    "半径（米）",
    "属地乡镇",
    "属事部门",
    "地址",
    "联系人",
    "联系电话",
    "场所属性",
];

/// The 场所属性 cell: conditions of the industry's checklist, by label or code, separated by
/// 、，,；; or spaces.
fn site_attributes(cell: &str, list: &Checklist) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for part in cell
        .split(['、', '，', ',', '；', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let found = list
            .conditions
            .iter()
            .find(|c| c.code == part || c.label == part)
            .ok_or_else(|| {
                let known: Vec<&str> = list.conditions.iter().map(|c| c.label.as_str()).collect();
                if known.is_empty() {
                    format!(
                        "{} 的检查表没有场所属性，“{}”无法识别",
                        list.name,
                        clip(part)
                    )
                } else {
                    format!(
                        "场所属性“{}”无法识别（{} 可填：{}）",
                        clip(part),
                        list.name,
                        known.join("、")
                    )
                }
            })?;
        if !codes.contains(&found.code) {
            codes.push(found.code.clone());
        }
    }
    Ok(codes)
}

fn cell_text(row: &[(u32, Data)], i: Option<u32>) -> String {
    let Some(i) = i else {
        return String::new();
    };
    match row.iter().find(|(c, _)| *c == i).map(|(_, d)| d) {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(n)) => n.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string().trim().to_string(),
    }
}

fn find_industry(text: &str) -> Option<Industry> {
    if text.is_empty() {
        return None;
    }
    Industry::from_code(text).ok().or_else(|| {
        checklist::compiled()
            .iter()
            .find(|c| c.name == text || c.name.starts_with(text))
            .map(|c| c.industry)
    })
}

fn find_unit<'a>(units: &'a [Unit], kind: UnitKind, text: &str) -> Option<&'a Unit> {
    units
        .iter()
        .filter(|u| u.kind == kind)
        .find(|u| u.id == text || u.name == text || u.code.as_deref() == Some(text))
}

/// Parses the sheet into sites against the compiled checklists; every bad row is reported
/// (up to the limit), none is half-read.
pub fn parse_site_sheet(bytes: &[u8], units: &[Unit]) -> Result<Vec<(usize, Site)>, Vec<RowError>> {
    parse_site_sheet_with(bytes, units, &LIMITS)
}

/// Parses the sheet with the county's current checklists (whose conditions name the site
/// attributes a row may carry).
pub fn parse_site_sheet_for(
    bytes: &[u8],
    units: &[Unit],
    lists: &[Arc<Checklist>],
) -> Result<Vec<(usize, Site)>, Vec<RowError>> {
    parse_sheet(bytes, units, lists, &LIMITS)
}

pub fn parse_site_sheet_with(
    bytes: &[u8],
    units: &[Unit],
    limits: &SheetLimits,
) -> Result<Vec<(usize, Site)>, Vec<RowError>> {
    parse_sheet(bytes, units, checklist::compiled(), limits)
}

fn parse_sheet(
    bytes: &[u8],
    units: &[Unit],
    lists: &[Arc<Checklist>],
    limits: &SheetLimits,
) -> Result<Vec<(usize, Site)>, Vec<RowError>> {
    let rows = read_rows(bytes, limits)?;
    let mut rows = rows.into_iter();
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![RowError {
            row: 1,
            message: "工作表为空".into(),
        }]);
    };
    let col = |name: &str| -> Option<u32> {
        let wanted = name.replace(['（', '）'], "");
        header.iter().find_map(|(c, d)| {
            let h = d.to_string().trim().replace(['(', ')', '（', '）'], "");
            (h == wanted).then_some(*c)
        })
    };
    let idx: Vec<Option<u32>> = COLUMNS.iter().map(|c| col(c)).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&idx)
        .take(6)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError {
            row: header_row as usize + 1,
            message: format!("缺少列：{}", missing.join("、")),
        }]);
    }
    let mut sites = Vec::new();
    let mut errors = Vec::new();
    let mut more_errors = 0usize;
    for (r, row) in rows {
        let row_no = r as usize + 1;
        let text = |i: usize| cell_text(&row, idx[i]);
        if (0..COLUMNS.len()).all(|i| text(i).is_empty()) {
            continue;
        }
        let result = (|| -> Result<Site, String> {
            let industry = find_industry(&text(1))
                .ok_or_else(|| format!("行业“{}”无法识别", clip(&text(1))))?;
            let number = |i: usize, what: &str| -> Result<f64, String> {
                text(i)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("{what}“{}”不是数字", clip(&text(i))))
            };
            let lat = number(2, "纬度")?;
            let lon = number(3, "经度")?;
            let radius = if text(4).is_empty() {
                None
            } else {
                Some(number(4, "半径")?)
            };
            let township = find_unit(units, UnitKind::Township, &text(5))
                .ok_or_else(|| format!("属地乡镇“{}”不存在", clip(&text(5))))?;
            let department = if text(6).is_empty() {
                None
            } else {
                Some(
                    find_unit(units, UnitKind::Department, &text(6))
                        .ok_or_else(|| format!("属事部门“{}”不存在", clip(&text(6))))?
                        .id
                        .clone(),
                )
            };
            let opt = |i: usize| Some(text(i)).filter(|s| !s.is_empty());
            let site = Site {
                id: format!("site-{}", uuid::Uuid::now_v7()),
                name: text(0),
                industry: industry.code().to_string(),
                location: SiteLocation::circle(lat, lon, radius),
                township_id: township.id.clone(),
                department_id: department,
                address: opt(7),
                contact_name: opt(8),
                contact_phone: opt(9),
                attributes: match lists.iter().find(|l| l.industry == industry) {
                    Some(list) => site_attributes(&text(10), list)?,
                    None => Vec::new(),
                },
            };
            site.validate().map_err(|e| e.to_string())?;
            Ok(site)
        })();
        match result {
            Ok(site) => sites.push((row_no, site)),
            Err(_) if errors.len() >= limits.max_errors => more_errors += 1,
            Err(message) => errors.push(RowError {
                row: row_no,
                message,
            }),
        }
    }
    if more_errors > 0 {
        errors.push(RowError {
            row: 0,
            message: format!("另有 {more_errors} 行有错误，未逐一列出"),
        });
    }
    if errors.is_empty() {
        Ok(sites)
    } else {
        Err(errors)
    }
}

/// A cell's text as quoted back in an error: at most 40 characters.
fn clip(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        s.chars().take(40).collect::<String>() + "…"
    }
}
