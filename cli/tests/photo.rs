use std::path::Path;
use std::process::Command;

fn corpus(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/photos")
        .join(rel)
        .display()
        .to_string()
}

#[test]
fn inspect_prints_one_json_object_with_the_required_keys() {
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .args([
            "photo",
            "inspect",
            &corpus("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 4.jpg"),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "sha256",
        "width",
        "height",
        "orientation",
        "taken_at",
        "lat",
        "lon",
        "accuracy_m",
        "make",
        "model",
        "flags",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["make"], "Apple");
    assert_eq!(v["width"], 1296);
    assert!((v["lat"].as_f64().unwrap() - 41.853).abs() < 1e-3);
    assert_eq!(v["taken_at"], "2011-01-13T14:33:39");
}

#[test]
fn refused_files_exit_non_zero_with_a_clear_message() {
    for (file, words) in [
        (
            "drewnoakes-metadata-extractor-images/heic/IMG_2927.HEIC",
            "JPEG",
        ),
        ("jpeg-decoder/tests/crashtest/images/empty.jpg", "文件为空"),
        (
            "jpeg-decoder/tests/crashtest/images/max_size.jpg",
            "像素过多",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
            .args(["photo", "inspect", &corpus(file), "--json"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{file}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn ingest_writes_the_upload_copy_and_the_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .args([
            "photo",
            "ingest",
            &corpus("recurser-exif-orientation-examples/Landscape_6.jpg"),
            "--out",
        ])
        .arg(dir.path())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let upload = v["files"]["upload"].as_str().unwrap();
    let thumb = v["files"]["thumbnail"].as_str().unwrap();
    assert!(std::fs::metadata(upload).unwrap().len() > 0);
    assert!(std::fs::metadata(thumb).unwrap().len() > 0);
}
