//! The documents left on site (issue 18), end to end: an officer of 县应急管理局 inspects an
//! enterprise offline, cannot finish the 行政检查 before the 现场检查记录 is signed, makes the
//! four documents signed on the screen by both officers of the team (the co-officer on the
//! leader's phone) and the representative (one refusal to sign before a witness), the
//! 行政检查结果告知书 only once the inspection is finished and its hazard ordered rectified,
//! reads them back as PDF text, syncs; the server checks each PDF by its SHA-256 and lists them with the
//! inspection.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use anjian_core::site_documents::{CoOfficerSignature, DocumentRequest};
use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::evidence::{EvidenceKind, EvidenceRecord};
use anjian_domain::hazard::{FiveImplementations, HazardAction, HazardDraft, HazardSource};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use anjian_domain::site_document::{DocumentKind, Signer};
use chrono::{Duration, Utc};
use common::{api_get, blob_sha, token, ServerProcess};

const FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// A signature as a pad writes it: dark strokes on a transparent background.
fn signature_png(path: &Path, seed: u32) {
    let (w, h) = (360u32, 120u32);
    let mut rgba = vec![0u8; (w * h * 4) as usize];
    for x in 20..340u32 {
        let y = 60.0 + 30.0 * ((x as f32 + seed as f32 * 17.0) / 23.0).sin();
        for dy in 0..4 {
            let y = (y as u32 + dy).min(h - 1);
            let i = ((y * w + x) * 4) as usize;
            rgba[i..i + 4].copy_from_slice(&[20, 20, 80, 255]);
        }
    }
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&rgba).unwrap();
}

/// The PDF's text (poppler), or `None` when pdftotext is missing and not required.
fn pdf_text(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext").arg("-v").output() {
        Ok(_) => {}
        Err(_) if std::env::var_os("ANJIAN_REQUIRE_PRINT").is_none() => {
            eprintln!("SKIPPED reading the PDF text: poppler's pdftotext is not installed (scripts/setup.sh installs it)");
            return None;
        }
        Err(e) => panic!("ANJIAN_REQUIRE_PRINT is set but pdftotext is missing: {e}"),
    }
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8(out.stdout).unwrap())
}

/// How many images the PDF draws (poppler's `pdfimages -list`), or `None` without poppler.
fn pdf_images(pdf: &Path) -> Option<usize> {
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).unwrap();
    // Two header lines; an image with transparency lists its soft mask (smask) too.
    Some(
        text.lines()
            .skip(2)
            .filter(|l| l.split_whitespace().nth(2) == Some("image"))
            .count(),
    )
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn sync(store: &Store) {
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert_eq!(report.rejected, 0, "{report:?}");
}

struct Signatures {
    officer: PathBuf,
    /// The co-officer (何斌), signing on the leader's phone.
    colleague: PathBuf,
    colleague_id: String,
    representative: PathBuf,
}

fn request(insp: &str, kind: DocumentKind, sig: &Signatures, refused: bool) -> DocumentRequest {
    let now = Utc::now();
    DocumentRequest {
        inspection_id: insp.to_string(),
        kind,
        representative: "刘建国".into(),
        statement: Some("对检查情况无异议，将按期整改。".into()),
        officer_signature: sig.officer.clone(),
        officer_signed_at: now - Duration::seconds(30),
        co_officer_signatures: vec![CoOfficerSignature {
            person_id: sig.colleague_id.clone(),
            png: sig.colleague.clone(),
            signed_at: now - Duration::seconds(20),
        }],
        representative_signature: (!refused).then(|| sig.representative.clone()),
        representative_signed_at: (!refused).then(|| now - Duration::seconds(10)),
        refusal_witness: refused.then(|| "王芳（石宝镇安监办）".into()),
    }
}

