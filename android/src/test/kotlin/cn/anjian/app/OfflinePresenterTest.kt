package cn.anjian.app

import cn.anjian.app.platform.LocationFix
import cn.anjian.app.presenter.HazardPresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.MePresenter
import cn.anjian.app.presenter.PatrolCapturePresenter
import cn.anjian.app.presenter.SitesPresenter
import cn.anjian.app.ui.Palette
import cn.anjian.app.ui.Tone
import cn.anjian.app.ui.contrast
import cn.anjian.domain.EvidenceStage
import cn.anjian.core.HazardStep
import cn.anjian.domain.HazardLevel
import cn.anjian.domain.InspectionKind
import cn.anjian.domain.ItemOutcome
import cn.anjian.core.Profile
import cn.anjian.domain.Role
import cn.anjian.core.SiteEditInput
import cn.anjian.core.SiteInput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/** Presenters on the real core with a temporary store and no server. */
class OfflinePresenterTest {
    @TempDir
    lateinit var dir: Path

    private fun device(vararg roles: Role): Device {
        val d = Device(dir.resolve("d"))
        d.store.setProfile(Profile("p-1", "陈刚", "500233107", roles.toList()))
        return d
    }

    private fun Device.site(name: String, lat: Double) = store.addSite(
        SiteInput(name, "gas", lat, 108.1803, 80.0, "500233107", null, "忠县石宝镇沿江路", null, null),
    )

    @Test
    fun contrastOfEveryPairIsAtLeast4_5() {
        for (t in Tone.entries) {
            assertTrue(contrast(t.fg, t.bg) >= 4.5, "$t ${contrast(t.fg, t.bg)}")
            assertTrue(contrast(t.fg, Palette.paper) >= 4.5, "$t on paper")
        }
        assertTrue(contrast(Palette.ink, Palette.paper) >= 4.5)
        assertTrue(contrast(Palette.onPrimary, Palette.primary) >= 4.5)
        assertTrue(contrast(Palette.muted, Palette.surfaceTint) >= 4.5)
    }

    @Test
    fun sitesNearestFirstAndSearch() = runBlocking {
        val d = device(Role.INSPECTOR)
        val far = d.site("远处液化气站", 30.50)
        val near = d.site("石宝镇顺发液化气供应站", 30.4215)
        d.location.fix = LocationFix(30.4216, 108.1803, 20.0, mock = false)
        val p = SitesPresenter(d.session)
        p.load()
        assertEquals(listOf(near.id, far.id), (p.state.value.rows as Load.Ready).value.map { it.site.id })
        p.search("远处")
        assertEquals(listOf(far.id), (p.state.value.rows as Load.Ready).value.map { it.site.id })
    }

    @Test
    fun theItemsOfAttributesTheSiteLacksAreNamedAndComeBackOnceTheSiteIsCorrected() = runBlocking {
        val d = device(Role.INSPECTOR)
        val s = d.store.addSite(
            SiteInput("石宝镇顺发液化气供应站", "gas", 30.4215, 108.1803, 80.0, "500233107", null, null, null, null, listOf("station", "lpg")),
        )
        val insp = d.store.startInspection(InspectionKind.ROUTINE_CHECK, s.id, emptyList())
        val p = InspectionPresenter(d.session, insp.id)
        p.load()
        val before = (p.state.value.data as Load.Ready).value
        // 管道燃气 is not recorded for this site: its items are not asked, and the screen says so.
        assertEquals(listOf("管道燃气"), before.undeclared.map { it.label })
        assertTrue(before.checklist.items.none { it.condition == "管道燃气" })
        assertTrue(before.canEditSite)

        // The inspector finds a pipeline on site and corrects the site: the checklist gains its items.
        d.store.editSite(s.id, SiteEditInput(null, null, null, null, null, listOf("station", "lpg", "pipeline")))
        p.load()
        val after = (p.state.value.data as Load.Ready).value
        assertTrue(after.undeclared.isEmpty())
        val piped = after.checklist.items.count { it.condition == "管道燃气" }
        assertTrue(piped > 0)
        assertEquals(before.total + piped, after.total)
    }

