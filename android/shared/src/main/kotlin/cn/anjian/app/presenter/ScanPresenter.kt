package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.AnjianStore
import cn.anjian.core.CertificateRecord
import cn.anjian.core.SiteRecord
import cn.anjian.core.UnitRecord
import cn.anjian.domain.InspectionKind

/** What a scanned code opened: the site, what to heed before going in, and how I may inspect. */
data class ScanFound(
    val site: SiteRecord,
    /** The annual cap reached, another department's recent visit … (the core's words). */
    val warnings: List<String>,
    val kinds: List<InspectionKind>,
    /** Other enforcement bodies with powers here, for a joint inspection (联合检查). */
    val bodies: List<UnitRecord>,
    /** My enforcement certificates that need attention (expiring or expired). */
    val certificates: List<CertificateRecord>,
)

/** How a visit is to be made, chosen before it starts (扫码入企, or from a 投诉举报). */
data class VisitChoice(
    val kind: InspectionKind? = null,
    /** Other enforcement bodies taking part (联合检查). */
    val joint: Set<String> = emptySet(),
    /** 检查人员 besides me, as names. */
    val participants: String = "",
    /** The warnings were read and the visit is still wanted. */
    val acknowledged: Boolean = false,
) {
    fun toggle(unitId: String) = copy(joint = if (unitId in joint) joint - unitId else joint + unitId)

    /** Why the visit cannot start yet (no kind chosen, warnings not acknowledged), or null. */
    fun refusal(found: ScanFound): String? = when {
        kind == null -> "请选择检查方式"
        found.warnings.isNotEmpty() && !acknowledged -> "请先阅读上面的提醒，确认仍需检查后勾选“已知悉”"
        else -> null
    }

    /** 检查人员 typed as one line, separated by 顿号, commas or spaces. */
    fun team() = participants.split('、', ',', '，', ' ').map { it.trim() }.filter { it.isNotEmpty() }

    companion object {
        /** The kind preselected for a site: the only one, else [preferred] when offered. */
        fun kindFor(found: ScanFound?, preferred: InspectionKind? = null) =
            found?.kinds?.let { k -> k.singleOrNull() ?: k.firstOrNull { it == preferred } }
    }
}

data class ScanState(
    /** The code's text, as scanned or pasted. */
    val code: String = "",
    /** Null until a code was looked up. */
    val found: Load<ScanFound>? = null,
    val visit: VisitChoice = VisitChoice(),
    val busy: Boolean = false,
    val error: String? = null,
)

/** What the screen shows before a visit of [site]: its warnings, how I may inspect, joint bodies. */
fun AnjianStore.visitFacts(site: SiteRecord) = ScanFound(
    site = site,
    warnings = visitWarnings(site.id),
    kinds = inspectionKindsFor(site.id),
    bodies = jointBodies(site.id),
    certificates = myCertificates().filter { it.needsAttention },
)

/**
 * 扫码入企: the site's code (the sticker at the gate) is scanned or pasted, verified offline by
 * the core, the visit's warnings shown (annual cap, another department's recent visit) and
 * confirmed, and the inspection started — with other enforcement bodies for a joint one.
 */
class ScanPresenter(private val session: Session) : Presenter<ScanState>(ScanState()) {
    override suspend fun load() {}

    fun code(text: String) = update { it.copy(code = text, error = null) }
    fun kind(k: InspectionKind) = update { it.copy(visit = it.visit.copy(kind = k), error = null) }
    fun participants(text: String) = update { it.copy(visit = it.visit.copy(participants = text)) }
    fun acknowledge(on: Boolean) = update { it.copy(visit = it.visit.copy(acknowledged = on), error = null) }
    fun toggleJoint(unitId: String) = update { it.copy(visit = it.visit.toggle(unitId), error = null) }

    /** Reads a code with the platform's scanner (camera, or a picture on the desktop). */
    suspend fun scan() {
        val text = runCatching { session.platform.scanner.scan() }.getOrNull()
        if (text.isNullOrBlank()) {
            update { it.copy(error = "没有读到场所码：请对准门口的场所码重拍，或直接粘贴码上的文字") }
            return
        }
        code(text)
        lookup()
    }

    /** Verifies the code and reads what the screen shows before the visit. */
    suspend fun lookup() {
        val code = state.value.code.trim()
        if (code.isEmpty()) {
            update { it.copy(error = "请扫描或粘贴场所码") }
            return
        }
        update { it.copy(found = Load.Loading, busy = true, error = null, visit = VisitChoice()) }
        val r = session.call { visitFacts(siteFromCode(code)) }
        update { s ->
            s.copy(
                busy = false,
                found = r.fold({ Load.Ready(it) }, { Load.Failed(errorText(it)) }),
                visit = VisitChoice(kind = VisitChoice.kindFor(r.getOrNull())),
            )
        }
    }

    /** Starts the inspection; returns its id for the checklist screen, or null with the reason shown. */
    suspend fun start(): String? {
        val s = state.value
        val found = (s.found as? Load.Ready)?.value ?: return null
        val v = s.visit
        v.refusal(found)?.let { why ->
            update { it.copy(error = why) }
            return null
        }
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            if (v.joint.isEmpty()) startInspectionFromCode(s.code.trim(), v.kind!!, v.team())
            else startJointInspection(v.kind!!, found.site.id, v.team(), v.joint.toList())
        }
        update { it.copy(busy = false, error = r.exceptionOrNull()?.let(::errorText)) }
        return r.getOrNull()?.let { session.changed(); it.id }
    }
}
