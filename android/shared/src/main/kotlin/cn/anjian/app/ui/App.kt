package cn.anjian.app.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.NavigationBarItemDefaults
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Session
import cn.anjian.app.SyncRun
import cn.anjian.app.presenter.ComplaintsPresenter
import cn.anjian.app.presenter.DocumentsPresenter
import cn.anjian.app.presenter.FeedbackPresenter
import cn.anjian.app.presenter.ReminderTarget
import cn.anjian.app.presenter.RemindersPresenter
import cn.anjian.app.presenter.SiteEditPresenter
import cn.anjian.app.presenter.HazardPresenter
import cn.anjian.app.presenter.MechanismPresenter
import cn.anjian.app.presenter.ScanPresenter
import cn.anjian.app.presenter.SelfAssessmentPresenter
import cn.anjian.app.presenter.TasksPresenter
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.LedgerPresenter
import cn.anjian.app.presenter.LoginPresenter
import cn.anjian.app.presenter.MePresenter
import cn.anjian.app.presenter.PatrolCapturePresenter
import cn.anjian.app.presenter.SiteDetailPresenter
import cn.anjian.app.presenter.SitesPresenter
import cn.anjian.app.presenter.SyncPresenter
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

sealed interface Route {
    val title: String

    data object Login : Route { override val title = "登录" }
    data object Home : Route { override val title = "今日" }
    data object Sites : Route { override val title = "场所" }
    data class Site(val id: String) : Route { override val title = "场所" }
    data class Inspection(val id: String) : Route { override val title = "检查" }
    data object Capture : Route { override val title = "暗访取证" }
    data object Ledger : Route { override val title = "隐患台账" }
    data class Hazard(val id: String) : Route { override val title = "隐患" }
    data object Records : Route { override val title = "会议与设施投入" }
    data object Scan : Route { override val title = "扫码入企" }
    data class Documents(val inspectionId: String) : Route { override val title = "现场执法文书" }
    data object Tasks : Route { override val title = "工作任务" }
    data object Complaints : Route { override val title = "投诉举报" }
    data object Mechanism : Route { override val title = "改机制" }
    data object SelfAssessment : Route { override val title = "月底自评" }
    data object Sync : Route { override val title = "同步" }
    data object Reminders : Route { override val title = "提醒" }
    data object Feedback : Route { override val title = "投诉建议" }
    data class SiteEdit(val id: String) : Route { override val title = "修改场所信息" }
    data object Me : Route { override val title = "我的" }
}

/** The back stack. Tabs reset it; the platform's back key calls [back]. */
class Navigator(start: Route) {
    private val _stack = MutableStateFlow(listOf(start))
    val stack: StateFlow<List<Route>> = _stack.asStateFlow()
    val current: Route get() = _stack.value.last()

    fun go(r: Route) { _stack.value = _stack.value + r }
    fun tab(r: Route) { _stack.value = listOf(r) }
    fun replace(r: Route) { _stack.value = _stack.value.dropLast(1) + r }

    /** Returns false when there is nothing to go back to (the platform may close the app). */
    fun back(): Boolean {
        if (_stack.value.size <= 1) return false
        _stack.value = _stack.value.dropLast(1)
        return true
    }
}

/** The whole app on one session: theme, top bar, the current screen, tabs by role. */
@Composable
fun AnjianApp(session: Session, nav: Navigator = remember { Navigator(if (session.hasOfflineSession()) Route.Home else Route.Login) }) {
    val large by session.largeText.collectAsState()
    val stack by nav.stack.collectAsState()
    val route = stack.last()
    // The unified identity provider sent the person back: the login screen finishes it.
    val link by session.signInLinks.collectAsState()
    LaunchedEffect(link) { if (link != null && nav.stack.value.last() != Route.Login) nav.tab(Route.Login) }
    CompositionLocalProvider(LocalImages provides session.platform.images) {
        AnjianTheme(large) {
            Column(Modifier.fillMaxSize()) {
                if (route != Route.Login) TopBar(session, route, stack.size > 1, nav)
                if (route != Route.Login && route != Route.Reminders) {
                    val fresh by session.reminders.fresh.collectAsState()
                    ReminderBanner(fresh, { session.reminders.dismiss(); nav.go(Route.Reminders) }, session.reminders::dismiss)
                }
                Box(Modifier.weight(1f).fillMaxWidth()) { Screen(session, route, nav) }
                if (route != Route.Login) BottomTabs(session, route, nav)
            }
        }
    }
}

