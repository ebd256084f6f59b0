package cn.anjian.app

import cn.anjian.app.platform.LocationFix
import cn.anjian.app.presenter.FeedbackPresenter
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.ReminderTarget
import cn.anjian.app.presenter.RemindersPresenter
import cn.anjian.app.presenter.SiteEditPresenter
import cn.anjian.core.AnjianException
import cn.anjian.core.SiteEditInput
import cn.anjian.domain.FeedbackKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/**
 * The app's 提醒, 投诉建议 and 修改场所信息 through the real demo server: a reminder the server's
 * engine produced reaches the phone by sync, shows unread in the presenter and on 今日, and its
 * read state goes back to the server; a suggestion sent offline gets 县安委办's reply; a
 * township inspector corrects a site and the server keeps it.
 */
class ServicesTest {
    @TempDir
    lateinit var dir: Path

    private fun device(user: String, sub: String = user): Device =
        Device(dir.resolve(sub)).also { it.store.login(testServer()!!, user, "anjian-demo"); it.syncAndWait() }

    @Test
    fun aReminderFromTheServerReachesThePhoneAndItsReadStateGoesBack() = runBlocking {
        assumeTrue(testServer() != null, "scripts/test-all.sh passes -Danjian.test.server")
        val head = device("sb_head")
        // The morning after May 2027's month-end: 石宝镇 sent none of its four items, so its
        // head is reminded of each (the engine, at the test's clock).
        val sent = sendReminders("2027-06-01T09:00+08:00")
        assumeTrue(sent != null, "scripts/test-all.sh passes -Danjian.test.data and -Danjian.test.cli")
        val run = head.syncAndWait()
        assertTrue(run is SyncRun.Finished, run.toString())

        // The banner (and the platform's notification) announce them once; 今日 counts them.
        val fresh = head.session.reminders.fresh.value
        assertTrue(fresh.any { it.title == "月底报送逾期提醒" }, fresh.toString())
        val unread = head.session.reminders.unread.value
        assertTrue(unread >= 4, "unread $unread")
        val home = HomePresenter(head.session).also { it.load() }
        assertEquals(unread, ready(home.state.value).unreadReminders)

        val p = RemindersPresenter(head.session).also { it.load() }
        val list = ready(p.state.value.data)
        assertTrue(list.takeWhile { !it.read }.size == unread, "unread first")
        val missed = list.filter { it.title == "月底报送逾期提醒" && it.recordId.startsWith("500233107/2027-05/") }
        assertEquals(4, missed.size, missed.toString())
        assertTrue(missed.first().text.contains("石宝镇2027年5月"), missed.first().text)
        assertTrue(head.session.reminders.fresh.value.isEmpty(), "the list dismisses the banner")

        // Opening one marks it read and says where its record is.
        val target = p.open(missed.first())
        val expected = if (missed.first().recordId.endsWith("self_assessment")) ReminderTarget.SelfAssessment else ReminderTarget.Records
        assertEquals(expected, target)
        assertTrue(ready(p.state.value.data).first { it.id == missed.first().id }.read)
        assertEquals(unread - 1, head.session.reminders.unread.value)

        // The read state goes to the server with the next sync and reaches his other phone.
        head.syncAndWait()
        assertTrue(head.store.attention().isEmpty(), head.store.attention().toString())
        assertEquals(0uL, head.store.pendingChanges())
        assertTrue(head.session.reminders.fresh.value.isEmpty(), "nothing announced twice")
        val other = device("sb_head", "sb_head-2")
        val there = other.store.myReminders().first { it.id == missed.first().id }
        assertTrue(there.read)
        assertFalse(other.store.myReminders().first { it.id == missed[1].id }.read)
        // Only the recipient's phone holds them.
        val inspector = device("sb_inspector")
        assertTrue(inspector.store.myReminders().none { it.id == missed.first().id })
        listOf(head, other, inspector).forEach { it.store.destroy() }
    }

    @Test
    fun aSuggestionSentOfflineGetsTheOfficesReply() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val phone = device("sb_inspector")
        val p = FeedbackPresenter(phone.session).also { it.load() }
        assertFalse(p.send())
        assertTrue(!p.state.value.error.isNullOrBlank(), "an empty text is refused")

