package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.AttentionItem
import cn.anjian.core.EvidenceFile
import cn.anjian.core.EvidenceItem
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.FivePlanInput
import cn.anjian.core.HazardStep
import cn.anjian.core.HazardCommand
import cn.anjian.core.HazardEventRecord
import cn.anjian.domain.HazardLevel
import cn.anjian.core.HazardRecord
import cn.anjian.core.UnitRecord
import java.io.File

data class HazardData(
    val hazard: HazardRecord,
    val siteName: String?,
    val unitNames: Map<String, String>,
    val history: List<HazardEventRecord>,
    val photos: Map<EvidenceStage, List<EvidenceItem>>,
    val actions: List<HazardStep>,
    /** What the server refused about this hazard, with its reason. */
    val refusals: List<AttentionItem>,
    val units: List<UnitRecord>,
)

/** A form the user fills in for an action that needs input. */
data class ActionForm(
    val kind: HazardStep,
    val text: String = "",
    val unitId: String? = null,
    val date: String = "",
    val plan: FivePlanInput = FivePlanInput(null, null, null, null, null, null),
    val fundingYuan: String = "",
    val level: HazardLevel = HazardLevel.GENERAL,
)

data class HazardState(
    val data: Load<HazardData> = Load.Loading,
    val form: ActionForm? = null,
    val busy: Boolean = false,
    /** The refusal of the last action, in Chinese, as the core or the server gave it. */
    val error: String? = null,
    val done: String? = null,
    /** Local files of photos fetched on demand (evidence id → path). */
    val fetched: Map<String, String> = emptyMap(),
    val fetchErrors: Map<String, String> = emptyMap(),
)

fun actionLabel(kind: HazardStep): String = when (kind) {
    HazardStep.RECLASSIFY -> "调整等级"
    HazardStep.UPDATE_PLAN -> "填报五落实"
    HazardStep.SET_HARDWARE_PLAN -> "一患一策"
    HazardStep.SET_TEMPORARY_MEASURES -> "临时防控措施"
    HazardStep.ASSIGN -> "交办"
    HazardStep.CLOSE_ON_SPOT -> "即查即改"
    HazardStep.START_RECTIFICATION -> "开始整改"
    HazardStep.SUBMIT_RECTIFICATION -> "提交整改"
    HazardStep.VERIFY -> "验收通过"
    HazardStep.REJECT -> "验收不通过"
    HazardStep.ATTACH_EVIDENCE -> "上传照片"
}

/** Where a photo can be shown from now, or null when it must be fetched first. */
fun localPhoto(e: EvidenceItem, fetched: Map<String, String>): String? =
    fetched[e.id] ?: listOfNotNull(e.thumbnailPath, e.uploadPath, e.originalPath).firstOrNull { File(it).exists() }

/**
 * 隐患 detail: timeline, before / during / after photos, and the actions my role may take now.
 * A refusal (by the rules here, or by the server after a sync) is shown in Chinese.
 */
