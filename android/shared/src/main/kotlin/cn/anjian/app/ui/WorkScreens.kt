package cn.anjian.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.MechanismDraft
import cn.anjian.app.presenter.MechanismState
import cn.anjian.app.presenter.SelfAssessmentState
import cn.anjian.app.presenter.Tasks
import cn.anjian.app.presenter.TasksState
import cn.anjian.core.mechanismKindLabel
import cn.anjian.domain.MechanismKind

class TasksActions(
    val answer: (String) -> Unit,
    val text: (String) -> Unit,
    val photo: (String) -> Unit,
    val document: (String) -> Unit,
    val submit: () -> Unit,
    val cancel: () -> Unit,
)

private fun taskTone(label: String) = when (label) {
    "逾期", "已退回" -> Tone.DANGER
    "待办" -> Tone.WARNING
    "已办结" -> Tone.OK
    else -> Tone.INFO
}

/** 工作任务交办: my unit's tasks, and 办理情况 with its proof. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun TasksScreen(state: TasksState, a: TasksActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取工作任务")
        is Load.Ready -> {
            val d = l.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("tasks"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                state.error?.let { item { Notice(it, title = "未报送") } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                if (d.tasks.isEmpty()) item { Empty("县安委办没有向本单位交办工作任务（同步后更新）。") }
                items(d.tasks, key = { it.id }) { t ->
                    Section(t.title, Modifier.testTag("task.${t.id}")) {
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Tag(t.statusLabel, taskTone(t.statusLabel))
                            Text("办理时限 ${t.deadline}", style = MaterialTheme.typography.bodyMedium)
                            if (t.late) Tag("逾期报送", Tone.DANGER)
                        }
                        Text(t.content, style = MaterialTheme.typography.bodyMedium)
                        t.returnReason?.let { Notice(it, Tone.DANGER, title = "县安委办退回") }
                        t.proofText?.let { Text("办理情况：$it", style = MaterialTheme.typography.bodyMedium) }
                        val proof = d.proof[t.id].orEmpty()
                        if (proof.isNotEmpty()) FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                            Tag("照片 ${proof.count { it.kind == cn.anjian.domain.EvidenceKind.PHOTO }}", Tone.INFO)
                            Tag("文件 ${proof.count { it.kind != cn.anjian.domain.EvidenceKind.PHOTO }}", Tone.INFO)
                        }
                        if (Tasks.open(t)) {
                            if (state.answering == t.id) {
                                OutlinedTextField(state.text, a.text, label = { Text("办理情况（可用语音输入）") }, modifier = Modifier.fillMaxWidth().testTag("task.text"))
                                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                                    BigButton("拍照佐证", { a.photo(t.id) }, Modifier.testTag("task.photo"), primary = false)
                                    BigButton("添加文件", { a.document(t.id) }, primary = false)
                                }
                                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                    BigButton("报送", a.submit, Modifier.testTag("task.submit"), enabled = !state.busy)
                                    BigButton("取消", a.cancel, primary = false)
                                }
                            } else BigButton("填写办理情况", { a.answer(t.id) }, Modifier.fillMaxWidth().testTag("task.answer.${t.id}"))
                        }
                    }
                }
            }
        }
    }
}

class MechanismActions(
    val begin: () -> Unit,
    val edit: ((MechanismDraft) -> MechanismDraft) -> Unit,
    val hazard: (String) -> Unit,
    val save: () -> Unit,
    val cancel: () -> Unit,
    val document: (String) -> Unit,
)

/** 改机制: my unit's records and a new one linked to its findings. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun MechanismScreen(state: MechanismState, a: MechanismActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取改机制记录")
        is Load.Ready -> {
            val d = l.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("mechanism"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                state.error?.let { item { Notice(it, title = "未保存") } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                item {
                    val m = state.draft
                    if (m == null) BigButton("记录改机制", a.begin, Modifier.fillMaxWidth().testTag("mechanism.new"))
                    else Section("改机制记录") {
                        FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                            MechanismKind.entries.forEach { k ->
                                FilterChip(m.kind == k, { a.edit { it.copy(kind = k) } }, { Text(mechanismKindLabel(k)) }, Modifier.heightIn(min = LocalSizes.current.touch).testTag("mechanism.kind.${k.name}"))
                            }
                        }
                        OutlinedTextField(m.title, { v -> a.edit { it.copy(title = v) } }, label = { Text("名称") }, modifier = Modifier.fillMaxWidth().testTag("mechanism.title"))
                        OutlinedTextField(m.content, { v -> a.edit { it.copy(content = v) } }, label = { Text("主要内容（可用语音输入）") }, modifier = Modifier.fillMaxWidth().testTag("mechanism.content"))
                        OutlinedTextField(m.effectiveOn, { v -> a.edit { it.copy(effectiveOn = v) } }, label = { Text("印发日期（年-月-日）") }, singleLine = true, modifier = Modifier.fillMaxWidth())
                        OutlinedTextField(m.documentNumber, { v -> a.edit { it.copy(documentNumber = v) } }, label = { Text("文号（如有）") }, singleLine = true, modifier = Modifier.fillMaxWidth())
                        Text("针对的问题（举一反三须至少选一项）", style = MaterialTheme.typography.labelLarge)
                        if (d.hazards.isEmpty()) Text("本单位没有未销号的隐患。", style = MaterialTheme.typography.bodySmall)
                        d.hazards.take(30).forEach { h ->
                            Row(
                                Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { a.hazard(h.id) },
                                verticalAlignment = Alignment.CenterVertically,
                            ) {
                                Checkbox(h.id in m.hazardIds, null)
                                Text("${h.number} ${h.description}", style = MaterialTheme.typography.bodyMedium)
                            }
                        }
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            BigButton("保存", a.save, Modifier.testTag("mechanism.save"), enabled = !state.busy)
                            BigButton("取消", a.cancel, primary = false)
                        }
                    }
                }
                if (d.records.isEmpty()) item { Empty("本单位还没有改机制记录。") }
                items(d.records, key = { it.id }) { r ->
                    Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Tag(r.kindLabel, Tone.INFO)
                            Text(r.record.effectiveOn, style = MaterialTheme.typography.bodyMedium)
                        }
                        Text(r.record.title + (r.record.documentNumber?.let { "（$it）" } ?: ""), style = MaterialTheme.typography.titleMedium)
                        Text(r.record.content, style = MaterialTheme.typography.bodyMedium)
                        val docs = d.documents[r.id].orEmpty()
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            if (r.record.hazardIds.isNotEmpty()) Tag("针对问题 ${r.record.hazardIds.size} 项")
                            Tag(if (docs.isEmpty()) "缺印发文件" else "文件 ${docs.size}", if (docs.isEmpty()) Tone.WARNING else Tone.OK)
                            BigButton("添加文件", { a.document(r.id) }, primary = false)
                        }
                        HorizontalDivider()
                    }
                }
            }
        }
    }
}

class SelfAssessmentActions(
    val month: (String) -> Unit,
    val score: (String, String) -> Unit,
    val note: (String, String) -> Unit,
    val summary: (String) -> Unit,
    val submit: () -> Unit,
)

/** 月底自评: a score and a note per indicator, the summary, and those sent before. */
@Composable
fun SelfAssessmentScreen(state: SelfAssessmentState, a: SelfAssessmentActions) {
    LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("self"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
        item {
            Section("自评月份") {
                OutlinedTextField(state.month, a.month, label = { Text("月份（年-月）") }, singleLine = true, modifier = Modifier.fillMaxWidth().testTag("self.month"))
                Text("逐项打分（不超过该项分值），扣分项由县安委办核定。合计 ${"%.1f".format(state.total)} / ${"%.0f".format(state.full)} 分", style = MaterialTheme.typography.bodyMedium, modifier = Modifier.testTag("self.total"))
            }
        }
        state.error?.let { item { Notice(it, title = "未报送") } }
        state.done?.let { item { Notice(it, Tone.OK) } }
        items(state.indicators, key = { it.id }) { ind ->
            val d = state.scores[ind.id]
            Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text("${ind.label}（${"%.0f".format(ind.weight)} 分）", style = MaterialTheme.typography.titleMedium)
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
                    OutlinedTextField(d?.score.orEmpty(), { a.score(ind.id, it) }, label = { Text("得分") }, singleLine = true, modifier = Modifier.width(110.dp).testTag("self.score.${ind.id}"))
                    OutlinedTextField(d?.note.orEmpty(), { a.note(ind.id, it) }, label = { Text("完成情况") }, modifier = Modifier.weight(1f).testTag("self.note.${ind.id}"))
                }
            }
        }
        item {
            OutlinedTextField(state.summary, a.summary, label = { Text("自评情况（总体说明）") }, modifier = Modifier.fillMaxWidth().testTag("self.summary"))
        }
        item { BigButton("报送县安委办", a.submit, Modifier.fillMaxWidth().testTag("self.submit"), enabled = !state.busy) }
        when (val s = state.sent) {
            Load.Loading -> {}
            is Load.Failed -> item { Notice(s.message, title = "无法读取已报送的自评") }
            is Load.Ready -> item {
                Section("已报送（${s.value.size}）") {
                    if (s.value.isEmpty()) Text("本单位还没有报送自评。", style = MaterialTheme.typography.bodyMedium)
                    s.value.take(12).forEach { x ->
                        Text("${x.month} 合计 ${"%.1f".format(x.total)} 分 · ${x.submittedAt.shown()}", style = MaterialTheme.typography.bodyMedium)
                    }
                }
            }
        }
    }
}
