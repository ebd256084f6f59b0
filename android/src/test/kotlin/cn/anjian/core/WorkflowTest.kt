package cn.anjian.core

import cn.anjian.domain.*

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/** The inspector's workflow through the generated Kotlin, against the host-built core. */
class WorkflowTest {
    @TempDir
    lateinit var dir: Path

    private fun openAs(personId: String, name: String, vararg roles: Role): AnjianStore {
        val store = AnjianStore.open(dir.resolve("anjian.db").toString())
        store.setProfile(Profile(personId, name, "500233107", roles.toList()))
        return store
    }

    private fun gasSite(store: AnjianStore): SiteRecord = store.addSite(
        SiteInput(
            name = "石宝镇顺发液化气供应站",
            industry = "gas",
            lat = 30.4215,
            lon = 108.1803,
            radiusM = 80.0,
            townshipId = "500233107",
            departmentId = "dept-housing",
            address = "忠县石宝镇沿江路12号",
            contactName = "刘建华",
            contactPhone = "13996512345",
        ),
    )

    @Test
    fun industriesAndChecklistsAreListed() {
        val store = openAs("p-inspector", "陈刚", Role.INSPECTOR)
        val industries = store.industries()
        assertEquals(21, industries.size)
        assertTrue(industries.all { it.itemCount >= 15u })
        val gas = store.checklist("gas")
        assertEquals("城镇燃气", gas.name)
        assertTrue(gas.items.any { it.id == "GAS-022" && it.major })
        val err = assertThrows<AnjianException.InvalidInput> { store.checklist("bakery") }
        assertEquals("行业无效：未知行业 bakery", err.message)
    }

    @Test
    fun majorHazardIsRefusedUntilFiveImplementationsAreComplete() {
        val store = openAs("p-inspector", "陈刚", Role.INSPECTOR, Role.PATROL_MEMBER)
        val site = gasSite(store)
        assertEquals(listOf(site.id), store.listSites("500233107").map { it.id })

        // Run the gas checklist: LPG appliances in a basement left without a written notice (GAS-022) fail.
        var inspection = store.startInspection(InspectionKind.ROUTINE_CHECK, site.id, listOf("王磊"))
        for (item in store.checklist("gas").items) {
            val failed = item.id == "GAS-022"
            inspection = store.recordItem(
                inspection.id,
                item.id,
                if (failed) ItemOutcome.FAIL else ItemOutcome.PASS,
                if (failed) "液化气钢瓶12只存放于地下室" else null,
            )
        }
        inspection = store.finishInspection(inspection.id)
        assertEquals(listOf("GAS-022"), inspection.failedItemIds)
        assertEquals(inspection.totalItems, inspection.answeredItems)

        val hazard = store.raiseHazard(
            HazardInput(
                description = "液化气钢瓶存放于地下室",
                siteId = site.id,
                unitId = null,
                inspectionId = inspection.id,
                itemId = "GAS-022",
                level = null,
                levelReason = null,
                needsHardware = false,
            ),
        )
        assertEquals(HazardLevel.MAJOR, hazard.level)
        assertEquals("重大隐患", hazard.levelLabel)
        assertEquals("已登记", hazard.statusLabel)
        assertEquals(listOf("整改目标", "整改措施", "整改时限", "整改责任", "整改资金"), hazard.planMissing)

        // A before photo crosses the FFI as a file path; the core keeps the original and
        // flags that it was taken far from the site.
        val photo = Path.of("../../shared/testdata/photos/drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg")
        val before = store.attachPhoto(photo.toAbsolutePath().toString(), EvidenceTarget.Hazard(hazard.id), EvidenceStage.BEFORE)
        assertEquals("整改前", before.stageLabel)
        assertTrue(before.flags.contains("location_outside"), before.flags.toString())
        assertTrue(Files.exists(Path.of(before.thumbnailPath!!)))
        val heic = Path.of("../../shared/testdata/photos/drewnoakes-metadata-extractor-images/heic/IMG_2927.HEIC")
        val refusedPhoto = assertThrows<AnjianException.InvalidInput> {
            store.attachPhoto(heic.toAbsolutePath().toString(), EvidenceTarget.Hazard(hazard.id), EvidenceStage.BEFORE)
        }
        assertTrue(refusedPhoto.message!!.contains("JPEG"))

        // Moving on is refused, with the missing parts named; nothing is written.
        val pending = store.pendingChanges()
        val refused = assertThrows<AnjianException.NotAllowed> {
            store.actOnHazard(hazard.id, HazardCommand.StartRectification)
        }
        assertTrue(refused.message!!.contains("五落实"), refused.message)
        assertEquals(pending, store.pendingChanges())

        // Part of the plan: still refused, now naming only what is missing.
        store.actOnHazard(
            hazard.id,
            HazardCommand.UpdatePlan(
                FivePlanInput(
                    target = "钢瓶全部移出地下室",
                    measures = "在地面新建独立气瓶间",
                    deadline = "2099-12-15",
                    responsible = null,
                    fundingFen = null,
                    fundingSource = null,
                ),
            ),
        )
        val stillRefused = assertThrows<AnjianException.NotAllowed> {
            store.actOnHazard(hazard.id, HazardCommand.StartRectification)
        }
        assertEquals("重大隐患须“五落实”齐全后才能开始整改，尚缺：整改责任、整改资金", stillRefused.message)

        // Funding needs both amount and source.
        assertThrows<AnjianException.InvalidInput> {
            store.actOnHazard(
                hazard.id,
                HazardCommand.UpdatePlan(FivePlanInput(null, null, null, "刘建华", 3_500_000L, null)),
            )
        }
        val complete = store.actOnHazard(
            hazard.id,
            HazardCommand.UpdatePlan(FivePlanInput(null, null, null, "刘建华", 3_500_000L, "企业自筹")),
        )
        assertTrue(complete.planMissing.isEmpty())
        val started = store.actOnHazard(hazard.id, HazardCommand.StartRectification)
        assertEquals(HazardStatus.RECTIFYING, started.status)
        assertEquals("2099-12-15", started.deadline)
        assertFalse(started.overdue)

        val ledger = store.ledger(LedgerQuery(null, HazardLevel.MAJOR, null, null, false))
        assertEquals(listOf(hazard.number), ledger.map { it.number })
        val history = store.hazardHistory(hazard.id).map { it.label }
        assertEquals(listOf("登记隐患", "填报五落实", "填报五落实", "开始整改"), history)
        store.destroy()
    }

