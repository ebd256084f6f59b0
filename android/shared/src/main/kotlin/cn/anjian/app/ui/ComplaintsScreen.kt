package cn.anjian.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.Complaints
import cn.anjian.app.presenter.ComplaintsState
import cn.anjian.core.ComplaintRecord

class ComplaintsActions(
    val begin: (String) -> Unit,
    val open: (String) -> Unit,
    val visit: VisitActions,
    val cancel: () -> Unit,
)

/** 投诉举报 handed over to my unit: what was complained, where, when, by whom handed over; 开始行政检查. */
@Composable
fun ComplaintsScreen(state: ComplaintsState, a: ComplaintsActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取投诉举报")
        is Load.Ready -> LazyColumn(
            Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("complaints"),
            verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
        ) {
            item {
                Text(
                    "企业和群众扫场所码提交、县安委办交办本单位的投诉举报。据此开展的行政检查，现场检查记录的任务来源为“投诉举报”。",
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
            if (l.value.isEmpty()) item { Empty("县安委办没有向本单位交办投诉举报（同步后更新）。") }
            items(l.value, key = { it.id }) { c -> ComplaintCard(c, state, a) }
        }
    }
}

@Composable
private fun ComplaintCard(c: ComplaintRecord, state: ComplaintsState, a: ComplaintsActions) {
    Section(c.siteName, Modifier.testTag("complaint.${c.id}")) {
        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
            if (Complaints.open(c)) Tag("待检查", Tone.WARNING) else Tag("已开始检查", Tone.OK)
            Text("收到 ${c.receivedAt.shown()}", style = MaterialTheme.typography.bodyMedium)
        }
        Text(c.text, style = MaterialTheme.typography.bodyLarge)
        Text(
            "交办：" + listOfNotNull(c.assignedBy?.let { "县安委办 $it" } ?: "县安委办", c.assignedAt?.shown()).joinToString("，"),
            style = MaterialTheme.typography.bodySmall,
        )
        when {
            c.inspectionId != null -> BigButton("查看行政检查", { a.open(c.inspectionId!!) }, Modifier.fillMaxWidth().testTag("complaint.open.${c.id}"), primary = false)
            c.answered -> Text("本单位已据此开始行政检查（在其他执法人员的手机上）。", style = MaterialTheme.typography.bodyMedium)
            state.starting?.id == c.id -> StartForm(state, a)
            else -> BigButton("开始行政检查", { a.begin(c.id) }, Modifier.fillMaxWidth().testTag("complaint.begin.${c.id}"), enabled = !state.busy)
        }
    }
}

@Composable
private fun StartForm(state: ComplaintsState, a: ComplaintsActions) {
    state.error?.let { Notice(it, title = "不能开始") }
    when (val f = state.found) {
        null -> {}
        Load.Loading -> Loading("正在读取场所和入企提醒…")
        is Load.Failed -> Notice(f.message, title = "不能开始")
        is Load.Ready -> VisitOptions(f.value, state.visit, state.busy, a.visit, tag = "complaint", startLabel = "开始行政检查")
    }
    BigButton("取消", a.cancel, Modifier.fillMaxWidth().testTag("complaint.cancel"), primary = false)
}
