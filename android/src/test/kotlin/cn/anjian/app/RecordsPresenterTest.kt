package cn.anjian.app

import cn.anjian.app.presenter.RecordsPresenter
import cn.anjian.domain.EvidenceKind
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.MeetingKind
import cn.anjian.domain.QuotaState
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/** 会议 and 设施投入佐证 from a unit head's phone, synced to the demo server. */
class RecordsPresenterTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun aUnitHeadRecordsAMeetingAndAnInvestmentWithProof() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val head = Device(dir)
        head.store.login(server!!, "sb_head", "anjian-demo")
        head.syncAndWait()
        val special = { head.store.myDutyStatus(null).firstOrNull { it.activity == "special_meeting" } }
        val before = special()?.done ?: 0u
        val p = RecordsPresenter(head.session)
        p.load()
        val meetings = (p.state.value.data as Load.Ready).value.meetings.size

        p.newMeeting()
        p.editMeeting { it.copy(kind = MeetingKind.SPECIAL_MEETING, title = "燃气安全专题会", attendees = "卫东、蒋华", minutes = "部署液化气钢瓶排查") }
        assertTrue(p.saveMeeting(), p.state.value.error)
        assertEquals(meetings + 1, (p.state.value.data as Load.Ready).value.meetings.size)
        special()?.let { assertEquals(before + 1u, it.done, "the meeting counts for the duty") }

        p.newInvestment()
        p.editInvestment { it.copy(description = "新建独立气瓶间", yuan = "abc") }
        assertTrue(!p.saveInvestment())
        assertEquals("投入金额请填写数字（元）", p.state.value.error)
        p.editInvestment { it.copy(yuan = "35000.50") }
        assertTrue(p.saveInvestment(), p.state.value.error)
        val inv = (p.state.value.data as Load.Ready).value.investments.first { it.description == "新建独立气瓶间" }
        assertEquals(3_500_050L, inv.amountFen)
        head.photos.push(TestData.after)
        p.addPhoto(inv.id, EvidenceStage.AFTER)
        assertNull(p.state.value.error)
        val proof = (p.state.value.data as Load.Ready).value.proof[inv.id]!!
        assertEquals(listOf(EvidenceKind.PHOTO), proof.map { it.kind })

        val run = head.syncAndWait()
        assertTrue(run is SyncRun.Finished, run.toString())
        assertTrue(head.store.attention().isEmpty(), head.store.attention().toString())
        assertEquals(0uL, head.store.syncStatus().pendingChanges)
        head.store.destroy()
    }
}
