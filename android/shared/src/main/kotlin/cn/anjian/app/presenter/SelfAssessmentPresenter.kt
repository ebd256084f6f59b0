package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.IndicatorItem
import cn.anjian.core.SelfAssessmentItem
import cn.anjian.core.SelfScoreInput
import java.time.LocalDate
import java.time.YearMonth

data class SelfScoreDraft(val score: String = "", val note: String = "")

data class SelfAssessmentState(
    val indicators: List<IndicatorItem> = emptyList(),
    val sent: Load<List<SelfAssessmentItem>> = Load.Loading,
    /** YYYY-MM */
    val month: String = "",
    val scores: Map<String, SelfScoreDraft> = emptyMap(),
    val summary: String = "",
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
) {
    /** The total of what is filled in so far. */
    val total: Double get() = scores.values.sumOf { it.score.trim().toDoubleOrNull() ?: 0.0 }
    val full: Double get() = indicators.sumOf { it.weight }
}

/**
 * 月底自评: my unit scores itself on each indicator of the county's set (a score within the
 * indicator's points and what it did), with a summary, and sends it to 县安委办 at month end.
 * The month is the one just ended during the first ten days of a month, else this month.
 */
class SelfAssessmentPresenter(
    private val session: Session,
    private val today: () -> LocalDate = { LocalDate.now() },
) : Presenter<SelfAssessmentState>(SelfAssessmentState()) {
    override suspend fun load() {
        val indicators = cn.anjian.core.selfAssessmentIndicators()
        val sent = session.call { myUnitSelfAssessments() }
        val d = today()
        val month = if (state.value.month.isNotEmpty()) state.value.month
        else (if (d.dayOfMonth <= 10) YearMonth.from(d).minusMonths(1) else YearMonth.from(d)).toString()
        update { s ->
            s.copy(
                indicators = indicators,
                sent = sent.fold({ Load.Ready(it) }, { Load.Failed(errorText(it)) }),
                month = month,
                scores = indicators.associate { it.id to (s.scores[it.id] ?: SelfScoreDraft()) },
            )
        }
    }

    fun month(m: String) = update { it.copy(month = m, error = null, done = null) }
    fun summary(t: String) = update { it.copy(summary = t) }
    fun score(id: String, text: String) = update { s -> s.copy(scores = s.scores + (id to (s.scores[id] ?: SelfScoreDraft()).copy(score = text)), error = null) }
    fun note(id: String, text: String) = update { s -> s.copy(scores = s.scores + (id to (s.scores[id] ?: SelfScoreDraft()).copy(note = text))) }

    /** Sends it; refused with the core's reason (an indicator missing or over its points). */
    suspend fun submit(): Boolean {
        val s = state.value
        val unreadable = s.indicators.firstOrNull { ind -> s.scores[ind.id]?.score?.trim()?.let { it.isNotEmpty() && it.toDoubleOrNull() == null } == true }
        if (unreadable != null) {
            update { it.copy(error = "“${unreadable.label}”的得分请填写数字") }
            return false
        }
        val items = s.indicators.mapNotNull { ind ->
            val d = s.scores[ind.id] ?: return@mapNotNull null
            val v = d.score.trim().toDoubleOrNull() ?: return@mapNotNull null
            SelfScoreInput(ind.id, v, d.note.trim().ifEmpty { null })
        }
        update { it.copy(busy = true, error = null) }
        val r = session.call { recordSelfAssessment(s.month.trim(), items, s.summary) }
        r.fold(
            { a -> update { it.copy(busy = false, done = "${a.month} 自评已报送，合计 ${"%.1f".format(a.total)} 分") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }
}
