//! Uploads in progress across the upgrade to the blob store: their bytes were in
//! `uploads/<id>.part` in the data folder. A restarted server moves them into the blob store
//! (the data folder or S3) keeping the offset, the phone resumes there, and the SHA-256 is
//! still checked at the last byte. Files it cannot read or place are left alone. The restart
//! builds its state on a current-thread runtime (which once panicked on PostgreSQL).

mod common;

use common::{tus_create, tus_offset, tus_patch, TestServer};
use reqwest::Method;
use sha2::{Digest, Sha256};

/// The server restarting on the same data folder, database and blob store.
fn restart(s: &TestServer) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = anjian_server::open_db_async(&s.config).await.unwrap();
        anjian_server::state(&s.config, db).await.unwrap();
    });
}

every_store!(
    old_part_files_resume_from_their_offset_and_unreadable_ones_stay,
    |s: &TestServer| {
        let token = s.login("sb_inspector");
        // Larger than one 8 MiB part, so the move stores several.
        let file: Vec<u8> = (0..9_500_000u32).map(|i| (i * 13 % 251) as u8).collect();
        let sha = hex::encode(Sha256::digest(&file));
        let loc = tus_create(s, &token, file.len(), &sha);
        let other: Vec<u8> = file[..5000].iter().map(|b| b ^ 1).collect();
        let other_sha = hex::encode(Sha256::digest(&other));
        let loc_bad = tus_create(s, &token, other.len(), &other_sha);
        let uploads = s.data.path().join("uploads");
        std::fs::create_dir_all(&uploads).unwrap();
        let id = |loc: &str| loc.rsplit('/').next().unwrap().to_string();
        let cut = 8_700_000;
        std::fs::write(uploads.join(format!("{}.part", id(&loc))), &file[..cut]).unwrap();
        // Bytes that are not the declared file's: moved all the same, refused at the end.
        std::fs::write(
            uploads.join(format!("{}.part", id(&loc_bad))),
            &file[..3000],
        )
        .unwrap();
        // No upload has this id; this one cannot be read as a file.
        std::fs::write(uploads.join("unknown-upload.part"), b"kept").unwrap();
        std::fs::create_dir_all(uploads.join("not-a-file.part")).unwrap();

        restart(s);

        assert_eq!(tus_offset(s, &token, &loc), cut.to_string());
        assert_eq!(tus_offset(s, &token, &loc_bad), "3000");
        assert!(!uploads.join(format!("{}.part", id(&loc))).exists());
        assert!(!uploads.join(format!("{}.part", id(&loc_bad))).exists());
        assert_eq!(
            std::fs::read(uploads.join("unknown-upload.part")).unwrap(),
            b"kept"
        );
        assert!(uploads.join("not-a-file.part").is_dir());
        // A second start finds nothing more to move and changes nothing.
        restart(s);
        assert_eq!(tus_offset(s, &token, &loc), cut.to_string());

        // The phone resumes where the server says.
        assert_eq!(
            tus_patch(s, &token, &loc, cut, &file[cut..], None).status(),
            204
        );
        let got = s.get(&token, &format!("/v1/blobs/{sha}"));
        assert_eq!(got.status(), 200);
        assert!(got.bytes().unwrap().as_ref() == file.as_slice());
        let r = tus_patch(s, &token, &loc_bad, 3000, &other[3000..], None);
        assert_eq!(r.status(), 460, "the SHA-256 is checked at the last byte");
        assert_eq!(
            s.request(Method::HEAD, &token, &format!("/v1/blobs/{other_sha}"))
                .send()
                .unwrap()
                .status(),
            404
        );
    }
);
