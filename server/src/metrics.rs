//! Prometheus counters, rendered by hand in the text exposition format.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub ops_applied: AtomicU64,
    pub ops_already_applied: AtomicU64,
    pub ops_rejected: AtomicU64,
    pub changes_pulled: AtomicU64,
    pub upload_bytes: AtomicU64,
    pub blobs_stored: AtomicU64,
    pub blobs_refused: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let rows: [(&str, &str, &AtomicU64); 12] = [
            (
                "anjian_http_requests_total",
                "HTTP requests received",
                &self.requests,
            ),
            (
                "anjian_http_responses_4xx_total",
                "responses with a 4xx status",
                &self.responses_4xx,
            ),
            (
                "anjian_http_responses_5xx_total",
                "responses with a 5xx status",
                &self.responses_5xx,
            ),
            ("anjian_logins_total", "successful logins", &self.logins_ok),
            (
                "anjian_login_failures_total",
                "failed logins",
                &self.logins_failed,
            ),
            (
                "anjian_sync_ops_applied_total",
                "pushed operations applied",
                &self.ops_applied,
            ),
            (
                "anjian_sync_ops_already_applied_total",
                "pushed operations already applied",
                &self.ops_already_applied,
            ),
            (
                "anjian_sync_ops_rejected_total",
                "pushed operations refused",
                &self.ops_rejected,
            ),
            (
                "anjian_sync_changes_pulled_total",
                "changes sent to devices",
                &self.changes_pulled,
            ),
            (
                "anjian_upload_bytes_total",
                "evidence bytes received",
                &self.upload_bytes,
            ),
            (
                "anjian_blobs_stored_total",
                "evidence files stored",
                &self.blobs_stored,
            ),
            (
                "anjian_blobs_refused_total",
                "evidence files refused for a hash mismatch",
                &self.blobs_refused,
            ),
        ];
        let mut out = String::new();
        for (name, help, value) in rows {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                value.load(Ordering::Relaxed)
            ));
        }
        out
    }
}
