package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.ChecklistItemRecord
import cn.anjian.core.ChecklistRecord
import cn.anjian.core.ConditionRecord
import cn.anjian.core.EvidenceItem
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.HazardInput
import cn.anjian.core.HazardRecord
import cn.anjian.core.InspectionRecord
import cn.anjian.domain.ItemOutcome
import cn.anjian.core.SiteLocationCheck
import cn.anjian.core.SiteRecord

data class InspectionData(
    val inspection: InspectionRecord,
    val checklist: ChecklistRecord,
    val site: SiteRecord,
    /** Photos of each item (failed items), by item id. */
    val photos: Map<String, List<EvidenceItem>>,
    /** Whether I may correct the site (its 场所属性 among the rest). */
    val canEditSite: Boolean = false,
) {
    /**
     * The checklist's site attributes this site is not recorded with: their items are not
     * asked. Said at the top so that an inspector who sees them on site corrects the site first.
     */
    val undeclared: List<ConditionRecord>
        get() = checklist.conditions.filter { it.code !in site.attributes }

    fun outcome(itemId: String): ItemOutcome? = inspection.results.firstOrNull { it.itemId == itemId }?.outcome
    fun note(itemId: String): String? = inspection.results.firstOrNull { it.itemId == itemId }?.note
    val answered get() = inspection.answeredItems.toInt()
    val total get() = inspection.totalItems.toInt()
    val failedItems: List<ChecklistItemRecord>
        get() = checklist.items.filter { outcome(it.id) == ItemOutcome.FAIL }
    val finished get() = inspection.finishedAt != null
}

data class InspectionState(
    val data: Load<InspectionData> = Load.Loading,
    /** The note being typed for an item, before it is saved with its outcome. */
    val drafts: Map<String, String> = emptyMap(),
    /** The item whose 不符合 is being filled in (note, photos). */
    val failing: String? = null,
    val location: SiteLocationCheck? = null,
    val locationMessage: String? = null,
    val error: String? = null,
    val busy: Boolean = false,
    /** Hazards raised when the inspection was finished. */
    val raised: List<HazardRecord> = emptyList(),
)

/**
 * 检查: a site's checklist item by item. Every answer is written to the store at once, so a
 * half-done inspection survives the app being killed and reopens where it was.
 */
class InspectionPresenter(private val session: Session, private val inspectionId: String) :
    Presenter<InspectionState>(InspectionState()) {

    override suspend fun load() {
        val data = session.call { read() }
        update { it.copy(data = data.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
        if (data.isSuccess) checkLocation()
    }

    private fun cn.anjian.core.AnjianStore.read(): InspectionData {
        val insp = inspection(inspectionId)
        val list = inspectionChecklist(inspectionId)
        val photos = insp.failedItemIds.associateWith { item ->
            evidenceFor(EvidenceTarget.InspectionItem(inspectionId, item))
        }
        return InspectionData(insp, list, site(insp.siteId), photos, canEditSite(insp.siteId))
    }

    /** Where I am against the site: distance and accuracy, or why there is no fix. */
    suspend fun checkLocation() {
        val d = (state.value.data as? Load.Ready)?.value ?: return
        val fix = runCatching { session.platform.location.current() }.getOrNull()
        if (fix == null) {
            update { it.copy(location = null, locationMessage = "无定位：请打开定位后重试（不影响记录检查）") }
            return
        }
        val check = session.call { checkLocation(d.site.id, fix.lat, fix.lon, fix.accuracyM, fix.mock) }
        update { it.copy(location = check.getOrNull(), locationMessage = check.exceptionOrNull()?.let(::errorText)) }
    }

    fun draft(itemId: String, note: String) = update { it.copy(drafts = it.drafts + (itemId to note)) }

    /** 符合 / 不涉及 are saved at once; 不符合 opens the note and photo for the item. */
    suspend fun answer(itemId: String, outcome: ItemOutcome) {
        if (outcome == ItemOutcome.FAIL) {
            update { it.copy(failing = itemId, error = null) }
            return
        }
        save(itemId, outcome, state.value.drafts[itemId]?.ifBlank { null })
    }

    /** Saves 不符合 with its note (the core requires one). */
    suspend fun confirmFail(itemId: String) {
        save(itemId, ItemOutcome.FAIL, state.value.drafts[itemId]?.ifBlank { null })
    }

    fun cancelFail() = update { it.copy(failing = null, error = null) }

    private suspend fun save(itemId: String, outcome: ItemOutcome, note: String?) {
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            recordItem(inspectionId, itemId, outcome, note)
            read()
        }
        r.fold(
            { d -> update { it.copy(data = Load.Ready(d), busy = false, failing = if (it.failing == itemId && outcome == ItemOutcome.FAIL) it.failing else null) } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess && outcome == ItemOutcome.FAIL) update { it.copy(failing = itemId) }
        session.changed()
    }

    /** A photo of a failed item (the proof of the finding), from the platform's camera. */
    suspend fun addPhoto(itemId: String) {
        val path = session.platform.photos.takePhoto("不符合项照片") ?: return
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            attachPhoto(path, EvidenceTarget.InspectionItem(inspectionId, itemId), EvidenceStage.NONE)
            read()
        }
        r.fold(
            { d -> update { it.copy(data = Load.Ready(d), busy = false) } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
    }

    fun doneWithItem() = update { it.copy(failing = null) }

    /**
     * Finishes the inspection and raises one hazard per failed item, its level from the
     * checklist; the item's photos become the hazard's before photos.
     */
    suspend fun finish() {
        val d = (state.value.data as? Load.Ready)?.value ?: return
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            finishInspection(inspectionId)
            val raised = d.failedItems.map { item ->
                val hazard = raiseHazard(
                    HazardInput(
                        description = d.note(item.id)?.let { n -> "${item.text}：$n" } ?: item.text,
                        siteId = d.site.id,
                        unitId = null,
                        inspectionId = inspectionId,
                        itemId = item.id,
                        level = null,
                        levelReason = null,
                        needsHardware = false,
                    ),
                )
                for (photo in d.photos[item.id].orEmpty()) {
                    attachPhoto(photo.originalPath, EvidenceTarget.Hazard(hazard.id), EvidenceStage.BEFORE)
                }
                hazard
            }
            raised to read()
        }
        r.fold(
            { (raised, data) -> update { it.copy(busy = false, raised = raised, data = Load.Ready(data)) } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        session.changed()
    }
}
