package cn.anjian.app.presenter

import cn.anjian.app.Session
import cn.anjian.app.Settings
import cn.anjian.app.errorText
import cn.anjian.core.Profile

data class LoginState(
    val server: String = "",
    val username: String = "",
    val password: String = "",
    val busy: Boolean = false,
    val error: String? = null,
    /** Who used this device before (their records stay here). */
    val previous: Profile? = null,
) {
    val canSubmit get() = server.isNotBlank() && username.isNotBlank() && password.isNotEmpty() && !busy
}

/** 登录: server address, account, password. Needs the network once; offline afterwards. */
class LoginPresenter(private val session: Session) : Presenter<LoginState>(LoginState()) {
    override suspend fun load() {
        val server = session.call { appSetting(Settings.SERVER) }.getOrNull()
        val user = session.call { appSetting(Settings.USERNAME) }.getOrNull()
        update {
            it.copy(
                server = server ?: it.server.ifBlank { "http://127.0.0.1:8080" },
                username = user ?: it.username,
                previous = session.profile(),
            )
        }
    }

    fun server(v: String) = update { it.copy(server = v.trim(), error = null) }
    fun username(v: String) = update { it.copy(username = v.trim(), error = null) }
    fun password(v: String) = update { it.copy(password = v, error = null) }

    /** Logs in; on success the first sync starts in the background and true is returned. */
    suspend fun submit(): Boolean {
        val s = state.value
        if (!s.canSubmit) {
            update { it.copy(error = "请填写服务器地址、账号和密码") }
            return false
        }
        update { it.copy(busy = true, error = null) }
        val result = session.call {
            val me = login(s.server, s.username, s.password)
            setAppSetting(Settings.SERVER, s.server)
            setAppSetting(Settings.USERNAME, s.username)
            setAppSetting(Settings.SIGNED_OUT, "0")
            me
        }
        return result.fold(
            onSuccess = {
                update { it.copy(busy = false, password = "") }
                session.startSync()
                true
            },
            onFailure = { e ->
                update { it.copy(busy = false, error = errorText(e)) }
                false
            },
        )
    }
}
