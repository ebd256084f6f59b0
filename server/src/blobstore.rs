//! Where evidence files and the parts of unfinished uploads are kept: one interface over the
//! `object_store` crate, with two backends chosen by configuration.
//!
//! - The data folder (the default, a county on one machine): `blobs/ab/<sha256>` as before,
//!   and upload parts under `uploads/<id>/`.
//! - S3-compatible object storage (`ANJIAN_BLOBS=s3://bucket/prefix`, with the usual
//!   `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_ALLOW_HTTP` settings): the same keys under the prefix, shared by every instance.
//!
//! Objects are written whole and never changed: a blob is named by its hash, a part by its
//! offset and a random suffix, so two instances never overwrite each other's work.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::signer::Signer;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

pub type Error = object_store::Error;

/// The evidence store of a server (cheap to clone).
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// Key prefix inside the bucket (empty for the data folder).
    prefix: String,
    /// S3 only: signs download URLs when `presign` is set.
    signer: Option<Arc<dyn Signer>>,
    presign: Option<Duration>,
    /// The data folder, for the local backend.
    root: Option<PathBuf>,
    describe: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

/// Blob store settings: `url` is `None` or `file` for the data folder, else `s3://bucket/prefix`.
#[derive(Debug, Clone, Default)]
pub struct BlobConfig {
    pub url: Option<String>,
    /// Redirect downloads to pre-signed URLs valid this long (S3 only).
    pub presign: Option<Duration>,
}

