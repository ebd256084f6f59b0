package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.DocumentType
import cn.anjian.core.EvidenceItem
import cn.anjian.core.HazardRecord
import cn.anjian.core.MechanismInput
import cn.anjian.core.MechanismItem
import cn.anjian.domain.EvidenceTarget
import cn.anjian.domain.MechanismKind
import java.time.LocalDate

data class MechanismData(
    val records: List<MechanismItem>,
    /** Each record's document (印发文件), by record id. */
    val documents: Map<String, List<EvidenceItem>>,
    /** My unit's hazards, to link the findings a record answers (举一反三 needs one). */
    val hazards: List<HazardRecord>,
)

data class MechanismDraft(
    val kind: MechanismKind = MechanismKind.RULE_REVISION,
    val title: String = "",
    val content: String = "",
    val effectiveOn: String = LocalDate.now().toString(),
    val documentNumber: String = "",
    val hazardIds: Set<String> = emptySet(),
)

data class MechanismState(
    val data: Load<MechanismData> = Load.Loading,
    val draft: MechanismDraft? = null,
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

/**
 * 改机制: my unit's records of the mechanisms it changed (职责清单, 制度, 应急处置方案, 联合执法,
 * 信息共享, 举一反三), each linked to the findings that caused it, with its document.
 */
class MechanismPresenter(private val session: Session) : Presenter<MechanismState>(MechanismState()) {
    override suspend fun load() {
        val r = session.call {
            val records = myUnitMechanismRecords()
            MechanismData(
                records = records,
                documents = records.associate { it.id to evidenceFor(EvidenceTarget.MechanismRecord(it.id)) },
                hazards = myUnitOpenHazards(),
            )
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    fun begin() = update { it.copy(draft = MechanismDraft(), error = null, done = null) }
    fun edit(f: (MechanismDraft) -> MechanismDraft) = update { s -> s.copy(draft = s.draft?.let(f)) }
    fun toggleHazard(id: String) = edit { d -> d.copy(hazardIds = if (id in d.hazardIds) d.hazardIds - id else d.hazardIds + id) }
    fun cancel() = update { it.copy(draft = null, error = null) }

    suspend fun save(): Boolean {
        val d = state.value.draft ?: return false
        update { it.copy(busy = true, error = null) }
        val r = session.call {
            recordMechanismChange(
                MechanismInput(
                    kind = d.kind,
                    title = d.title.trim(),
                    content = d.content.trim(),
                    effectiveOn = d.effectiveOn.trim(),
                    documentNumber = d.documentNumber.trim().ifEmpty { null },
                    hazardIds = d.hazardIds.toList(),
                    inspectionIds = emptyList(),
                ),
            )
        }
        r.fold(
            { m -> update { it.copy(busy = false, draft = null, done = "“${m.record.title}”已记录，请补充印发文件") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }

    /** The record's document (文件 as PDF or picture). */
    suspend fun addDocument(recordId: String) {
        val path = session.platform.documents.pickDocument("改机制文件") ?: return
        update { it.copy(busy = true, error = null) }
        val r = session.call { attachDocument(path, EvidenceTarget.MechanismRecord(recordId), DocumentType.OTHER, null, null) }
        update { it.copy(busy = false, error = r.exceptionOrNull()?.let(::errorText)) }
        if (r.isSuccess) {
            session.changed()
            load()
        }
    }
}
