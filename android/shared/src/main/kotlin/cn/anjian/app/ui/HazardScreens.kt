package cn.anjian.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.items
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
import cn.anjian.app.presenter.ActionForm
import cn.anjian.app.presenter.HazardData
import cn.anjian.app.presenter.HazardState
import cn.anjian.app.presenter.LedgerFilter
import cn.anjian.app.presenter.LedgerState
import cn.anjian.app.presenter.actionLabel
import cn.anjian.app.presenter.localPhoto
import cn.anjian.domain.EvidenceStage
import cn.anjian.core.HazardStep
import cn.anjian.domain.HazardLevel

@Composable
fun LedgerScreen(state: LedgerState, onFilter: (LedgerFilter) -> Unit, onHazard: (String) -> Unit) {
    Column(Modifier.fillMaxWidth().padding(horizontal = 12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        LazyRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            items(LedgerFilter.entries) { f ->
                FilterChip(state.filter == f, { onFilter(f) }, { Text(f.label) }, Modifier.heightIn(min = LocalSizes.current.touch).testTag("ledger.filter.${f.name}"))
            }
        }
        when (val d = state.data) {
            Load.Loading -> Loading()
            is Load.Failed -> Notice(d.message, title = "无法读取隐患台账")
            is Load.Ready -> {
                Text("共 ${d.value.rows.size} 条（${state.filter.label}），逾期在前", style = MaterialTheme.typography.bodySmall, modifier = Modifier.testTag("ledger.count"))
                if (d.value.rows.isEmpty()) Empty("没有${state.filter.label}的隐患。")
                else LazyColumn(Modifier.testTag("ledger.list")) {
                    items(d.value.rows, key = { it.id }) { h ->
                        HazardRow(h, h.siteId?.let { d.value.siteNames[it] }, onHazard)
                        HorizontalDivider()
                    }
                }
            }
        }
    }
}

class HazardActions(
    val begin: (HazardStep) -> Unit,
    val edit: ((ActionForm) -> ActionForm) -> Unit,
    val submit: () -> Unit,
    val cancel: () -> Unit,
    val photo: (EvidenceStage) -> Unit,
    val fetch: (String) -> Unit,
    val dismiss: (String) -> Unit,
)

@OptIn(ExperimentalLayoutApi::class)
@Composable
fun HazardScreen(state: HazardState, a: HazardActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取隐患")
        is Load.Ready -> {
            val d = l.value
            val h = d.hazard
            LazyColumn(
                Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("hazard"),
                verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
            ) {
                item {
                    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Tag(h.levelLabel, levelTone(h.level))
                            Tag(h.statusLabel, statusTone(h))
                            if (h.overdue) Tag("已逾期", Tone.DANGER)
                        }
                        Text(h.description, style = MaterialTheme.typography.titleLarge)
                        Text("${h.number} · ${d.siteName ?: "无场所"} · ${deadlineText(h)}", style = MaterialTheme.typography.bodyMedium)
                        Text("责任单位：${d.unitNames[h.rectifyingUnitId] ?: h.rectifyingUnitId} · 登记：${h.raisedByName} ${h.raisedAt.shown()}", style = MaterialTheme.typography.bodySmall)
                        h.levelReason?.let { Text("定级理由：$it", style = MaterialTheme.typography.bodySmall) }
                    }
                }
                d.refusals.forEach { r ->
                    item {
                        Notice(r.reason, Tone.DANGER, "服务器未接受（需处理）", Modifier.testTag("hazard.refusal"))
                        BigButton("我已知晓", { a.dismiss(r.opId) }, primary = false)
                    }
                }
                state.error?.let { item { Notice(it, title = "未能办理", modifier = Modifier.testTag("hazard.error")) } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                if (h.level == HazardLevel.MAJOR) item { PlanSection(d) }
                if (h.needsHardware) item {
                    Section("改设施") {
                        Text("一患一策：${h.hardwarePlan ?: "未填写"}", style = MaterialTheme.typography.bodyMedium)
                        Text("临时防控措施：${h.temporaryMeasures ?: "未填写"}", style = MaterialTheme.typography.bodyMedium)
                    }
                }
                item {
                    Section("整改前、中、后照片") {
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            for (stage in listOf(EvidenceStage.BEFORE, EvidenceStage.DURING, EvidenceStage.AFTER)) {
                                Column(Modifier.weight(1f)) {
                                    Text(when (stage) { EvidenceStage.BEFORE -> "整改前"; EvidenceStage.DURING -> "整改中"; else -> "整改后" }, style = MaterialTheme.typography.labelLarge)
                                    val list = d.photos[stage].orEmpty()
                                    if (list.isEmpty()) Text("无", style = MaterialTheme.typography.bodySmall)
                                    list.forEach { e ->
                                        val path = localPhoto(e, state.fetched)
                                        PhotoThumb(e, path, if (path == null) ({ a.fetch(e.id) }) else null, state.fetchErrors[e.id])
                                    }
                                }
                            }
                        }
                        h.rectificationNote?.let { Text("整改情况：$it", style = MaterialTheme.typography.bodyMedium) }
                        if (HazardStep.ATTACH_EVIDENCE in d.actions && (HazardStep.SUBMIT_RECTIFICATION in d.actions || HazardStep.CLOSE_ON_SPOT in d.actions)) {
                            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                BigButton("拍整改中照片", { a.photo(EvidenceStage.DURING) }, primary = false)
                                BigButton("拍整改后照片", { a.photo(EvidenceStage.AFTER) }, Modifier.testTag("hazard.photo.after"), primary = false)
                            }
                        }
                    }
                }
                item {
                    Section("可办理") {
                        val buttons = d.actions - HazardStep.ATTACH_EVIDENCE
                        if (buttons.isEmpty()) Text("当前状态下本账号没有可办理的事项。", style = MaterialTheme.typography.bodyMedium)
                        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                            buttons.forEach { k ->
                                BigButton(actionLabel(k), { a.begin(k) }, Modifier.testTag("hazard.action.${k.name}"), enabled = !state.busy, primary = state.form?.kind == k)
                            }
                        }
                        state.form?.let { ActionFormView(it, d, a) }
                    }
                }
                item {
                    Section("办理经过") {
                        d.history.forEach { e ->
                            Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
                                Tag(e.label, Tone.INFO)
                                Text("${e.actorName} ${e.at.shown()} → ${statusName(e.toStatus)}", style = MaterialTheme.typography.bodyMedium)
                            }
                        }
                    }
                }
            }
        }
    }
}

