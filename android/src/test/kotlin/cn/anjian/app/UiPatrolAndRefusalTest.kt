package cn.anjian.app

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.ui.AnjianApp
import cn.anjian.app.ui.Navigator
import cn.anjian.app.ui.Route
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.HazardCommand
import cn.anjian.domain.HazardLevel
import cn.anjian.domain.HazardStatus
import cn.anjian.domain.InspectionKind
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/**
 * A patrol member's quick capture (three taps from 今日), then a refusal by the server: the
 * office made the finding a major hazard while the phone, not yet synced, started fixing it.
 * The server's reason is shown on 同步 (需处理) and on the hazard.
 */
@OptIn(ExperimentalTestApi::class)
class UiPatrolAndRefusalTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun quickCaptureThenTheServersRefusalIsShown() {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val patrol = Device(dir.resolve("patrol"))
        patrol.store.login(server!!, "zz_patrol", "anjian-demo")
        patrol.syncAndWait()
        val site = patrol.store.listSites(null).first()
        patrol.location.fix = LocationFix(site.lat, site.lon, 6.0, mock = false)
        var hazardId = ""
        runComposeUiTest {
            setContent { AnjianApp(patrol.session, Navigator(Route.Home)) }
            waitFor { onNodeWithTag("home.capture") }
            // Tap 1: 暗访取证; the nearest site is chosen already.
            onNodeWithTag("home.capture").performClick()
            waitFor { onNodeWithTag("capture.photo") }
            waitForText(site.name)
            // Tap 2: the photo. Tap 3: save.
            patrol.photos.push(TestData.before)
            onNodeWithTag("capture.photo").performClick()
            waitForText("已拍照")
            onNodeWithTag("capture.note").performTextReplacement("消防通道堆放杂物")
            onNodeWithTag("capture.save").performClick()
            waitFor { onNodeWithTag("capture.saved") }
        }
        assertEquals(listOf("暗访发现问题照片"), patrol.photos.asked)
        val hazard = patrol.store.ledger(cn.anjian.core.LedgerQuery(null, null, null, site.id, false)).filter { it.description == "消防通道堆放杂物" }.maxBy { it.raisedAt }
        hazardId = hazard.id
        assertEquals("消防通道堆放杂物", hazard.description)
        assertEquals(HazardLevel.GENERAL, hazard.level)
        assertEquals(1, patrol.store.evidenceFor(EvidenceTarget.Hazard(hazardId)).count { it.stage == EvidenceStage.BEFORE })
        assertTrue(patrol.store.openInspections().any { it.siteId == site.id && it.kind == InspectionKind.UNANNOUNCED_PATROL })
        val first = patrol.syncAndWait()
        assertTrue(first is SyncRun.Finished, first.toString())
        assertTrue(patrol.store.attention().isEmpty(), patrol.store.attention().toString())

        // The office makes it a major hazard through the API ...
        val (status, reason) = OfficeApi(server).act(
            hazardId, patrol.store.hazard(hazardId).version, "registered", "registered",
            """{"type":"reclassify","level":"major","reason":"通道堵塞涉及人员密集场所"}""",
        )
        assertEquals("applied", status, reason)
        // ... while the phone, offline, starts rectifying the general hazard it knows.
        patrol.store.actOnHazard(hazardId, HazardCommand.StartRectification)
        assertEquals(HazardStatus.RECTIFYING, patrol.store.hazard(hazardId).status)

        runComposeUiTest {
            setContent { AnjianApp(patrol.session, Navigator(Route.Sync)) }
            waitFor { onNodeWithTag("sync.start") }
            onNodeWithTag("sync.start").performClick()
            waitForText("同步完成", timeoutMs = 60_000)
            // 需处理 with the server's reason, in Chinese.
            waitFor { onNodeWithTag("sync.attention") }
            waitForText("五落实")
            onNodeWithTag("sync").let { scrollToText("sync", "查看隐患") }
            onNodeWithTag("tab.隐患").performClick()
            onNodeWithTag("ledger.filter.MAJOR").performClick()
            waitFor { onNodeWithTag("hazard.${hazard.number}") }
            onNodeWithTag("hazard.${hazard.number}").performClick()
            waitFor { onNodeWithTag("hazard.refusal") }
            waitForText("尚缺")
        }
        // The server's row came back: major, still registered.
        val now = patrol.store.hazard(hazardId)
        assertEquals(HazardLevel.MAJOR, now.level)
        assertEquals(HazardStatus.REGISTERED, now.status)
        assertTrue(patrol.store.attention().single().reason.contains("五落实"))
        patrol.store.destroy()
    }
}