class HazardPresenter(private val session: Session, private val hazardId: String) :
    Presenter<HazardState>(HazardState()) {

    override suspend fun load() {
        val r = session.call {
            val h = hazard(hazardId)
            val photos = evidenceFor(EvidenceTarget.Hazard(hazardId)).groupBy { it.stage }
            val units = units()
            HazardData(
                hazard = h,
                siteName = h.siteId?.let { id -> runCatching { site(id).name }.getOrNull() },
                unitNames = units.associate { it.id to it.name },
                history = hazardHistory(hazardId),
                photos = photos,
                actions = hazardSteps(hazardId),
                refusals = attention().filter { it.entityId == hazardId },
                units = units.filter { it.kind == "township" || it.kind == "department" },
            )
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    /** Opens the form of an action, or runs it at once when it needs no input. */
    suspend fun begin(kind: HazardStep) {
        update { it.copy(error = null, done = null) }
        if (kind == HazardStep.START_RECTIFICATION) {
            run(HazardCommand.StartRectification, kind)
            return
        }
        val h = (state.value.data as? Load.Ready)?.value?.hazard
        val plan = h?.plan
        update {
            it.copy(
                form = ActionForm(
                    kind = kind,
                    plan = plan?.copy(fundingFen = null) ?: FivePlanInput(null, null, null, null, null, null),
                    fundingYuan = plan?.fundingFen?.let { f -> (f / 100).toString() } ?: "",
                    level = if (h?.level == HazardLevel.MAJOR) HazardLevel.GENERAL else HazardLevel.MAJOR,
                ),
            )
        }
    }

    fun edit(f: (ActionForm) -> ActionForm) = update { s -> s.copy(form = s.form?.let(f)) }
    fun cancelForm() = update { it.copy(form = null, error = null) }

    /** Submits the open form. */
    suspend fun submitForm() {
        val form = state.value.form ?: return
        val afterIds = (state.value.data as? Load.Ready)?.value?.photos?.get(EvidenceStage.AFTER).orEmpty().map { it.id }
        val command = when (form.kind) {
            HazardStep.RECLASSIFY -> HazardCommand.Reclassify(form.level, form.text)
            HazardStep.UPDATE_PLAN -> {
                val fen = form.fundingYuan.trim().takeIf { it.isNotEmpty() }?.let { y ->
                    y.toBigDecimalOrNull()?.movePointRight(2)?.toLong() ?: run {
                        update { it.copy(error = "整改资金请填写金额（元）") }
                        return
                    }
                }
                HazardCommand.UpdatePlan(form.plan.copy(fundingFen = fen))
            }
            HazardStep.SET_HARDWARE_PLAN -> HazardCommand.SetHardwarePlan(form.text)
            HazardStep.SET_TEMPORARY_MEASURES -> HazardCommand.SetTemporaryMeasures(form.text)
            HazardStep.ASSIGN -> HazardCommand.Assign(form.unitId.orEmpty(), form.date)
            HazardStep.CLOSE_ON_SPOT -> HazardCommand.CloseOnSpot(form.text, afterIds)
            HazardStep.START_RECTIFICATION -> HazardCommand.StartRectification
            HazardStep.SUBMIT_RECTIFICATION -> HazardCommand.SubmitRectification(form.text, afterIds)
            HazardStep.VERIFY -> HazardCommand.Verify(form.text.ifBlank { null })
            HazardStep.REJECT -> HazardCommand.Reject(form.text)
            HazardStep.ATTACH_EVIDENCE -> return
        }
        run(command, form.kind)
    }

    private suspend fun run(command: HazardCommand, kind: HazardStep) {
        update { it.copy(busy = true, error = null) }
        val r = session.call { actOnHazard(hazardId, command) }
        r.fold(
            {
                update { it.copy(busy = false, form = null, done = "已${actionLabel(kind)}，同步后报送") }
                session.changed()
                load()
            },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
    }

    /** A during or after photo of the rectification. */
    suspend fun addPhoto(stage: EvidenceStage) {
        val purpose = when (stage) {
            EvidenceStage.DURING -> "整改中照片"
            EvidenceStage.AFTER -> "整改后照片"
            else -> "整改前照片"
        }
        val path = session.platform.photos.takePhoto(purpose) ?: return
        update { it.copy(busy = true, error = null) }
        val r = session.call { attachPhoto(path, EvidenceTarget.Hazard(hazardId), stage) }
        update { it.copy(busy = false, error = r.exceptionOrNull()?.let(::errorText)) }
        if (r.isSuccess) {
            session.changed()
            load()
        }
    }

    /** Downloads someone else's photo (thumbnail) from the server, hash-checked. */
    suspend fun fetch(evidenceId: String) {
        val r = session.call { fetchEvidence(evidenceId, EvidenceFile.THUMBNAIL) }
        r.fold(
            { p -> update { it.copy(fetched = it.fetched + (evidenceId to p), fetchErrors = it.fetchErrors - evidenceId) } },
            { e -> update { it.copy(fetchErrors = it.fetchErrors + (evidenceId to errorText(e))) } },
        )
    }

    /** The user has read the server's refusal. */
    suspend fun dismiss(opId: String) {
        session.call { dismissAttention(opId) }
        load()
    }
}
