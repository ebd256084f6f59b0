//! Pull: pages after the cursor, fetched while the previous page is applied; each page and
//! its cursor in one transaction.

use super::*;

impl Store {
    /// Fetches one page after `cursor`.
    pub(super) fn fetch_page(
        &self,
        http: &Client,
        server: &str,
        cursor: &str,
    ) -> std::result::Result<PulledPage, Stop> {
        let resp = self.send(
            self.authed(http.get(format!("{server}/v1/sync/pull")))?
                .query(&[("cursor", cursor), ("limit", &PULL_PAGE.to_string())]),
        )?;
        if matches!(resp.status(), StatusCode::BAD_REQUEST | StatusCode::GONE) && !cursor.is_empty()
        {
            // The server cannot continue this cursor (malformed, or from another database):
            // start over from the beginning; the outbox and local evidence are kept, and
            // replayed records apply by version.
            drop(resp);
            self.put_setting("cursor", "")?;
            return self.fetch_page(http, server, "");
        }
        if !resp.status().is_success() {
            return Err(Stop::Offline(server_message(resp)));
        }
        let page: PullResponse = resp.json()?;
        Ok(PulledPage::prepare(page)?)
    }

    /// Applies one pull response body (`GET /v1/sync/pull`'s JSON) as a sync applies a page:
    /// read, prepared, then applied with its cursor in one transaction. A body that cannot be
    /// read, or a record in it that cannot, changes nothing. For pages that come from
    /// elsewhere than the sync's own fetch: tests and the `device_pull_page` fuzz target.
    pub fn apply_pull_body(&self, body: &[u8]) -> Result<usize> {
        let page = PulledPage::prepare(serde_json::from_slice(body)?)?;
        self.write(|tx| apply_page(tx, &page))?;
        Ok(page.len())
    }

    /// Pulls every page. While one page is applied (with its cursor, in one transaction), the
    /// next is already being fetched and parsed, so the network, the server and the device's
    /// database work side by side.
    pub(super) fn pull(&self, run: &mut Run<'_>) -> std::result::Result<(), Stop> {
        self.check_cancel()?;
        let cursor = self.get_setting("cursor")?.unwrap_or_default();
        let mut page = self.fetch_page(&run.http, &run.server, &cursor)?;
        // A large pull checkpoints the WAL every ~40 MB instead of every 4 MB: fewer fsyncs
        // of the database file while pages stream in; the default comes back afterwards.
        self.write(|tx| {
            Ok(tx.pragma_update(None, "wal_autocheckpoint", PULL_CHECKPOINT_PAGES)?)
        })?;
        let result = self.pull_pages(run, &mut page);
        // The pull's own outcome comes first; a failed reset is reported only after success.
        let restored = self.write(|tx| Ok(tx.pragma_update(None, "wal_autocheckpoint", 1000)?));
        result?;
        Ok(restored?)
    }

    fn pull_pages(
        &self,
        run: &mut Run<'_>,
        page: &mut PulledPage,
    ) -> std::result::Result<(), Stop> {
        loop {
            self.check_cancel()?;
            let (applied, next) = std::thread::scope(|scope| {
                let prefetch = page
                    .has_more
                    .then(|| scope.spawn(|| self.fetch_page(&run.http, &run.server, &page.cursor)));
                let applied = self.write(|tx| apply_page(tx, page));
                let next = prefetch.map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Stop::Offline("同步线程异常".into())))
                });
                (applied, next)
            });
            applied?;
            if page.changes.iter().any(|(c, _)| c.entity == "checklist") {
                // A version published by the office: new inspections use it from now on.
                self.publish_pulled_checklists()?;
            }
            run.report.pulled += page.len() as u64;
            let pulled = run.report.pulled;
            let more = if page.has_more { PULL_PAGE as u64 } else { 0 };
            run.records(Phase::Pull, pulled, pulled + more);
            match next {
                None => return Ok(()),
                Some(next) => *page = next?,
            }
        }
    }
}

/// A pulled page, prepared on the fetching thread while the previous page is applied:
/// hazards (most of any working set) arrive with their columns read, so applying them is
/// only SQL.
pub(crate) struct PulledPage {
    cursor: String,
    has_more: bool,
    changes: Vec<(Change, Option<HazardRow>)>,
}

