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
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import cn.anjian.app.Load
import cn.anjian.app.presenter.InvestmentDraft
import cn.anjian.app.presenter.MeetingDraft
import cn.anjian.app.presenter.RecordsState
import cn.anjian.app.presenter.meetingKindLabel
import cn.anjian.core.DocumentType
import cn.anjian.domain.EvidenceStage
import cn.anjian.domain.MeetingKind

class RecordsActions(
    val newMeeting: () -> Unit,
    val newInvestment: () -> Unit,
    val editMeeting: ((MeetingDraft) -> MeetingDraft) -> Unit,
    val editInvestment: ((InvestmentDraft) -> InvestmentDraft) -> Unit,
    val saveMeeting: () -> Unit,
    val saveInvestment: () -> Unit,
    val cancel: () -> Unit,
    val photo: (String, EvidenceStage) -> Unit,
    val document: (String, DocumentType) -> Unit,
    val tasks: () -> Unit = {},
    val mechanism: () -> Unit = {},
    val selfAssessment: () -> Unit = {},
)

/** 会议 and 设施投入佐证 of my unit. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun RecordsScreen(state: RecordsState, a: RecordsActions) {
    when (val l = state.data) {
        Load.Loading -> Loading()
        is Load.Failed -> Notice(l.message, title = "无法读取本单位记录")
        is Load.Ready -> {
            val d = l.value
            LazyColumn(Modifier.fillMaxWidth().padding(horizontal = 12.dp).testTag("records"), verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap)) {
                item {
                    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        BigButton("工作任务", a.tasks, Modifier.testTag("records.tasks"), primary = false)
                        BigButton("改机制", a.mechanism, Modifier.testTag("records.mechanism"), primary = false)
                        BigButton("月底自评", a.selfAssessment, Modifier.testTag("records.self"), primary = false)
                    }
                }
                state.error?.let { item { Notice(it, title = "未保存") } }
                state.done?.let { item { Notice(it, Tone.OK) } }
                item {
                    Section("会议（${d.meetings.size}）") {
                        val m = state.meeting
                        if (m == null) BigButton("记录会议", a.newMeeting, Modifier.testTag("records.meeting.new"), primary = false)
                        else Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                            FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                                MeetingKind.entries.forEach { k ->
                                    FilterChip(m.kind == k, { a.editMeeting { it.copy(kind = k) } }, { Text(meetingKindLabel(k)) }, Modifier.heightIn(min = LocalSizes.current.touch))
                                }
                            }
                            OutlinedTextField(m.title, { v -> a.editMeeting { it.copy(title = v) } }, label = { Text("会议名称") }, modifier = Modifier.fillMaxWidth().testTag("records.meeting.title"))
                            OutlinedTextField(m.attendees, { v -> a.editMeeting { it.copy(attendees = v) } }, label = { Text("参会人员（用顿号分隔）") }, modifier = Modifier.fillMaxWidth())
                            OutlinedTextField(m.minutes, { v -> a.editMeeting { it.copy(minutes = v) } }, label = { Text("会议纪要（可用语音输入）") }, modifier = Modifier.fillMaxWidth().testTag("records.meeting.minutes"))
                            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                BigButton("保存", a.saveMeeting, Modifier.testTag("records.meeting.save"), enabled = !state.busy)
                                BigButton("取消", a.cancel, primary = false)
                            }
                        }
                        if (d.meetings.isEmpty()) Text("本机没有本单位的会议记录。", style = MaterialTheme.typography.bodyMedium)
                        d.meetings.take(20).forEach { mt ->
                            Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                                Tag(mt.kindLabel, Tone.INFO)
                                Text("${timeShown(mt.heldAt)} ${mt.title}", style = MaterialTheme.typography.bodyMedium)
                            }
                        }
                    }
                }
                item {
                    Section("设施投入佐证（${d.investments.size}）") {
                        val inv = state.investment
                        if (inv == null) BigButton("记录设施投入", a.newInvestment, Modifier.testTag("records.investment.new"), primary = false)
                        else Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                            OutlinedTextField(inv.description, { v -> a.editInvestment { it.copy(description = v) } }, label = { Text("投入内容") }, modifier = Modifier.fillMaxWidth().testTag("records.investment.description"))
                            OutlinedTextField(inv.yuan, { v -> a.editInvestment { it.copy(yuan = v) } }, label = { Text("金额（元）") }, modifier = Modifier.fillMaxWidth().testTag("records.investment.amount"))
                            OutlinedTextField(inv.date, { v -> a.editInvestment { it.copy(date = v) } }, label = { Text("投入日期（年-月-日）") }, modifier = Modifier.fillMaxWidth())
                            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                BigButton("保存", a.saveInvestment, Modifier.testTag("records.investment.save"), enabled = !state.busy)
                                BigButton("取消", a.cancel, primary = false)
                            }
                        }
                        if (d.investments.isEmpty()) Text("本机没有本单位的设施投入记录。", style = MaterialTheme.typography.bodyMedium)
                        d.investments.take(20).forEach { i ->
                            val proof = d.proof[i.id].orEmpty()
                            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                                Text("${i.investedOn} ${i.description}：${i.amountFen / 100} 元", style = MaterialTheme.typography.bodyLarge)
                                val photos = proof.count { it.kind == cn.anjian.domain.EvidenceKind.PHOTO }
                                val contracts = proof.count { it.kind == cn.anjian.domain.EvidenceKind.CONTRACT }
                                val invoices = proof.count { it.kind == cn.anjian.domain.EvidenceKind.INVOICE }
                                Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                                    Tag("照片 $photos", if (photos > 0) Tone.OK else Tone.WARNING)
                                    Tag("合同 $contracts", if (contracts > 0) Tone.OK else Tone.WARNING)
                                    Tag("发票 $invoices", if (invoices > 0) Tone.OK else Tone.WARNING)
                                }
                                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                                    BigButton("整改前照片", { a.photo(i.id, EvidenceStage.BEFORE) }, primary = false)
                                    BigButton("整改中照片", { a.photo(i.id, EvidenceStage.DURING) }, primary = false)
                                    BigButton("整改后照片", { a.photo(i.id, EvidenceStage.AFTER) }, Modifier.testTag("records.investment.after"), primary = false)
                                    BigButton("合同", { a.document(i.id, DocumentType.CONTRACT) }, primary = false)
                                    BigButton("发票", { a.document(i.id, DocumentType.INVOICE) }, primary = false)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
