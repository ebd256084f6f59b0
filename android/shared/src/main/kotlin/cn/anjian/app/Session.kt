package cn.anjian.app

import cn.anjian.app.platform.NetworkKind
import cn.anjian.app.platform.Platform
import cn.anjian.core.AnjianException
import cn.anjian.core.AnjianStore
import cn.anjian.core.Profile
import cn.anjian.core.SyncObserver
import cn.anjian.core.SyncOutcome
import cn.anjian.core.SyncProgress
import cn.anjian.core.SyncResult
import cn.anjian.core.SyncTask
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.getAndUpdate
import kotlinx.coroutines.withContext

/** A screen's data: loading, there, or failed with a message for the user. */
sealed interface Load<out T> {
    data object Loading : Load<Nothing>
    data class Ready<T>(val value: T) : Load<T>
    data class Failed(val message: String) : Load<Nothing>
}

/** The user's message for a failure: the core's own Chinese text, never a stack trace. */
fun errorText(e: Throwable): String = when (e) {
    is AnjianException -> e.message?.takeIf { it.isNotBlank() } ?: "操作未完成"
    else -> "操作未完成：${e.message ?: e.javaClass.simpleName}"
}

/** The app's keys in the store's settings (see `app_setting`). */
object Settings {
    const val SERVER = "server"
    const val USERNAME = "username"
    const val SIGNED_OUT = "signed_out"
    const val LARGE_TEXT = "large_text"
    const val ORIGINALS_ON_WIFI_ONLY = "originals_on_wifi_only"
}

/** What a background sync is doing, for every screen that shows it. */
sealed interface SyncRun {
    data object Idle : SyncRun
    data class Running(val progress: SyncProgress?) : SyncRun
    data class Finished(val result: SyncResult) : SyncRun
    data class Failed(val message: String) : SyncRun
}

/**
 * One signed-in device: the store, the platform, the background sync. Every screen reads the
 * store through [call] on the IO dispatcher; sync runs on the core's own thread and never
 * blocks a screen.
 */
class Session(
    val store: AnjianStore,
    val platform: Platform,
    val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _sync = MutableStateFlow<SyncRun>(SyncRun.Idle)
    val sync: StateFlow<SyncRun> = _sync.asStateFlow()

    private val _largeText = MutableStateFlow(false)
    val largeText: StateFlow<Boolean> = _largeText.asStateFlow()

    /** Bumped after a sync or a local change that other screens should reload for. */
    private val _revision = MutableStateFlow(0)
    val revision: StateFlow<Int> = _revision.asStateFlow()

    @Volatile private var task: SyncTask? = null

    private val _signInLinks = MutableStateFlow<String?>(null)

    /**
     * The app link the unified identity provider opened (with `code` and `state`), not yet
     * handed to the login screen. The platform sets it ([signInLink]); the login screen takes
     * it ([takeSignInLink]) and finishes the sign-in.
     */
    val signInLinks: StateFlow<String?> = _signInLinks.asStateFlow()

    /** The platform received the provider's redirect to the app's link. */
    fun signInLink(url: String) {
        _signInLinks.value = url
    }

    /** Takes the pending app link once (null when there is none). */
    fun takeSignInLink(): String? = _signInLinks.getAndUpdate { null }

    /** Reminders that arrived with a sync (banner, notification, the 今日 badge). */
    val reminders = ReminderWatch(store, platform.notifier)

    init {
        platform.files.watermarkFont?.let { (path, index) ->
            runCatching { store.setWatermarkFont(path, index.toUInt()) }
        }
        _largeText.value = runCatching { store.appSetting(Settings.LARGE_TEXT) == "1" }.getOrDefault(false)
        reminders.refresh()
    }

    suspend fun <T> call(block: AnjianStore.() -> T): Result<T> = withContext(io) {
        try {
            Result.success(store.block())
        } catch (e: Exception) {
            Result.failure(e)
        }
    }

    fun changed() {
        _revision.value += 1
    }

    fun profile(): Profile? = runCatching { store.profile() }.getOrNull()

    /** Signed in on this device before and not logged out: the app opens offline. */
    fun hasOfflineSession(): Boolean =
        profile() != null && runCatching { store.appSetting(Settings.SIGNED_OUT) }.getOrNull() != "1"

    suspend fun setLargeText(on: Boolean) {
        call { setAppSetting(Settings.LARGE_TEXT, if (on) "1" else "0") }
        _largeText.value = on
    }

    /** Originals go up only on an unmetered network unless the user allowed otherwise. */
    fun includeOriginals(): Boolean {
        val wifiOnly = runCatching { store.appSetting(Settings.ORIGINALS_ON_WIFI_ONLY) }.getOrNull() != "0"
        return !wifiOnly || platform.sync.network() == NetworkKind.UNMETERED
    }

    /**
     * Starts a sync in the background unless one runs. Returns false when the core refused
     * (another sync of this store is running, e.g. the platform's background job).
     */
    fun startSync(): Boolean {
        if (_sync.value is SyncRun.Running) return false
        _sync.value = SyncRun.Running(null)
        val observer = object : SyncObserver {
            override fun onProgress(progress: SyncProgress) {
                _sync.value = SyncRun.Running(progress)
            }

            override fun onFinished(result: SyncResult) {
                reminders.afterSync()
                _sync.value = SyncRun.Finished(result)
                task = null
                changed()
            }

            override fun onFailed(message: String) {
                _sync.value = SyncRun.Failed(message)
                task = null
                changed()
            }
        }
        return try {
            task = store.startSync(includeOriginals(), observer)
            true
        } catch (e: AnjianException) {
            _sync.value = SyncRun.Failed(errorText(e))
            false
        }
    }

    fun cancelSync() {
        task?.cancel()
    }

    /** Waits for a running sync (tests, and the platform's background worker). */
    fun awaitSync() {
        task?.join()
    }

    fun syncOutcomeText(run: SyncRun): String = when (run) {
        SyncRun.Idle -> ""
        is SyncRun.Running -> "正在同步…"
        is SyncRun.Failed -> "同步失败：${run.message}"
        is SyncRun.Finished -> when (val o = run.result.outcome) {
            is SyncOutcome.Completed -> "同步完成"
            is SyncOutcome.Offline -> "无法连接服务器，记录已保存在本机：${o.message}"
            is SyncOutcome.LoginRequired -> "登录已过期，请重新登录后同步（本机记录不会丢失）"
            is SyncOutcome.Cancelled -> "同步已取消，未完成的部分下次继续"
        }
    }
}
