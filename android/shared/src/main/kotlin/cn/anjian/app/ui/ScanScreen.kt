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
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.ScanFound
import cn.anjian.app.presenter.ScanState
import cn.anjian.app.presenter.VisitChoice
import cn.anjian.app.presenter.kindLabel
import cn.anjian.core.CertificateRecord
import cn.anjian.domain.InspectionKind

class ScanActions(
    val scan: () -> Unit,
    val code: (String) -> Unit,
    val lookup: () -> Unit,
    val visit: VisitActions,
)

/** 扫码入企: scan or paste the site's code, read the warnings, choose how, start. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ScanScreen(state: ScanState, a: ScanActions) {
    LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("scan"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
        item {
            Section("扫描场所码") {
                Text("对准企业门口张贴的场所码拍照识别；没有相机时，可粘贴码上的文字。本机离线也能核验场所码。", style = MaterialTheme.typography.bodyMedium)
                BigButton("拍照识别场所码", a.scan, Modifier.fillMaxWidth().testTag("scan.camera"))
                OutlinedTextField(state.code, a.code, label = { Text("场所码文字") }, singleLine = true, modifier = Modifier.fillMaxWidth().testTag("scan.code"))
                BigButton("核验场所码", a.lookup, Modifier.fillMaxWidth().testTag("scan.lookup"), enabled = !state.busy, primary = false)
            }
        }
        state.error?.let { item { Notice(it, title = "不能开始") } }
        when (val f = state.found) {
            null -> {}
            Load.Loading -> item { Loading("正在核验场所码…") }
            is Load.Failed -> item { Notice(f.message, title = "场所码无效") }
            is Load.Ready -> {
                val d = f.value
                item {
                    Section("场所") {
                        Text(d.site.name, style = MaterialTheme.typography.titleLarge, modifier = Modifier.testTag("scan.site"))
                        Text(listOfNotNull(d.site.industryName, d.site.address).joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
                        if (d.site.attributeLabels.isNotEmpty()) Text("场所属性：${d.site.attributeLabels.joinToString("、")}", style = MaterialTheme.typography.bodySmall)
                    }
                }
                item { VisitOptions(d, state.visit, state.busy, a.visit) }
            }
        }
    }
}

class VisitActions(
    val kind: (InspectionKind) -> Unit,
    val joint: (String) -> Unit,
    val participants: (String) -> Unit,
    val acknowledge: (Boolean) -> Unit,
    val start: () -> Unit,
)

/**
 * Before a visit of a site: certificates to heed, the visit's warnings to acknowledge, how to
 * inspect and with whom, other bodies for a joint inspection, and the start.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun VisitOptions(
    d: ScanFound,
    v: VisitChoice,
    busy: Boolean,
    a: VisitActions,
    tag: String = "scan",
    startLabel: String = "开始检查",
) {
    Column(verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
        if (d.certificates.isNotEmpty()) CertificateWarnings(d.certificates)
        if (d.warnings.isNotEmpty()) {
            Section("入企前提醒（${d.warnings.size}）") {
                d.warnings.forEach { w -> Notice(w, Tone.WARNING) }
                Row(
                    Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { a.acknowledge(!v.acknowledged) }.testTag("$tag.ack"),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    Checkbox(v.acknowledged, null)
                    Text("已知悉，确需本次检查（可与其他部门联合检查，避免重复入企）", style = MaterialTheme.typography.bodyMedium)
                }
            }
        } else Notice("本年度对该企业的检查未超过频次上限，近期没有其他部门检查。", Tone.OK)
        Section("检查方式") {
            if (d.kinds.isEmpty()) Text("本账号的角色不能检查该场所。", style = MaterialTheme.typography.bodyMedium)
            FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                d.kinds.forEach { k ->
                    FilterChip(v.kind == k, { a.kind(k) }, { Text(kindLabel(k)) }, Modifier.heightIn(min = LocalSizes.current.touch).testTag("$tag.kind.${kindLabel(k)}"))
                }
            }
            OutlinedTextField(v.participants, a.participants, label = { Text("同行检查人员（用顿号分隔）") }, modifier = Modifier.fillMaxWidth().testTag("$tag.participants"))
        }
        if (d.bodies.isNotEmpty()) {
            Section("联合检查单位（可多选，计为一次检查）") {
                d.bodies.forEach { u ->
                    Row(
                        Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { a.joint(u.id) }.testTag("$tag.joint.${u.id}"),
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        Checkbox(u.id in v.joint, null)
                        Text(u.name, style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
        }
        BigButton(
            if (v.joint.isEmpty()) startLabel else "开始联合检查（${v.joint.size + 1} 个单位）",
            a.start, Modifier.fillMaxWidth().testTag("$tag.start"),
            enabled = !busy && d.kinds.isNotEmpty(),
        )
    }
}

/** Certificates expiring or expired, said ahead (an expired one stops 行政检查). */
@Composable
fun CertificateWarnings(certs: List<CertificateRecord>) {
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        certs.forEach { c ->
            Notice(
                "执法证 ${c.number}（${c.issuedBy}）有效期至 ${c.validUntil}：${c.statusLabel}" +
                    if (c.usable) "。请及时办理换证。" else "。过期后不能开展行政检查，请联系发证机关换证。",
                if (c.usable) Tone.WARNING else Tone.DANGER,
                title = "执法证提醒",
            )
        }
    }
}

/** 我的执法证: each certificate with where it stands today. */
@Composable
fun CertificateList(certs: List<CertificateRecord>) {
    if (certs.isEmpty()) {
        Text("本账号没有登记行政执法证（不开展行政检查）。", style = MaterialTheme.typography.bodyMedium)
        return
    }
    certs.forEach { c ->
        Column(Modifier.fillMaxWidth().testTag("cert.${c.number}"), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalAlignment = Alignment.CenterVertically) {
                Text(c.number, style = MaterialTheme.typography.titleMedium)
                Tag(c.statusLabel, when {
                    !c.usable -> Tone.DANGER
                    c.needsAttention -> Tone.WARNING
                    else -> Tone.OK
                })
            }
            Text("${c.issuedBy} · ${c.validFrom} 至 ${c.validUntil}", style = MaterialTheme.typography.bodyMedium)
            if (c.fields.isNotEmpty()) Text("执法领域：${c.fields.joinToString("、")}", style = MaterialTheme.typography.bodySmall)
        }
    }
}