impl PulledPage {
    pub(super) fn prepare(page: PullResponse) -> Result<PulledPage> {
        let changes = page
            .changes
            .into_iter()
            .map(|c| {
                let row = match (&c.data, c.entity.as_str(), c.kind) {
                    (Some(d), "hazard", ChangeKind::Upsert) => Some(HazardRow::parse(d.get())?),
                    _ => None,
                };
                Ok((c, row))
            })
            .collect::<Result<_>>()?;
        Ok(PulledPage {
            cursor: page.cursor,
            has_more: page.has_more,
            changes,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.changes.len()
    }
}

pub(super) fn pending(tx: &Transaction, entity_id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE entity_id = ?1)")?
        .query_row([entity_id], |r| r.get(0))?)
}

/// Applies one pulled page and its cursor, in the caller's transaction. Records with local
/// changes still to push are left alone (they are pushed, then pulled again); older versions
/// never overwrite newer ones, so a replayed page changes nothing.
pub(super) fn apply_page(tx: &Transaction, page: &PulledPage) -> Result<()> {
    // Records with operations waiting in the outbox (read once per page).
    let waiting: std::collections::HashSet<String> = {
        let mut stmt = tx.prepare_cached("SELECT DISTINCT entity_id FROM outbox")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (change, hazard) in &page.changes {
        if !waiting.contains(&change.entity_id) {
            apply_change(tx, change, hazard.as_ref(), false)?;
        }
    }
    set_setting(tx, "cursor", &page.cursor)?;
    Ok(())
}

/// Applies one change. `force` replaces the local row even when its version is not older:
/// used for the server's answer to this device's own operations, which is the truth.
pub(super) fn apply_change(
    tx: &Transaction,
    change: &Change,
    prepared: Option<&HazardRow>,
    force: bool,
) -> Result<()> {
    let id = change.entity_id.as_str();
    if change.kind == ChangeKind::Remove {
        match change.entity.as_str() {
            "site" => {
                tx.prepare_cached("DELETE FROM sites WHERE id = ?1")?
                    .execute([id])?;
            }
            "hazard" => {
                tx.prepare_cached("DELETE FROM hazard_events WHERE hazard_id = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM hazards WHERE id = ?1")?
                    .execute([id])?;
            }
            "inspection" => {
                tx.prepare_cached("DELETE FROM inspection_results WHERE inspection_id = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM inspections WHERE id = ?1")?
                    .execute([id])?;
            }
            "evidence" => {
                tx.prepare_cached("DELETE FROM evidence WHERE id = ?1")?
                    .execute([id])?;
            }
            "unit" => {
                tx.prepare_cached("DELETE FROM units WHERE id = ?1")?
                    .execute([id])?;
            }
            other => {
                tx.prepare_cached("DELETE FROM pulled_records WHERE entity = ?1 AND id = ?2")?
                    .execute([other, id])?;
            }
        }
        return Ok(());
    }
    let Some(raw) = &change.data else {
        return Ok(());
    };
    let data = raw.get();
    match change.entity.as_str() {
        "site" => rows::upsert_site(tx, &serde_json::from_str(data)?, data)?,
        "unit" => rows::upsert_unit(tx, &serde_json::from_str(data)?, data)?,
        "inspection" => {
            let i: Inspection = serde_json::from_str(data)?;
            rows::upsert_inspection_with_results(tx, &i)?;
        }
        "hazard" => {
            let parsed;
            let h = match prepared {
                Some(h) => h,
                None => {
                    parsed = HazardRow::parse(data)?;
                    &parsed
                }
            };
            let how = if force {
                HazardWrite::ServerTruth
            } else {
                HazardWrite::Pulled
            };
            rows::upsert_hazard(tx, h, how)?;
        }
        "evidence" => {
            let rec: anjian_domain::evidence::EvidenceRecord = serde_json::from_str(data)?;
            upsert_evidence_row(tx, &rec)?;
        }
        other => {
            tx.prepare_cached("INSERT INTO pulled_records (entity, id, version, data) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(entity, id) DO UPDATE SET version = excluded.version, data = excluded.data
                     WHERE excluded.version >= pulled_records.version")?.execute(params![other, id, change.version, data],
                )?;
        }
    }
    Ok(())
}

/// Records the device keeps as pulled (people, patrol plans, meetings of others...).
pub fn pulled<T: serde::de::DeserializeOwned>(store: &Store, entity: &str) -> Result<Vec<T>> {
    store.read(|c| {
        let mut stmt =
            c.prepare("SELECT data FROM pulled_records WHERE entity = ?1 ORDER BY id")?;
        let rows = stmt.query_map([entity], |r| r.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    })
}