        val text = "扫码入企时场所码贴纸反光，光线强时难以识别，建议改用哑光材质。${System.nanoTime()}"
        p.edit { it.copy(kind = FeedbackKind.SUGGESTION, content = text, contact = "139 2345 6789") }
        assertTrue(p.send(), p.state.value.error)
        val queued = ready(p.state.value.data).first { it.content == text }
        assertEquals("待发送", queued.statusLabel)
        assertEquals("", p.state.value.draft.content)

        phone.syncAndWait()
        p.load()
        val sent = ready(p.state.value.data).first { it.id == queued.id }
        assertEquals("待答复", sent.statusLabel)
        assertNotNull(sent.receivedAt)

        val reply = "已通知各乡镇更换哑光贴纸，感谢建议。"
        OfficeApi(server!!).postJson("/v1/feedback/${queued.id}/reply", """{"text":"$reply"}""")
        phone.syncAndWait()
        p.load()
        val answered = ready(p.state.value.data).first { it.id == queued.id }
        assertEquals("已答复", answered.statusLabel)
        assertEquals(reply, answered.replyText)
        phone.store.destroy()
    }

    @Test
    fun aTownshipInspectorCorrectsASiteAndTheServerKeepsIt() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        val phone = device("sb_inspector")
        val site = phone.store.listSites("500233107").first { phone.store.canEditSite(it.id) }
        val p = SiteEditPresenter(phone.session, site.id).also { it.load() }
        val data = ready(p.state.value.data)
        assertTrue(data.canEdit)

        // Nothing changed, or a bad phone number: refused in Chinese, nothing queued.
        assertFalse(p.save())
        assertEquals("没有需要修改的内容", p.state.value.error)
        val before = phone.store.pendingChanges()
        p.edit { it.copy(contactPhone = "12") }
        assertFalse(p.save())
        assertTrue(p.state.value.error!!.contains("联系电话"), p.state.value.error)
        assertEquals(before, phone.store.pendingChanges())

        // 扫码定位: another site's code is refused; this site's code takes the position once.
        val code = jsonString(OfficeApi(server!!, "sb_inspector").get("/v1/sites/${site.id}/code"), "text")
        phone.location.fix = LocationFix(30.425137, 108.183214, 6.0, false)
        val another = phone.store.listSites("500233107").first { it.id != site.id }
        phone.scanner.queue.addLast(jsonString(OfficeApi(server, "sb_inspector").get("/v1/sites/${another.id}/code"), "text"))
        p.positionFromCode()
        assertTrue(p.state.value.error!!.contains("不是本场所"), p.state.value.error)
        phone.scanner.queue.addLast(code)
        p.positionFromCode()
        assertEquals("30.425137", p.state.value.draft!!.lat)
        assertNotNull(p.state.value.positionNote)

        val name = "李娟${System.nanoTime() % 1000}"
        p.edit { it.copy(contactName = name, contactPhone = "139 2345 6789", address = "忠县石宝镇老街 18 号") }
        data.conditions.firstOrNull()?.let { p.toggleAttribute(it.code) }
        assertTrue(p.save(), p.state.value.error)
        assertEquals(name, phone.store.site(site.id).contactName)

        val run = phone.syncAndWait()
        assertTrue(run is SyncRun.Finished, run.toString())
        assertTrue(phone.store.attention().isEmpty(), phone.store.attention().toString())
        val onServer = OfficeApi(server).get("/v1/sites/${site.id}")
        assertEquals(name, jsonString(onServer, "contact_name"))
        assertEquals("忠县石宝镇老街 18 号", jsonString(onServer, "address"))
        assertTrue(onServer.contains("30.425137"), onServer)
        assertEquals(site.name, jsonString(onServer, "name"))

        // 督查办 reads the site but may not correct it: refused on the phone, in Chinese.
        val supervision = device("duchaban")
        assertFalse(supervision.store.canEditSite(site.id))
        val e = assertThrows<AnjianException> {
            supervision.store.editSite(site.id, SiteEditInput("王五", null, null, null, null, null))
        }
        assertTrue(e.message!!.contains("无权修改场所信息"), e.message)
        listOf(phone, supervision).forEach { it.store.destroy() }
    }
}