@Composable
private fun TopBar(session: Session, route: Route, canBack: Boolean, nav: Navigator) {
    val run by session.sync.collectAsState()
    Row(Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).padding(horizontal = 4.dp), verticalAlignment = Alignment.CenterVertically) {
        if (canBack) TextButton({ nav.back() }, Modifier.heightIn(min = LocalSizes.current.touch).testTag("nav.back")) { Text("‹ 返回", style = MaterialTheme.typography.labelLarge) }
        Text(route.title, style = MaterialTheme.typography.titleLarge, modifier = Modifier.weight(1f).padding(horizontal = 8.dp))
        if (run is SyncRun.Running) Tag("同步中", Tone.INFO)
    }
    HorizontalDivider()
}

private data class Tab(val route: Route, val label: String)

@Composable
private fun BottomTabs(session: Session, route: Route, nav: Navigator) {
    val roles = remember(session.profile()?.personId) { session.profile()?.roles.orEmpty() }
    val inspects = cn.anjian.app.presenter.Roles.inspects(roles)
    val tabs = buildList {
        add(Tab(Route.Home, "今日"))
        if (inspects) add(Tab(Route.Sites, "场所"))
        add(Tab(Route.Ledger, "隐患"))
        if (cn.anjian.app.presenter.Roles.keepsRecords(roles)) add(Tab(Route.Records, "记录"))
        add(Tab(Route.Sync, "同步"))
        add(Tab(Route.Me, "我的"))
    }
    val root = nav.stack.value.first()
    val unread by session.reminders.unread.collectAsState()
    NavigationBar(containerColor = Palette.surfaceTint) {
        tabs.forEach { t ->
            NavigationBarItem(
                selected = root == t.route,
                onClick = { nav.tab(t.route) },
                icon = {
                    BadgedBox(badge = { if (t.route == Route.Home && unread > 0) Badge(Modifier.testTag("tab.今日.badge")) { Text("$unread") } }) {
                        Text(if (root == t.route) "●" else "○", style = MaterialTheme.typography.labelSmall)
                    }
                },
                label = { Text(t.label, style = MaterialTheme.typography.labelLarge) },
                modifier = Modifier.testTag("tab.${t.label}"),
                colors = NavigationBarItemDefaults.colors(selectedTextColor = Palette.primary, unselectedTextColor = Palette.ink, selectedIconColor = Palette.primary, unselectedIconColor = Palette.ink),
            )
        }
    }
}

