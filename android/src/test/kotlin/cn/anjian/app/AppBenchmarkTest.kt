package cn.anjian.app

import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.LedgerFilter
import cn.anjian.app.presenter.LedgerPresenter
import cn.anjian.app.ui.AnjianTheme
import cn.anjian.app.ui.InspectionActions
import cn.anjian.app.ui.InspectionScreen
import cn.anjian.app.ui.LedgerScreen
import cn.anjian.core.HazardInput
import cn.anjian.domain.HazardLevel
import cn.anjian.domain.InspectionKind
import cn.anjian.domain.ItemOutcome
import cn.anjian.core.LedgerQuery
import cn.anjian.core.Profile
import cn.anjian.core.SiteInput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/**
 * Opening the ledger with N hazards in the store, and the checklist screen of a 16-item
 * inspection: presenter load + first frame drawn, beside the core's query alone, median of
 * several runs in one process. `scripts/bench-app.sh` runs it with 10,000 hazards and prints
 * the figures for docs/benchmarks.md; the test run uses a small N as a smoke check.
 */
class AppBenchmarkTest {
    @TempDir
    lateinit var dir: Path

    private fun median(runs: Int, f: () -> Unit): Double {
        val t = (1..runs).map { val s = System.nanoTime(); f(); (System.nanoTime() - s) / 1e6 }.sorted()
        return t[runs / 2]
    }

    /** One phone-sized scene for the whole run: each frame is a fresh composition of a screen. */
    private val scene by lazy { ImageComposeScene(800, 1720, Density(2f)) }

    private fun frame(content: @Composable () -> Unit) {
        scene.setContent { AnjianTheme(false) { content() } }
        scene.render()
    }

    private fun raise(store: cn.anjian.core.AnjianStore, sites: List<cn.anjian.core.SiteRecord>, i: Int) {
        store.raiseHazard(
            HazardInput("隐患描述第 $i 条：灭火器压力不足", sites[i % sites.size].id, null, null, null,
                if (i % 7 == 0) HazardLevel.MAJOR else HazardLevel.GENERAL, if (i % 7 == 0) "现场判定" else null, false),
        )
    }

    @Test
    fun ledgerAndChecklistBesideTheCore() = runBlocking {
        val n = (System.getProperty("anjian.bench.hazards")?.takeIf { it.isNotBlank() } ?: "300").toInt()
        val runs = (System.getProperty("anjian.bench.runs")?.takeIf { it.isNotBlank() } ?: "5").toInt()
        val device = Device(dir)
        val store = device.store
        store.setProfile(Profile("p-bench", "测试员", "500233107", listOf(cn.anjian.domain.Role.INSPECTOR)))
        val sites = (0 until 50).map { i ->
            store.addSite(SiteInput("场所$i", "elderly_care", 30.42 + i * 0.001, 108.18, 80.0, "500233107", null, "忠县石宝镇$i 号", null, null))
        }
        val seed = System.nanoTime()
        var collisions = 0
        for (i in 0 until n) {
            // A hazard's number is its day plus 6 hex digits of its id: with thousands raised
            // on one day two may collide (reported); the bench raises that one again.
            while (true) {
                try {
                    raise(store, sites, i)
                    break
                } catch (e: cn.anjian.core.AnjianException.Storage) {
                    if (!e.message.orEmpty().contains("hazards.number")) throw e
                    collisions++
                }
            }
        }
        val seedMs = (System.nanoTime() - seed) / 1e6
        val insp = store.startInspection(InspectionKind.ROUTINE_CHECK, sites[0].id, emptyList())
        val items = store.checklist("elderly_care").items
        // The screen is timed with a whole checklist on it (elderly_care has 16 items or more).
        assertTrue(items.size >= 16) { "elderly_care has ${items.size} items" }
        for (item in items.take(8)) store.recordItem(insp.id, item.id, ItemOutcome.PASS, null)

        // Warm both paths once (JIT, Skia, fonts) before measuring.
        val ledger = LedgerPresenter(device.session)
        ledger.filter(LedgerFilter.ALL)
        frame { LedgerScreen(ledger.state.value, {}, {}) }
        val noop = InspectionActions({ _, _ -> }, { _, _ -> }, {}, {}, {}, {}, {}, {})

        // The floor: composing and drawing a screen with nothing on it, at the same size.
        val blank = median(runs) { frame { androidx.compose.foundation.layout.Box(androidx.compose.ui.Modifier) {} } }
        val coreLedger = median(runs) { store.ledger(LedgerQuery(null, null, null, null, false)).size }
        val appLedger = median(runs) {
            runBlocking {
                val p = LedgerPresenter(device.session)
                p.filter(LedgerFilter.ALL)
                frame { LedgerScreen(p.state.value, {}, {}) }
            }
        }
        assertEquals(n, (ledger.state.value.data as Load.Ready).value.rows.size)
        val coreChecklist = median(runs) { store.inspection(insp.id); store.checklist("elderly_care") }
        val appChecklist = median(runs) {
            runBlocking {
                val p = InspectionPresenter(device.session, insp.id)
                p.load()
                frame { InspectionScreen(p.state.value, noop) }
            }
        }
        val report = buildString {
            appendLine("hazards=$n seed_ms=${"%.0f".format(seedMs)} number_collisions=$collisions runs=$runs")
            appendLine("blank_frame_ms=${"%.1f".format(blank)}")
            appendLine("ledger: core_ms=${"%.1f".format(coreLedger)} app_ms=${"%.1f".format(appLedger)} ratio=${"%.1f".format(appLedger / coreLedger)}")
            appendLine("checklist16: core_ms=${"%.2f".format(coreChecklist)} app_ms=${"%.1f".format(appChecklist)} ratio=${"%.1f".format(appChecklist / coreChecklist)}")
        }
        print(report)
        Files.createDirectories(Path.of("target"))
        Files.writeString(Path.of("target/app-bench.txt"), report)
        scene.close()
        store.destroy()
    }
}