    /** Progress arrives through an observer the app implements (a foreign trait). */
    class RecordingListener : SyncObserver {
        val phases = java.util.concurrent.CopyOnWriteArrayList<SyncPhase>()
        @Volatile var finished: SyncResult? = null
        override fun onProgress(progress: SyncProgress) {
            phases.add(progress.phase)
        }
        override fun onFinished(result: SyncResult) {
            finished = result
        }
        override fun onFailed(message: String) {}
    }

    /** Hears a background sync started with startSync, as an app's view model would. */
    class LatchObserver : SyncObserver {
        val done = java.util.concurrent.CountDownLatch(1)
        val phases = java.util.concurrent.CopyOnWriteArrayList<SyncPhase>()
        @Volatile var result: SyncResult? = null
        @Volatile var failure: String? = null
        override fun onProgress(progress: SyncProgress) {
            phases.add(progress.phase)
        }
        override fun onFinished(result: SyncResult) {
            this.result = result
            done.countDown()
        }
        override fun onFailed(message: String) {
            failure = message
            done.countDown()
        }
    }

    @Test
    fun logsInRecordsOfflineAndSyncsWithTheServer() {
        val server = System.getProperty("anjian.test.server").orEmpty()
        assumeTrue(server.isNotEmpty(), "scripts/test-all.sh passes -Danjian.test.server")
        val store = AnjianStore.open(dir.resolve("device.db").toString())
        val wrong = assertThrows<AnjianException.InvalidInput> { store.login(server, "sb_inspector", "wrong-password") }
        assertTrue(wrong.message!!.contains("用户名或密码错误"), wrong.message)
        val me = store.login(server, "sb_inspector", "anjian-demo")
        assertEquals("蒋华", me.name)
        val listener = RecordingListener()
        val first = store.syncNow(false, listener)
        assertTrue(first.outcome is SyncOutcome.Completed, first.outcome.toString())
        assertEquals(12, store.listSites(null).size)
        // Offline work, then sync: the outbox empties and the status says so.
        val site = store.listSites(null).first { it.industry == "gas" }
        var inspection = store.startInspection(InspectionKind.ROUTINE_CHECK, site.id, emptyList())
        for (item in store.checklist("gas").items) {
            inspection = store.recordItem(inspection.id, item.id, ItemOutcome.NOT_APPLICABLE, null)
        }
        store.finishInspection(inspection.id)
        assertTrue(store.syncStatus().pendingChanges > 0uL)
        // The app's sync button: the core's own sync thread, heard through the observer.
        val observer = LatchObserver()
        val task = store.startSync(false, observer)
        assertTrue(observer.done.await(120, java.util.concurrent.TimeUnit.SECONDS))
        task.join()
        assertTrue(task.isFinished())
        assertNull(observer.failure)
        val second = observer.result!!
        assertTrue(second.outcome is SyncOutcome.Completed, second.outcome.toString())
        assertTrue(second.pushed > 0uL)
        val status = store.syncStatus()
        assertEquals(0uL, status.pendingChanges)
        assertTrue(status.signedIn)
        assertTrue(listener.phases.contains(SyncPhase.DONE), listener.phases.toString())
        assertTrue(observer.phases.contains(SyncPhase.PUSH) && observer.phases.last() == SyncPhase.DONE, observer.phases.toString())
        store.destroy()
    }

