package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.DocumentType
import cn.anjian.core.EvidenceItem
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget
import cn.anjian.core.InvestmentInput
import cn.anjian.core.InvestmentRecord
import cn.anjian.core.MeetingInput
import cn.anjian.domain.MeetingKind
import cn.anjian.core.MeetingRecord
import java.time.LocalDate

data class RecordsData(
    val meetings: List<MeetingRecord>,
    val investments: List<InvestmentRecord>,
    /** Proof of each investment (photos before / during / after, contracts, invoices). */
    val proof: Map<String, List<EvidenceItem>>,
)

data class MeetingDraft(val kind: MeetingKind = MeetingKind.SPECIAL_MEETING, val title: String = "", val attendees: String = "", val minutes: String = "")
data class InvestmentDraft(val description: String = "", val yuan: String = "", val date: String = LocalDate.now().toString())

data class RecordsState(
    val data: Load<RecordsData> = Load.Loading,
    val meeting: MeetingDraft? = null,
    val investment: InvestmentDraft? = null,
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

fun meetingKindLabel(k: MeetingKind) = when (k) {
    MeetingKind.SAFETY_COMMITTEE -> "安委会会议"
    MeetingKind.REGULAR_MEETING -> "安全生产例会"
    MeetingKind.SPECIAL_MEETING -> "安全生产专题会议"
    MeetingKind.SITUATION_ANALYSIS -> "安全形势分析"
    MeetingKind.TRAINING -> "培训"
}

/**
 * 会议 and 设施投入佐证: the field records of a unit's heads. Meetings count for their duty
 * (履职纪实); investments carry their proof (photos before / during / after, contracts,
 * invoices) for the month-end report to 县安委办.
 */
class RecordsPresenter(private val session: Session) : Presenter<RecordsState>(RecordsState()) {
    override suspend fun load() {
        val r = session.call {
            val inv = myUnitInvestments()
            RecordsData(
                meetings = myUnitMeetings(),
                investments = inv,
                proof = inv.associate { it.id to evidenceFor(EvidenceTarget.HardwareInvestment(it.id)) },
            )
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    fun newMeeting() = update { it.copy(meeting = MeetingDraft(), investment = null, error = null, done = null) }
    fun newInvestment() = update { it.copy(investment = InvestmentDraft(), meeting = null, error = null, done = null) }
    fun editMeeting(f: (MeetingDraft) -> MeetingDraft) = update { s -> s.copy(meeting = s.meeting?.let(f)) }
    fun editInvestment(f: (InvestmentDraft) -> InvestmentDraft) = update { s -> s.copy(investment = s.investment?.let(f)) }
    fun cancel() = update { it.copy(meeting = null, investment = null, error = null) }

    suspend fun saveMeeting(): Boolean {
        val d = state.value.meeting ?: return false
        val attendees = d.attendees.split('、', ',', '，', ' ').map { it.trim() }.filter { it.isNotEmpty() }
        return finish("会议已记录") {
            recordMeeting(MeetingInput(d.kind, d.title, null, attendees, d.minutes.ifBlank { null }, null))
        }
    }

    suspend fun saveInvestment(): Boolean {
        val d = state.value.investment ?: return false
        val fen = d.yuan.trim().toBigDecimalOrNull()?.movePointRight(2)?.toLong() ?: run {
            update { it.copy(error = "投入金额请填写数字（元）") }
            return false
        }
        return finish("投入已记录，请补充照片、合同和发票") {
            recordHardwareInvestment(InvestmentInput(d.description, fen, d.date, null, null))
        }
    }

    private suspend fun finish(done: String, write: cn.anjian.core.AnjianStore.() -> Any): Boolean {
        update { it.copy(busy = true, error = null) }
        val r = session.call { write() }
        r.fold(
            { update { it.copy(busy = false, meeting = null, investment = null, done = done) } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }

    /** A photo proving the investment (整改前 / 中 / 后). */
    suspend fun addPhoto(investmentId: String, stage: EvidenceStage) {
        val path = session.platform.photos.takePhoto("设施投入照片") ?: return
        attach { attachPhoto(path, EvidenceTarget.HardwareInvestment(investmentId), stage) }
    }

    /** A contract or invoice (PDF or image) with its amount. */
    suspend fun addDocument(investmentId: String, type: DocumentType) {
        val purpose = if (type == DocumentType.INVOICE) "支出发票" else "合同"
        val path = session.platform.documents.pickDocument(purpose) ?: return
        attach { attachDocument(path, EvidenceTarget.HardwareInvestment(investmentId), type, null, null) }
    }

    private suspend fun attach(write: cn.anjian.core.AnjianStore.() -> Any) {
        update { it.copy(busy = true, error = null) }
        val r = session.call { write() }
        update { it.copy(busy = false, error = r.exceptionOrNull()?.let(::errorText)) }
        if (r.isSuccess) {
            session.changed()
            load()
        }
    }
}
