package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.ComplaintRecord
import cn.anjian.domain.InspectionKind

object Complaints {
    /** Still my unit's to answer: no 行政检查 started from it yet (here or on a colleague's phone). */
    fun open(c: ComplaintRecord) = c.inspectionId == null && !c.answered
}

data class ComplaintsState(
    val data: Load<List<ComplaintRecord>> = Load.Loading,
    /** The complaint whose 行政检查 is being prepared, and what the visit form shows. */
    val starting: ComplaintRecord? = null,
    val found: Load<ScanFound>? = null,
    val visit: VisitChoice = VisitChoice(),
    val busy: Boolean = false,
    val error: String? = null,
)

/**
 * 投诉举报: the complaints 县安委办 handed over (交办) to my unit, newest first, and a 行政检查
 * of the complaint's site started from one (任务来源 投诉举报), with the visit's warnings, a
 * co-officer and other bodies as for any visit; one already started opens its inspection.
 */
class ComplaintsPresenter(private val session: Session) : Presenter<ComplaintsState>(ComplaintsState()) {
    override suspend fun load() {
        val r = session.call { myComplaints(null) }
        update { it.copy(data = r.fold({ l -> Load.Ready(l) }, { e -> Load.Failed(errorText(e)) })) }
    }

    /** Opens the visit form for a complaint: its site's warnings, how I may inspect, joint bodies. */
    suspend fun begin(complaintId: String) {
        val c = (state.value.data as? Load.Ready)?.value?.firstOrNull { it.id == complaintId } ?: return
        update { ComplaintsState(data = it.data, starting = c, found = Load.Loading, busy = true) }
        val r = session.call { visitFacts(site(c.siteId)) }
        update { s ->
            s.copy(
                busy = false,
                found = r.fold({ Load.Ready(it) }, { Load.Failed(errorText(it)) }),
                visit = VisitChoice(kind = VisitChoice.kindFor(r.getOrNull(), InspectionKind.ROUTINE_CHECK)),
            )
        }
    }

    fun kind(k: InspectionKind) = update { it.copy(visit = it.visit.copy(kind = k), error = null) }
    fun participants(text: String) = update { it.copy(visit = it.visit.copy(participants = text)) }
    fun acknowledge(on: Boolean) = update { it.copy(visit = it.visit.copy(acknowledged = on), error = null) }
    fun toggleJoint(unitId: String) = update { it.copy(visit = it.visit.toggle(unitId), error = null) }
    fun cancel() = update { ComplaintsState(data = it.data) }

    /** Starts the 行政检查 from the complaint; returns its id for the checklist, or null with the reason shown. */
    suspend fun start(): String? {
        val s = state.value
        val c = s.starting ?: return null
        val found = (s.found as? Load.Ready)?.value ?: return null
        val v = s.visit
        v.refusal(found)?.let { why ->
            update { it.copy(error = why) }
            return null
        }
        update { it.copy(busy = true, error = null) }
        val r = session.call { startComplaintInspection(c.id, v.kind!!, v.team(), v.joint.toList()) }
        update { it.copy(busy = false, error = r.exceptionOrNull()?.let(::errorText)) }
        val id = r.getOrNull()?.id ?: return null
        session.changed()
        update { ComplaintsState(data = it.data) }
        load()
        return id
    }
}
