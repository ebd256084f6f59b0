package cn.anjian.app

import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.MechanismPresenter
import cn.anjian.app.presenter.SelfAssessmentPresenter
import cn.anjian.app.presenter.Tasks
import cn.anjian.app.presenter.TasksPresenter
import cn.anjian.core.SyncOutcome
import cn.anjian.domain.EvidenceTarget
import cn.anjian.domain.MechanismKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import java.time.YearMonth

/**
 * A unit head's month-end work through the app and the real demo server: a task 县安委办
 * assigned answered with a photo as proof, a 改机制 record linked to its finding, and the
 * per-indicator self-assessment — each refused first where the notice asks for more.
 */
class WorkRecordsTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun taskProofMechanismAndSelfAssessmentReachTheServer() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")

        // A township head with a task still to do (the demo assigns two to townships).
        var head: Device? = null
        var taskId: String? = null
        for (user in listOf("sb_head", "zz_head")) {
            val d = Device(dir.resolve(user))
            d.store.login(server!!, user, "anjian-demo")
            d.syncAndWait()
            val open = d.store.myUnitTasks().firstOrNull { Tasks.open(it) }
            if (open != null) {
                head = d
                taskId = open.id
                break
            }
            d.store.destroy()
        }
        assumeTrue(head != null, "the demo assigns an open task to 石宝镇 or 忠州街道")
        val h = head!!
        val unit = h.store.profile()!!.unitId
        val home = HomePresenter(h.session).also { it.load() }
        assertTrue(ready(home.state.value).openTasks >= 1)

        // 工作任务交办: 办理情况 with a photo of the work.
        val tasks = TasksPresenter(h.session)
        tasks.load()
        val task = ready(tasks.state.value.data).tasks.first { it.id == taskId }
        tasks.answer(task.id)
        assertTrue(!tasks.submit())
        assertTrue(tasks.state.value.error!!.contains("办理情况"))
        h.photos.push(TestData.after)
        tasks.addPhoto(task.id)
        val proof = ready(tasks.state.value.data).proof[task.id]!!
        assertEquals(1, proof.size)
        assertEquals(EvidenceTarget.WorkTask(task.id, unit), proof.single().target)
        tasks.text("已组织排查餐饮场所32家，更换老化软管9处，整治台账和整改前后照片见附件。")
        assertTrue(tasks.submit(), tasks.state.value.error)
        val sent = ready(tasks.state.value.data).tasks.first { it.id == task.id }
        assertEquals("已提交", sent.statusLabel)
        assertEquals(listOf(proof.single().id), sent.evidence)
        // Sent once: a second submission is refused with the reason.
        tasks.answer(task.id)
        tasks.text("再次报送")
        assertTrue(!tasks.submit())
        assertTrue(tasks.state.value.error!!.isNotBlank())
        tasks.cancel()

        // 改机制: 举一反三 needs the finding it answers.
        val mech = MechanismPresenter(h.session)
        mech.load()
        val hazards = ready(mech.state.value.data).hazards
        mech.begin()
        mech.edit { it.copy(kind = MechanismKind.LESSONS_APPLIED, title = "餐饮场所燃气安全举一反三排查", content = "针对液化气钢瓶存放于地下室问题，对全镇餐饮场所开展同类排查，建立台账。") }
        assertTrue(!mech.save())
        assertTrue(mech.state.value.error!!.contains("举一反三"), mech.state.value.error)
        if (hazards.isNotEmpty()) {
            mech.toggleHazard(hazards.first().id)
        } else {
            mech.edit { it.copy(kind = MechanismKind.RULE_REVISION) }
        }
        assertTrue(mech.save(), mech.state.value.error)
        val record = ready(mech.state.value.data).records.first { it.record.title == "餐饮场所燃气安全举一反三排查" }

        // 月底自评: every indicator, within its points.
        val self = SelfAssessmentPresenter(h.session)
        self.load()
        val month = YearMonth.now().toString()
        self.month(month)
        val indicators = self.state.value.indicators
        assertTrue(indicators.size >= 3)
        indicators.drop(1).forEach { self.score(it.id, "%.1f".format(it.weight)) }
        self.summary("本月完成五查四改各项工作，重大隐患整改到位。")
        assertTrue(!self.submit())
        assertTrue(self.state.value.error!!.contains("须逐项打分"), self.state.value.error)
        self.score(indicators.first().id, "${indicators.first().weight + 5}")
        assertTrue(!self.submit())
        assertTrue(self.state.value.error!!.contains("之间"), self.state.value.error)
        self.score(indicators.first().id, "%.1f".format(indicators.first().weight - 2))
        self.note(indicators.first().id, "两处隐患逾期整改")
        assertTrue(self.submit(), self.state.value.error)
        val mine = (self.state.value.sent as Load.Ready).value.first()
        assertEquals(month, mine.month)
        assertEquals(self.state.value.full - 2, mine.total, 0.01)

        // All of it through the server: nothing refused, the task's proof there with its photo.
        val run = h.syncAndWait()
        assertTrue(run is SyncRun.Finished && run.result.outcome is SyncOutcome.Completed, run.toString())
        assertTrue(h.store.attention().isEmpty(), h.store.attention().toString())
        assertEquals(0uL, h.store.pendingChanges())
        val office = OfficeApi(server!!)
        val rows = office.get("/v1/tasks?unit=$unit")
        assertTrue(rows.contains("已组织排查餐饮场所32家"), rows.take(400))
        assertTrue(rows.contains(proof.single().id), "the photo's evidence id on the server's task")
        assertTrue(office.get("/v1/mechanism?unit=$unit").contains(record.id))
        val assessment = office.get("/v1/assessments/$month")
        assertTrue(assessment.contains("两处隐患逾期整改") || assessment.contains(mine.id) || assessment.contains("%.1f".format(mine.total)), assessment.take(300))
        h.store.destroy()
    }
}
