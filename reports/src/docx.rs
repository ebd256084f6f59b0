//! A small WordprocessingML (.docx) writer for Chinese government notices (GB/T 9704 layout:
//! A4, 37/35/28/26 mm margins, red masthead and rule, 小标宋 title, 仿宋 三号 body with
//! two-character first-line indent, 黑体/楷体 headings, bordered tables, signature and date
//! on the right). Only what the notices need; the parts are plain XML in a zip.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// 方正小标宋简体: titles.
    XiaoBiaoSong,
    /// 黑体: first-level headings (一、).
    Hei,
    /// 楷体: second-level headings (（一）).
    Kai,
    /// 仿宋: body.
    FangSong,
    /// 宋体: tables.
    Song,
}

impl Font {
    fn name(self) -> &'static str {
        match self {
            Font::XiaoBiaoSong => "方正小标宋简体",
            Font::Hei => "黑体",
            Font::Kai => "楷体_GB2312",
            Font::FangSong => "仿宋_GB2312",
            Font::Song => "宋体",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub text: String,
    pub font: Font,
    /// Size in points (三号 16, 二号 22).
    pub size: f32,
    pub bold: bool,
    pub red: bool,
    pub align: Align,
    /// Two-character first-line indent of body text.
    pub indent: bool,
    /// A red rule under the paragraph (the masthead's separator).
    pub red_rule: bool,
    /// Space before, in points.
    pub before: f32,
}

impl Para {
    pub fn body(text: impl Into<String>) -> Para {
        Para {
            text: text.into(),
            font: Font::FangSong,
            size: 16.0,
            bold: false,
            red: false,
            align: Align::Justify,
            indent: true,
            red_rule: false,
            before: 0.0,
        }
    }
    pub fn heading(text: impl Into<String>) -> Para {
        Para {
            font: Font::Hei,
            ..Para::body(text)
        }
    }
    pub fn subheading(text: impl Into<String>) -> Para {
        Para {
            font: Font::Kai,
            ..Para::body(text)
        }
    }
    pub fn title(text: impl Into<String>) -> Para {
        Para {
            font: Font::XiaoBiaoSong,
            size: 22.0,
            align: Align::Center,
            indent: false,
            before: 12.0,
            ..Para::body(text)
        }
    }
    pub fn plain(text: impl Into<String>) -> Para {
        Para {
            indent: false,
            ..Para::body(text)
        }
    }
    pub fn right(text: impl Into<String>) -> Para {
        Para {
            align: Align::Right,
            indent: false,
            ..Para::body(text)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableBlock {
    /// Column widths in twentieths of a point.
    pub widths: Vec<u32>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    Table(TableBlock),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub title: String,
    pub author: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn push(&mut self, p: Para) {
        self.blocks.push(Block::Para(p));
    }
    pub fn table(&mut self, t: TableBlock) {
        self.blocks.push(Block::Table(t));
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, String); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
            ("word/styles.xml", STYLES.to_string()),
            ("docProps/core.xml", self.core_xml()),
            ("word/document.xml", self.document_xml()),
        ];
        for (name, body) in parts {
            zip.start_file(name, opts)?;
            zip.write_all(body.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }

    fn core_xml(&self) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"#,
            esc(&self.title),
            esc(&self.author)
        )
    }

    fn document_xml(&self) -> String {
        let mut body = String::new();
        for b in &self.blocks {
            match b {
                Block::Para(p) => para_xml(&mut body, p),
                Block::Table(t) => table_xml(&mut body, t),
            }
        }
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
        )
    }
}

/// The text of a .docx's body, paragraph per line and table row per line (cells ending in a
/// tab), for tests and previews.
pub fn plain_text(document_xml: &str) -> String {
    let mut out = String::new();
    let mut in_cell = false;
    let mut rest = document_xml
        .find("<w:body>")
        .map_or(document_xml, |i| &document_xml[i..]);
    while let Some(start) = rest.find('<') {
        let (text, tail) = rest.split_at(start);
        out.push_str(&unesc(text));
        let end = tail.find('>').map_or(tail.len(), |e| e + 1);
        let tag = &tail[..end];
        if tag.starts_with("<w:tc>") {
            in_cell = true;
        } else if tag.starts_with("</w:tc>") {
            in_cell = false;
            out.push('\t');
        } else if tag.starts_with("</w:tr>") || (tag.starts_with("</w:p>") && !in_cell) {
            out.push('\n');
        }
        rest = &tail[end..];
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unesc(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn run_props(font: Font, size: f32, bold: bool, red: bool) -> String {
    let half = (size * 2.0).round() as u32;
    let name = font.name();
    format!(
        r#"<w:rPr><w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}"/>{}{}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>"#,
        if bold { "<w:b/>" } else { "" },
        if red {
            r#"<w:color w:val="FF0000"/>"#
        } else {
            ""
        },
    )
}

fn para_xml(out: &mut String, p: &Para) {
    let jc = match p.align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "both",
    };
    out.push_str("<w:p><w:pPr>");
    if p.red_rule {
        out.push_str(
            r#"<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="6" w:color="FF0000"/></w:pBdr>"#,
        );
    }
    // Fixed 28-point lines, as in printed notices.
    out.push_str(&format!(
        r#"<w:spacing w:before="{}" w:after="0" w:line="560" w:lineRule="exact"/>"#,
        (p.before * 20.0) as u32
    ));
    if p.indent {
        out.push_str(r#"<w:ind w:firstLineChars="200" w:firstLine="640"/>"#);
    }
    out.push_str(&format!(r#"<w:jc w:val="{jc}"/></w:pPr>"#));
    if !p.text.is_empty() {
        out.push_str(&format!(
            r#"<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r>"#,
            run_props(p.font, p.size, p.bold, p.red),
            esc(&p.text)
        ));
    }
    out.push_str("</w:p>");
}

fn cell_xml(out: &mut String, width: u32, text: &str, header: bool) {
    out.push_str(&format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="320" w:lineRule="atLeast"/><w:jc w:val="center"/></w:pPr><w:r>{}<w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#,
        run_props(if header { Font::Hei } else { Font::Song }, 10.5, false, false),
        esc(text)
    ));
}

fn table_xml(out: &mut String, t: &TableBlock) {
    let total: u32 = t.widths.iter().sum();
    out.push_str(&format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4" w:color="000000"/><w:left w:val="single" w:sz="4" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:color="000000"/><w:right w:val="single" w:sz="4" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:color="000000"/></w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#
    ));
    for w in &t.widths {
        out.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    out.push_str("</w:tblGrid>");
    // The header row repeats on each page.
    out.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    for (w, h) in t.widths.iter().zip(&t.header) {
        cell_xml(out, *w, h, true);
    }
    out.push_str("</w:tr>");
    for row in &t.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (w, c) in t.widths.iter().zip(row) {
            cell_xml(out, *w, c, false);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    // A table must be followed by a paragraph.
    out.push_str(r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:p>"#);
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:hAnsi="仿宋_GB2312" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>"#;
