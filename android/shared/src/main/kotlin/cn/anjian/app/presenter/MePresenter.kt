package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.Settings
import cn.anjian.app.errorText
import cn.anjian.core.CertificateRecord
import cn.anjian.core.LogoutCheck
import cn.anjian.core.Profile

data class MeData(
    val profile: Profile,
    val unitName: String?,
    val duty: DutySection,
    val server: String?,
    val deviceId: String,
    /** My enforcement certificates (行政执法证), each with where it stands today. */
    val certificates: List<CertificateRecord> = emptyList(),
)

data class MeState(
    val data: Load<MeData> = Load.Loading,
    /** Set while the logout confirmation is shown. */
    val logout: LogoutCheck? = null,
)

/** 我的: duty status in detail, account, large text, logout (never deletes records). */
class MePresenter(private val session: Session) : Presenter<MeState>(MeState()) {
    override suspend fun load() {
        val r = session.call {
            val me = profile() ?: throw IllegalStateException("请先登录")
            MeData(
                profile = me,
                unitName = units().firstOrNull { it.id == me.unitId }?.name,
                duty = try {
                    DutySection(myDutyStatus(null), null)
                } catch (e: Exception) {
                    DutySection(emptyList(), errorText(e))
                },
                server = appSetting(Settings.SERVER),
                deviceId = deviceId(),
                certificates = runCatching { myCertificates() }.getOrDefault(emptyList()),
            )
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    suspend fun largeText(on: Boolean) = session.setLargeText(on)

    /** Shows what would stay unsent; the user confirms with [confirmLogout]. */
    suspend fun askLogout() {
        session.call { logoutCheck() }.onSuccess { c -> update { it.copy(logout = c) } }
    }

    fun cancelLogout() = update { it.copy(logout = null) }

    /** Logs out; every record stays on the device for the next login. */
    suspend fun confirmLogout(): Boolean {
        val r = session.call {
            logout()
            setAppSetting(Settings.SIGNED_OUT, "1")
        }
        update { it.copy(logout = null) }
        return r.isSuccess
    }
}
