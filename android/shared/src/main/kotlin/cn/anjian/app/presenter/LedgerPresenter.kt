package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.domain.HazardLevel
import cn.anjian.core.HazardRecord
import cn.anjian.domain.HazardStatus
import cn.anjian.core.LedgerQuery

enum class LedgerFilter(val label: String) {
    OPEN("未销号"),
    OVERDUE("已逾期"),
    MAJOR("重大隐患"),
    SUBMITTED("待验收"),
    CLOSED("已销号"),
    ALL("全部"),
}

data class LedgerData(val rows: List<HazardRecord>, val siteNames: Map<String, String>)

data class LedgerState(val filter: LedgerFilter = LedgerFilter.OPEN, val data: Load<LedgerData> = Load.Loading)

/** 隐患台账 of my scope (what the server sent this device, and what I raised), overdue first. */
class LedgerPresenter(private val session: Session) : Presenter<LedgerState>(LedgerState()) {
    private var siteNames: Map<String, String>? = null

    override suspend fun load() {
        val filter = state.value.filter
        if (state.value.data !is Load.Ready) update { it.copy(data = Load.Loading) }
        val r = session.call {
            val names = siteNames ?: listSites(null).associate { it.id to it.name }
            val rows = when (filter) {
                LedgerFilter.OPEN -> ledger(LedgerQuery(null, null, null, null, false)).filter { it.status != HazardStatus.CLOSED }
                LedgerFilter.OVERDUE -> ledger(LedgerQuery(null, null, null, null, true))
                LedgerFilter.MAJOR -> ledger(LedgerQuery(null, HazardLevel.MAJOR, null, null, false))
                LedgerFilter.SUBMITTED -> ledger(LedgerQuery(HazardStatus.SUBMITTED, null, null, null, false))
                LedgerFilter.CLOSED -> ledger(LedgerQuery(HazardStatus.CLOSED, null, null, null, false))
                LedgerFilter.ALL -> ledger(LedgerQuery(null, null, null, null, false))
            }
            LedgerData(rows, names)
        }
        r.onSuccess { siteNames = it.siteNames }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    suspend fun filter(f: LedgerFilter) {
        update { it.copy(filter = f) }
        load()
    }
}
