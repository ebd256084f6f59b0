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
    /** The unified identity provider's button (渝快政登录) when the server offers it to the app. */
    val identityProvider: String? = null,
    /** The provider's page is open in the browser; the app waits for its link back. */
    val inBrowser: Boolean = false,
) {
    val canSubmit get() = server.isNotBlank() && username.isNotBlank() && password.isNotEmpty() && !busy
}

/**
 * 登录: server address, account, password; or the province's unified identity (渝快政登录)
 * when the server offers it. Needs the network once; offline afterwards.
 */
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

    /** Asks the server whether it offers a unified identity provider (the last answer offline). */
    suspend fun checkProvider() {
        val server = state.value.server
        if (server.isBlank()) return
        val name = session.call { identityProvider(server) }.getOrNull()
        update { if (it.server == server) it.copy(identityProvider = name) else it }
    }

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
        return signedIn(result)
    }

    /**
     * Starts the unified identity sign-in: the core keeps the pending sign-in and the
     * provider's page opens in the system browser. Returns the URL opened, or null.
     */
    suspend fun startIdentity(): String? {
        val s = state.value
        if (s.server.isBlank()) {
            update { it.copy(error = "请填写服务器地址") }
            return null
        }
        update { it.copy(busy = true, error = null) }
        val result = session.call {
            val url = startIdentityLogin(s.server)
            setAppSetting(Settings.SERVER, s.server)
            url
        }
        val url = result.getOrElse { e ->
            update { it.copy(busy = false, error = errorText(e)) }
            return null
        }
        if (!session.platform.browser.open(url)) {
            update { it.copy(busy = false, error = "无法打开系统浏览器，请安装或启用浏览器后重试") }
            return null
        }
        update { it.copy(busy = false, inBrowser = true) }
        return url
    }

    /**
     * Finishes the unified identity sign-in with the app link the provider opened; on success
     * the first sync starts in the background and true is returned, as with the password.
     */
    suspend fun finishIdentity(link: String): Boolean {
        update { it.copy(busy = true, error = null, inBrowser = false) }
        val result = session.call {
            val me = finishIdentityLogin(link)
            setAppSetting(Settings.SIGNED_OUT, "0")
            me
        }
        return signedIn(result)
    }

    private fun signedIn(result: Result<Profile>): Boolean = result.fold(
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
