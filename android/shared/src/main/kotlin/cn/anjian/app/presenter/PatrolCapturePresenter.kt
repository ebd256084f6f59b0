package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.HazardInput
import cn.anjian.domain.HazardLevel
import cn.anjian.core.HazardRecord
import cn.anjian.domain.InspectionKind
import cn.anjian.core.PatrolPlanRecord
import cn.anjian.core.SiteQuery

/** A site a patrol may capture at: a target of my plan, or any site (nearest first). */
data class CaptureSite(val id: String, val name: String, val planTitle: String?, val distanceM: Double?)

data class CaptureState(
    val sites: Load<List<CaptureSite>> = Load.Loading,
    val plans: List<PatrolPlanRecord> = emptyList(),
    val siteId: String? = null,
    val photoPath: String? = null,
    val note: String = "",
    val major: Boolean = false,
    val busy: Boolean = false,
    val error: String? = null,
    val saved: HazardRecord? = null,
)

/**
 * 暗访 quick capture: the nearest unvisited target of my patrol plan is chosen already; one
 * tap takes the photo, one saves. The finding is recorded as a hazard of the site under an
 * unannounced-patrol inspection of that site (started here when none is open), so the visit
 * counts for the plan when the inspection is finished.
 */
class PatrolCapturePresenter(private val session: Session) : Presenter<CaptureState>(CaptureState()) {
    override suspend fun load() {
        val fix = runCatching { session.platform.location.current() }.getOrNull()
        val r = session.call {
            val plans = myPatrolPlans()
            val near = findSites(SiteQuery(null, null, null, fix?.lat, fix?.lon))
            val targets = plans.flatMap { p -> p.targets.filter { !it.visited }.map { it.siteId to p.title } }.toMap()
            val planned = near.filter { it.site.id in targets }
                .map { CaptureSite(it.site.id, it.site.name, targets[it.site.id], it.distanceM) }
            // Other sites only where the access policy lets me patrol (my unit's, as a rule).
            val others = near.filter { it.site.id !in targets }
                .filter { InspectionKind.UNANNOUNCED_PATROL in inspectionKindsFor(it.site.id) }
                .map { CaptureSite(it.site.id, it.site.name, null, it.distanceM) }
            plans to planned + others
        }
        r.fold(
            { (plans, sites) ->
                update { s ->
                    s.copy(plans = plans, sites = Load.Ready(sites), siteId = s.siteId ?: sites.firstOrNull()?.id)
                }
            },
            { e -> update { it.copy(sites = Load.Failed(errorText(e))) } },
        )
    }

    fun site(id: String) = update { it.copy(siteId = id, error = null) }
    fun note(v: String) = update { it.copy(note = v) }
    fun major(v: Boolean) = update { it.copy(major = v) }

    suspend fun takePhoto() {
        val path = session.platform.photos.takePhoto("暗访发现问题照片") ?: return
        update { it.copy(photoPath = path, error = null) }
    }

    suspend fun save(): HazardRecord? {
        val s = state.value
        val siteId = s.siteId ?: run {
            update { it.copy(error = "请选择场所") }
            return null
        }
        val photo = s.photoPath ?: run {
            update { it.copy(error = "请先拍照取证") }
            return null
        }
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            val open = openInspections().firstOrNull { it.siteId == siteId && it.kind == InspectionKind.UNANNOUNCED_PATROL }
            val insp = open ?: startInspection(InspectionKind.UNANNOUNCED_PATROL, siteId, emptyList())
            val hazard = raiseHazard(
                HazardInput(
                    description = s.note.trim().ifEmpty { "暗访发现问题（见照片）" },
                    siteId = siteId,
                    unitId = null,
                    inspectionId = null,
                    itemId = null,
                    level = if (s.major) HazardLevel.MAJOR else HazardLevel.GENERAL,
                    levelReason = if (s.major) "暗访发现，现场判定为重大隐患" else null,
                    needsHardware = false,
                ),
            )
            attachPhoto(photo, EvidenceTarget.Hazard(hazard.id), EvidenceStage.BEFORE)
            check(insp.id.isNotEmpty())
            hazard
        }
        return r.fold(
            { h ->
                update { it.copy(busy = false, saved = h, photoPath = null, note = "", major = false) }
                session.changed()
                h
            },
            { e ->
                update { it.copy(busy = false, error = errorText(e)) }
                null
            },
        )
    }
}
