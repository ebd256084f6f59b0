package cn.anjian.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.SyncRun
import cn.anjian.app.presenter.DutySection
import cn.anjian.app.presenter.HomeData
import cn.anjian.core.DutyStatusRecord
import cn.anjian.core.HazardRecord
import cn.anjian.domain.QuotaState

@Composable
fun HomeScreen(
    state: Load<HomeData>,
    sync: SyncRun,
    onHazard: (String) -> Unit,
    onInspection: (String) -> Unit,
    onCapture: () -> Unit,
    onSites: () -> Unit,
    onSync: () -> Unit,
    onScan: () -> Unit = {},
    onTasks: () -> Unit = {},
    onReminders: () -> Unit = {},
    onComplaints: () -> Unit = {},
) {
    when (state) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(state.message, title = "无法读取本机数据")
        is Load.Ready -> {
            val d = state.value
            LazyColumn(
                Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("home"),
                verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
            ) {
                item { Text("${d.profile.name}，你好", style = MaterialTheme.typography.headlineSmall, modifier = Modifier.padding(top = 8.dp)) }
                item {
                    val text = if (d.unreadReminders > 0) "提醒：${d.unreadReminders} 条未读" + (d.latestReminder?.let { "（$it）" } ?: "") else "提醒：没有未读"
                    BigButton(text, onReminders, Modifier.fillMaxWidth().testTag("home.reminders"), primary = d.unreadReminders > 0)
                }
                item { SyncCard(d, sync, onSync) }
                if (d.certificateWarnings.isNotEmpty()) item { CertificateWarnings(d.certificateWarnings) }
                if (d.canInspect) item {
                    BigButton("扫码入企（扫描场所码开始检查）", onScan, Modifier.fillMaxWidth().testTag("home.scan"))
                }
                if (d.complaints > 0) item {
                    val text = if (d.openComplaints > 0) "投诉举报：县安委办交办 ${d.openComplaints} 件待检查" else "投诉举报：交办本单位的均已开始检查"
                    BigButton(text, onComplaints, Modifier.fillMaxWidth().testTag("home.complaints"), primary = d.openComplaints > 0)
                }
                if (d.openTasks > 0) item {
                    BigButton("工作任务：本单位 ${d.openTasks} 项待办", onTasks, Modifier.fillMaxWidth().testTag("home.tasks"), primary = false)
                }
                if (d.canPatrol) item {
                    BigButton("暗访取证（拍照记录问题）", onCapture, Modifier.fillMaxWidth().testTag("home.capture"))
                }
                if (d.resultsToTell.isNotEmpty()) item {
                    Section("检查结果待告知（${d.resultsToTell.size}）") {
                        Text("行政检查结束后须制作行政检查结果告知书，交被检查单位。", style = MaterialTheme.typography.bodyMedium)
                        d.resultsToTell.forEach { i ->
                            Row(
                                Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { onInspection(i.id) }.testTag("home.untold.${i.id}"),
                                verticalAlignment = Alignment.CenterVertically,
                                horizontalArrangement = Arrangement.spacedBy(8.dp),
                            ) {
                                Tag("待告知", Tone.WARNING)
                                Text("${d.siteNames[i.siteId] ?: i.siteId} · 制作告知书", style = MaterialTheme.typography.bodyLarge)
                            }
                        }
                    }
                }
                if (d.openInspections.isNotEmpty()) item {
                    Section("未完成的检查") {
                        d.openInspections.forEach { i ->
                            Row(
                                Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { onInspection(i.id) },
                                verticalAlignment = Alignment.CenterVertically,
                                horizontalArrangement = Arrangement.spacedBy(8.dp),
                            ) {
                                Tag(i.kindLabel, Tone.INFO)
                                Text("${d.siteNames[i.siteId] ?: i.siteId}  已答 ${i.answeredItems}/${i.totalItems} 项 · 继续", style = MaterialTheme.typography.bodyLarge)
                            }
                        }
                    }
                } else if (d.canInspect) item {
                    BigButton("开始检查：选择场所", onSites, Modifier.fillMaxWidth(), primary = false)
                }
                item { DutyCard(d.duty) }
                item {
                    Section("本单位隐患：逾期和 7 天内到期（共 ${d.openHazardCount} 条未销号）") {
                        if (d.dueHazards.isEmpty()) Text("没有逾期或即将到期的隐患。", style = MaterialTheme.typography.bodyMedium)
                        d.dueHazards.forEach { h -> HazardRow(h, d.siteNames[h.siteId], onHazard) }
                    }
                }
                d.patrolPlans?.let { plans ->
                    item {
                        Section("我的暗访计划") {
                            if (plans.isEmpty()) Text("暂无暗访计划（同步后显示）。", style = MaterialTheme.typography.bodyMedium)
                            plans.forEach { p ->
                                Text("${p.title}（${p.windowStart} 至 ${p.windowEnd}）已访 ${p.visited}/${p.targets.size}", style = MaterialTheme.typography.bodyLarge)
                                p.targets.forEach { t ->
                                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
                                        Tag(if (t.visited) "已访" else "未访", if (t.visited) Tone.OK else Tone.WARNING)
                                        Text(t.siteName ?: t.siteId, style = MaterialTheme.typography.bodyMedium)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun SyncCard(d: HomeData, sync: SyncRun, onSync: () -> Unit) {
    val s = d.sync
    Section("同步") {
        val line = buildString {
            append("待上传 ${s.pendingChanges} 条记录、${s.pendingFiles} 个文件")
            if (s.needsAttention > 0uL) append("；需处理 ${s.needsAttention} 条")
        }
        Text(line, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("home.sync"))
        when (sync) {
            is SyncRun.Running -> Tag("正在同步", Tone.INFO)
            else -> s.lastSync?.let { Text("上次同步：${timeShown(it)}", style = MaterialTheme.typography.bodySmall) }
        }
        s.lastError?.let { Notice(it, Tone.WARNING, "上次同步未完成") }
        if (!s.signedIn) Notice("登录已失效或已退出，记录保存在本机，重新登录后同步。", Tone.WARNING)
        BigButton("查看同步", onSync, primary = false)
    }
}

@Composable
fun DutyCard(duty: DutySection) {
    Section("本月履职") {
        duty.message?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        if (duty.message == null && duty.items.isEmpty()) Text("本角色没有月度履职要求。", style = MaterialTheme.typography.bodyMedium)
        duty.items.forEach { DutyRow(it) }
    }
}

@Composable
fun DutyRow(d: DutyStatusRecord) {
    val tone = when (d.state) { QuotaState.MET -> Tone.OK; QuotaState.MISSED -> Tone.DANGER; QuotaState.IN_PROGRESS -> Tone.WARNING }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
        Tag(d.stateLabel, tone)
        Column {
            Text(d.label, style = MaterialTheme.typography.bodyLarge)
            Text("${d.requirement}：已完成 ${d.done}/${d.required}（${d.periodStart} 至 ${d.periodEnd}）", style = MaterialTheme.typography.bodySmall)
        }
    }
}

@Composable
fun HazardRow(h: HazardRecord, siteName: String?, onClick: (String) -> Unit) {
    Column(
        Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { onClick(h.id) }.padding(vertical = 6.dp).testTag("hazard.${h.number}"),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
            Tag(h.levelLabel, levelTone(h.level))
            Tag(h.statusLabel, statusTone(h))
            if (h.overdue) Tag("已逾期", Tone.DANGER)
        }
        Text(h.description, style = MaterialTheme.typography.bodyLarge, maxLines = 2)
        Text("${h.number} · ${siteName ?: "无场所"} · ${deadlineText(h)}", style = MaterialTheme.typography.bodySmall)
    }
}