private fun statusName(s: cn.anjian.domain.HazardStatus) = when (s) {
    cn.anjian.domain.HazardStatus.REGISTERED -> "已登记"
    cn.anjian.domain.HazardStatus.ASSIGNED -> "已交办"
    cn.anjian.domain.HazardStatus.RECTIFYING -> "整改中"
    cn.anjian.domain.HazardStatus.SUBMITTED -> "待验收"
    cn.anjian.domain.HazardStatus.CLOSED -> "已销号"
}

@Composable
private fun PlanSection(d: HazardData) {
    val p = d.hazard.plan
    Section("五落实") {
        Text("整改目标：${p.target ?: "未填"}", style = MaterialTheme.typography.bodyMedium)
        Text("整改措施：${p.measures ?: "未填"}", style = MaterialTheme.typography.bodyMedium)
        Text("整改时限：${p.deadline ?: "未填"}", style = MaterialTheme.typography.bodyMedium)
        Text("整改责任：${p.responsible ?: "未填"}", style = MaterialTheme.typography.bodyMedium)
        Text("整改资金：${p.fundingFen?.let { "${it / 100} 元（${p.fundingSource}）" } ?: "未填"}", style = MaterialTheme.typography.bodyMedium)
        if (d.hazard.planMissing.isNotEmpty()) Notice("尚缺：${d.hazard.planMissing.joinToString("、")}", Tone.WARNING)
        else Tag("五落实已齐全", Tone.OK)
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun ActionFormView(f: ActionForm, d: HazardData, a: HazardActions) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp), modifier = Modifier.testTag("hazard.form")) {
        Text(actionLabel(f.kind), style = MaterialTheme.typography.titleMedium)
        when (f.kind) {
            HazardStep.ASSIGN -> {
                Text("交办单位", style = MaterialTheme.typography.labelLarge)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    d.units.forEach { u -> FilterChip(f.unitId == u.id, { a.edit { it.copy(unitId = u.id) } }, { Text(u.name) }, Modifier.heightIn(min = LocalSizes.current.touch)) }
                }
                FormField("整改时限（年-月-日）", f.date, "form.date") { v -> a.edit { it.copy(date = v) } }
            }
            HazardStep.UPDATE_PLAN -> {
                FormField("整改目标", f.plan.target.orEmpty(), "form.target") { v -> a.edit { it.copy(plan = it.plan.copy(target = v)) } }
                FormField("整改措施", f.plan.measures.orEmpty(), "form.measures") { v -> a.edit { it.copy(plan = it.plan.copy(measures = v)) } }
                FormField("整改时限（年-月-日）", f.plan.deadline.orEmpty(), "form.deadline") { v -> a.edit { it.copy(plan = it.plan.copy(deadline = v)) } }
                FormField("整改责任人", f.plan.responsible.orEmpty(), "form.responsible") { v -> a.edit { it.copy(plan = it.plan.copy(responsible = v)) } }
                FormField("整改资金（元）", f.fundingYuan, "form.funding") { v -> a.edit { it.copy(fundingYuan = v) } }
                FormField("资金来源", f.plan.fundingSource.orEmpty(), "form.source") { v -> a.edit { it.copy(plan = it.plan.copy(fundingSource = v)) } }
            }
            HazardStep.RECLASSIFY -> {
                Text("调整为：${if (f.level == HazardLevel.MAJOR) "重大隐患" else "一般隐患"}", style = MaterialTheme.typography.bodyLarge)
                FormField("调整理由（必填）", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            }
            HazardStep.SET_HARDWARE_PLAN -> FormField("一患一策（先标后本）", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            HazardStep.SET_TEMPORARY_MEASURES -> FormField("临时防控措施", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            HazardStep.CLOSE_ON_SPOT, HazardStep.SUBMIT_RECTIFICATION -> {
                val after = d.photos[EvidenceStage.AFTER].orEmpty().size
                Text("整改后照片：$after 张${if (after == 0) "（请先拍整改后照片）" else ""}", style = MaterialTheme.typography.bodyMedium)
                FormField("整改情况（必填）", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            }
            HazardStep.VERIFY -> FormField("验收意见（可不填）", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            HazardStep.REJECT -> FormField("退回理由（必填）", f.text, "form.text") { v -> a.edit { it.copy(text = v) } }
            HazardStep.START_RECTIFICATION, HazardStep.ATTACH_EVIDENCE -> {}
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            BigButton("确定${actionLabel(f.kind)}", a.submit, Modifier.testTag("form.submit"))
            BigButton("取消", a.cancel, primary = false)
        }
    }
}

@Composable
private fun FormField(label: String, value: String, tag: String, set: (String) -> Unit) {
    OutlinedTextField(value, set, label = { Text(label) }, modifier = Modifier.fillMaxWidth().testTag(tag))
}
