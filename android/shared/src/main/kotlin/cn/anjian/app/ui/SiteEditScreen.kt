package cn.anjian.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.SiteEditDraft
import cn.anjian.app.presenter.SiteEditState

class SiteEditActions(
    val edit: ((SiteEditDraft) -> SiteEditDraft) -> Unit,
    val attribute: (String) -> Unit,
    val scanPosition: () -> Unit,
    val save: () -> Unit,
)

/** 修改场所信息: contact, phone, address, position (typed or 扫码定位 at the gate), attributes. */
@Composable
fun SiteEditScreen(state: SiteEditState, a: SiteEditActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取场所")
        is Load.Ready -> {
            val data = l.value
            val d = state.draft ?: return
            LazyColumn(
                Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("siteEdit"),
                verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
            ) {
                item {
                    Text(data.site.name, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.padding(top = 8.dp))
                    Text("${data.site.industryName} · 场所名称、行业和属地由县安委办维护", style = MaterialTheme.typography.bodySmall)
                }
                if (!data.canEdit) item { Notice("本账号不能修改该场所的信息（仅属地乡镇、属事部门的检查人员和负责人，以及县安委办可以修改）。", Tone.WARNING) }
                state.error?.let { item { Notice(it, title = "未保存") } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                item {
                    Section("联系人与地址") {
                        OutlinedTextField(d.contactName, { v -> a.edit { it.copy(contactName = v) } }, label = { Text("联系人") }, singleLine = true, enabled = data.canEdit, modifier = Modifier.fillMaxWidth().testTag("siteEdit.contact"))
                        OutlinedTextField(d.contactPhone, { v -> a.edit { it.copy(contactPhone = v) } }, label = { Text("联系电话") }, singleLine = true, enabled = data.canEdit, modifier = Modifier.fillMaxWidth().testTag("siteEdit.phone"))
                        OutlinedTextField(d.address, { v -> a.edit { it.copy(address = v) } }, label = { Text("地址") }, enabled = data.canEdit, modifier = Modifier.fillMaxWidth().testTag("siteEdit.address"))
                    }
                }
                item {
                    Section("位置") {
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            OutlinedTextField(d.lat, { v -> a.edit { it.copy(lat = v) } }, label = { Text("纬度") }, singleLine = true, enabled = data.canEdit, modifier = Modifier.weight(1f).testTag("siteEdit.lat"))
                            OutlinedTextField(d.lon, { v -> a.edit { it.copy(lon = v) } }, label = { Text("经度") }, singleLine = true, enabled = data.canEdit, modifier = Modifier.weight(1f).testTag("siteEdit.lon"))
                        }
                        Text("可手工填写（WGS-84），或在场所门口扫描本场所的场所码定位；本应用不在后台定位。", style = MaterialTheme.typography.bodySmall)
                        state.positionNote?.let { Tag(it, Tone.OK) }
                        if (data.canEdit) BigButton("扫码定位", a.scanPosition, Modifier.testTag("siteEdit.scan"), primary = false)
                    }
                }
                if (data.conditions.isNotEmpty()) item {
                    Section("场所属性（决定检查表中哪些条款适用）") {
                        data.conditions.forEach { c ->
                            Row(
                                Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable(enabled = data.canEdit) { a.attribute(c.code) }.testTag("siteEdit.attr.${c.code}"),
                                verticalAlignment = Alignment.CenterVertically,
                            ) {
                                Checkbox(c.code in d.attributes, null, enabled = data.canEdit)
                                Text(c.label, style = MaterialTheme.typography.bodyLarge)
                            }
                        }
                    }
                }
                if (data.canEdit) item {
                    BigButton(if (state.busy) "正在保存…" else "保存修改", a.save, Modifier.fillMaxWidth().testTag("siteEdit.save"), enabled = !state.busy)
                }
            }
        }
    }
}
