package cn.anjian.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.InspectionData
import cn.anjian.app.presenter.InspectionState
import cn.anjian.core.ChecklistItemRecord
import cn.anjian.domain.ItemOutcome

class InspectionActions(
    val answer: (String, ItemOutcome) -> Unit,
    val draft: (String, String) -> Unit,
    val confirmFail: (String) -> Unit,
    val cancelFail: () -> Unit,
    val photo: (String) -> Unit,
    val relocate: () -> Unit,
    val finish: () -> Unit,
    val hazard: (String) -> Unit,
    /** The documents left on site (行政检查). */
    val documents: () -> Unit = {},
    /** 修改场所属性: the site's edit screen, for the site's id. */
    val editSite: (String) -> Unit = {},
)

fun outcomeLabel(o: ItemOutcome) = when (o) {
    ItemOutcome.PASS -> "符合"
    ItemOutcome.FAIL -> "不符合"
    ItemOutcome.NOT_APPLICABLE -> "不涉及"
}

@Composable
fun InspectionScreen(state: InspectionState, a: InspectionActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法打开检查")
        is Load.Ready -> {
            val d = l.value
            LazyColumn(
                Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("inspection"),
                verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
            ) {
                item { Header(d, state, a) }
                if (!d.finished && d.undeclared.isNotEmpty()) item { Undeclared(d, a) }
                state.error?.let { item { Notice(it, title = "未保存") } }
                if (state.raised.isNotEmpty() || d.finished) item { Finished(d, state, a) }
                if (d.inspection.certificateNumber != null) item {
                    Section("现场执法文书") {
                        Text(
                            if (d.finished) "可制作责令限期整改指令书、整改复查意见书和行政检查结果告知书，签名后分享或打印交被检查单位。"
                            else "本次为行政检查（执法证 ${d.inspection.certificateNumber}）：检查完所有项目后，须制作现场检查记录并由双方签名，才能完成检查。",
                            style = MaterialTheme.typography.bodyMedium,
                        )
                        BigButton("现场执法文书", a.documents, Modifier.fillMaxWidth().testTag("inspection.documents"), primary = d.finished || d.answered == d.total)
                    }
                }
                items(d.checklist.items, key = { it.id }) { item -> ItemCard(d, item, state, a) }
                if (!d.finished) item {
                    val left = d.total - d.answered
                    BigButton(
                        if (left > 0) "还有 $left 项未检查" else "完成检查，登记隐患",
                        a.finish, Modifier.fillMaxWidth().testTag("inspection.finish"), enabled = left == 0 && !state.busy,
                    )
                }
            }
        }
    }
}

@Composable
private fun Header(d: InspectionData, state: InspectionState, a: InspectionActions) {
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        Text("${d.inspection.kindLabel} · ${d.site.name}", style = MaterialTheme.typography.titleLarge)
        Text("${d.checklist.name}检查表 ${d.checklist.version}，重大隐患依据：${d.checklist.majorHazardStandard}", style = MaterialTheme.typography.bodySmall)
        Text("进度：已检查 ${d.answered}/${d.total} 项，不符合 ${d.failedItems.size} 项", style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("inspection.progress"))
        LinearProgressIndicator(progress = { if (d.total == 0) 0f else d.answered.toFloat() / d.total }, modifier = Modifier.fillMaxWidth(), color = Palette.primary)
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            val loc = state.location
            when {
                loc != null -> Tag(if (loc.atSite) "在场所范围内" else "不在场所范围内", if (loc.atSite) Tone.OK else Tone.DANGER)
                else -> Tag("无定位", Tone.WARNING)
            }
            BigButton("重新定位", a.relocate, primary = false)
        }
        (state.location?.label ?: state.locationMessage)?.let { Text(it, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.testTag("inspection.location")) }
    }
}

