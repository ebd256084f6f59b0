package cn.anjian.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
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
import cn.anjian.app.presenter.SiteDetailState
import cn.anjian.app.presenter.SitesState
import cn.anjian.app.presenter.kindLabel
import cn.anjian.domain.InspectionKind

@Composable
fun SitesScreen(
    state: SitesState,
    onText: (String) -> Unit,
    onTownship: (String?) -> Unit,
    onIndustry: (String?) -> Unit,
    onSite: (String) -> Unit,
    onScan: (() -> Unit)? = null,
) {
    Column(Modifier.fillMaxWidth().padding(horizontal = 12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        onScan?.let { BigButton("扫码入企", it, Modifier.fillMaxWidth().testTag("sites.scan")) }
        OutlinedTextField(
            state.text, onText, label = { Text("搜索场所名称或地址") }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("sites.search"),
        )
        LazyRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            item { FilterChip(state.industry == null, { onIndustry(null) }, { Text("全部行业") }, Modifier.heightIn(min = LocalSizes.current.touch)) }
            items(state.industries) { i ->
                FilterChip(state.industry == i.code, { onIndustry(if (state.industry == i.code) null else i.code) }, { Text(i.name) }, Modifier.heightIn(min = LocalSizes.current.touch))
            }
        }
        if (state.townships.size > 1) LazyRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            item { FilterChip(state.townshipId == null, { onTownship(null) }, { Text("全部乡镇") }, Modifier.heightIn(min = LocalSizes.current.touch)) }
            items(state.townships) { t ->
                FilterChip(state.townshipId == t.id, { onTownship(if (state.townshipId == t.id) null else t.id) }, { Text(t.name) }, Modifier.heightIn(min = LocalSizes.current.touch))
            }
        }
        Text(
            when {
                state.locating -> "正在定位…（先按名称排列）"
                state.fix != null -> "按距离排列（定位精度 ±${state.fix.accuracyM?.let { "%.0f".format(it) } ?: "?"} 米）"
                else -> "无定位，按名称排列"
            },
            style = MaterialTheme.typography.bodySmall,
        )
        when (val rows = state.rows) {
            Load.Loading -> Loading()
            is Load.Failed -> Notice(rows.message, title = "无法读取场所")
            is Load.Ready -> if (rows.value.isEmpty()) {
                Empty(if (state.text.isBlank() && state.industry == null && state.townshipId == null) "本机还没有场所，请先同步。" else "没有符合条件的场所。")
            } else LazyColumn(Modifier.testTag("sites.list")) {
                items(rows.value, key = { it.site.id }) { r ->
                    Column(
                        Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { onSite(r.site.id) }.padding(vertical = 8.dp).testTag("site.${r.site.id}"),
                    ) {
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Text(r.site.name, style = MaterialTheme.typography.titleMedium)
                        }
                        Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                            Tag(r.site.industryName)
                            if (r.distanceM != null) Text(metres(r.distanceM), style = MaterialTheme.typography.bodyMedium)
                            if (r.openHazards > 0u) Tag("未销号隐患 ${r.openHazards}", Tone.WARNING)
                            if (r.overdueHazards > 0u) Tag("逾期 ${r.overdueHazards}", Tone.DANGER)
                        }
                        Text(listOfNotNull(r.townshipName, r.site.address).joinToString(" · "), style = MaterialTheme.typography.bodySmall)
                    }
                    HorizontalDivider()
                }
            }
        }
    }
}

@Composable
fun SiteDetailScreen(state: SiteDetailState, onStart: (InspectionKind) -> Unit, onHazard: (String) -> Unit, onInspection: (String) -> Unit, onEdit: () -> Unit = {}) {
    when (val d = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(d.message, title = "无法读取场所")
        is Load.Ready -> {
            val s = d.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                item {
                    Text(s.site.name, style = MaterialTheme.typography.headlineSmall)
                    Text(listOfNotNull(s.site.industryName, s.townshipName, s.site.address).joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
                    s.site.contactName?.let { Text("联系人：$it ${s.site.contactPhone ?: ""}", style = MaterialTheme.typography.bodyMedium) }
                    if (s.site.attributeLabels.isNotEmpty()) Text("场所属性：${s.site.attributeLabels.joinToString("、")}", style = MaterialTheme.typography.bodySmall)
                    if (s.canEdit) BigButton("修改场所信息", onEdit, Modifier.testTag("site.edit"), primary = false)
                }
                state.error?.let { item { Notice(it) } }
                item {
                    Section("开始检查") {
                        if (s.kinds.isEmpty()) Text("本账号的角色不开展现场检查。", style = MaterialTheme.typography.bodyMedium)
                        s.kinds.forEach { k -> BigButton("开始${kindLabel(k)}", { onStart(k) }, Modifier.fillMaxWidth().testTag("site.start.${kindLabel(k)}")) }
                    }
                }
                item {
                    Section("隐患（${s.hazards.size}）") {
                        if (s.hazards.isEmpty()) Text("本场所没有隐患记录。", style = MaterialTheme.typography.bodyMedium)
                        s.hazards.forEach { HazardRow(it, s.site.name, onHazard) }
                    }
                }
                item {
                    Section("检查记录（${s.history.size}）") {
                        if (s.history.isEmpty()) Text("本机没有该场所的检查记录。", style = MaterialTheme.typography.bodyMedium)
                        s.history.forEach { i ->
                            Row(
                                Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { onInspection(i.id) },
                                horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically,
                            ) {
                                Tag(i.kindLabel, Tone.INFO)
                                Tag(if (i.finishedAt == null) "未完成" else "已完成", if (i.finishedAt == null) Tone.WARNING else Tone.OK)
                                Text("${i.startedAt.shown()} ${i.leaderName} 不符合 ${i.failedItemIds.size} 项", style = MaterialTheme.typography.bodyMedium)
                            }
                        }
                    }
                }
            }
        }
    }
}
