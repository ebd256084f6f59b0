package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.app.platform.LocationFix
import cn.anjian.core.HazardRecord
import cn.anjian.core.IndustrySummary
import cn.anjian.domain.InspectionKind
import cn.anjian.core.InspectionRecord
import cn.anjian.core.LedgerQuery
import cn.anjian.core.SiteListItem
import cn.anjian.core.SiteQuery
import cn.anjian.core.SiteRecord
import cn.anjian.core.UnitRecord

data class SitesState(
    val text: String = "",
    val townshipId: String? = null,
    val industry: String? = null,
    val townships: List<UnitRecord> = emptyList(),
    val industries: List<IndustrySummary> = emptyList(),
    val fix: LocationFix? = null,
    val locating: Boolean = false,
    val rows: Load<List<SiteListItem>> = Load.Loading,
)

/** 场所: search, filter by township and industry, nearest first from where I am. */
class SitesPresenter(private val session: Session) : Presenter<SitesState>(SitesState()) {
    override suspend fun load() {
        val townships = session.call { units().filter { it.kind == "township" } }.getOrDefault(emptyList())
        val industries = session.call { industries() }.getOrDefault(emptyList())
        update { it.copy(townships = townships, industries = industries, locating = true) }
        query()
        val fix = runCatching { session.platform.location.current() }.getOrNull()
        update { it.copy(fix = fix, locating = false) }
        if (fix != null) query()
    }

    suspend fun search(text: String) {
        update { it.copy(text = text) }
        query()
    }

    suspend fun township(id: String?) {
        update { it.copy(townshipId = id) }
        query()
    }

    suspend fun industry(code: String?) {
        update { it.copy(industry = code) }
        query()
    }

    private suspend fun query() {
        val s = state.value
        if (s.rows !is Load.Ready) update { it.copy(rows = Load.Loading) }
        val q = SiteQuery(s.text.ifBlank { null }, s.townshipId, s.industry, s.fix?.lat, s.fix?.lon)
        val rows = session.call { findSites(q) }
        update { it.copy(rows = rows.fold({ r -> Load.Ready(r) }, { e -> Load.Failed(errorText(e)) })) }
    }
}

data class SiteDetailData(
    val site: SiteRecord,
    val townshipName: String?,
    val history: List<InspectionRecord>,
    val hazards: List<HazardRecord>,
    val kinds: List<InspectionKind>,
    /** I may correct its contact, address, position and attributes (修改场所信息). */
    val canEdit: Boolean = false,
)

data class SiteDetailState(val data: Load<SiteDetailData> = Load.Loading, val error: String? = null)

/** A site, its history (inspections and hazards) and the inspections I may start there. */
class SiteDetailPresenter(private val session: Session, private val siteId: String) :
    Presenter<SiteDetailState>(SiteDetailState()) {
    override suspend fun load() {
        val data = session.call {
            val site = site(siteId)
            SiteDetailData(
                site = site,
                townshipName = units().firstOrNull { it.id == site.townshipId }?.name,
                history = siteInspections(siteId),
                hazards = ledger(LedgerQuery(null, null, null, siteId, false)),
                kinds = inspectionKindsFor(siteId),
                canEdit = canEditSite(siteId),
            )
        }
        update { it.copy(data = data.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    /** Starts an inspection here; returns its id for the checklist screen. */
    suspend fun start(kind: InspectionKind): String? {
        val r = session.call { startInspection(kind, siteId, emptyList()) }
        return r.fold(
            { session.changed(); it.id },
            { e -> update { s -> s.copy(error = errorText(e)) }; null },
        )
    }
}