#[test]
fn the_site_documents_are_signed_read_back_uploaded_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let phone = Store::open(&dir.path().join("phone").join("device.db")).unwrap();
    phone
        .login(&server.base, "yjj_inspector", "anjian-demo")
        .unwrap();
    sync(&phone);
    phone.set_watermark_font(Path::new(FONT), 2).unwrap();
    let mut sig = Signatures {
        officer: dir.path().join("officer.png"),
        colleague: dir.path().join("colleague.png"),
        colleague_id: String::new(),
        representative: dir.path().join("representative.png"),
    };
    signature_png(&sig.officer, 1);
    signature_png(&sig.colleague, 3);
    signature_png(&sig.representative, 2);

    // An industrial enterprise within 县应急管理局's powers.
    let site = phone
        .sites(None)
        .unwrap()
        .into_iter()
        .find(|s| s.industry == "industrial")
        .expect("an industrial site in the demo county");
    // Someone reports a hazard through the site's code; 县安委办 hands it over to 县应急管理局,
    // whose phone pulls it and starts the 行政检查 from it (任务来源 投诉举报).
    let admin = token(&server, "admin");
    let code = api_get(&server, &admin, &format!("/v1/sites/{}/code", site.id));
    let public = code["text"].as_str().unwrap().split_once("/q/").unwrap().1;
    let left = reqwest::blocking::Client::new()
        .post(format!("{}/q/{public}", server.base))
        .form(&[("text", "车间粉尘很大，泄爆口被堵住了")])
        .send()
        .unwrap();
    assert_eq!(left.status(), 201);
    let complaint = api_get(&server, &admin, "/v1/complaints")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let assigned = reqwest::blocking::Client::new()
        .post(format!("{}/v1/complaints/{complaint}/assign", server.base))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "unit_id": "dept-yjj" }))
        .send()
        .unwrap();
    assert_eq!(assigned.status(), 200);
    sync(&phone);
    let mine = phone.my_complaints(Some(&site.id)).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].text, "车间粉尘很大，泄爆口被堵住了");
    let insp = phone
        .start_complaint_inspection(
            &complaint,
            InspectionKind::RoutineCheck,
            vec!["何斌".into()],
            vec![],
        )
        .unwrap();
    assert_eq!(insp.complaint_id.as_deref(), Some(complaint.as_str()));
    assert_eq!(
        phone.inspection(&insp.id).unwrap().in_name_of.as_deref(),
        Some("忠县应急管理局")
    );
    // The second certified officer, from the pulled people.
    let team = phone.inspection(&insp.id).unwrap().officers;
    assert_eq!(team.len(), 1);
    let colleague_certificate = team[0].certificate_number.clone();
    sig.colleague_id = team[0].person_id.clone();
    // Both officers sign, the leader first: the app asks each in turn on this phone.
    let signers = phone.document_signers(&insp.id).unwrap();
    assert_eq!(
        signers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["韩磊", "何斌"]
    );
    let list = phone.checklists().for_inspection(&insp);
    let failed = list
        .items
        .iter()
        .find(|i| i.applies_if.is_none())
        .unwrap()
        .clone();
    for item in &list.items {
        let fail = item.id == failed.id;
        phone
            .record_item(
                &insp.id,
                &item.id,
                if fail {
                    ItemOutcome::Fail
                } else {
                    ItemOutcome::Pass
                },
                fail.then(|| "粉尘爆炸危险场所未按规定设置泄爆装置".to_string()),
            )
            .unwrap();
    }

    // No 行政检查 finishes without its signed 现场检查记录.
    let refused = phone.finish_inspection(&insp.id).unwrap_err().to_string();
    assert!(
        refused.contains("行政检查须先制作现场检查记录"),
        "{refused}"
    );
    // A record without the representative's signature or a witness is refused; nothing kept.
    let mut unsigned = request(&insp.id, DocumentKind::InspectionRecord, &sig, false);
    unsigned.representative_signature = None;
    assert!(phone
        .make_site_document(&unsigned)
        .unwrap_err()
        .to_string()
        .contains("拒签的须记录见证人"));
    // Signed by the leader alone, or by someone not on the team as an officer: refused.
    let mut alone = request(&insp.id, DocumentKind::InspectionRecord, &sig, false);
    alone.co_officer_signatures.clear();
    let err = phone.make_site_document(&alone).unwrap_err().to_string();
    assert!(err.contains("尚缺执法人员何斌的签名"), "{err}");
    let mut outsider = request(&insp.id, DocumentKind::InspectionRecord, &sig, false);
    outsider.co_officer_signatures[0].person_id = "person-zjw-officer-1".into();
    let err = phone.make_site_document(&outsider).unwrap_err().to_string();
    assert!(err.contains("不是本次行政检查的执法人员"), "{err}");
    assert!(phone.site_documents(&insp.id).unwrap().is_empty());

    let record = phone
        .make_site_document(&request(
            &insp.id,
            DocumentKind::InspectionRecord,
            &sig,
            false,
        ))
        .unwrap();
    // The result is told only once the inspection is finished.
    let early = phone
        .make_site_document(&request(&insp.id, DocumentKind::ResultNotice, &sig, false))
        .unwrap_err()
        .to_string();
    assert!(
        early.contains("检查结束后才能制作行政检查结果告知书"),
        "{early}"
    );
    phone.finish_inspection(&insp.id).unwrap();
    // 今日 lists it as owing its result until the notice is made.
    let owed = |phone: &Store| -> Vec<String> {
        phone
            .results_to_tell()
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect()
    };
    assert_eq!(owed(&phone), vec![insp.id.clone()]);

    // The finding, raised and planned with a deadline, is ordered rectified.
    let deadline = anjian_domain::hazard::china_date(Utc::now()) + Duration::days(15);
    let hazard = phone
        .raise_hazard(HazardDraft {
            id: String::new(),
            number: String::new(),
            site_id: Some(site.id.clone()),
            unit_id: "dept-yjj".into(),
            description: "粉尘爆炸危险场所未按规定设置泄爆装置".into(),
            location: None,
            source: Some(HazardSource {
                inspection_id: insp.id.clone(),
                industry: list.industry,
                item_id: failed.id.clone(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
    phone
        .act_on_hazard(
            &hazard.id,
            HazardAction::UpdatePlan {
                plan: FiveImplementations {
                    deadline: Some(deadline),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    // Nor before its hazard is ordered rectified.
    let unordered = phone
        .make_site_document(&request(&insp.id, DocumentKind::ResultNotice, &sig, false))
        .unwrap_err()
        .to_string();
    assert!(
        unordered.contains(&format!(
            "隐患 {} 尚未下达责令限期整改指令书",
            hazard.number
        )),
        "{unordered}"
    );
    assert_eq!(
        phone.site_documents(&insp.id).unwrap().len(),
        1,
        "nothing kept"
    );
    let order = phone
        .make_site_document(&request(
            &insp.id,
            DocumentKind::RectificationOrder,
            &sig,
            false,
        ))
        .unwrap();
    // The review: the representative refuses to sign, before a witness.
    let review = phone
        .make_site_document(&request(&insp.id, DocumentKind::ReviewOpinion, &sig, true))
        .unwrap();
    // The result, told to the enterprise: the finding and what the body ordered.
    let notice = phone
        .make_site_document(&request(&insp.id, DocumentKind::ResultNotice, &sig, false))
        .unwrap();

    assert!(owed(&phone).is_empty(), "told");
    let docs = phone.site_documents(&insp.id).unwrap();
    assert_eq!(docs.len(), 4);
    let officer_sha = anjian_evidence::sha256_hex(&std::fs::read(&sig.officer).unwrap());
    let colleague_sha = anjian_evidence::sha256_hex(&std::fs::read(&sig.colleague).unwrap());
    let rep_sha = anjian_evidence::sha256_hex(&std::fs::read(&sig.representative).unwrap());
    let year = chrono::Datelike::year(&anjian_domain::hazard::china_date(Utc::now()));
    for (rec, kind, tag) in [
        (&record, DocumentKind::InspectionRecord, "检记"),
        (&order, DocumentKind::RectificationOrder, "责改"),
        (&review, DocumentKind::ReviewOpinion, "复查"),
        (&notice, DocumentKind::ResultNotice, "检告"),
    ] {
        let doc = rec.document.as_ref().unwrap();
        assert_eq!(doc.kind, kind);
        assert_eq!(rec.kind, EvidenceKind::SiteDocument);
        assert!(
            doc.number
                .starts_with(&format!("（忠）应急{tag}〔{year}〕")),
            "{}",
            doc.number
        );
        let officers: Vec<_> = doc
            .signatures
            .iter()
            .filter(|s| s.signer == Signer::Officer)
            .collect();
        assert_eq!(officers[0].image_sha256, officer_sha);
        assert_eq!(officers[0].name, "韩磊");
        assert_eq!(officers[1].image_sha256, colleague_sha);
        assert_eq!(officers[1].name, "何斌");
        assert_eq!(
            officers[1].person_id.as_deref(),
            Some(sig.colleague_id.as_str())
        );
        let pdf = phone.evidence_files(rec).original;
        let bytes = std::fs::read(&pdf).unwrap();
        assert_eq!(
            anjian_evidence::sha256_hex(&bytes),
            rec.sha256,
            "its own SHA-256"
        );
        if let Ok(keep) = std::env::var("ANJIAN_EXPORT_DIR") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::write(
                Path::new(&keep).join(format!("{}.pdf", kind.code())),
                &bytes,
            )
            .unwrap();
        }
        assert!(
            bytes.len() < 200_000,
            "the font is subset: {} bytes",
            bytes.len()
        );
        let Some(text) = pdf_text(&pdf) else { continue };
        let text = squash(&text);
        for want in [
            kind.title(),
            "忠县应急管理局",
            &doc.number,
            &site.name,
            "刘建国",
            "韩磊",
            "何斌",
            // Each officer's signature line: name, certificate, time.
            &format!("何斌证号：{colleague_certificate}"),
            "第1页共",
        ] {
            assert!(
                text.contains(&squash(want)),
                "{} lacks {want}:\n{text}",
                kind.title()
            );
        }
        let images = pdf_images(&pdf).unwrap();
        if kind == DocumentKind::ReviewOpinion {
            assert!(doc.signatures.iter().all(|s| s.signer == Signer::Officer));
            assert_eq!(
                doc.refusal.as_ref().unwrap().witness,
                "王芳（石宝镇安监办）"
            );
            assert!(
                text.contains("刘建国拒绝签名") && text.contains("见证人：王芳"),
                "{text}"
            );
            assert_eq!(images, 2, "the two officers' signatures only");
        } else {
            let rep = doc
                .signatures
                .iter()
                .find(|s| s.signer == Signer::Representative)
                .unwrap();
            assert_eq!(rep.image_sha256, rep_sha);
            assert_eq!(images, 3, "every signature drawn");
        }
        match kind {
            DocumentKind::InspectionRecord => {
                assert!(
                    text.contains(&squash(&failed.basis)),
                    "the item's legal basis:\n{text}"
                );
                assert!(text.contains("粉尘爆炸危险场所未按规定设置泄爆装置"));
                assert!(text.contains("对检查情况无异议"));
                // 执法主体, 任务来源 and 检查频次; both officers with their certificates.
                for want in [
                    "执法主体".to_string(),
                    "忠县应急管理局".to_string(),
                    "任务来源：投诉举报".to_string(),
                    "检查频次".to_string(),
                    "本年度本机关对该企业第".to_string(),
                    "次行政检查（年度上限".to_string(),
                    "何斌".to_string(),
                    colleague_certificate.clone(),
                ] {
                    assert!(text.contains(&squash(&want)), "lacks {want}:\n{text}");
                }
            }
            DocumentKind::RectificationOrder => {
                assert_eq!(doc.hazard_ids, vec![hazard.id.clone()]);
                assert!(text.contains(&hazard.number));
                assert!(
                    text.contains(&deadline.format("%Y年%m月%d日").to_string()),
                    "{text}"
                );
            }
            DocumentKind::ReviewOpinion => {
                assert!(text.contains(&squash(&order.document.as_ref().unwrap().number)));
                assert!(text.contains("未整改完毕"));
            }
            DocumentKind::ResultNotice => {
                assert_eq!(doc.hazard_ids, vec![hazard.id.clone()]);
                for want in [
                    record.document.as_ref().unwrap().number.as_str(),
                    order.document.as_ref().unwrap().number.as_str(),
                    "粉尘爆炸危险场所未按规定设置泄爆装置",
                    hazard.number.as_str(),
                    &format!("已责令于{}前整改完毕", deadline.format("%Y年%m月%d日")),
                    "整改完毕后报告，本机关将组织复查",
                    "陈述、申辩",
                    "扫描本场所的场所码",
                ] {
                    assert!(text.contains(&squash(want)), "lacks {want}:\n{text}");
                }
            }
        }
    }

    // Synced and uploaded: the server holds each PDF under its SHA-256 and lists it with the
    // inspection, for the office as for the officer.
    sync(&phone);
    let upload = phone
        .sync(
            SyncOptions {
                include_originals: true,
            },
            &|_| {},
        )
        .unwrap();
    assert_eq!(upload.outcome, Outcome::Completed, "{upload:?}");
    for who in ["yjj_inspector", "admin"] {
        let t = token(&server, who);
        for rec in &docs {
            assert_eq!(
                blob_sha(&server, &t, &rec.sha256).as_deref(),
                Some(rec.sha256.as_str())
            );
        }
        let listed = api_get(
            &server,
            &t,
            &format!("/v1/inspections/{}/documents", insp.id),
        );
        let listed: Vec<EvidenceRecord> = serde_json::from_value(listed).unwrap();
        let numbers: Vec<&str> = listed
            .iter()
            .map(|e| e.document.as_ref().unwrap().number.as_str())
            .collect();
        assert_eq!(numbers.len(), 4, "{who}: {numbers:?}");
        for rec in &docs {
            assert!(numbers.contains(&rec.document.as_ref().unwrap().number.as_str()));
        }
    }
}
