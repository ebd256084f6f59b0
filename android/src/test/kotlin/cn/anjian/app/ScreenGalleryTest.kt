package cn.anjian.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import androidx.compose.ui.use
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.presenter.CaptureState
import cn.anjian.app.presenter.HazardPresenter
import cn.anjian.app.presenter.HazardState
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.InspectionState
import cn.anjian.app.presenter.LedgerFilter
import cn.anjian.app.presenter.LedgerPresenter
import cn.anjian.app.presenter.LedgerState
import cn.anjian.app.presenter.LoginState
import cn.anjian.app.presenter.MePresenter
import cn.anjian.app.presenter.MeState
import cn.anjian.app.presenter.PatrolCapturePresenter
import cn.anjian.app.presenter.SiteDetailPresenter
import cn.anjian.app.presenter.SiteDetailState
import cn.anjian.app.presenter.SitesPresenter
import cn.anjian.app.presenter.SitesState
import cn.anjian.app.presenter.SyncPresenter
import cn.anjian.app.ui.AnjianTheme
import cn.anjian.app.ui.CaptureActions
import cn.anjian.app.ui.CaptureScreen
import cn.anjian.app.ui.HazardActions
import cn.anjian.app.ui.HazardScreen
import cn.anjian.app.ui.HomeScreen
import cn.anjian.app.ui.InspectionActions
import cn.anjian.app.ui.InspectionScreen
import cn.anjian.app.ui.LedgerScreen
import cn.anjian.app.ui.LocalImages
import cn.anjian.app.ui.LoginScreen
import cn.anjian.app.ui.MeActions
import cn.anjian.app.ui.MeScreen
import cn.anjian.app.ui.SiteDetailScreen
import cn.anjian.app.ui.SitesScreen
import cn.anjian.app.ui.SyncActions
import cn.anjian.app.ui.SyncScreen
import cn.anjian.core.AttentionItem
import cn.anjian.core.HazardStep
import cn.anjian.domain.HazardLevel
import cn.anjian.domain.InspectionKind
import cn.anjian.domain.ItemOutcome
import cn.anjian.core.LedgerQuery
import cn.anjian.core.Profile
import cn.anjian.core.SyncPhase
import cn.anjian.core.SyncProgress
import cn.anjian.desktop.SkiaImages
import kotlinx.coroutines.runBlocking
import org.jetbrains.skia.EncodedImageFormat
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/**
 * Renders every screen in its states (loading, error, empty, full; large text) to PNG, from
 * the real core with the demo county's data. `scripts/render-app-screens.sh` writes them to
 * docs/app/; in the test run they go to target/gallery and are checked to be drawn.
 */
