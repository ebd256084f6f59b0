package cn.anjian.app

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.ui.AnjianApp
import cn.anjian.app.ui.Navigator
import cn.anjian.app.ui.Route
import cn.anjian.domain.HazardStatus
import cn.anjian.core.LedgerQuery
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import java.time.LocalDate

@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitFor(timeoutMs: Long = 30_000, what: () -> SemanticsNodeInteraction) {
    waitUntil(timeoutMillis = timeoutMs) { runCatching { what().fetchSemanticsNode() }.isSuccess }
}

@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitForText(text: String, substring: Boolean = true, timeoutMs: Long = 30_000) =
    waitUntil(timeoutMillis = timeoutMs) {
        onAllNodesWithText(text, substring = substring, useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty()
    }

@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.scrollTo(list: String, tag: String): SemanticsNodeInteraction {
    onNodeWithTag(list).performScrollToNode(hasTestTag(tag))
    // A list item taller than the viewport (a long form under the reminder banner) may still hold
    // the node below the fold: scroll the node itself into view too.
    return onNodeWithTag(tag).performScrollTo()
}

/** Waits until the lazy list [list] can be scrolled to a node tagged [tag] (it may load late). */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitScrollTo(list: String, tag: String, timeoutMs: Long = 30_000): SemanticsNodeInteraction {
    waitUntil(timeoutMillis = timeoutMs) {
        runCatching { onNodeWithTag(list).performScrollToNode(hasTestTag(tag)) }.isSuccess
    }
    return onNodeWithTag(tag).performScrollTo()
}

@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.scrollToText(list: String, text: String) {
    onNodeWithTag(list).performScrollToNode(hasText(text, substring = true))
}

/** The journeys through the real screens, the real core and the demo server. */
@OptIn(ExperimentalTestApi::class)
class UiJourneyTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun loginInspectAssignRectifyVerify() {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val inspector = Device(dir.resolve("inspector"))
        val nav = Navigator(Route.Login)
        var hazardId = ""
        runComposeUiTest {
            setContent { AnjianApp(inspector.session, nav) }
            onNodeWithTag("login.server").performTextReplacement(server!!)
            onNodeWithTag("login.user").performTextReplacement("sb_inspector")
            onNodeWithTag("login.password").performTextReplacement("anjian-demo")
            onNodeWithTag("login.submit").performClick()
            waitFor { onNodeWithTag("home") }
            waitUntil(timeoutMillis = 60_000) { inspector.session.sync.value !is SyncRun.Running && inspector.store.listSites(null).isNotEmpty() }

            // 场所 → the gas site → 开始排查.
            val gas = inspector.store.listSites(null).first { it.industry == "gas" }
            inspector.location.fix = LocationFix(gas.lat, gas.lon, 8.0, mock = false)
            onNodeWithTag("tab.场所").performClick()
            waitFor { onNodeWithTag("sites.list") }
            onNodeWithTag("sites.search").performTextReplacement(gas.name)
            waitScrollTo("sites.list", "site.${gas.id}")
            scrollTo("sites.list", "site.${gas.id}").performClick()
            waitFor { onNodeWithTag("site.start.排查") }
            onNodeWithTag("site.start.排查").performClick()
            waitFor { onNodeWithTag("inspection.progress") }
            waitForText("位置正常")

            // Item by item: the first major item (重大隐患判定项) fails with a note and a photo.
            // The items that apply to this site (its attributes decide the conditional ones).
            val inspectionId = inspector.store.openInspections().single().id
            val asked = inspector.store.inspectionChecklist(inspectionId).items
            val major = asked.first { it.major }.id
            fun answered() = inspector.store.inspection(inspectionId).answeredItems.toInt()
            for ((k, item) in asked.withIndex()) {
                if (item.id == major) {
                    scrollTo("inspection", "item.$major.FAIL").performClick()
                    waitFor { onNodeWithTag("item.$major.note") }
                    scrollTo("inspection", "item.$major.note").performTextReplacement("液化气钢瓶12只存放于地下室")
                    scrollTo("inspection", "item.$major.save").performClick()
                    waitFor { onNodeWithTag("item.$major.photo") }
                    inspector.photos.push(TestData.before)
                    scrollTo("inspection", "item.$major.photo").performClick()
                    waitForText("拍照取证（1）")
                } else {
                    scrollTo("inspection", "item.${item.id}.PASS").performClick()
                }
                // An item whose basis waits for review says so on its card; a checked one does not.
                val flag = onAllNodes(hasText("依据待核对") and hasAnyAncestor(hasTestTag("item.${item.id}")))
                if (item.verified) flag.assertCountEquals(0) else flag.assertCountEquals(1)
                waitUntil(timeoutMillis = 10_000) { answered() == k + 1 }
            }
            scrollTo("inspection", "inspection.finish").performClick()
            waitUntil(timeoutMillis = 10_000) { inspector.store.inspection(inspectionId).finishedAt != null }
            waitUntil(timeoutMillis = 10_000) { inspector.store.ledger(LedgerQuery(null, null, null, gas.id, false)).any { it.inspectionId == inspectionId } }
            hazardId = inspector.store.ledger(LedgerQuery(null, null, null, gas.id, false)).first { it.inspectionId == inspectionId }.id
            val number = inspector.store.hazard(hazardId).number

            // The ledger shows it; then 同步.
            onNodeWithTag("tab.隐患").performClick()
            waitFor { onNodeWithTag("ledger.list") }
            onNodeWithTag("ledger.filter.MAJOR").performClick()
            waitScrollTo("ledger.list", "hazard.$number")
            onNodeWithTag("tab.同步").performClick()
            waitFor { onNodeWithTag("sync.start") }
            onNodeWithTag("sync.start").performClick()
            waitForText("同步完成", timeoutMs = 60_000)
            waitForText("待上传记录 0 条")
        }

        // A patrol finding of 石宝镇 is referred (移交) to 县住房城乡建委, which accepts it.
        val (accepted, acceptWhy) = OfficeApi(server!!, "zjw_inspector").act(
            hazardId, inspector.store.hazard(hazardId).version, "registered", "registered",
            """{"type":"accept_referral"}""",
        )
        assertEquals("applied", accepted, acceptWhy)

        // The office assigns it through the API, due in three days.
        val due = LocalDate.now().plusDays(3).toString()
        val (status, reason) = OfficeApi(server!!).act(
            hazardId, inspector.store.hazard(hazardId).version, "registered", "assigned",
            """{"type":"assign","unit_id":"500233107","deadline":"$due"}""",
        )
        assertEquals("applied", status, reason)

        // The unit head logs in on their phone, sees it on 今日, rectifies and submits.
        val head = Device(dir.resolve("head"))
        val number = inspector.store.hazard(hazardId).number
        runComposeUiTest {
            setContent { AnjianApp(head.session, Navigator(Route.Login)) }
            onNodeWithTag("login.server").performTextReplacement(server)
            onNodeWithTag("login.user").performTextReplacement("sb_head")
            onNodeWithTag("login.password").performTextReplacement("anjian-demo")
            onNodeWithTag("login.submit").performClick()
            waitUntil(timeoutMillis = 60_000) { head.session.sync.value is SyncRun.Finished }
            waitScrollTo("home", "hazard.$number").performClick()
            waitScrollTo("hazard", "hazard.action.UPDATE_PLAN")
            // Starting first is refused, and the screen says why.
            scrollTo("hazard", "hazard.action.START_RECTIFICATION").performClick()
            waitScrollTo("hazard", "hazard.error")
            waitForText("尚缺")
            scrollTo("hazard", "hazard.action.UPDATE_PLAN").performClick()
            scrollTo("hazard", "form.target").performTextReplacement("钢瓶全部移出地下室")
            scrollTo("hazard", "form.measures").performTextReplacement("地面新建独立气瓶间")
            scrollTo("hazard", "form.deadline").performTextReplacement(due)
            scrollTo("hazard", "form.responsible").performTextReplacement("卫东")
            scrollTo("hazard", "form.funding").performTextReplacement("35000")
            scrollTo("hazard", "form.source").performTextReplacement("企业自筹")
            scrollTo("hazard", "form.submit").performClick()
            waitUntil(timeoutMillis = 10_000) { head.store.hazard(hazardId).planMissing.isEmpty() }
            scrollTo("hazard", "hazard.action.START_RECTIFICATION").performClick()
            waitScrollTo("hazard", "hazard.action.SUBMIT_RECTIFICATION")
            head.photos.push(TestData.after)
            scrollTo("hazard", "hazard.photo.after").performClick()
            waitUntil(timeoutMillis = 30_000) { head.store.evidenceFor(cn.anjian.domain.EvidenceTarget.Hazard(hazardId)).any { it.stage == cn.anjian.domain.EvidenceStage.AFTER } }
            scrollTo("hazard", "hazard.action.SUBMIT_RECTIFICATION").performClick()
            scrollTo("hazard", "form.text").performTextReplacement("钢瓶已移至地面气瓶间")
            scrollTo("hazard", "form.submit").performClick()
            waitUntil(timeoutMillis = 30_000) { head.store.hazard(hazardId).status == HazardStatus.SUBMITTED }
            onNodeWithTag("tab.同步").performClick()
            waitFor { onNodeWithTag("sync.start") }
            onNodeWithTag("sync.start").performClick()
            waitForText("同步完成", timeoutMs = 60_000)
        }
        assertTrue(head.store.attention().isEmpty(), head.store.attention().toString())

        // The competent department's officer (not the rectifier, not the finder) verifies.
        val dept = Device(dir.resolve("dept"))
        runComposeUiTest {
            setContent { AnjianApp(dept.session, Navigator(Route.Login)) }
            onNodeWithTag("login.server").performTextReplacement(server)
            onNodeWithTag("login.user").performTextReplacement("zjw_inspector")
            onNodeWithTag("login.password").performTextReplacement("anjian-demo")
            onNodeWithTag("login.submit").performClick()
            waitUntil(timeoutMillis = 60_000) { dept.session.sync.value is SyncRun.Finished }
            waitUntil(timeoutMillis = 10_000) { dept.store.hazard(hazardId).status == HazardStatus.SUBMITTED }
            onNodeWithTag("tab.隐患").performClick()
            onNodeWithTag("ledger.filter.SUBMITTED").performClick()
            waitScrollTo("ledger.list", "hazard.$number").performClick()
            waitScrollTo("hazard", "hazard.action.VERIFY")
            scrollTo("hazard", "hazard.action.VERIFY").performClick()
            scrollTo("hazard", "form.submit").performClick()
            waitUntil(timeoutMillis = 30_000) { dept.store.hazard(hazardId).status == HazardStatus.CLOSED }
            onNodeWithTag("tab.同步").performClick()
            waitFor { onNodeWithTag("sync.start") }
            onNodeWithTag("sync.start").performClick()
            waitForText("同步完成", timeoutMs = 60_000)
        }
        assertTrue(dept.store.attention().isEmpty(), dept.store.attention().toString())
        inspector.store.destroy()
        head.store.destroy()
        dept.store.destroy()
    }
}