    @Test
    fun halfDoneInspectionSurvivesAndMockLocationIsNotProof() = runBlocking {
        val d = device(Role.INSPECTOR)
        val s = d.site("石宝镇顺发液化气供应站", 30.4215)
        d.location.fix = LocationFix(30.4215, 108.1803, 5.0, mock = true)
        val insp = d.store.startInspection(InspectionKind.ROUTINE_CHECK, s.id, emptyList())
        val p = InspectionPresenter(d.session, insp.id)
        p.load()
        assertFalse(p.state.value.location!!.atSite)
        assertTrue(p.state.value.location!!.label.contains("模拟"))
        val items = d.store.checklist("gas").items
        p.answer(items[0].id, ItemOutcome.PASS)
        p.answer(items[1].id, ItemOutcome.NOT_APPLICABLE)
        // Finishing early is refused by the core (every item must be answered).
        p.finish()
        assertNotNull(p.state.value.error)
        // The process dies here; a new session on the same file finds the inspection open.
        d.store.destroy()
        val again = Device(dir.resolve("d"))
        assertEquals(listOf(insp.id), again.store.openInspections().map { it.id })
        val q = InspectionPresenter(again.session, insp.id)
        q.load()
        val data = (q.state.value.data as Load.Ready).value
        assertEquals(2, data.answered)
        assertEquals(ItemOutcome.NOT_APPLICABLE, data.outcome(items[1].id))
        again.store.destroy()
    }

    @Test
    fun quickCaptureNeedsAPhotoThenSavesAGeneralHazardWithIt() = runBlocking {
        val d = device(Role.PATROL_MEMBER)
        val s = d.site("石宝镇顺发液化气供应站", 30.4215)
        d.location.fix = LocationFix(30.4215, 108.1803, 5.0, mock = false)
        val p = PatrolCapturePresenter(d.session)
        p.load()
        assertEquals(s.id, p.state.value.siteId)
        assertNull(p.save())
        assertEquals("请先拍照取证", p.state.value.error)
        p.takePhoto() // cancelled: nothing queued
        assertNull(p.state.value.photoPath)
        d.photos.push(TestData.before)
        p.takePhoto()
        p.major(true)
        val h = p.save()!!
        assertEquals(HazardLevel.MAJOR, h.level)
        assertEquals("暗访发现问题（见照片）", h.description)
        val hp = HazardPresenter(d.session, h.id)
        hp.load()
        val data = (hp.state.value.data as Load.Ready).value
        assertEquals(1, data.photos[EvidenceStage.BEFORE]!!.size)
        assertTrue(HazardStep.CLOSE_ON_SPOT !in data.actions, "a major hazard is never closed on the spot")
        assertEquals(InspectionKind.UNANNOUNCED_PATROL, d.store.openInspections().single().kind)
        d.store.destroy()
    }

    @Test
    fun closeOnSpotNeedsAnAfterPhotoAndLogoutKeepsEverything() = runBlocking {
        val d = device(Role.INSPECTOR)
        val s = d.site("石宝镇顺发液化气供应站", 30.4215)
        val h = d.store.raiseHazard(
            cn.anjian.core.HazardInput("消防通道堆放杂物", s.id, null, null, null, HazardLevel.GENERAL, null, false),
        )
        d.store.attachPhoto(TestData.before, cn.anjian.domain.EvidenceTarget.Hazard(h.id), EvidenceStage.BEFORE)
        val hp = HazardPresenter(d.session, h.id)
        hp.load()
        hp.begin(HazardStep.CLOSE_ON_SPOT)
        hp.edit { it.copy(text = "已当场清理") }
        hp.submitForm()
        assertTrue(hp.state.value.error!!.contains("照片"), hp.state.value.error)
        d.photos.push(TestData.after)
        hp.addPhoto(EvidenceStage.AFTER)
        hp.begin(HazardStep.CLOSE_ON_SPOT)
        hp.edit { it.copy(text = "已当场清理") }
        hp.submitForm()
        assertNull(hp.state.value.error)
        assertEquals("已销号", (hp.state.value.data as Load.Ready).value.hazard.statusLabel)

        val me = MePresenter(d.session)
        me.load()
        me.largeText(true)
        assertTrue(d.session.largeText.value)
        me.askLogout()
        val warning = me.state.value.logout!!.warning!!
        assertTrue(warning.contains("未同步"), warning)
        val pending = d.store.pendingChanges()
        assertTrue(me.confirmLogout())
        assertEquals(pending, d.store.pendingChanges())
        assertFalse(d.session.hasOfflineSession())
        assertEquals("1", d.store.appSetting(Settings.LARGE_TEXT))
        d.store.destroy()
    }
}
