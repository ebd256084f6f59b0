package cn.anjian.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.SyncRun
import cn.anjian.app.presenter.CaptureState
import cn.anjian.app.presenter.MeState
import cn.anjian.app.presenter.SyncData
import cn.anjian.core.SyncPhase

class CaptureActions(
    val site: (String) -> Unit,
    val photo: () -> Unit,
    val note: (String) -> Unit,
    val major: (Boolean) -> Unit,
    val save: () -> Unit,
    val hazard: (String) -> Unit,
)

/** 暗访取证: the site is chosen already (nearest unvisited target); photo, then save. */
@Composable
fun CaptureScreen(state: CaptureState, a: CaptureActions) {
    LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("capture"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
        item { Text("暗访取证", style = MaterialTheme.typography.headlineSmall) }
        state.saved?.let { h ->
            item {
                Notice("已登记 ${h.number}（${h.levelLabel}），同步后报送。可继续拍下一处问题。", Tone.OK, "已保存", Modifier.testTag("capture.saved"))
                BigButton("查看该隐患", { a.hazard(h.id) }, primary = false)
            }
        }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                BigButton(if (state.photoPath == null) "拍照" else "已拍照 · 重拍", a.photo, Modifier.weight(1f).testTag("capture.photo"))
                BigButton("保存", a.save, Modifier.weight(1f).testTag("capture.save"), enabled = !state.busy && state.photoPath != null && state.siteId != null)
            }
        }
        state.error?.let { item { Notice(it, title = "未保存") } }
        item {
            OutlinedTextField(state.note, a.note, label = { Text("问题描述（可不填，可用语音输入）") }, modifier = Modifier.fillMaxWidth().testTag("capture.note"))
        }
        item {
            Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.heightIn(min = LocalSizes.current.touch).clickable { a.major(!state.major) }) {
                Switch(state.major, a.major)
                Text("  判定为重大隐患", style = MaterialTheme.typography.bodyLarge)
            }
        }
        item { Text("场所（暗访计划对象在前，按距离排列）", style = MaterialTheme.typography.titleMedium) }
        when (val s = state.sites) {
            Load.Loading -> item { Loading() }
            is Load.Failed -> item { Notice(s.message) }
            is Load.Ready -> {
                if (s.value.isEmpty()) item { Empty("本机没有场所，请先同步。") }
                items(s.value.take(30), key = { it.id }) { c ->
                    Row(
                        Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { a.site(c.id) },
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        RadioButton(state.siteId == c.id, { a.site(c.id) })
                        Column {
                            Text(c.name, style = MaterialTheme.typography.bodyLarge)
                            Text(listOfNotNull(c.planTitle?.let { "计划：$it" }, c.distanceM?.let { metres(it) }).joinToString(" · "), style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
            }
        }
    }
}

class SyncActions(val start: () -> Unit, val cancel: () -> Unit, val wifiOnly: (Boolean) -> Unit, val dismiss: (String) -> Unit, val open: (String, String) -> Unit)

fun phaseLabel(p: SyncPhase) = when (p) {
    SyncPhase.PUSH -> "上传记录"
    SyncPhase.UPLOAD -> "上传照片和文件"
    SyncPhase.PULL -> "下载更新"
    SyncPhase.DONE -> "完成"
}

@Composable
fun SyncScreen(state: Load<SyncData>, run: SyncRun, runText: String, a: SyncActions) {
    when (state) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(state.message, title = "无法读取同步状态")
        is Load.Ready -> {
            val d = state.value
            val s = d.status
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("sync"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                item {
                    Section("状态") {
                        Text("待上传记录 ${s.pendingChanges} 条；待上传文件 ${s.pendingFiles} 个（${bytes(s.pendingBytes)}）", style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("sync.pending"))
                        Text("上次同步：${s.lastSync?.let(::timeShown) ?: "从未同步"}", style = MaterialTheme.typography.bodyMedium)
                        s.clockSkewSeconds?.takeIf { kotlin.math.abs(it) > 300 }?.let {
                            Notice("手机时间与服务器相差 ${it / 60} 分钟，请校准时间（照片时间会被标记为异常）。", Tone.WARNING)
                        }
                        if (!s.signedIn) Notice("未登录：记录保存在本机，登录后才能同步。", Tone.WARNING)
                        when (run) {
                            is SyncRun.Running -> {
                                val p = run.progress
                                Text(p?.let { "${phaseLabel(it.phase)}：${it.recordsDone}/${it.recordsTotal}" + (it.currentFile?.let { f -> " · $f" } ?: "") } ?: "正在同步…", style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("sync.progress"))
                                if (p != null && p.bytesTotal > 0uL) LinearProgressIndicator(progress = { p.bytesDone.toFloat() / p.bytesTotal.toFloat() }, modifier = Modifier.fillMaxWidth())
                                else LinearProgressIndicator(Modifier.fillMaxWidth())
                                BigButton("取消同步", a.cancel, Modifier.testTag("sync.cancel"), primary = false)
                            }
                            else -> {
                                if (runText.isNotEmpty()) Notice(runText, if (run is SyncRun.Finished && run.result.outcome is cn.anjian.core.SyncOutcome.Completed) Tone.OK else Tone.WARNING, modifier = Modifier.testTag("sync.result"))
                                else s.lastError?.let { Notice(it, Tone.WARNING, "上次同步未完成") }
                                BigButton("立即同步", a.start, Modifier.fillMaxWidth().testTag("sync.start"))
                            }
                        }
                    }
                }
                item {
                    Section("设置") {
                        Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.heightIn(min = LocalSizes.current.touch).clickable { a.wifiOnly(!d.originalsOnWifiOnly) }) {
                            Switch(d.originalsOnWifiOnly, a.wifiOnly, Modifier.testTag("sync.wifi"))
                            Text("  原图仅在 Wi-Fi 下上传（缩略图和压缩图随时上传）", style = MaterialTheme.typography.bodyMedium)
                        }
                    }
                }
                item {
                    Section("需处理（${d.attention.size}）") {
                        if (d.attention.isEmpty()) Text("没有被服务器退回的记录。", style = MaterialTheme.typography.bodyMedium)
                        d.attention.forEach { r ->
                            Notice(r.reason, Tone.DANGER, "${entityLabel(r.entity)}未被接受（${timeShown(r.at)}）", Modifier.testTag("sync.attention"))
                            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                if (r.entity == "hazard") BigButton("查看隐患", { a.open(r.entity, r.entityId) }, primary = false)
                                BigButton("我已知晓", { a.dismiss(r.opId) }, primary = false)
                            }
                        }
                    }
                }
                item {
                    Section("待上传文件（${d.files.size}）") {
                        if (d.files.isEmpty()) Text("所有照片和文件都已上传。", style = MaterialTheme.typography.bodyMedium)
                        d.files.take(50).forEach { f ->
                            Text("${f.path.substringAfterLast('/')} · ${bytes(f.size)}" + (f.error?.let { " · 上次失败：$it" } ?: ""), style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
            }
        }
    }
}

fun entityLabel(e: String) = when (e) {
    "hazard" -> "隐患"
    "inspection" -> "检查"
    "site" -> "场所"
    "evidence" -> "照片"
    "meeting" -> "会议"
    else -> "记录"
}

class MeActions(val largeText: (Boolean) -> Unit, val askLogout: () -> Unit, val cancelLogout: () -> Unit, val confirmLogout: () -> Unit, val feedback: () -> Unit = {})

@Composable
fun MeScreen(state: MeState, largeText: Boolean, a: MeActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message)
        is Load.Ready -> {
            val d = l.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("me"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                item {
                    Section("账号") {
                        Text(d.profile.name, style = MaterialTheme.typography.titleLarge)
                        Text("${d.unitName ?: d.profile.unitId} · ${d.profile.roles.joinToString("、") { cn.anjian.core.roleLabel(it) }}", style = MaterialTheme.typography.bodyMedium)
                        Text("服务器：${d.server ?: "未设置"}", style = MaterialTheme.typography.bodySmall)
                        Text("设备编号：${d.deviceId}", style = MaterialTheme.typography.bodySmall)
                    }
                }
                item {
                    Section("我的执法证") { CertificateList(d.certificates) }
                }
                item {
                    Section("履职纪实（本期）") {
                        d.duty.message?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                        if (d.duty.message == null && d.duty.items.isEmpty()) Text("本角色没有月度履职要求。", style = MaterialTheme.typography.bodyMedium)
                        d.duty.items.forEach { s ->
                            DutyRow(s)
                            s.records.forEach { r -> Text("　· ${r.date} ${r.title}" + if (r.evidenceCount > 0u) "（佐证 ${r.evidenceCount}）" else "", style = MaterialTheme.typography.bodySmall) }
                        }
                    }
                }
                item {
                    Section("显示") {
                        Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.heightIn(min = LocalSizes.current.touch).clickable { a.largeText(!largeText) }) {
                            Switch(largeText, a.largeText, Modifier.testTag("me.large"))
                            Text("  大字模式（按钮加大到 60dp，同时遵循系统字体大小）", style = MaterialTheme.typography.bodyMedium)
                        }
                    }
                }
                item { BigButton("投诉建议", a.feedback, Modifier.fillMaxWidth().testTag("me.feedback"), primary = false) }
                item { BigButton("退出登录", a.askLogout, Modifier.fillMaxWidth().testTag("me.logout"), primary = false) }
            }
            state.logout?.let { c ->
                AlertDialog(
                    onDismissRequest = a.cancelLogout,
                    title = { Text("退出登录") },
                    text = { Text(c.warning ?: "所有记录都已同步。退出后需联网重新登录。", modifier = Modifier.testTag("me.logout.warning")) },
                    confirmButton = { TextButton(a.confirmLogout, Modifier.heightIn(min = LocalSizes.current.touch).testTag("me.logout.confirm")) { Text("退出（记录保留在本机）") } },
                    dismissButton = { TextButton(a.cancelLogout, Modifier.heightIn(min = LocalSizes.current.touch)) { Text("取消") } },
                )
            }
        }
    }
}
