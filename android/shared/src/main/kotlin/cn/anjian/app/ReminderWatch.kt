package cn.anjian.app

import cn.anjian.app.platform.ReminderNotifier
import cn.anjian.core.AnjianStore
import cn.anjian.core.ReminderRecord
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/**
 * 提醒 that a sync brought: each unread reminder is announced once — the app's banner and the
 * platform's notification — and the ids announced are kept in the store's settings, so a
 * restart does not announce them again. Also keeps the unread count for the 今日 badge.
 */
class ReminderWatch(private val store: AnjianStore, private val notifier: ReminderNotifier) {
    private val _fresh = MutableStateFlow<List<ReminderRecord>>(emptyList())
    /** Reminders new since the last sync, for the banner (until dismissed or opened). */
    val fresh: StateFlow<List<ReminderRecord>> = _fresh.asStateFlow()

    private val _unread = MutableStateFlow(0)
    val unread: StateFlow<Int> = _unread.asStateFlow()

    /** Reads the unread count again (after a reminder was marked read). */
    fun refresh(): List<ReminderRecord> {
        val list = runCatching { store.myReminders() }.getOrDefault(emptyList())
        _unread.value = list.count { !it.read }
        return list
    }

    /** After a sync: announces the unread reminders not announced before. */
    fun afterSync() {
        val list = refresh()
        val announced = runCatching { store.appSetting(KEY) }.getOrNull()?.split('\n')?.toSet().orEmpty()
        val new = list.filter { !it.read && it.id !in announced }
        // Only ids the phone still holds are kept, so the setting stays small.
        val keep = list.map { it.id }.filter { it in announced || new.any { n -> n.id == it } }
        runCatching { store.setAppSetting(KEY, keep.joinToString("\n")) }
        if (new.isNotEmpty()) {
            _fresh.value = new
            runCatching { notifier.notify(new) }
        }
    }

    fun dismiss() {
        _fresh.value = emptyList()
    }

    companion object {
        const val KEY = "announced_reminders"
    }
}
