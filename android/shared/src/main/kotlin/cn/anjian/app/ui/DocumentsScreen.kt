package cn.anjian.app.ui

import androidx.compose.foundation.BorderStroke
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.gestures.detectDragGestures
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.layout.onSizeChanged
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.IntSize
import androidx.compose.ui.unit.dp
import cn.anjian.app.Ink
import cn.anjian.app.Load
import cn.anjian.app.Signature
import cn.anjian.app.SignatureImage
import cn.anjian.app.presenter.DocumentDraft
import cn.anjian.app.presenter.DocumentsState
import cn.anjian.core.SiteDocumentItem
import cn.anjian.core.documentKindTitle
import cn.anjian.domain.DocumentKind

class DocumentsActions(
    val begin: (DocumentKind) -> Unit,
    val edit: ((DocumentDraft) -> DocumentDraft) -> Unit,
    val officerInk: (Signature) -> Unit,
    /** A co-officer's ink, by person id. */
    val coOfficerInk: (String, Signature) -> Unit,
    val siteInk: (Signature) -> Unit,
    val make: () -> Unit,
    val cancel: () -> Unit,
    val share: (SiteDocumentItem) -> Unit,
    val print: (SiteDocumentItem) -> Unit,
)

/** 现场执法文书 of one inspection: those made (share, print) and the next to make and sign. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun DocumentsScreen(state: DocumentsState, a: DocumentsActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取本次检查")
        is Load.Ready -> {
            val d = l.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("documents"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                item {
                    Text(d.site.name, style = MaterialTheme.typography.titleLarge)
                    Text(
                        listOfNotNull(d.inspection.activityLabel, d.inspection.inNameShown(), "执法证 ${d.inspection.certificateNumber ?: "—"}").joinToString(" · "),
                        style = MaterialTheme.typography.bodyMedium,
                    )
                }
                if (!d.administrative) item {
                    Notice("本次检查不是行政检查，不制作现场执法文书。发现的问题按规定移交有执法权的部门。", Tone.INFO)
                }
                state.error?.let { item { Notice(it, title = "未生成") } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                val draft = state.draft
                if (draft != null) item { DocumentForm(draft, d.hazards, d.signers, state.busy, a) }
                else if (d.makeable.isNotEmpty()) item {
                    Section("制作文书") {
                        if (!d.finished) Text("行政检查须先制作现场检查记录，由每名执法人员和被检查单位负责人签名后，才能完成检查。", style = MaterialTheme.typography.bodyMedium)
                        d.makeable.forEach { k -> BigButton("制作${documentKindTitle(k)}", { a.begin(k) }, Modifier.fillMaxWidth().testTag("documents.new.${k.name}")) }
                    }
                }
                item {
                    Section("已制作（${d.documents.size}）") {
                        if (d.documents.isEmpty()) Text("本次检查还没有文书。", style = MaterialTheme.typography.bodyMedium)
                        d.documents.forEach { doc -> DocumentRow(doc, a) }
                    }
                }
            }
        }
    }
}

private fun cn.anjian.core.InspectionRecord.inNameShown(): String? = inNameOf?.let { "以$it 名义" }

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun DocumentRow(doc: SiteDocumentItem, a: DocumentsActions) {
    Column(Modifier.fillMaxWidth().testTag("documents.doc.${doc.kind.name}"), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(doc.title, style = MaterialTheme.typography.titleMedium)
        Text("${doc.number} · ${doc.generatedAt.shown()}", style = MaterialTheme.typography.bodyMedium)
        FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            doc.signatures.forEach { s -> Tag("${s.signerLabel}：${s.name} 已签名", Tone.OK) }
            doc.refusalWitness?.let { Tag("被检查单位拒签，见证人：$it", Tone.WARNING) }
            if (doc.hazardIds.isNotEmpty()) Tag("隐患 ${doc.hazardIds.size} 项", Tone.INFO)
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            BigButton("分享 PDF", { a.share(doc) }, Modifier.testTag("documents.share.${doc.kind.name}"), primary = false)
            BigButton("打印", { a.print(doc) }, Modifier.testTag("documents.print.${doc.kind.name}"), primary = false)
        }
    }
}

@Composable
private fun DocumentForm(
    d: DocumentDraft,
    hazards: List<cn.anjian.core.HazardRecord>,
    signers: List<cn.anjian.core.DocumentSignerItem>,
    busy: Boolean,
    a: DocumentsActions,
) {
    Section(documentKindTitle(d.kind)) {
        OutlinedTextField(d.representative, { v -> a.edit { it.copy(representative = v) } }, label = { Text("被检查单位负责人（现场负责人）") }, singleLine = true, modifier = Modifier.fillMaxWidth().testTag("documents.representative"))
        OutlinedTextField(d.statement, { v -> a.edit { it.copy(statement = v) } }, label = { Text("被检查单位意见（可用语音输入）") }, modifier = Modifier.fillMaxWidth().testTag("documents.statement"))
        if (d.deadlines.isNotEmpty()) {
            Text("责令整改的隐患及整改期限", style = MaterialTheme.typography.labelLarge)
            hazards.filter { it.id in d.deadlines }.forEach { h ->
                Text("${h.number} ${h.description}", style = MaterialTheme.typography.bodyMedium)
                OutlinedTextField(
                    d.deadlines[h.id].orEmpty(), { v -> a.edit { it.copy(deadlines = it.deadlines + (h.id to v)) } },
                    label = { Text("整改期限（年-月-日）") }, singleLine = true,
                    modifier = Modifier.fillMaxWidth().testTag("documents.deadline.${h.id}"),
                )
            }
        }
        // Every officer of the team signs, the leader first; each next officer's pad opens once
        // the one before has signed (the phone is handed on).
        val lead = signers.firstOrNull { it.leader }
        Text(lead?.let { "执法人员签名：${it.name}（执法证号 ${it.certificateNumber}）" } ?: "执法人员签名", style = MaterialTheme.typography.labelLarge)
        SignaturePad(d.officer, a.officerInk, "documents.pad.officer")
        var previousSigned = !d.officer.isBlank
        for (o in signers.filterNot { it.leader }) {
            if (!previousSigned) {
                Text("执法人员签名：${o.name}（上一位签名后再请其签名）", style = MaterialTheme.typography.bodyMedium, color = Palette.muted)
                continue
            }
            Text("执法人员签名：${o.name}（执法证号 ${o.certificateNumber}），请将手机交其本人签名", style = MaterialTheme.typography.labelLarge)
            val sig = d.coOfficers[o.personId] ?: Signature()
            SignaturePad(sig, { ink -> a.coOfficerInk(o.personId, ink) }, "documents.pad.officer.${o.personId}")
            previousSigned = !sig.isBlank
        }
        Row(
            Modifier.fillMaxWidth().heightIn(min = LocalSizes.current.touch).clickable { a.edit { it.copy(refused = !it.refused) } }.testTag("documents.refused"),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Checkbox(d.refused, null)
            Text("被检查单位负责人拒绝签名（须有见证人）", style = MaterialTheme.typography.bodyMedium)
        }
        if (d.refused) {
            OutlinedTextField(d.witness, { v -> a.edit { it.copy(witness = v) } }, label = { Text("见证人姓名") }, singleLine = true, modifier = Modifier.fillMaxWidth().testTag("documents.witness"))
        } else {
            Text("被检查单位负责人签名", style = MaterialTheme.typography.labelLarge)
            SignaturePad(d.site, a.siteInk, "documents.pad.site")
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            BigButton("生成文书", a.make, Modifier.testTag("documents.make"), enabled = !busy)
            BigButton("取消", a.cancel, primary = false)
        }
    }
}

/**
 * A signature drawn with a finger (or the mouse): strokes kept as fractions of the pad, so
 * the same ink makes the PNG at any size. "重签" clears it.
 */
