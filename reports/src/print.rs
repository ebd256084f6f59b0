//! How a ledger prints: paper and orientation from the table's width, row heights that fit
//! the wrapped text, and the text metrics behind both. Applied by the xlsx writer to every
//! sheet, so a new export prints well without doing anything.
//!
//! Widths are in the spreadsheet's column unit (about one Latin character of the default
//! font); a CJK character of the ledgers' 10 pt font takes about two.

use crate::table::{Cell, Table};

/// Points per printed line of the ledgers' 10 pt text. Generous: where 宋体 is missing
/// (LibreOffice on Linux) the substitute CJK font has a taller line.
pub const LINE_HEIGHT_PT: f64 = 15.0;
/// Padding above and below the text of a row.
pub const ROW_PADDING_PT: f64 = 4.0;
/// The tallest row a spreadsheet allows.
pub const MAX_ROW_HEIGHT_PT: f64 = 409.0;
/// Column units that fit across landscape A4 within the margins at 100 %.
pub const A4_LANDSCAPE_UNITS: f64 = 140.0;
/// Past this many units a ledger prints on A3: fitted to A4 it would shrink below ~80 %.
pub const A3_FROM_UNITS: f64 = A4_LANDSCAPE_UNITS * 1.25;
/// What a cell's borders and indents take from its width.
const CELL_PADDING_UNITS: f64 = 0.5;

/// The paper a sheet prints on (always landscape, fitted to the page width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    /// The paper-size code of the spreadsheet formats.
    pub fn code(self) -> u8 {
        match self {
            Paper::A4 => 9,
            Paper::A3 => 8,
        }
    }
}

/// Landscape A4, or A3 for the ledgers too wide to read on A4.
pub fn paper_for(table: &Table) -> Paper {
    let width: f64 = table.columns.iter().map(|c| c.width).sum();
    if width > A3_FROM_UNITS {
        Paper::A3
    } else {
        Paper::A4
    }
}

/// The width of one character in column units: 2 for CJK and other wide characters, 1
/// otherwise.
pub fn char_units(c: char) -> f64 {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD);
    if wide {
        2.0
    } else {
        1.0
    }
}

/// The width of a text in column units, on one line.
pub fn text_units(s: &str) -> f64 {
    s.chars().map(char_units).sum()
}

/// How many lines a text takes when wrapped in a column `width` units wide: explicit line
/// breaks kept, CJK text broken anywhere, a Latin word or number kept whole when it fits on a
/// line (as the spreadsheets wrap).
pub fn wrapped_lines(text: &str, width: f64) -> usize {
    let usable = (width - CELL_PADDING_UNITS).max(1.0);
    text.split('\n')
        .map(|line| {
            let mut lines = 1;
            let mut used = 0.0;
            for token in tokens(line) {
                let w = text_units(token);
                if used + w <= usable {
                    used += w;
                    continue;
                }
                if token.chars().count() > 1 && w <= usable {
                    // A whole word moves to the next line.
                    lines += 1;
                    used = w;
                    continue;
                }
                // Too wide for any line, or one character: broken where the line ends.
                for c in token.chars() {
                    let cw = char_units(c);
                    if used + cw > usable && used > 0.0 {
                        lines += 1;
                        used = 0.0;
                    }
                    used += cw;
                }
            }
            lines
        })
        .sum()
}

/// A line cut into what may not be broken: runs of Latin letters and digits, and every other
/// character alone.
fn tokens(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        let word = c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':');
        match (word, start) {
            (true, None) => start = Some(i),
            (true, Some(_)) => {}
            (false, s) => {
                if let Some(s) = s {
                    out.push(&line[s..i]);
                    start = None;
                }
                out.push(&line[i..i + c.len_utf8()]);
            }
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn height_for(lines: usize, min: f64) -> f64 {
    (lines as f64 * LINE_HEIGHT_PT + ROW_PADDING_PT).clamp(min, MAX_ROW_HEIGHT_PT)
}

/// The height of the header row, in points.
pub fn header_height(table: &Table) -> f64 {
    let lines = table
        .columns
        .iter()
        .map(|c| wrapped_lines(&c.header, c.width))
        .max()
        .unwrap_or(1);
    height_for(lines, 30.0)
}

/// The height of a data row that shows all of its wrapped text, in points.
pub fn row_height(table: &Table, row: &[Cell]) -> f64 {
    let lines = row
        .iter()
        .zip(&table.columns)
        .map(|(cell, column)| match cell {
            Cell::Text(s) => wrapped_lines(s, column.width),
            _ => 1,
        })
        .max()
        .unwrap_or(1);
    height_for(lines, 20.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::col;

    #[test]
    fn cjk_text_wraps_by_its_double_width_and_latin_words_stay_whole() {
        assert_eq!(text_units("问题ab"), 6.0);
        // 40 units less padding: 19 CJK characters a line.
        let desc = "液化石油气钢瓶存放于地下室，未设置可燃气体报警装置，且未配备灭火器材";
        assert_eq!(desc.chars().count(), 34);
        assert_eq!(wrapped_lines(desc, 40.0), 2);
        assert_eq!(wrapped_lines(&desc.repeat(3), 40.0), 6);
        assert_eq!(wrapped_lines("第一行\n第二行", 40.0), 2);
        assert_eq!(wrapped_lines("", 10.0), 1);
        // "YH-20261103-0001" (16 units) does not fit after 5 CJK characters in 20 units.
        assert_eq!(wrapped_lines("石宝镇加油站YH-20261103-0001", 20.0), 2);
        assert_eq!(wrapped_lines(&"x".repeat(45), 10.0), 5);
    }

    #[test]
    fn rows_grow_with_their_longest_cell_and_wide_ledgers_take_a3() {
        let t = Table {
            sheet: "s".into(),
            title: "t".into(),
            columns: vec![col("序号", 6.0), col("问题描述", 21.0)],
            rows: vec![],
        };
        let short = row_height(&t, &[Cell::Int(1), Cell::text("短")]);
        let long = row_height(&t, &[Cell::Int(1), Cell::text("很".repeat(40))]);
        assert_eq!(short, 20.0);
        assert_eq!(long, 4.0 * LINE_HEIGHT_PT + ROW_PADDING_PT);
        assert_eq!(paper_for(&t), Paper::A4);
        let wide = Table {
            columns: (0..20).map(|i| col(format!("列{i}"), 10.0)).collect(),
            ..t
        };
        assert_eq!(paper_for(&wide), Paper::A3);
    }
}
