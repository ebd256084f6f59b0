package cn.anjian.app

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import cn.anjian.app.ui.AnjianApp
import cn.anjian.app.ui.Navigator
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path

/**
 * The server goes away after the first login: the app still opens, inspects and records;
 * sync says the server cannot be reached and keeps everything; logout warns and deletes
 * nothing.
 */
@OptIn(ExperimentalTestApi::class)
class UiOfflineTest {
    @TempDir
    lateinit var dir: Path

    private fun startServer(): Pair<Process, String> {
        val bin = Path.of(System.getProperty("anjian.server.bin") ?: "../target/debug/anjian").toAbsolutePath()
        assumeTrue(Files.isExecutable(bin), "needs the server binary ($bin): cargo build -p anjian")
        val port = ServerSocket(0).use { it.localPort }
        val url = "http://127.0.0.1:$port"
        val proc = ProcessBuilder(bin.toString(), "serve", "--demo", "--demo-without-activity", "--data", dir.resolve("server").toString(), "--listen", "127.0.0.1:$port")
            .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start()
        val http = HttpClient.newHttpClient()
        val deadline = System.currentTimeMillis() + 120_000
        while (System.currentTimeMillis() < deadline) {
            val up = runCatching {
                http.send(HttpRequest.newBuilder(URI.create("$url/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200
            }.getOrDefault(false)
            if (up) return proc to url
            Thread.sleep(200)
        }
        proc.destroy()
        error("server did not start: ${Files.readString(dir.resolve("server.log"))}")
    }

    @Test
    fun worksWithTheServerDown() {
        val (proc, url) = startServer()
        val device = Device(dir.resolve("phone"))
        try {
            device.store.login(url, "sb_inspector", "anjian-demo")
            device.store.setAppSetting(Settings.SIGNED_OUT, "0")
            device.syncAndWait()
        } finally {
            proc.destroy()
            proc.waitFor()
        }
        val site = device.store.listSites(null).first { it.industry == "gas" }
        runComposeUiTest {
            // The app opens on 今日 from the store, without the server.
            assertTrue(device.session.hasOfflineSession())
            setContent { AnjianApp(device.session, Navigator(cn.anjian.app.ui.Route.Site(site.id))) }
            waitFor { onNodeWithTag("site.start.排查") }
            onNodeWithTag("site.start.排查").performClick()
            waitFor { onNodeWithTag("inspection.progress") }
            waitForText("无定位")
            val inspectionId = device.store.openInspections().single().id
            for ((k, item) in device.store.inspectionChecklist(inspectionId).items.withIndex()) {
                scrollTo("inspection", "item.${item.id}.NOT_APPLICABLE").performClick()
                waitUntil(timeoutMillis = 10_000) { device.store.inspection(inspectionId).answeredItems.toInt() == k + 1 }
            }
            scrollTo("inspection", "inspection.finish").performClick()
            waitUntil(timeoutMillis = 10_000) { device.store.inspection(inspectionId).finishedAt != null }
            onNodeWithTag("tab.同步").performClick()
            waitFor { onNodeWithTag("sync.start") }
            onNodeWithTag("sync.start").performClick()
            waitForText("无法连接服务器", timeoutMs = 60_000)
            waitForText("记录已保存在本机")
        }
        val pending = device.store.pendingChanges()
        assertTrue(pending > 0uL)
        runComposeUiTest {
            setContent { AnjianApp(device.session, Navigator(cn.anjian.app.ui.Route.Me)) }
            waitFor { onNodeWithTag("me.logout") }
            onNodeWithTag("me.logout").performClick()
            waitFor { onNodeWithTag("me.logout.warning") }
            waitForText("条记录")
            waitForText("仍保存在本机")
            onNodeWithTag("me.logout.confirm").performClick()
            waitFor { onNodeWithTag("login.submit") }
        }
        assertEquals(pending, device.store.pendingChanges(), "logout deletes nothing")
        assertTrue(!device.session.hasOfflineSession())
        device.store.destroy()
    }
}
