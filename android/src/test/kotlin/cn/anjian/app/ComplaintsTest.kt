package cn.anjian.app

import cn.anjian.app.presenter.Complaints
import cn.anjian.app.presenter.ComplaintsPresenter
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.domain.InspectionKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/**
 * 投诉举报 through the real demo server: someone complains through a gas station's code,
 * 县安委办 hands it over to 县住房城乡建委 (the body with powers over gas), whose officer syncs,
 * sees it on the home screen and in the list, and starts a 行政检查 from it; after sync the
 * server holds that inspection with the complaint as its source, and the county's list shows it.
 */
class ComplaintsTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun aComplaintHandedOverBecomesTheBodysAdministrativeInspection() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val officer = Device(dir.resolve("zjw"))
        officer.store.login(server!!, "zjw_inspector", "anjian-demo")
        officer.syncAndWait()
        // A gas site other tests do not scan (they take 石宝镇's first).
        val site = officer.store.listSites(null).filter { it.industry == "gas" }.maxBy { it.id }
        val before = ready(HomePresenter(officer.session).also { it.load() }.state.value).openComplaints

        // The enterprise's neighbour complains through the code at the gate; 县安委办 finds it
        // and hands it over to a body the server offers for the site.
        val said = "加气站夜间卸车时无人监护，槽车旁有人抽烟（${System.nanoTime()}）"
        val office = OfficeApi(server)
        val id = complainAndHandOver(server, site.id, said, "dept-zjw")

        // Not on the phone until it syncs; then on the home screen and in the list.
        assertNull(officer.store.myComplaints(null).firstOrNull { it.id == id })
        officer.syncAndWait()
        val home = ready(HomePresenter(officer.session).also { it.load() }.state.value)
        assertEquals(before + 1, home.openComplaints)
        val p = ComplaintsPresenter(officer.session).also { it.load() }
        val c = ready(p.state.value.data).first { it.id == id }
        assertEquals(site.name, c.siteName)
        assertEquals(said, c.text)
        assertEquals("赵敏", c.assignedBy)
        assertNotNull(c.assignedAt)
        assertTrue(Complaints.open(c))

        // 开始行政检查: the visit form for the site, a co-officer, then the inspection.
        p.begin(id)
        val found = ready(p.state.value.found!!)
        assertEquals(site.id, found.site.id)
        p.kind(InspectionKind.ROUTINE_CHECK)
        p.participants("王强")
        if (found.warnings.isNotEmpty()) {
            assertNull(p.start(), "warnings must be confirmed first")
            assertTrue(p.state.value.error!!.contains("已知悉"))
            p.acknowledge(true)
        }
        val inspectionId = p.start()
        assertNotNull(inspectionId, p.state.value.error)
        val started = officer.store.inspection(inspectionId!!)
        assertEquals(site.id, started.siteId)
        assertNotNull(started.certificateNumber, "a 行政检查 with the officer's certificate")
        assertEquals(listOf("王强"), started.participants)
        // Already started: it opens its inspection and is no longer counted.
        val after = ready(p.state.value.data).first { it.id == id }
        assertEquals(inspectionId, after.inspectionId)
        assertFalse(Complaints.open(after))
        assertNull(p.state.value.starting)
        assertEquals(before, ready(HomePresenter(officer.session).also { it.load() }.state.value).openComplaints)

        // After sync the server holds the inspection with the complaint as its 任务来源.
        officer.syncAndWait()
        val onServer = OfficeApi(server, "zjw_inspector").get("/v1/inspections")
        val record = Regex("\\{\"id\":\"" + Regex.escape(inspectionId) + "\".*?\"complaint_id\":\"([^\"]+)\"").find(onServer)
        assertEquals(id, record?.groupValues?.get(1), "the server's inspection carries the complaint")
        val followed = office.get("/v1/complaints")
        assertTrue(
            Regex("\"id\":\"" + Regex.escape(id) + "\"[^{}]*\"follow_up\":\\{\"inspection_id\":\"" + Regex.escape(inspectionId) + "\"").containsMatchIn(followed),
            "the county follows it up through that inspection",
        )
        officer.store.destroy()
    }
}
