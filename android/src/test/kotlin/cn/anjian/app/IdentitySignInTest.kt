package cn.anjian.app

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import cn.anjian.app.presenter.LoginPresenter
import cn.anjian.app.ui.AnjianApp
import cn.anjian.app.ui.Navigator
import cn.anjian.app.ui.Route
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.net.CookieManager
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Path
import java.util.UUID

/**
 * The province's unified identity (渝快政登录) on the phone, against the demo server configured
 * with the real OpenID Connect provider (tests/oidc, started by scripts/test-all.sh): the
 * login screen offers the provider's button, the presenter opens the provider's page in the
 * system browser, a person types their identity into the provider's own form, and the
 * provider's redirect to the app's link, handed to the presenter, signs the phone in. An
 * identity nobody linked is refused in Chinese and leaves no session.
 */
@OptIn(ExperimentalTestApi::class)
class IdentitySignInTest {
    @TempDir
    lateinit var dir: Path

    private val appLink: String? = System.getProperty("anjian.test.oidc.redirect")?.takeIf { it.isNotBlank() }

    /**
     * What the system browser does: follows the provider from [authorizeUrl], types [identity]
     * into its sign-in form, and stops at the redirect to the app's link, which it returns.
     */
    private fun atProvider(authorizeUrl: String, identity: String, appLink: String): String {
        val http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).cookieHandler(CookieManager()).build()
        var url = URI.create(authorizeUrl)
        var form: String? = null
        repeat(12) {
            if (url.toString().startsWith(appLink)) return url.toString()
            val req = HttpRequest.newBuilder(url).apply {
                if (form != null) {
                    header("content-type", "application/x-www-form-urlencoded")
                    POST(HttpRequest.BodyPublishers.ofString(form))
                } else {
                    GET()
                }
            }.build()
            form = null
            val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
            when {
                resp.statusCode() in 300..399 -> url = url.resolve(resp.headers().firstValue("location").get())
                resp.statusCode() == 200 && resp.body().contains("name=\"login\"") ->
                    form = "login=" + URLEncoder.encode(identity, Charsets.UTF_8)
                else -> error("provider answered ${resp.statusCode()} at $url: ${resp.body().take(300)}")
            }
        }
        error("the provider never sent the browser to $appLink")
    }

    private fun needsProvider(): Pair<String, String> {
        val server = testServer()
        assumeTrue(server != null && appLink != null, "needs the demo server with the test OpenID provider (scripts/test-all.sh)")
        return server!! to appLink!!
    }

    @Test
    fun linkedIdentitySignsInAtTheProvidersPage() = runBlocking {
        val (server, appLink) = needsProvider()
        // 县安委办 links 陈晓燕 (zz_deputy, whom no other test signs in as) to a fresh identity.
        val identity = "cxy-" + UUID.randomUUID().toString().take(8)
        assertEquals(204, OfficeApi(server).putJson("/v1/admin/accounts/zz_deputy/identity", """{"identity":"$identity"}"""))

        val phone = Device(dir.resolve("phone"))
        val login = LoginPresenter(phone.session)
        login.load()
        login.server(server)
        login.checkProvider()
        assertEquals("渝快政登录", login.state.value.identityProvider)

        val url = login.startIdentity()
        assertEquals(listOf(url), phone.browser.opened, "the provider's page opens in the system browser")
        assertTrue(login.state.value.inBrowser)
        val link = atProvider(url!!, identity, appLink)

        // The platform hands the app link to the session; the login screen takes it once.
        phone.session.signInLink(link)
        val taken = phone.session.takeSignInLink()
        assertEquals(link, taken)
        assertNull(phone.session.takeSignInLink())
        assertTrue(login.finishIdentity(taken!!), "signed in: ${login.state.value.error}")
        assertEquals("陈晓燕", phone.session.profile()?.name)
        assertTrue(phone.store.syncStatus().signedIn)
        assertTrue(phone.session.hasOfflineSession(), "the app opens on 今日 next time, offline too")
        phone.session.awaitSync()

        // The same link again (a second tap on it) finishes nothing and changes nothing.
        assertFalse(login.finishIdentity(link))
        assertTrue(login.state.value.error!!.contains("重新点击"), login.state.value.error)
        assertEquals("陈晓燕", phone.session.profile()?.name)
    }

    @Test
    fun unlinkedIdentityIsRefusedInChinese() = runBlocking {
        val (server, appLink) = needsProvider()
        val phone = Device(dir.resolve("phone"))
        val login = LoginPresenter(phone.session)
        login.load()
        login.server(server)
        val url = login.startIdentity()!!
        val link = atProvider(url, "stranger-" + UUID.randomUUID().toString().take(8), appLink)
        assertFalse(login.finishIdentity(link))
        val error = login.state.value.error!!
        assertTrue(error.contains("尚未关联本系统账号"), error)
        assertNull(phone.session.profile())
        assertFalse(phone.store.syncStatus().signedIn)
        assertFalse(login.state.value.busy)
    }

    @Test
    fun theAppLinkBringsThePersonToTodayThroughTheScreens() {
        val (server, appLink) = needsProvider()
        val identity = "cxy-" + UUID.randomUUID().toString().take(8)
        assertEquals(204, OfficeApi(server).putJson("/v1/admin/accounts/zz_deputy/identity", """{"identity":"$identity"}"""))
        val phone = Device(dir.resolve("ui"))
        runComposeUiTest {
            setContent { AnjianApp(phone.session, Navigator(Route.Login)) }
            onNodeWithTag("login.server").performTextReplacement(server)
            // The button appears once the server said it offers the provider to the app.
            waitFor { onNodeWithTag("login.identity") }
            onNodeWithTag("login.identity").performClick()
            waitUntil(timeoutMillis = 30_000) { phone.browser.opened.isNotEmpty() }
            waitForText("完成登录后会自动回到本应用")
            // The browser comes back through the app link; the platform hands it over.
            phone.session.signInLink(atProvider(phone.browser.opened.single(), identity, appLink))
            waitFor { onNodeWithTag("home") }
            waitUntil(timeoutMillis = 60_000) { phone.session.sync.value !is SyncRun.Running }
        }
        assertEquals("陈晓燕", phone.session.profile()?.name)
    }
}
