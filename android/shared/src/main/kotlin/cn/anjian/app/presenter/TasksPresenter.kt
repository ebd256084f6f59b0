package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.DocumentType
import cn.anjian.core.EvidenceItem
import cn.anjian.core.TaskRecord
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.EvidenceTarget

object Tasks {
    /** Still my unit's to do: not yet sent, or returned by 县安委办. */
    fun open(t: TaskRecord) = t.statusLabel != "已提交" && t.statusLabel != "已办结"
}

data class TasksData(
    val unitId: String,
    val tasks: List<TaskRecord>,
    /** Files attached to each task by my unit (proof), by task id. */
    val proof: Map<String, List<EvidenceItem>>,
)

data class TasksState(
    val data: Load<TasksData> = Load.Loading,
    /** The task whose 办理情况 is being written, and the text. */
    val answering: String? = null,
    val text: String = "",
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

/**
 * 工作任务交办: the tasks 县安委办 assigned to my unit, soonest deadline first, and my unit's
 * proof of one — 办理情况 with photos or documents where they prove the work — sent once.
 */
class TasksPresenter(private val session: Session) : Presenter<TasksState>(TasksState()) {
    override suspend fun load() {
        val r = session.call {
            val me = profile() ?: throw IllegalStateException("请先登录")
            val tasks = myUnitTasks()
            TasksData(me.unitId, tasks, tasks.associate { it.id to evidenceFor(EvidenceTarget.WorkTask(it.id, me.unitId)) })
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    fun answer(taskId: String) = update { it.copy(answering = taskId, text = "", error = null, done = null) }
    fun text(t: String) = update { it.copy(text = t) }
    fun cancel() = update { it.copy(answering = null, error = null) }

    private fun unit() = (state.value.data as? Load.Ready)?.value?.unitId

    /** A photo proving the work (a notice posted, a drill held) — never of attendance. */
    suspend fun addPhoto(taskId: String) {
        val unit = unit() ?: return
        val path = session.platform.photos.takePhoto("任务办理佐证照片") ?: return
        attach { attachPhoto(path, EvidenceTarget.WorkTask(taskId, unit), EvidenceStage.NONE) }
    }

    /** A document (the unit's file, a report) as PDF or picture. */
    suspend fun addDocument(taskId: String) {
        val unit = unit() ?: return
        val path = session.platform.documents.pickDocument("任务办理文件") ?: return
        attach { attachDocument(path, EvidenceTarget.WorkTask(taskId, unit), DocumentType.OTHER, null, null) }
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

    /** Sends 办理情况 with every file attached to the task; refused with the reason when already sent. */
    suspend fun submit(): Boolean {
        val s = state.value
        val taskId = s.answering ?: return false
        val d = (s.data as? Load.Ready)?.value ?: return false
        if (s.text.isBlank()) {
            update { it.copy(error = "请填写办理情况") }
            return false
        }
        update { it.copy(busy = true, error = null) }
        val evidence = d.proof[taskId].orEmpty().map { it.id }
        val r = session.call { submitTaskProof(taskId, s.text.trim(), evidence) }
        r.fold(
            { t -> update { it.copy(busy = false, answering = null, text = "", done = "“${t.title}”已报送县安委办（${t.statusLabel}）") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }
}