impl BlobConfig {
    /// From `ANJIAN_BLOBS` and `ANJIAN_BLOBS_PRESIGN_SECS`.
    pub fn from_env() -> BlobConfig {
        let url = std::env::var("ANJIAN_BLOBS").ok().filter(|u| !u.is_empty());
        let presign = std::env::var("ANJIAN_BLOBS_PRESIGN_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs);
        BlobConfig { url, presign }
    }
}

fn install_tls_provider() {
    // reqwest is built without a crypto provider of its own: rustls uses ring, process-wide.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl BlobStore {
    /// The data folder's store (`blobs/`, `uploads/` inside it).
    pub fn local(data_dir: &Path) -> Result<BlobStore, Error> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(e),
        })?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(data_dir)?;
        Ok(BlobStore {
            store: Arc::new(store),
            prefix: String::new(),
            signer: None,
            presign: None,
            root: Some(data_dir.to_path_buf()),
            describe: format!("folder {}", data_dir.display()),
        })
    }

    /// The store a configuration names.
    pub fn open(config: &BlobConfig, data_dir: &Path) -> Result<BlobStore, Error> {
        let Some(url) = config.url.as_deref().filter(|u| *u != "file") else {
            return BlobStore::local(data_dir);
        };
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(Error::Generic {
                store: "config",
                source: format!("ANJIAN_BLOBS must be s3://bucket/prefix (got {url})").into(),
            });
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        install_tls_provider();
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            builder = builder.with_region("us-east-1");
        }
        let s3 = Arc::new(builder.build()?);
        Ok(BlobStore {
            store: s3.clone(),
            prefix: prefix.trim_matches('/').to_string(),
            signer: Some(s3),
            presign: config.presign,
            root: None,
            describe: format!("s3://{bucket}/{}", prefix.trim_matches('/')),
        })
    }

    fn key(&self, rel: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(rel)
        } else {
            Key::from(format!("{}/{rel}", self.prefix))
        }
    }

    /// Where a blob lives: content-addressed, fanned out by prefix (as `blobs/ab/<sha>`).
    fn blob_key(&self, sha256: &str) -> Key {
        self.key(&format!("blobs/{}/{sha256}", &sha256[..2]))
    }

    fn part_key(&self, upload_id: &str, part: &str) -> Key {
        self.key(&format!("uploads/{upload_id}/{part}"))
    }

    pub fn is_local(&self) -> bool {
        self.root.is_some()
    }

    pub async fn has_blob(&self, sha256: &str) -> Result<bool, Error> {
        match self.store.head(&self.blob_key(sha256)).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Stores a whole file under its hash (which the caller computed); kept if already there.
    pub async fn put_blob(&self, sha256: &str, bytes: Bytes) -> Result<(), Error> {
        if self.has_blob(sha256).await? {
            return Ok(());
        }
        self.store
            .put(&self.blob_key(sha256), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
    }

    /// A blob's bytes as a stream.
    pub async fn blob_stream(
        &self,
        sha256: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, Error>>, Error> {
        Ok(self.store.get(&self.blob_key(sha256)).await?.into_stream())
    }

    /// A blob's bytes, when it is at most `limit` long (`None` when longer or missing).
    pub async fn read_blob(&self, sha256: &str, limit: u64) -> Result<Option<Bytes>, Error> {
        let got = match self.store.get(&self.blob_key(sha256)).await {
            Ok(got) => got,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if got.meta.size > limit {
            return Ok(None);
        }
        got.bytes().await.map(Some)
    }

    /// A pre-signed download URL, when the store is S3 and redirects are configured.
    pub async fn presigned_url(&self, sha256: &str) -> Result<Option<String>, Error> {
        let (Some(signer), Some(ttl)) = (&self.signer, self.presign) else {
            return Ok(None);
        };
        let url = signer
            .signed_url(
                object_store::signer::Method::GET,
                &self.blob_key(sha256),
                ttl,
            )
            .await?;
        Ok(Some(url.to_string()))
    }

    /// Stores one part of an upload; returns its name (offset first, so names sort in order).
    pub async fn put_part(
        &self,
        upload_id: &str,
        offset: i64,
        bytes: Bytes,
    ) -> Result<String, Error> {
        let name = format!("{offset:012}-{}", uuid::Uuid::now_v7().simple());
        self.store
            .put(
                &self.part_key(upload_id, &name),
                PutPayload::from_bytes(bytes),
            )
            .await?;
        Ok(name)
    }

    /// Removes a part (one that lost the race to be recorded, or after assembly).
    pub async fn delete_part(&self, upload_id: &str, part: &str) {
        let _ = self.store.delete(&self.part_key(upload_id, part)).await;
    }

    /// Removes everything stored for an upload.
    pub async fn delete_upload(&self, upload_id: &str) {
        let prefix = self.key(&format!("uploads/{upload_id}"));
        let keys: Vec<Key> = self
            .store
            .list(Some(&prefix))
            .filter_map(|m| async move { m.ok().map(|m| m.location) })
            .collect()
            .await;
        for key in keys {
            let _ = self.store.delete(&key).await;
        }
        if self.is_local() {
            // The folder the parts were in (object_store leaves empty folders).
            if let Some(dir) = self.local_dir(&format!("uploads/{upload_id}")) {
                let _ = tokio::fs::remove_dir(dir).await;
            }
        }
    }

    fn local_dir(&self, rel: &str) -> Option<PathBuf> {
        self.root.as_ref().map(|root| root.join(rel))
    }

    /// The data folder, when this is the local backend.
    pub fn local_root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// Joins an upload's parts into the blob named by `sha256`, hashing as it goes: the blob
    /// appears only if the bytes hash to it (`Ok(Err(actual))` otherwise, nothing stored).
    /// The parts are left in place; the caller deletes them once the blob is recorded.
    pub async fn assemble(
        &self,
        upload_id: &str,
        parts: &[&str],
        sha256: &str,
    ) -> Result<Result<(), String>, Error> {
        if let [only] = parts {
            // The usual photo: one part, read whole, hashed, and stored under its hash.
            let bytes = self
                .store
                .get(&self.part_key(upload_id, only))
                .await?
                .bytes()
                .await?;
            let hashed = hash(&bytes).await;
            if hashed != sha256 {
                return Ok(Err(hashed));
            }
            self.put_blob(sha256, bytes).await?;
            return Ok(Ok(()));
        }
        let mut hasher = Sha256::new();
        let mut writer =
            WriteMultipart::new(self.store.put_multipart(&self.blob_key(sha256)).await?);
        for part in parts {
            let mut stream = self
                .store
                .get(&self.part_key(upload_id, part))
                .await?
                .into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = writer.abort().await;
                        return Err(e);
                    }
                };
                hasher.update(&chunk);
                writer.wait_for_capacity(4).await?;
                writer.put(chunk);
            }
        }
        let hashed = hex::encode(hasher.finalize());
        if hashed != sha256 {
            writer.abort().await?;
            return Ok(Err(hashed));
        }
        writer.finish().await?;
        Ok(Ok(()))
    }
}

async fn hash(bytes: &Bytes) -> String {
    let bytes = bytes.clone();
    tokio::task::spawn_blocking(move || hex::encode(Sha256::digest(&bytes)))
        .await
        .unwrap_or_default()
}
