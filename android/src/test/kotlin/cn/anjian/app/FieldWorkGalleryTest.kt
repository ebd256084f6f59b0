package cn.anjian.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import androidx.compose.ui.use
import cn.anjian.app.presenter.ComplaintsPresenter
import cn.anjian.app.presenter.ComplaintsState
import cn.anjian.app.presenter.DocumentsPresenter
import cn.anjian.app.presenter.FeedbackPresenter
import cn.anjian.app.presenter.FeedbackState
import cn.anjian.app.presenter.RemindersPresenter
import cn.anjian.app.presenter.RemindersState
import cn.anjian.app.presenter.SiteEditPresenter
import cn.anjian.app.presenter.SiteEditState
import cn.anjian.app.presenter.DocumentsState
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.MePresenter
import cn.anjian.app.presenter.MechanismPresenter
import cn.anjian.app.presenter.MechanismState
import cn.anjian.app.presenter.ScanPresenter
import cn.anjian.app.presenter.ScanState
import cn.anjian.app.presenter.SelfAssessmentPresenter
import cn.anjian.app.presenter.Tasks
import cn.anjian.app.presenter.TasksPresenter
import cn.anjian.app.presenter.TasksState
import cn.anjian.app.ui.AnjianTheme
import cn.anjian.app.ui.ComplaintsActions
import cn.anjian.app.ui.ComplaintsScreen
import cn.anjian.app.ui.DocumentsActions
import cn.anjian.app.ui.DocumentsScreen
import cn.anjian.app.ui.FeedbackActions
import cn.anjian.app.ui.FeedbackScreen
import cn.anjian.app.ui.ReminderBanner
import cn.anjian.app.ui.RemindersActions
import cn.anjian.app.ui.RemindersScreen
import cn.anjian.app.ui.SiteEditActions
import cn.anjian.app.ui.SiteEditScreen
import cn.anjian.app.ui.HomeScreen
import cn.anjian.app.ui.InspectionActions
import cn.anjian.app.ui.InspectionScreen
import cn.anjian.app.ui.LocalImages
import cn.anjian.app.ui.MeActions
import cn.anjian.app.ui.MeScreen
import cn.anjian.app.ui.MechanismActions
import cn.anjian.app.ui.MechanismScreen
import cn.anjian.app.ui.ScanActions
import cn.anjian.app.ui.ScanScreen
import cn.anjian.app.ui.SelfAssessmentActions
import cn.anjian.app.ui.SelfAssessmentScreen
import cn.anjian.app.ui.TasksActions
import cn.anjian.app.ui.TasksScreen
import cn.anjian.app.ui.VisitActions
import cn.anjian.desktop.SkiaImages
import cn.anjian.domain.DocumentKind
import cn.anjian.domain.FeedbackKind
import cn.anjian.domain.InspectionKind
import cn.anjian.domain.ItemOutcome
import cn.anjian.domain.MechanismKind
import kotlinx.coroutines.runBlocking
import org.jetbrains.skia.EncodedImageFormat
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/**
 * The field-work screens (扫码入企, 执法证, 现场执法文书, 工作任务, 改机制, 月底自评) in their
 * states, from the real core and the demo county, to PNG beside [ScreenGalleryTest]'s.
 */
class FieldWorkGalleryTest {
    @TempDir
    lateinit var dir: Path

    private val out: Path = Path.of(System.getProperty("anjian.render.dir")?.takeIf { it.isNotBlank() } ?: "target/gallery")
    private val written = mutableListOf<Path>()

    private fun shot(name: String, large: Boolean = false, heightDp: Int = 860, content: @Composable () -> Unit) {
        Files.createDirectories(out)
        val density = 2f
        ImageComposeScene((400 * density).toInt(), (heightDp * density).toInt(), Density(density)) {
            CompositionLocalProvider(LocalImages provides SkiaImages) { AnjianTheme(large) { content() } }
        }.use { scene ->
            scene.render()
            val img = scene.render(100_000_000L)
            val file = out.resolve("$name.png")
            Files.write(file, img.encodeToData(EncodedImageFormat.PNG)!!.bytes)
            written.add(file)
        }
    }

