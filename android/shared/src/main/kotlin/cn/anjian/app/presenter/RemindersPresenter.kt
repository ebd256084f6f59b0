package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.ReminderRecord

/** Where a reminder's record opens in the app. */
sealed interface ReminderTarget {
    data class Hazard(val id: String) : ReminderTarget
    data object Tasks : ReminderTarget
    data object SelfAssessment : ReminderTarget
    /** Month-end 履职纪实, investment proof, the unit's duty report: 会议与设施投入. */
    data object Records : ReminderTarget
    /** My patrol plans are on 今日. */
    data object PatrolPlans : ReminderTarget
    /** Nothing to open in the app (a month's scores are read in the console). */
    data object None : ReminderTarget
}

object Reminders {
    /** Unread first, then newest first. */
    fun ordered(list: List<ReminderRecord>): List<ReminderRecord> =
        list.sortedWith(compareBy<ReminderRecord> { it.read }.thenByDescending { it.at })

    fun target(r: ReminderRecord): ReminderTarget = when (r.entity) {
        "hazard" -> ReminderTarget.Hazard(r.recordId)
        "work_task" -> ReminderTarget.Tasks
        "month_end_submission" ->
            if (r.recordId.endsWith("self_assessment")) ReminderTarget.SelfAssessment else ReminderTarget.Records
        "patrol_plan" -> ReminderTarget.PatrolPlans
        else -> ReminderTarget.None
    }

    /** What opening it shows, for the row's hint. */
    fun opens(r: ReminderRecord): String? = when (target(r)) {
        is ReminderTarget.Hazard -> "查看隐患"
        ReminderTarget.Tasks -> "查看工作任务"
        ReminderTarget.SelfAssessment -> "填写月底自评"
        ReminderTarget.Records -> "查看月底报送"
        ReminderTarget.PatrolPlans -> "查看暗访计划"
        ReminderTarget.None -> null
    }
}

data class RemindersState(
    val data: Load<List<ReminderRecord>> = Load.Loading,
    val error: String? = null,
)

/** 提醒: what the server's reminder engine sent me, unread first; opening one marks it read. */
class RemindersPresenter(private val session: Session) : Presenter<RemindersState>(RemindersState()) {
    override suspend fun load() {
        val r = session.call { myReminders() }
        update { it.copy(data = r.fold({ l -> Load.Ready(Reminders.ordered(l)) }, { e -> Load.Failed(errorText(e)) })) }
        session.reminders.dismiss()
    }

    /** Marks it read (sent with the next sync) and returns where its record opens. */
    suspend fun open(r: ReminderRecord): ReminderTarget {
        if (!r.read) markRead(listOf(r.id))
        return Reminders.target(r)
    }

    suspend fun markAllRead() {
        val unread = (state.value.data as? Load.Ready)?.value.orEmpty().filter { !it.read }.map { it.id }
        markRead(unread)
    }

    private suspend fun markRead(ids: List<String>) {
        if (ids.isEmpty()) return
        val r = session.call { ids.forEach { markReminderRead(it) } }
        update { it.copy(error = r.exceptionOrNull()?.let(::errorText)) }
        session.reminders.refresh()
        load()
    }
}
