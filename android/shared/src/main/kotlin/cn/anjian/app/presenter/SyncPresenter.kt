package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.Settings
import cn.anjian.app.errorText
import cn.anjian.core.AttentionItem
import cn.anjian.core.PendingFile
import cn.anjian.core.SyncStatus

data class SyncData(
    val status: SyncStatus,
    val attention: List<AttentionItem>,
    val files: List<PendingFile>,
    val originalsOnWifiOnly: Boolean,
)

/** 同步: progress, pending files, 需处理 with the server's reason, originals on Wi-Fi, cancel. */
class SyncPresenter(private val session: Session) : Presenter<Load<SyncData>>(Load.Loading) {
    override suspend fun load() {
        val r = session.call {
            SyncData(
                status = syncStatus(),
                attention = attention(),
                files = pendingFiles(),
                originalsOnWifiOnly = appSetting(Settings.ORIGINALS_ON_WIFI_ONLY) != "0",
            )
        }
        set(r.fold({ Load.Ready(it) }, { Load.Failed(errorText(it)) }))
    }

    fun syncNow(): Boolean = session.startSync()
    fun cancel() = session.cancelSync()

    suspend fun originalsOnWifiOnly(on: Boolean) {
        session.call { setAppSetting(Settings.ORIGINALS_ON_WIFI_ONLY, if (on) "1" else "0") }
        load()
    }

    suspend fun dismiss(opId: String) {
        session.call { dismissAttention(opId) }
        load()
    }
}