@Composable
private fun Screen(session: Session, route: Route, nav: Navigator) {
    val scope = rememberCoroutineScope()
    val revision by session.revision.collectAsState()
    val run by session.sync.collectAsState()
    when (route) {
        Route.Login -> {
            val p = remember { LoginPresenter(session) }
            LaunchedEffect(Unit) { p.load() }
            val s by p.state.collectAsState()
            // The server's unified identity provider, asked again when the address settles.
            LaunchedEffect(s.server) { delay(600); p.checkProvider() }
            // The provider's link back to the app (from the browser), finished here.
            // One collector for the screen's life: taking the link must not cancel its finish.
            LaunchedEffect(Unit) {
                session.signInLinks.filterNotNull().collect {
                    session.takeSignInLink()?.let { link -> if (p.finishIdentity(link)) nav.tab(Route.Home) }
                }
            }
            LoginScreen(
                s, p::server, p::username, p::password,
                onSubmit = { scope.launch { if (p.submit()) nav.tab(Route.Home) } },
                onIdentity = { scope.launch { p.startIdentity() } },
            )
        }
        Route.Home -> {
            val p = remember { HomePresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            HomeScreen(
                s, run,
                onHazard = { nav.go(Route.Hazard(it)) },
                onInspection = { nav.go(Route.Inspection(it)) },
                onCapture = { nav.go(Route.Capture) },
                onSites = { nav.tab(Route.Sites) },
                onSync = { nav.tab(Route.Sync) },
                onScan = { nav.go(Route.Scan) },
                onTasks = { nav.go(Route.Tasks) },
                onReminders = { nav.go(Route.Reminders) },
                onComplaints = { nav.go(Route.Complaints) },
            )
        }
        Route.Sites -> {
            val p = remember { SitesPresenter(session) }
            LaunchedEffect(Unit) { p.load() }
            val s by p.state.collectAsState()
            SitesScreen(
                s,
                onText = { t -> scope.launch { p.search(t) } },
                onTownship = { t -> scope.launch { p.township(t) } },
                onIndustry = { i -> scope.launch { p.industry(i) } },
                onSite = { nav.go(Route.Site(it)) },
                onScan = { nav.go(Route.Scan) },
            )
        }
        is Route.Site -> {
            val p = remember(route) { SiteDetailPresenter(session, route.id) }
            LaunchedEffect(route) { p.load() }
            val s by p.state.collectAsState()
            SiteDetailScreen(
                s,
                onStart = { k: cn.anjian.domain.InspectionKind -> scope.launch { p.start(k)?.let { nav.go(Route.Inspection(it)) } } },
                onHazard = { id: String -> nav.go(Route.Hazard(id)) },
                onInspection = { id: String -> nav.go(Route.Inspection(id)) },
                onEdit = { nav.go(Route.SiteEdit(route.id)) },
            )
        }
        is Route.SiteEdit -> {
            val p = remember(route) { SiteEditPresenter(session, route.id) }
            LaunchedEffect(route) { p.load() }
            val s by p.state.collectAsState()
            SiteEditScreen(
                s,
                SiteEditActions(
                    edit = p::edit,
                    attribute = p::toggleAttribute,
                    scanPosition = { scope.launch { p.positionFromCode() } },
                    save = { scope.launch { p.save() } },
                ),
            )
        }
        Route.Reminders -> {
            val p = remember { RemindersPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            RemindersScreen(
                s,
                RemindersActions(
                    open = { r ->
                        scope.launch {
                            when (val t = p.open(r)) {
                                is ReminderTarget.Hazard -> nav.go(Route.Hazard(t.id))
                                ReminderTarget.Tasks -> nav.go(Route.Tasks)
                                ReminderTarget.SelfAssessment -> nav.go(Route.SelfAssessment)
                                ReminderTarget.Records -> nav.go(Route.Records)
                                ReminderTarget.PatrolPlans -> nav.tab(Route.Home)
                                ReminderTarget.None -> {}
                            }
                        }
                    },
                    markAllRead = { scope.launch { p.markAllRead() } },
                ),
            )
        }
        Route.Feedback -> {
            val p = remember { FeedbackPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            FeedbackScreen(s, FeedbackActions(edit = p::edit, send = { scope.launch { p.send() } }))
        }
        is Route.Inspection -> {
            val p = remember(route) { InspectionPresenter(session, route.id) }
            LaunchedEffect(route) { p.load() }
            val s by p.state.collectAsState()
            InspectionScreen(
                s,
                InspectionActions(
                    answer = { id, o -> scope.launch { p.answer(id, o) } },
                    draft = p::draft,
                    confirmFail = { id -> scope.launch { p.confirmFail(id) } },
                    cancelFail = p::cancelFail,
                    photo = { id -> scope.launch { p.addPhoto(id) } },
                    relocate = { scope.launch { p.checkLocation() } },
                    finish = { scope.launch { p.finish() } },
                    hazard = { nav.go(Route.Hazard(it)) },
                    documents = { nav.go(Route.Documents(route.id)) },
                    editSite = { nav.go(Route.SiteEdit(it)) },
                ),
            )
        }
        Route.Capture -> {
            val p = remember { PatrolCapturePresenter(session) }
            LaunchedEffect(Unit) { p.load() }
            val s by p.state.collectAsState()
            CaptureScreen(
                s,
                CaptureActions(
                    site = p::site,
                    photo = { scope.launch { p.takePhoto() } },
                    note = p::note,
                    major = p::major,
                    save = { scope.launch { p.save() } },
                    hazard = { nav.go(Route.Hazard(it)) },
                ),
            )
        }
        Route.Ledger -> {
            val p = remember { LedgerPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            LedgerScreen(s, { f -> scope.launch { p.filter(f) } }, { nav.go(Route.Hazard(it)) })
        }
        is Route.Hazard -> {
            val p = remember(route) { HazardPresenter(session, route.id) }
            LaunchedEffect(route, run is SyncRun.Running) { p.load() }
            val s by p.state.collectAsState()
            HazardScreen(
                s,
                HazardActions(
                    begin = { k -> scope.launch { p.begin(k) } },
                    edit = p::edit,
                    submit = { scope.launch { p.submitForm() } },
                    cancel = p::cancelForm,
                    photo = { st -> scope.launch { p.addPhoto(st) } },
                    fetch = { id -> scope.launch { p.fetch(id) } },
                    dismiss = { id -> scope.launch { p.dismiss(id) } },
                ),
            )
        }
        Route.Records -> {
            val p = remember { cn.anjian.app.presenter.RecordsPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            RecordsScreen(
                s,
                RecordsActions(
                    newMeeting = p::newMeeting,
                    newInvestment = p::newInvestment,
                    editMeeting = p::editMeeting,
                    editInvestment = p::editInvestment,
                    saveMeeting = { scope.launch { p.saveMeeting() } },
                    saveInvestment = { scope.launch { p.saveInvestment() } },
                    cancel = p::cancel,
                    photo = { id, st -> scope.launch { p.addPhoto(id, st) } },
                    document = { id, t -> scope.launch { p.addDocument(id, t) } },
                    tasks = { nav.go(Route.Tasks) },
                    mechanism = { nav.go(Route.Mechanism) },
                    selfAssessment = { nav.go(Route.SelfAssessment) },
                ),
            )
        }
        Route.Scan -> {
            val p = remember { ScanPresenter(session) }
            val s by p.state.collectAsState()
            ScanScreen(
                s,
                ScanActions(
                    scan = { scope.launch { p.scan() } },
                    code = p::code,
                    lookup = { scope.launch { p.lookup() } },
                    visit = VisitActions(
                        kind = p::kind,
                        joint = p::toggleJoint,
                        participants = p::participants,
                        acknowledge = p::acknowledge,
                        start = { scope.launch { p.start()?.let { nav.replace(Route.Inspection(it)) } } },
                    ),
                ),
            )
        }
        is Route.Documents -> {
            val p = remember(route) { DocumentsPresenter(session, route.inspectionId) }
            LaunchedEffect(route, revision) { p.load() }
            val s by p.state.collectAsState()
            DocumentsScreen(
                s,
                DocumentsActions(
                    begin = p::begin,
                    edit = p::edit,
                    officerInk = p::officerInk,
                    coOfficerInk = p::coOfficerInk,
                    siteInk = p::siteInk,
                    make = { scope.launch { p.make() } },
                    cancel = p::cancel,
                    share = { d -> scope.launch { p.share(d) } },
                    print = { d -> scope.launch { p.print(d) } },
                ),
            )
        }
        Route.Tasks -> {
            val p = remember { TasksPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            TasksScreen(
                s,
                TasksActions(
                    answer = p::answer,
                    text = p::text,
                    photo = { id -> scope.launch { p.addPhoto(id) } },
                    document = { id -> scope.launch { p.addDocument(id) } },
                    submit = { scope.launch { p.submit() } },
                    cancel = p::cancel,
                ),
            )
        }
        Route.Complaints -> {
            val p = remember { ComplaintsPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            ComplaintsScreen(
                s,
                ComplaintsActions(
                    begin = { id -> scope.launch { p.begin(id) } },
                    open = { id -> nav.go(Route.Inspection(id)) },
                    visit = VisitActions(
                        kind = p::kind,
                        joint = p::toggleJoint,
                        participants = p::participants,
                        acknowledge = p::acknowledge,
                        start = { scope.launch { p.start()?.let { nav.go(Route.Inspection(it)) } } },
                    ),
                    cancel = p::cancel,
                ),
            )
        }
        Route.Mechanism -> {
            val p = remember { MechanismPresenter(session) }
            LaunchedEffect(revision) { p.load() }
            val s by p.state.collectAsState()
            MechanismScreen(
                s,
                MechanismActions(
                    begin = p::begin,
                    edit = p::edit,
                    hazard = p::toggleHazard,
                    save = { scope.launch { p.save() } },
                    cancel = p::cancel,
                    document = { id -> scope.launch { p.addDocument(id) } },
                ),
            )
        }
        Route.SelfAssessment -> {
            val p = remember { SelfAssessmentPresenter(session) }
            LaunchedEffect(Unit) { p.load() }
            val s by p.state.collectAsState()
            SelfAssessmentScreen(
                s,
                SelfAssessmentActions(
                    month = p::month,
                    score = p::score,
                    note = p::note,
                    summary = p::summary,
                    submit = { scope.launch { p.submit() } },
                ),
            )
        }
        Route.Sync -> {
            val p = remember { SyncPresenter(session) }
            LaunchedEffect(revision, run is SyncRun.Running) { p.load() }
            val s by p.state.collectAsState()
            SyncScreen(
                s, run, session.syncOutcomeText(run),
                SyncActions(
                    start = { p.syncNow() },
                    cancel = p::cancel,
                    wifiOnly = { on -> scope.launch { p.originalsOnWifiOnly(on) } },
                    dismiss = { id -> scope.launch { p.dismiss(id) } },
                    open = { _, id -> nav.go(Route.Hazard(id)) },
                ),
            )
        }
        Route.Me -> {
            val p = remember { MePresenter(session) }
            LaunchedEffect(Unit) { p.load() }
            val s by p.state.collectAsState()
            val large by session.largeText.collectAsState()
            MeScreen(
                s, large,
                MeActions(
                    largeText = { on -> scope.launch { p.largeText(on) } },
                    askLogout = { scope.launch { p.askLogout() } },
                    cancelLogout = p::cancelLogout,
                    confirmLogout = { scope.launch { if (p.confirmLogout()) nav.tab(Route.Login) } },
                    feedback = { nav.go(Route.Feedback) },
                ),
            )
        }
    }
}
