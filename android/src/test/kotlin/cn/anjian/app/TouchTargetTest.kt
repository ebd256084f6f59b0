package cn.anjian.app

import androidx.compose.runtime.Composable
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.unit.dp
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.presenter.HazardPresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.LedgerPresenter
import cn.anjian.app.ui.AnjianTheme
import cn.anjian.app.ui.HazardActions
import cn.anjian.app.ui.HazardScreen
import cn.anjian.app.ui.InspectionActions
import cn.anjian.app.ui.InspectionScreen
import cn.anjian.app.ui.LedgerScreen
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.HazardInput
import cn.anjian.domain.HazardLevel
import cn.anjian.domain.InspectionKind
import cn.anjian.core.Profile
import cn.anjian.core.SiteInput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/**
 * 适老化: every clickable thing is at least 44 dp high and wide (48 dp as drawn), and in the
 * large-text mode every button is at least 60 dp high — measured on the real screens.
 */
@OptIn(ExperimentalTestApi::class)
class TouchTargetTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun touchTargetsAreLargeEnoughInBothModes() {
        val d = Device(dir)
        d.store.setProfile(Profile("p-1", "陈刚", "500233107", listOf(cn.anjian.domain.Role.INSPECTOR)))
        val site = d.store.addSite(SiteInput("石宝镇敬老院", "elderly_care", 30.42, 108.18, 80.0, "500233107", null, null, null, null))
        d.location.fix = LocationFix(30.42, 108.18, 10.0, mock = false)
        val h = d.store.raiseHazard(HazardInput("消防通道堆放杂物", site.id, null, null, null, HazardLevel.GENERAL, null, false))
        d.store.attachPhoto(TestData.before, EvidenceTarget.Hazard(h.id), EvidenceStage.BEFORE)
        val insp = d.store.startInspection(InspectionKind.ROUTINE_CHECK, site.id, emptyList())
        val screens: List<Pair<String, @Composable () -> Unit>> = runBlocking {
            val ledger = LedgerPresenter(d.session).also { it.load() }
            val ip = InspectionPresenter(d.session, insp.id).also { it.load() }
            val hp = HazardPresenter(d.session, h.id).also { it.load() }
            val found = cn.anjian.app.presenter.ScanFound(
                d.store.site(site.id),
                listOf("县城市管理局已于 2026-11-24 检查该企业：请考虑联合检查或共享结果，避免重复检查"),
                listOf(InspectionKind.ROUTINE_CHECK, InspectionKind.RANDOM_CHECK),
                listOf(cn.anjian.core.UnitRecord("dept-cgj", "县城市管理局", "department", "部门")),
                emptyList(),
            )
            val scan = cn.anjian.app.presenter.ScanState(code = "https://anjian.example/q/x/y", found = Load.Ready(found))
            val docs = cn.anjian.app.presenter.DocumentsPresenter(d.session, insp.id).also { it.load() }
            docs.begin(cn.anjian.domain.DocumentKind.INSPECTION_RECORD)
            docs.officerInk(scribble(0))
            val task = cn.anjian.core.TaskRecord("t-1", "燃气安全专项整治“回头看”", "对辖区餐饮场所开展回头看。", "2026-12-10", "已退回", false, "已完成排查。", emptyList(), "未附整治台账，请补充后重新报送")
            val tasks = cn.anjian.app.presenter.TasksState(data = Load.Ready(cn.anjian.app.presenter.TasksData("500233107", listOf(task), emptyMap())), answering = "t-1")
            val self = cn.anjian.app.presenter.SelfAssessmentPresenter(d.session).also { it.load() }
            listOf(
                "scan" to @Composable { cn.anjian.app.ui.ScanScreen(scan, cn.anjian.app.ui.ScanActions({}, {}, {}, cn.anjian.app.ui.VisitActions({}, {}, {}, {}, {}))) },
                "documents" to @Composable { cn.anjian.app.ui.DocumentsScreen(docs.state.value, cn.anjian.app.ui.DocumentsActions({}, {}, {}, { _, _ -> }, {}, {}, {}, {}, {})) },
                "tasks" to @Composable { cn.anjian.app.ui.TasksScreen(tasks, cn.anjian.app.ui.TasksActions({}, {}, {}, {}, {}, {})) },
                "self" to @Composable { cn.anjian.app.ui.SelfAssessmentScreen(self.state.value, cn.anjian.app.ui.SelfAssessmentActions({}, { _, _ -> }, { _, _ -> }, {}, {})) },
                "ledger" to @Composable { LedgerScreen(ledger.state.value, {}, {}) },
                "inspection" to @Composable { InspectionScreen(ip.state.value, InspectionActions({ _, _ -> }, { _, _ -> }, {}, {}, {}, {}, {}, {})) },
                "hazard" to @Composable { HazardScreen(hp.state.value, HazardActions({}, {}, {}, {}, {}, {}, {})) },
            )
        }
        for (large in listOf(false, true)) for ((name, screen) in screens) runComposeUiTest {
            setContent { AnjianTheme(large) { screen() } }
            waitForIdle()
            val nodes = onAllNodes(hasClickAction(), useUnmergedTree = true).fetchSemanticsNodes()
            assertTrue(nodes.isNotEmpty(), name)
            val min = with(density) { 44.dp.toPx() }
            val button = with(density) { 60.dp.toPx() }
            if (name != "ledger" && name != "self") assertTrue(nodes.any { it.config.getOrNull(SemanticsProperties.Role) == Role.Button }, "$name has buttons")
            for (n in nodes) {
                val label = n.config.getOrNull(SemanticsProperties.Text)?.joinToString() ?: n.config.getOrNull(SemanticsProperties.TestTag) ?: "?"
                assertTrue(n.size.height >= min && n.size.width >= min, "$name large=$large: '$label' is ${n.size}")
                if (large && n.config.getOrNull(SemanticsProperties.Role) == Role.Button) {
                    assertTrue(n.size.height >= button, "$name large: button '$label' is ${n.size.height}px high")
                }
            }
        }
        d.store.destroy()
    }
}