class ScreenGalleryTest {
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
            scene.render() // first frame lays out, the second draws what effects changed
            val img = scene.render(100_000_000L)
            val file = out.resolve("$name.png")
            Files.write(file, img.encodeToData(EncodedImageFormat.PNG)!!.bytes)
            written.add(file)
        }
    }

    private val noInspection = InspectionActions({ _, _ -> }, { _, _ -> }, {}, {}, {}, {}, {}, {})
    private val noHazard = HazardActions({}, {}, {}, {}, {}, {}, {})
    private val noSync = SyncActions({}, {}, {}, {}, { _, _ -> })
    private val noMe = MeActions({}, {}, {}, {})
    private val noCapture = CaptureActions({}, {}, {}, {}, {}, {})
    private val noRecords = cn.anjian.app.ui.RecordsActions({}, {}, {}, {}, {}, {}, {}, { _, _ -> }, { _, _ -> })

    @Test
    fun rendersEveryScreenInItsStates() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "needs the demo server (scripts/render-app-screens.sh starts one)")
        val failed = Load.Failed("数据库读取失败：磁盘空间不足，请清理手机存储后重试")

        // 登录
        shot("login") { LoginScreen(LoginState(server = "https://anjian.zhongxian.gov.cn"), {}, {}, {}, {}) }
        shot("login-error") {
            LoginScreen(LoginState("https://anjian.zhongxian.gov.cn", "sb_inspector", "••••", error = "用户名或密码错误"), {}, {}, {}, {})
        }
        shot("login-loading") { LoginScreen(LoginState("https://anjian.zhongxian.gov.cn", "sb_inspector", "••••", busy = true), {}, {}, {}, {}) }
        // The province's unified identity offered by the server: its button, the page open in
        // the browser, and an identity nobody linked.
        val county = LoginState(server = "https://anjian.zhongxian.gov.cn", identityProvider = "渝快政登录")
        shot("login-identity") { LoginScreen(county, {}, {}, {}, {}) }
        shot("login-identity-browser") { LoginScreen(county.copy(inBrowser = true), {}, {}, {}, {}) }
        shot("login-identity-refused") {
            LoginScreen(county.copy(error = "统一身份 wang.fang 尚未关联本系统账号，请联系县安委办关联后再登录"), {}, {}, {}, {})
        }

        // An empty device: signed in, never synced.
        val empty = Device(dir.resolve("empty"))
        empty.store.setProfile(Profile("p-new", "新用户", "500233107", listOf(cn.anjian.domain.Role.INSPECTOR)))
        val emptyHome = HomePresenter(empty.session).also { it.load() }
        shot("home-empty") { HomeScreen(emptyHome.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }
        shot("home-loading") { HomeScreen(Load.Loading, SyncRun.Idle, {}, {}, {}, {}, {}) }
        shot("home-error") { HomeScreen(failed, SyncRun.Idle, {}, {}, {}, {}, {}) }
        val emptySites = SitesPresenter(empty.session).also { it.load() }
        shot("sites-empty") { SitesScreen(emptySites.state.value, {}, {}, {}, {}) }
        shot("sites-loading") { SitesScreen(SitesState(locating = true), {}, {}, {}, {}) }
        shot("sites-error") { SitesScreen(SitesState(rows = failed), {}, {}, {}, {}) }
        val emptyLedger = LedgerPresenter(empty.session).also { it.load() }
        shot("ledger-empty") { LedgerScreen(emptyLedger.state.value, {}, {}) }
        shot("ledger-loading") { LedgerScreen(LedgerState(), {}, {}) }
        shot("ledger-error") { LedgerScreen(LedgerState(data = failed), {}, {}) }
        val emptySync = SyncPresenter(empty.session).also { it.load() }
        shot("sync-empty") { SyncScreen(emptySync.state.value, SyncRun.Idle, "", noSync) }
        shot("sync-loading") { SyncScreen(Load.Loading, SyncRun.Idle, "", noSync) }
        shot("sync-error") { SyncScreen(failed, SyncRun.Idle, "", noSync) }
        shot("hazard-loading") { HazardScreen(HazardState(), noHazard) }
        shot("hazard-error") { HazardScreen(HazardState(data = Load.Failed("未找到隐患：h-123")), noHazard) }
        shot("inspection-loading") { InspectionScreen(InspectionState(), noInspection) }
        shot("inspection-error") { InspectionScreen(InspectionState(data = Load.Failed("未找到检查：i-123")), noInspection) }
        shot("site-loading") { SiteDetailScreen(SiteDetailState(), {}, {}, {}) }
        shot("capture-empty") { CaptureScreen(CaptureState(sites = Load.Ready(emptyList())), noCapture) }
        shot("me-loading") { MeScreen(MeState(), false, noMe) }
        val emptyRecords = cn.anjian.app.presenter.RecordsPresenter(empty.session).also { it.load() }
        shot("records-empty") { cn.anjian.app.ui.RecordsScreen(emptyRecords.state.value, noRecords) }

        // Full: the demo county, as a unit head, an inspector and a patrol member see it.
        val head = Device(dir.resolve("head"))
        head.store.login(server!!, "sb_head", "anjian-demo")
        head.syncAndWait()
        val home = HomePresenter(head.session).also { it.load() }
        shot("home-full") { HomeScreen(home.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }
        shot("home-full-large", large = true) { HomeScreen(home.state.value, SyncRun.Idle, {}, {}, {}, {}, {}) }
        val records = cn.anjian.app.presenter.RecordsPresenter(head.session).also { it.load() }
        shot("records-full") { cn.anjian.app.ui.RecordsScreen(records.state.value, noRecords) }
        records.newInvestment()
        records.editInvestment { it.copy(description = "新建独立气瓶间", yuan = "35000") }
        shot("records-form") { cn.anjian.app.ui.RecordsScreen(records.state.value, noRecords) }
        val me = MePresenter(head.session).also { it.load() }
        shot("me-full") { MeScreen(me.state.value, false, noMe) }
        me.askLogout()
        shot("me-logout") { MeScreen(me.state.value, false, noMe) }

        val insp = Device(dir.resolve("inspector"))
        insp.store.login(server, "sb_inspector", "anjian-demo")
        insp.syncAndWait()
        val gas = insp.store.listSites(null).first { it.industry == "gas" }
        insp.location.fix = LocationFix(gas.lat + 0.0003, gas.lon, 12.0, mock = false)
        val sites = SitesPresenter(insp.session).also { it.load() }
        shot("sites-full") { SitesScreen(sites.state.value, {}, {}, {}, {}) }
        val site = SiteDetailPresenter(insp.session, gas.id).also { it.load() }
        shot("site-full") { SiteDetailScreen(site.state.value, {}, {}, {}) }
        val inspection = insp.store.startInspection(InspectionKind.ROUTINE_CHECK, gas.id, emptyList())
        val ip = InspectionPresenter(insp.session, inspection.id).also { it.load() }
        val items = insp.store.checklist("gas").items
        val major = items.first { it.major }.id
        for ((k, item) in items.take(6).withIndex()) if (item.id != major) ip.answer(item.id, if (k == 3) ItemOutcome.NOT_APPLICABLE else ItemOutcome.PASS)
        ip.answer(major, ItemOutcome.FAIL)
        ip.draft(major, "液化气钢瓶12只存放于地下室")
        ip.confirmFail(major)
        insp.photos.push(TestData.before)
        ip.addPhoto(major)
        shot("inspection-full", heightDp = 1400) { InspectionScreen(ip.state.value, noInspection) }
        shot("inspection-full-large", large = true, heightDp = 1400) { InspectionScreen(ip.state.value, noInspection) }
        for (item in items) if (ItemOutcome.FAIL != ip.state.value.let { (it.data as Load.Ready).value.outcome(item.id) }) ip.answer(item.id, ItemOutcome.PASS)
        ip.finish()
        shot("inspection-finished") { InspectionScreen(ip.state.value, noInspection) }
        val raised = ip.state.value.raised.first()
        val ledger = LedgerPresenter(insp.session).also { it.load() }
        shot("ledger-full") { LedgerScreen(ledger.state.value, {}, {}) }
        ledger.filter(LedgerFilter.OVERDUE)
        shot("ledger-overdue") { LedgerScreen(ledger.state.value, {}, {}) }
        val hp = HazardPresenter(insp.session, raised.id).also { it.load() }
        hp.begin(HazardStep.START_RECTIFICATION)
        shot("hazard-refused", heightDp = 1300) { HazardScreen(hp.state.value, noHazard) }
        // A hazard of the demo that went through 四改, with its photos and history.
        val closed = insp.store.ledger(LedgerQuery(cn.anjian.domain.HazardStatus.CLOSED, HazardLevel.MAJOR, null, null, false)).firstOrNull()
            ?: insp.store.ledger(LedgerQuery(null, HazardLevel.MAJOR, null, null, false)).first()
        val hc = HazardPresenter(insp.session, closed.id).also { it.load() }
        shot("hazard-full", heightDp = 1400) { HazardScreen(hc.state.value, noHazard) }
        val headHazard = head.store.myUnitOpenHazards().firstOrNull()
        if (headHazard != null) {
            val hh = HazardPresenter(head.session, headHazard.id).also { it.load() }
            (hh.state.value.data as? Load.Ready)?.value?.actions?.firstOrNull { it == HazardStep.ASSIGN || it == HazardStep.UPDATE_PLAN }?.let { hh.begin(it) }
            shot("hazard-form", heightDp = 1500) { HazardScreen(hh.state.value, noHazard) }
        }
        val sync = SyncPresenter(insp.session).also { it.load() }
        val withAttention = (sync.state.value as Load.Ready).value.let {
            it.copy(attention = listOf(AttentionItem("op-1", "hazard", raised.id, "transition", "重大隐患须“五落实”齐全后才能开始整改，尚缺：整改目标、整改措施、整改时限、整改责任、整改资金", "2026-11-29T09:12:00Z")))
        }
        shot("sync-full") { SyncScreen(Load.Ready(withAttention), SyncRun.Idle, "", noSync) }
        shot("sync-running") {
            SyncScreen(Load.Ready(withAttention), SyncRun.Running(SyncProgress(SyncPhase.UPLOAD, 3uL, 5uL, 1_200_000uL, 3_400_000uL, "整改前照片.jpg")), "正在同步…", noSync)
        }
        shot("sync-offline") { SyncScreen(sync.state.value, SyncRun.Idle, "无法连接服务器，记录已保存在本机：连接被拒绝", noSync) }

        val patrol = Device(dir.resolve("patrol"))
        patrol.store.login(server, "zz_patrol", "anjian-demo")
        patrol.syncAndWait()
        val ps = patrol.store.listSites(null).first()
        patrol.location.fix = LocationFix(ps.lat, ps.lon, 6.0, mock = false)
        val cap = PatrolCapturePresenter(patrol.session).also { it.load() }
        shot("capture-full") { CaptureScreen(cap.state.value, noCapture) }
        patrol.photos.push(TestData.before)
        cap.takePhoto()
        cap.note("消防通道堆放杂物")
        cap.save()
        shot("capture-saved") { CaptureScreen(cap.state.value, noCapture) }
        val patrolHome = HomePresenter(patrol.session).also { it.load() }
        shot("home-patrol") { HomeScreen(patrolHome.state.value, SyncRun.Running(null), {}, {}, {}, {}, {}) }

        for (f in written) assertTrue(Files.size(f) > 5_000, "$f looks blank")
        listOf(empty, head, insp, patrol).forEach { it.store.destroy() }
    }
}