@Composable
fun SignaturePad(sig: Signature, onInk: (Signature) -> Unit, tag: String) {
    var size by remember { mutableStateOf(IntSize(1, 1)) }
    val current by rememberUpdatedState(sig)
    val ink by rememberUpdatedState(onInk)
    fun frac(o: Offset) = Ink(o.x / size.width.coerceAtLeast(1), o.y / size.height.coerceAtLeast(1))
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Box(
            Modifier.fillMaxWidth().aspectRatio(SignatureImage.WIDTH.toFloat() / SignatureImage.HEIGHT)
                .border(BorderStroke(2.dp, Palette.muted), RoundedCornerShape(8.dp))
                .background(Color.White, RoundedCornerShape(8.dp))
                .onSizeChanged { size = it }
                .pointerInput(Unit) {
                    detectDragGestures(
                        onDragStart = { ink(current.begin(frac(it))) },
                        onDrag = { change, _ -> ink(current.extend(frac(change.position))) },
                    )
                }
                .pointerInput(Unit) { detectTapGestures { ink(current.begin(frac(it)).extend(frac(it))) } }
                .testTag(tag),
        ) {
            if (sig.strokes.isEmpty()) Text("在此签名", style = MaterialTheme.typography.bodyLarge, color = Palette.muted, modifier = Modifier.align(Alignment.Center))
            Canvas(Modifier.fillMaxSize()) {
                for (stroke in sig.strokes) {
                    val path = Path()
                    stroke.forEachIndexed { i, p ->
                        val x = p.x * this.size.width
                        val y = p.y * this.size.height
                        if (i == 0) path.moveTo(x, y) else path.lineTo(x, y)
                    }
                    drawPath(path, Color(0xFF1A237E), style = Stroke(width = 3.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round))
                }
            }
        }
        if (sig.strokes.isNotEmpty()) BigButton("重签", { onInk(Signature()) }, Modifier.testTag("$tag.clear"), primary = false)
    }
}