    private val noVisit = VisitActions({}, {}, {}, {}, {})
    private val noScan = ScanActions({}, {}, {}, noVisit)
    private val noDocs = DocumentsActions({}, {}, {}, { _, _ -> }, {}, {}, {}, {}, {})
    private val noTasks = TasksActions({}, {}, {}, {}, {}, {})
    private val noMech = MechanismActions({}, {}, {}, {}, {}, {})
    private val noSelf = SelfAssessmentActions({}, { _, _ -> }, { _, _ -> }, {}, {})
    private val noMe = MeActions({}, {}, {}, {})

    @Test
    fun rendersTheFieldWorkScreens() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "needs the demo server (scripts/render-app-screens.sh starts one)")
        assumeTrue(cjkFont != null, "needs fonts-noto-cjk")
        val failed = Load.Failed("数据库读取失败：磁盘空间不足，请清理手机存储后重试")

        // 扫码入企 and the documents, as 县住房城乡建委's officer.
        val officer = Device(dir.resolve("zjw"), font = true)
        officer.store.login(server!!, "zjw_inspector", "anjian-demo")
        officer.syncAndWait()
        val gases = officer.store.listSites(null).filter { it.industry == "gas" }
        val gas = gases.firstOrNull { it.townshipId == "500233107" } ?: gases.first()
        val text = jsonString(OfficeApi(server, "zjw_inspector").get("/v1/sites/${gas.id}/code"), "text")
        shot("scan-empty") { ScanScreen(ScanState(), noScan) }
        val forged = ScanPresenter(officer.session).also { it.code(text.dropLast(4) + "AAAA"); it.lookup() }
        shot("scan-error") { ScanScreen(forged.state.value, noScan) }
        shot("scan-loading") { ScanScreen(ScanState(code = text, found = Load.Loading, busy = true), noScan) }
        val scan = ScanPresenter(officer.session).also { it.code(text); it.lookup() }
        scan.kind(InspectionKind.ROUTINE_CHECK)
        ready(scan.state.value.found!!).bodies.firstOrNull()?.let { scan.toggleJoint(it.id) }
        scan.participants("王强、李娜")
        // The warnings as they read when another department was here last week.
        val warned = scan.state.value.copy(
            found = Load.Ready(ready(scan.state.value.found!!).let { f ->
                f.copy(warnings = f.warnings.ifEmpty { listOf("县城市管理局已于 2026-11-24 检查该企业：请考虑联合检查或共享结果，避免重复检查") })
            }),
        )
        shot("scan-found", heightDp = 1100) { ScanScreen(warned, noScan) }
        shot("scan-found-large", large = true, heightDp = 1300) { ScanScreen(warned, noScan) }
        scan.acknowledge(true)
        val inspectionId = scan.start()!!

        val ip = InspectionPresenter(officer.session, inspectionId).also { it.load() }
        val items = ready(ip.state.value.data).checklist.items
        val major = items.first { it.major }.id
        for (item in items) {
            if (item.id == major) { ip.answer(major, ItemOutcome.FAIL); ip.draft(major, "液化气钢瓶12只存放于地下室"); ip.confirmFail(major) } else ip.answer(item.id, ItemOutcome.PASS)
        }
        ip.finish()
        val insActions = InspectionActions({ _, _ -> }, { _, _ -> }, {}, {}, {}, {}, {}, {})
        shot("inspection-needs-record", heightDp = 700) { InspectionScreen(ip.state.value, insActions) }

        shot("documents-loading") { DocumentsScreen(DocumentsState(), noDocs) }
        shot("documents-error") { DocumentsScreen(DocumentsState(data = Load.Failed("未找到检查：i-123")), noDocs) }
        val docs = DocumentsPresenter(officer.session, inspectionId).also { it.load() }
        shot("documents-empty") { DocumentsScreen(docs.state.value, noDocs) }
        docs.begin(DocumentKind.INSPECTION_RECORD)
        docs.edit { it.copy(representative = "王建华", statement = "对检查结果无异议") }
        docs.officerInk(scribble(0))
        // The team's other officers sign on the same phone, in turn.
        ready(docs.state.value.data).coOfficers.forEachIndexed { i, o -> docs.coOfficerInk(o.personId, scribble(5 + i)) }
        docs.siteInk(scribble(1))
        shot("documents-sign", heightDp = 1200) { DocumentsScreen(docs.state.value, noDocs) }
        shot("documents-sign-large", large = true, heightDp = 1500) { DocumentsScreen(docs.state.value, noDocs) }
        docs.make()
        ip.finish()
        docs.load()
        docs.begin(DocumentKind.RECTIFICATION_ORDER)
        docs.edit { it.copy(refused = true, witness = "石宝镇安监站 刘洋") }
        docs.state.value.draft!!.deadlines.keys.forEach { docs.deadline(it, java.time.LocalDate.now().plusDays(15).toString()) }
        docs.officerInk(scribble(2))
        ready(docs.state.value.data).coOfficers.forEachIndexed { i, o -> docs.coOfficerInk(o.personId, scribble(8 + i)) }
        shot("documents-refused", heightDp = 1100) { DocumentsScreen(docs.state.value, noDocs) }
        docs.make()
        docs.share(ready(docs.state.value.data).documents.last())
        shot("documents-full", heightDp = 1100) { DocumentsScreen(docs.state.value, noDocs) }

        // 投诉举报 handed over to 县住房城乡建委: empty, then one to answer and one answered.
        val noComplaints = ComplaintsActions({}, {}, noVisit, {})
        shot("complaints-loading") { ComplaintsScreen(ComplaintsState(), noComplaints) }
        shot("complaints-error") { ComplaintsScreen(ComplaintsState(data = failed), noComplaints) }
        val nobody = Device(dir.resolve("no-complaints"))
        nobody.store.setProfile(cn.anjian.core.Profile("p-new", "新用户", "dept-zjw", listOf(cn.anjian.domain.Role.INSPECTOR)))
        val noneHere = ComplaintsPresenter(nobody.session).also { it.load() }.state.value
        shot("complaints-empty") { ComplaintsScreen(noneHere, noComplaints) }
        nobody.store.destroy()
        val complaints = ComplaintsPresenter(officer.session)
        val others = gases.filter { it.id != gas.id }.sortedBy { it.id }
        val answered = complainAndHandOver(server, others.first().id, "加气站卸车时槽车旁有人抽烟，也没有人监护。", "dept-zjw")
        val waiting = complainAndHandOver(server, others.last().id, "站内液化气钢瓶在围墙外露天堆放，晚上没人看守，旁边就是居民楼。", "dept-zjw")
        officer.syncAndWait()
        complaints.load()
        complaints.begin(answered)
        complaints.kind(InspectionKind.ROUTINE_CHECK)
        complaints.participants("王强")
        complaints.acknowledge(true)
        checkNotNull(complaints.start()) { complaints.state.value.error ?: "not started" }
        shot("complaints-full", heightDp = 1000) { ComplaintsScreen(complaints.state.value, noComplaints) }
        shot("complaints-full-large", large = true, heightDp = 1300) { ComplaintsScreen(complaints.state.value, noComplaints) }
        complaints.begin(waiting)
        complaints.participants("王强")
        shot("complaints-start", heightDp = 1500) { ComplaintsScreen(complaints.state.value, noComplaints) }
        val officerHome = HomePresenter(officer.session).also { it.load() }
        shot("home-complaints") { HomeScreen(officerHome.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }

        // 执法证: expiring ahead (沈文).
        val yjj = Device(dir.resolve("yjj"))
        yjj.store.login(server, "yjj_head", "anjian-demo")
        yjj.syncAndWait()
        val home = HomePresenter(yjj.session).also { it.load() }
        shot("home-certificate") { HomeScreen(home.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }
        val me = MePresenter(yjj.session).also { it.load() }
        shot("me-certificates") { MeScreen(me.state.value, false, noMe) }

        // 工作任务, 改机制, 自评 of a township's head.
        val empty = Device(dir.resolve("empty"))
        empty.store.setProfile(cn.anjian.core.Profile("p-new", "新用户", "500233107", listOf(cn.anjian.domain.Role.UNIT_HEAD)))
        shot("tasks-loading") { TasksScreen(TasksState(), noTasks) }
        shot("tasks-error") { TasksScreen(TasksState(data = failed), noTasks) }
        val emptyTasks = TasksPresenter(empty.session).also { it.load() }.state.value
        val emptyMech = MechanismPresenter(empty.session).also { it.load() }.state.value
        val emptySelf = SelfAssessmentPresenter(empty.session).also { it.load() }.state.value
        shot("tasks-empty") { TasksScreen(emptyTasks, noTasks) }
        shot("mechanism-empty") { MechanismScreen(emptyMech, noMech) }
        shot("mechanism-error") { MechanismScreen(MechanismState(data = failed), noMech) }
        shot("self-assessment-empty", heightDp = 1300) { SelfAssessmentScreen(emptySelf, noSelf) }

        // The township head whose unit has a task still to do, if any.
        val heads = listOf("sb_head", "zz_head").map { user ->
            Device(dir.resolve(user)).also { it.store.login(server, user, "anjian-demo"); it.syncAndWait() }
        }
        val head = heads.firstOrNull { h -> h.store.myUnitTasks().any { Tasks.open(it) } } ?: heads.last()
        val tasks = TasksPresenter(head.session).also { it.load() }
        shot("tasks-full", heightDp = 1300) { TasksScreen(tasks.state.value, noTasks) }
        ready(tasks.state.value.data).tasks.firstOrNull { Tasks.open(it) }?.let { t ->
            tasks.answer(t.id)
            tasks.text("已按要求完成“${t.title}”，台账已更新，佐证照片见附件。")
            head.photos.push(TestData.after)
            tasks.addPhoto(t.id)
            shot("tasks-form", heightDp = 1300) { TasksScreen(tasks.state.value, noTasks) }
        }
        val mech = MechanismPresenter(head.session).also { it.load() }
        shot("mechanism-full", heightDp = 1100) { MechanismScreen(mech.state.value, noMech) }
        mech.begin()
        mech.edit { it.copy(kind = MechanismKind.LESSONS_APPLIED, title = "同类问题举一反三排查", content = "针对检查发现的问题，对辖区同行业企业开展同类排查，建立台账，限期整改。") }
        ready(mech.state.value.data).hazards.firstOrNull()?.let { mech.toggleHazard(it.id) }
        shot("mechanism-form", heightDp = 1300) { MechanismScreen(mech.state.value, noMech) }
        val self = SelfAssessmentPresenter(head.session).also { it.load() }
        self.state.value.indicators.forEachIndexed { i, ind -> self.score(ind.id, "%.0f".format(if (i == 0) ind.weight - 2 else ind.weight)) }
        self.note(self.state.value.indicators.first().id, "两处隐患逾期整改")
        self.summary("本月完成五查四改各项工作。")
        shot("self-assessment-full", heightDp = 1500) { SelfAssessmentScreen(self.state.value, noSelf) }
        shot("self-assessment-full-large", large = true, heightDp = 1900) { SelfAssessmentScreen(self.state.value, noSelf) }

        for (f in written) assertTrue(Files.size(f) > 5_000, "$f looks blank")
        (listOf(officer, yjj, empty) + heads).forEach { it.store.destroy() }
    }

    @Test
    fun rendersTheServiceScreens() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "needs the demo server (scripts/render-app-screens.sh starts one)")
        assumeTrue(cjkFont != null, "needs fonts-noto-cjk")
        val failed = Load.Failed("数据库读取失败：磁盘空间不足，请清理手机存储后重试")
        val noReminders = RemindersActions({}, {})
        val noFeedback = FeedbackActions({}, {})
        val noEdit = SiteEditActions({}, {}, {}, {})

        // 提醒 of 石宝镇's head, from the engine run at the test's clock.
        shot("reminders-loading") { RemindersScreen(RemindersState(), noReminders) }
        shot("reminders-error") { RemindersScreen(RemindersState(data = failed), noReminders) }
        val empty = Device(dir.resolve("svc-empty"))
        empty.store.setProfile(cn.anjian.core.Profile("p-new", "新用户", "500233107", listOf(cn.anjian.domain.Role.INSPECTOR)))
        val none = RemindersPresenter(empty.session).also { it.load() }
        shot("reminders-empty") { RemindersScreen(none.state.value, noReminders) }
        val head = Device(dir.resolve("svc-head"))
        head.store.login(server!!, "sb_head", "anjian-demo")
        sendReminders("2027-06-01T09:00+08:00")
        head.syncAndWait()
        val fresh = head.session.reminders.fresh.value
        val reminders = RemindersPresenter(head.session).also { it.load() }
        ready(reminders.state.value.data).lastOrNull()?.let { reminders.open(it) }
        shot("reminders-full", heightDp = 1100) { RemindersScreen(reminders.state.value, noReminders) }
        shot("reminders-full-large", large = true, heightDp = 1300) { RemindersScreen(reminders.state.value, noReminders) }
        shot("reminders-banner", heightDp = 300) { ReminderBanner(fresh.ifEmpty { ready(reminders.state.value.data).take(3) }, {}, {}) }
        val home = HomePresenter(head.session).also { it.load() }
        shot("home-reminders") { HomeScreen(home.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }

        // 投诉建议 of 石宝镇's inspector: one answered by 县安委办, one waiting to be sent.
        val inspector = Device(dir.resolve("svc-inspector"))
        inspector.store.login(server, "sb_inspector", "anjian-demo")
        inspector.syncAndWait()
        val fb = FeedbackPresenter(inspector.session)
        shot("feedback-loading") { FeedbackScreen(FeedbackState(), noFeedback) }
        shot("feedback-error") { FeedbackScreen(FeedbackState(data = failed), noFeedback) }
        val emptyFb = FeedbackPresenter(empty.session).also { it.load() }
        shot("feedback-empty") { FeedbackScreen(emptyFb.state.value, noFeedback) }
        fb.edit { it.copy(kind = FeedbackKind.COMPLAINT, content = "月底报送的履职纪实与检查记录重复填写，希望能从检查记录自动生成。") }
        fb.send()
        inspector.syncAndWait()
        val first = inspector.store.myFeedback().first()
        OfficeApi(server).postJson("/v1/feedback/${first.id}/reply", """{"text":"已安排在下一版本从检查记录自动汇总履职纪实，届时不再重复填写。"}""")
        inspector.syncAndWait()
        fb.edit { it.copy(kind = FeedbackKind.SUGGESTION, content = "建议在场所列表中显示距离最近的场所。") }
        fb.send()
        fb.edit { it.copy(content = "扫码入企时希望能自动带出上次检查的问题。") }
        shot("feedback-full", heightDp = 1300) { FeedbackScreen(fb.state.value, noFeedback) }
        shot("feedback-full-large", large = true, heightDp = 1600) { FeedbackScreen(fb.state.value, noFeedback) }

        // 修改场所信息: the inspector's form with a correction, and 督查办's read-only view.
        val site = inspector.store.listSites("500233107").first { inspector.store.canEditSite(it.id) && inspector.store.checklist(it.industry).conditions.isNotEmpty() }
        shot("site-edit-loading") { SiteEditScreen(SiteEditState(), noEdit) }
        shot("site-edit-error") { SiteEditScreen(SiteEditState(data = Load.Failed("未找到场所：s-123")), noEdit) }
        val edit = SiteEditPresenter(inspector.session, site.id).also { it.load() }
        edit.edit { it.copy(contactName = "李娟", contactPhone = "139 2345 6789") }
        ready(edit.state.value.data).conditions.firstOrNull()?.let { edit.toggleAttribute(it.code) }
        shot("site-edit-full", heightDp = 1300) { SiteEditScreen(edit.state.value, noEdit) }
        shot("site-edit-full-large", large = true, heightDp = 1700) { SiteEditScreen(edit.state.value, noEdit) }
        val supervision = Device(dir.resolve("svc-duchaban"))
        supervision.store.login(server, "duchaban", "anjian-demo")
        supervision.syncAndWait()
        val readOnly = SiteEditPresenter(supervision.session, site.id).also { it.load() }
        shot("site-edit-readonly", heightDp = 1100) { SiteEditScreen(readOnly.state.value, noEdit) }

        for (f in written) assertTrue(Files.size(f) > 5_000, "$f looks blank")
        listOf(empty, head, inspector, supervision).forEach { it.store.destroy() }
    }
}
