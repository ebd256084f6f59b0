package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.CertificateRecord
import cn.anjian.core.DutyStatusRecord
import cn.anjian.core.HazardRecord
import cn.anjian.core.InspectionRecord
import cn.anjian.core.PatrolPlanRecord
import cn.anjian.core.Profile
import cn.anjian.core.SyncStatus
import java.time.LocalDate

/** A duty section that may be unavailable (no organisation on the device yet). */
data class DutySection(val items: List<DutyStatusRecord>, val message: String?)

data class HomeData(
    val profile: Profile,
    val duty: DutySection,
    /** My unit's open hazards that are overdue or due within [DUE_SOON_DAYS] days. */
    val dueHazards: List<HazardRecord>,
    val openHazardCount: Int,
    val patrolPlans: List<PatrolPlanRecord>?,
    val openInspections: List<InspectionRecord>,
    val siteNames: Map<String, String>,
    val sync: SyncStatus,
    val canInspect: Boolean,
    val canPatrol: Boolean,
    /** My certificates expiring soon or expired: shown ahead, since an expired one stops 行政检查. */
    val certificateWarnings: List<CertificateRecord> = emptyList(),
    /** My unit's tasks still to do or returned (工作任务交办). */
    val openTasks: Int = 0,
    /** 投诉举报 handed over to my unit with no 行政检查 started from them yet. */
    val openComplaints: Int = 0,
    /** All 投诉举报 handed over to my unit (the entry shows while there are any). */
    val complaints: Int = 0,
    /** Finished 行政检查 I led whose result is not told yet (行政检查结果告知书 to make). */
    val resultsToTell: List<InspectionRecord> = emptyList(),
    /** My unread reminders (提醒), and the newest unread one's title. */
    val unreadReminders: Int = 0,
    val latestReminder: String? = null,
)

const val DUE_SOON_DAYS = 7L

/** 首页 / 今日. */
class HomePresenter(
    private val session: Session,
    private val today: () -> LocalDate = { LocalDate.now() },
) : Presenter<Load<HomeData>>(Load.Loading) {
    override suspend fun load() {
        if (state.value !is Load.Ready) set(Load.Loading)
        val data = session.call {
            val me = profile() ?: throw IllegalStateException("请先登录")
            val duty = try {
                DutySection(myDutyStatus(null), null)
            } catch (e: Exception) {
                DutySection(emptyList(), errorText(e))
            }
            val limit = today().plusDays(DUE_SOON_DAYS).toString()
            val open = myUnitOpenHazards()
            val due = open.filter { h -> h.overdue || (h.deadline != null && h.deadline!! <= limit) }
            val patrols = if (Roles.patrols(me.roles)) myPatrolPlans() else null
            val inspections = openInspections()
            val names = listSites(null).associate { it.id to it.name }
            val reminders = runCatching { myReminders() }.getOrDefault(emptyList())
            val complaints = runCatching { myComplaints(null) }.getOrDefault(emptyList())
            HomeData(
                profile = me,
                duty = duty,
                dueHazards = due,
                openHazardCount = open.size,
                patrolPlans = patrols,
                openInspections = inspections,
                siteNames = names,
                sync = syncStatus(),
                canInspect = Roles.inspects(me.roles),
                canPatrol = Roles.patrols(me.roles),
                certificateWarnings = runCatching { myCertificates().filter { it.needsAttention } }.getOrDefault(emptyList()),
                openTasks = runCatching { myUnitTasks().count { Tasks.open(it) } }.getOrDefault(0),
                openComplaints = complaints.count { Complaints.open(it) },
                complaints = complaints.size,
                unreadReminders = reminders.count { !it.read },
                latestReminder = reminders.firstOrNull { !it.read }?.title,
                resultsToTell = if (Roles.inspects(me.roles)) runCatching { resultsToTell() }.getOrDefault(emptyList()) else emptyList(),
            )
        }
        set(data.fold({ Load.Ready(it) }, { Load.Failed(errorText(it)) }))
    }
}
