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
import cn.anjian.app.presenter.FeedbackDraft
import cn.anjian.app.presenter.FeedbackState
import cn.anjian.app.presenter.Reminders
import cn.anjian.app.presenter.RemindersState
import cn.anjian.core.ReminderRecord
import cn.anjian.domain.FeedbackKind

/** The banner after a sync that brought new reminders (every platform; Android also notifies). */
@Composable
fun ReminderBanner(fresh: List<ReminderRecord>, onOpen: () -> Unit, onDismiss: () -> Unit) {
    if (fresh.isEmpty()) return
    Column(Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 4.dp).testTag("reminders.banner")) {
        Notice(
            if (fresh.size == 1) fresh.single().text else "${fresh.first().title}等 ${fresh.size} 条新提醒",
            Tone.WARNING,
            if (fresh.size == 1) "新提醒：${fresh.single().title}" else "收到 ${fresh.size} 条新提醒",
        )
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            BigButton("查看提醒", onOpen, Modifier.testTag("reminders.banner.open"))
            BigButton("稍后", onDismiss, primary = false)
        }
    }
}

class RemindersActions(val open: (ReminderRecord) -> Unit, val markAllRead: () -> Unit)

/** 提醒: unread first; a row opens its record and is marked read. */
@Composable
fun RemindersScreen(state: RemindersState, a: RemindersActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取提醒")
        is Load.Ready -> LazyColumn(
            Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("reminders"),
            verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
        ) {
            state.error?.let { item { Notice(it) } }
            val unread = l.value.count { !it.read }
            item {
                Text(
                    if (unread > 0) "未读 $unread 条，共 ${l.value.size} 条" else "没有未读提醒（共 ${l.value.size} 条）",
                    style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.padding(top = 8.dp),
                )
                if (unread > 1) BigButton("全部标为已读", a.markAllRead, Modifier.testTag("reminders.readAll"), primary = false)
            }
            if (l.value.isEmpty()) item { Empty("暂无提醒。隐患交办、到期、逾期，月底报送和暗访计划的提醒同步后显示在这里。") }
            items(l.value, key = { it.id }) { r -> ReminderRow(r) { a.open(r) } }
        }
    }
}

@Composable
private fun ReminderRow(r: ReminderRecord, onClick: () -> Unit) {
    Column(
        Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable(onClick = onClick).padding(vertical = 6.dp).testTag("reminder.${r.id}"),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
            Tag(if (r.read) "已读" else "未读", if (r.read) Tone.PLAIN else Tone.WARNING)
            Text(r.title, style = MaterialTheme.typography.titleMedium)
        }
        Text(r.text, style = MaterialTheme.typography.bodyLarge)
        Text(listOfNotNull(timeShown(r.at), Reminders.opens(r)?.let { "$it ›" }).joinToString(" · "), style = MaterialTheme.typography.bodySmall)
        HorizontalDivider()
    }
}

class FeedbackActions(val edit: ((FeedbackDraft) -> FeedbackDraft) -> Unit, val send: () -> Unit)

/** 投诉建议: write one (kept offline, sent with the next sync), and read the replies. */
@Composable
fun FeedbackScreen(state: FeedbackState, a: FeedbackActions) {
    LazyColumn(
        Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("feedback"),
        verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
    ) {
        item {
            val d = state.draft
            Section("提交投诉建议") {
                Text("对本应用或安全生产工作有意见，可在此向县安委办投诉或提出建议。县安委办答复后，同步即可看到。", style = MaterialTheme.typography.bodyMedium)
                Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    listOf(FeedbackKind.SUGGESTION to "建议", FeedbackKind.COMPLAINT to "投诉").forEach { (k, label) ->
                        FilterChip(d.kind == k, { a.edit { it.copy(kind = k) } }, { Text(label) }, Modifier.heightIn(min = LocalSizes.current.touch).testTag("feedback.kind.${k.name}"))
                    }
                }
                OutlinedTextField(d.content, { v -> a.edit { it.copy(content = v) } }, label = { Text("内容（2000 字以内，可用语音输入）") }, minLines = 3, modifier = Modifier.fillMaxWidth().testTag("feedback.content"))
                OutlinedTextField(d.contact, { v -> a.edit { it.copy(contact = v) } }, label = { Text("联系方式（选填）") }, singleLine = true, modifier = Modifier.fillMaxWidth().testTag("feedback.contact"))
                state.error?.let { Notice(it, title = "未提交") }
                state.done?.let { Notice(it, Tone.OK) }
                BigButton(if (state.busy) "正在保存…" else "提交", a.send, Modifier.fillMaxWidth().testTag("feedback.send"), enabled = !state.busy)
            }
        }
        when (val l = state.data) {
            Load.Loading -> item { Loading() }
            is Load.Failed -> item { Notice(l.message, title = "无法读取我的投诉建议") }
            is Load.Ready -> {
                item { Text("我的投诉建议（${l.value.size}）", style = MaterialTheme.typography.titleMedium) }
                if (l.value.isEmpty()) item { Empty("还没有提交过投诉建议。") }
                items(l.value, key = { it.id }) { f ->
                    Column(Modifier.fillMaxWidth().testTag("feedback.${f.id}"), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Tag(f.kindLabel, Tone.INFO)
                            Tag(f.statusLabel, when (f.statusLabel) { "已答复" -> Tone.OK; "待发送" -> Tone.WARNING; else -> Tone.PLAIN })
                            f.receivedAt?.let { Text(timeShown(it), style = MaterialTheme.typography.bodySmall) }
                        }
                        Text(f.content, style = MaterialTheme.typography.bodyLarge)
                        f.replyText?.let { reply ->
                            Section("县安委办答复") {
                                Text(reply, style = MaterialTheme.typography.bodyLarge)
                                Text(listOfNotNull(f.replyByName, f.repliedAt?.let(::timeShown)).joinToString(" · "), style = MaterialTheme.typography.bodySmall)
                            }
                        }
                        HorizontalDivider()
                    }
                }
            }
        }
    }
}
