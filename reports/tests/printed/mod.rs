//! A workbook printed as the office prints it: converted to PDF by LibreOffice headless and
//! read back with poppler (`pdftotext`). Both come from Debian (`scripts/setup.sh`). Without
//! them the check is skipped with a message, unless ANJIAN_REQUIRE_PRINT is set (CI sets it).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// The pages of a printed workbook.
pub struct Printed {
    /// The text of each page (`pdftotext -layout`).
    pub pages: Vec<String>,
    /// The text lines of each page with their boxes (x0, y0, x1, y1), in points.
    pub lines: Vec<Vec<(f64, f64, f64, f64, String)>>,
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Prints the workbook, or `None` when LibreOffice or poppler is missing and printing is not
/// required.
pub fn print(name: &str, xlsx: &[u8]) -> Option<Printed> {
    if !(have("soffice", "--version") && have("pdftotext", "-v")) {
        if std::env::var_os("ANJIAN_REQUIRE_PRINT").is_some() {
            panic!("ANJIAN_REQUIRE_PRINT is set but soffice or pdftotext is missing (scripts/setup.sh installs them)");
        }
        eprintln!("SKIPPED print check of {name}: LibreOffice (soffice) or poppler (pdftotext) not installed; scripts/setup.sh installs them");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(format!("{name}.xlsx"));
    std::fs::write(&src, xlsx).unwrap();
    // Its own profile, so that tests running at once do not share LibreOffice's lock.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out = Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&src)
        .output()
        .unwrap();
    let pdf_path = dir.path().join(format!("{name}.pdf"));
    assert!(
        pdf_path.exists(),
        "LibreOffice did not convert {name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(&pdf_path).unwrap();
    if let Ok(keep) = std::env::var("ANJIAN_EXPORT_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join(format!("{name}.pdf")), &pdf).unwrap();
    }
    let text = pdftotext(&pdf_path, &["-layout"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    let lines = line_boxes(&pdftotext(&pdf_path, &["-bbox-layout"]));
    assert_eq!(lines.len(), pages.len());
    Some(Printed { pages, lines })
}

fn pdftotext(pdf: &Path, args: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let at = tag.find(&key).unwrap() + key.len();
    let end = tag[at..].find('"').unwrap();
    tag[at..at + end].parse().unwrap()
}

/// The `<line>` boxes of `pdftotext -bbox-layout`, page by page, with their words.
fn line_boxes(xhtml: &str) -> Vec<Vec<(f64, f64, f64, f64, String)>> {
    let mut pages = Vec::new();
    for page in xhtml.split("<page ").skip(1) {
        let mut lines = Vec::new();
        for line in page.split("<line ").skip(1) {
            let tag = &line[..line.find('>').unwrap()];
            let words: String = line
                .split("<word ")
                .skip(1)
                .filter_map(|w| Some(&w[w.find('>')? + 1..w.find("</word>")?]))
                .collect();
            lines.push((
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
                words,
            ));
        }
        pages.push(lines);
    }
    pages
}

fn char_counts<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    for t in texts {
        for c in t.chars().filter(|c| !c.is_whitespace()) {
            *m.entry(c).or_insert(0) += 1;
        }
    }
    m
}

/// Prints a workbook and checks what the office needs of its pages: `headers` on every page
/// (the header row repeats), 第X页 共Y页 in each footer, no line of text over another (a
/// row too low for its wrapped text spills into the next), and every character of `cells`
/// printed. Returns the pages (`None` when skipped).
pub fn check(name: &str, xlsx: &[u8], headers: &[&str], cells: &[String]) -> Option<Printed> {
    let p = print(name, xlsx)?;
    let n = p.pages.len();
    assert!(n >= 1, "{name}: no page");
    for (i, page) in p.pages.iter().enumerate() {
        let footer = format!("第{}页 共{}页", i + 1, n);
        assert!(
            page.contains(&footer),
            "{name} page {}: no footer {footer}\n{page}",
            i + 1
        );
        for h in headers {
            assert!(
                page.contains(h),
                "{name} page {}: header {h} not repeated\n{page}",
                i + 1
            );
        }
    }
    for (i, lines) in p.lines.iter().enumerate() {
        for (a, la) in lines.iter().enumerate() {
            for lb in &lines[a + 1..] {
                let x = la.2.min(lb.2) - la.0.max(lb.0);
                let y = la.3.min(lb.3) - la.1.max(lb.1);
                assert!(
                    x <= 0.5 || y <= 0.5,
                    "{name} page {}: text overlaps: {:?} and {:?}",
                    i + 1,
                    la,
                    lb
                );
            }
        }
    }
    let printed = char_counts(p.pages.iter().map(String::as_str));
    for (c, want) in char_counts(cells.iter().map(String::as_str)) {
        let got = printed.get(&c).copied().unwrap_or(0);
        assert!(
            got >= want,
            "{name}: {c} printed {got} times, the cells have it {want} times"
        );
    }
    Some(p)
}
