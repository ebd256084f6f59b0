package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.FeedbackRecord
import cn.anjian.domain.FeedbackKind

data class FeedbackDraft(
    val kind: FeedbackKind = FeedbackKind.SUGGESTION,
    val content: String = "",
    val contact: String = "",
)

data class FeedbackState(
    val data: Load<List<FeedbackRecord>> = Load.Loading,
    val draft: FeedbackDraft = FeedbackDraft(),
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

/**
 * 投诉建议 (国办函〔2026〕12号): a complaint or suggestion about the app or the work, kept on the
 * phone and sent with the next sync (offline too); my earlier ones with 县安委办's replies.
 */
class FeedbackPresenter(private val session: Session) : Presenter<FeedbackState>(FeedbackState()) {
    override suspend fun load() {
        val r = session.call { myFeedback() }
        update { it.copy(data = r.fold({ l -> Load.Ready(l) }, { e -> Load.Failed(errorText(e)) })) }
    }

    fun edit(f: (FeedbackDraft) -> FeedbackDraft) = update { it.copy(draft = f(it.draft), error = null, done = null) }

    suspend fun send(): Boolean {
        val d = state.value.draft
        update { it.copy(busy = true, error = null, done = null) }
        val r = session.call { sendFeedback(d.kind, d.content.trim(), d.contact.trim().ifEmpty { null }) }
        r.fold(
            { f -> update { it.copy(busy = false, draft = FeedbackDraft(), done = "${f.kindLabel}已保存，将在下次同步时发送给县安委办") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }
}