/** The conditional items left out, by the attributes the site is not recorded with. */
@Composable
private fun Undeclared(d: InspectionData, a: InspectionActions) {
    Section("未列出的条件项") {
        Text(
            "本场所未登记为：${d.undeclared.joinToString("、") { it.label }}。相关检查项未列出；与现场情况不符的，" +
                if (d.canEditSite) "请先修改场所属性，检查表随即补上。" else "请告知场所所属单位修改场所属性。",
            style = MaterialTheme.typography.bodyMedium,
            modifier = Modifier.testTag("inspection.undeclared"),
        )
        if (d.canEditSite) BigButton("修改场所属性", { a.editSite(d.site.id) }, Modifier.fillMaxWidth().testTag("inspection.editSite"), primary = false)
    }
}

@Composable
private fun Finished(d: InspectionData, state: InspectionState, a: InspectionActions) {
    Section("检查已完成") {
        if (state.raised.isEmpty()) Text(if (d.failedItems.isEmpty()) "全部符合或不涉及，没有隐患。" else "隐患已登记。", style = MaterialTheme.typography.bodyLarge)
        state.raised.forEach { HazardRow(it, d.site.name, a.hazard) }
    }
}

@Composable
private fun ItemCard(d: InspectionData, item: ChecklistItemRecord, state: InspectionState, a: InspectionActions) {
    val outcome = d.outcome(item.id)
    val failing = state.failing == item.id
    Card(
        colors = CardDefaults.cardColors(containerColor = Palette.surfaceTint, contentColor = Palette.ink),
        modifier = Modifier.fillMaxWidth().testTag("item.${item.id}"),
    ) {
        Column(Modifier.padding(LocalSizes.current.gap), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                Text(item.id, style = MaterialTheme.typography.labelMedium)
                if (item.major) Tag("重大隐患判定项", Tone.DANGER)
                // Said plainly: the basis has not yet been checked against the official text.
                if (!item.verified) Tag("依据待核对", Tone.WARNING)
                outcome?.let { Tag("已答：${outcomeLabel(it)}", if (it == ItemOutcome.FAIL) Tone.DANGER else Tone.OK) }
            }
            Text(item.text, style = MaterialTheme.typography.bodyLarge)
            Text("${item.section} · 依据：${item.basis}", style = MaterialTheme.typography.bodySmall)
            if (!d.finished) Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (o in listOf(ItemOutcome.PASS, ItemOutcome.FAIL, ItemOutcome.NOT_APPLICABLE)) {
                    BigButton(
                        (if (outcome == o) "✓ " else "") + outcomeLabel(o),
                        { a.answer(item.id, o) },
                        Modifier.weight(1f).testTag("item.${item.id}.${o.name}"),
                        enabled = !state.busy,
                        primary = outcome == o,
                    )
                }
            }
            if (failing || outcome == ItemOutcome.FAIL) {
                if (failing) {
                    OutlinedTextField(
                        state.drafts[item.id] ?: d.note(item.id).orEmpty(),
                        { a.draft(item.id, it) },
                        label = { Text("问题描述（必填，可用语音输入）") },
                        modifier = Modifier.fillMaxWidth().testTag("item.${item.id}.note"),
                    )
                } else d.note(item.id)?.let { Text("问题：$it", style = MaterialTheme.typography.bodyMedium) }
                val photos = d.photos[item.id].orEmpty()
                if (photos.isNotEmpty()) Row { photos.forEach { PhotoThumb(it, it.thumbnailPath) } }
                if (!d.finished) Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    if (outcome == ItemOutcome.FAIL) BigButton("拍照取证（${photos.size}）", { a.photo(item.id) }, Modifier.testTag("item.${item.id}.photo"), primary = false)
                    if (failing) BigButton("保存不符合", { a.confirmFail(item.id) }, Modifier.testTag("item.${item.id}.save"))
                    if (failing && outcome != ItemOutcome.FAIL) BigButton("取消", a.cancelFail, primary = false)
                }
            }
        }
    }
}
