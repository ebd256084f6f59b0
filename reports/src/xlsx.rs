//! Tables to an .xlsx workbook that opens in LibreOffice and WPS like a hand-made ledger:
//! a merged title, bold bordered Chinese headers, the header row frozen and repeated on every
//! printed page, column widths, dates as real dates, money with two decimals. Every sheet
//! prints the same way ([`crate::print`]): landscape A4 (A3 for the wide ledgers) fitted to
//! the page width, rows as tall as their wrapped text, 第X页 共Y页 in the footer.

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use crate::print;
use crate::table::{Cell, Table};
use crate::Result;

const FONT: &str = "宋体";

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    int: Format,
    number: Format,
    money: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_font_name(FONT)
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: base.clone().set_text_wrap(),
            int: base.clone().set_align(FormatAlign::Center),
            number: base.clone().set_num_format("0.00"),
            money: base.clone().set_num_format("#,##0.00"),
            date: base
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
        }
    }
}

/// One sheet per table, in order.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    for t in tables {
        let ws = wb.add_worksheet();
        write_sheet(ws, t, &f)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn write_sheet(ws: &mut Worksheet, t: &Table, f: &Formats) -> Result<()> {
    ws.set_name(t.sheet.chars().take(31).collect::<String>())?;
    ws.set_landscape();
    ws.set_paper_size(print::paper_for(t).code());
    // As wide as the page, as many pages long as the rows need.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.2, 0.3);
    ws.set_footer("&C第&P页 共&N页");
    let last_col = (t.columns.len().max(1) - 1) as u16;
    ws.merge_range(0, 0, 0, last_col, &t.title, &f.title)?;
    ws.set_row_height(0, 30)?;
    for (c, column) in t.columns.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, &column.header, &f.header)?;
        ws.set_column_width(c as u16, column.width)?;
    }
    ws.set_row_height(1, print::header_height(t))?;
    ws.set_freeze_panes(2, 0)?;
    ws.set_repeat_rows(1, 1)?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = (r + 2) as u32;
        ws.set_row_height(r, print::row_height(t, row))?;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string_with_format(r, c, s, &f.text)?,
                Cell::Int(i) => ws.write_number_with_format(r, c, *i as f64, &f.int)?,
                Cell::Number(n) => ws.write_number_with_format(r, c, *n, &f.number)?,
                Cell::Money(fen) => {
                    ws.write_number_with_format(r, c, *fen as f64 / 100.0, &f.money)?
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(r, c, &dt, &f.date)?
                }
                Cell::Empty => ws.write_blank(r, c, &f.text)?,
            };
        }
    }
    Ok(())
}