    @Test
    fun aUnitHeadSeesDutyStatusAndOpenHazardsOffline() {
        val server = System.getProperty("anjian.test.server").orEmpty()
        assumeTrue(server.isNotEmpty(), "scripts/test-all.sh passes -Danjian.test.server")
        val store = AnjianStore.open(dir.resolve("head.db").toString())
        store.login(server, "sb_head", "anjian-demo")
        assertTrue(store.syncNow(false, RecordingListener()).outcome is SyncOutcome.Completed)
        val led = { store.myDutyStatus(null).first { it.activity == "led_inspection" } }
        assertEquals("每月1次", led().requirement)
        val before = led().done
        // The head leads a check on site (offline from here) and raises what it found.
        val site = store.listSites(null).first { it.industry == "gas" }
        var inspection = store.startInspection(InspectionKind.ROUTINE_CHECK, site.id, listOf("蒋华"))
        for (item in store.checklist("gas").items) {
            val fail = item.id == "GAS-012"
            inspection = store.recordItem(
                inspection.id,
                item.id,
                if (fail) ItemOutcome.FAIL else ItemOutcome.PASS,
                if (fail) "灭火器压力不足" else null,
            )
        }
        store.finishInspection(inspection.id)
        val hazard = store.raiseHazard(
            HazardInput(
                description = "灭火器压力不足",
                siteId = site.id,
                unitId = null,
                inspectionId = inspection.id,
                itemId = "GAS-012",
                level = null,
                levelReason = null,
                needsHardware = false,
            ),
        )
        val now = led()
        assertEquals(before + 1u, now.done)
        assertEquals(QuotaState.MET, now.state)
        assertEquals("已完成", now.stateLabel)
        assertTrue(now.records.any { it.id == inspection.id && it.source == "inspection" })
        assertTrue(store.myUnitOpenHazards().any { it.id == hazard.id })
        val err = assertThrows<AnjianException.InvalidInput> { store.myDutyStatus("2026-13") }
        assertTrue(err.message!!.contains("月份"), err.message)
        store.destroy()
    }

    @Test
    fun unreadableDatabaseIsMovedAsideAndReported() {
        val path = dir.resolve("anjian.db")
        Files.writeString(path, "不是数据库".repeat(500))
        val store = AnjianStore.open(path.toString())
        val aside = store.openReport().recoveredFrom
        assertTrue(aside != null && Files.exists(Path.of(aside)))
        assertNull(store.profile())
        val err = assertThrows<AnjianException.NotSignedIn> {
            store.startInspection(InspectionKind.UNANNOUNCED_PATROL, "x", emptyList())
        }
        assertTrue(err.message!!.contains("登录"))
        store.destroy()
    }
}
