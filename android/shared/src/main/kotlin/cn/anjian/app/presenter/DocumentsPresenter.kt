package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.Signature
import cn.anjian.app.SignatureImage
import cn.anjian.app.errorText
import cn.anjian.core.CoOfficerSignatureInput
import cn.anjian.core.DocumentSignerItem
import cn.anjian.core.HazardCommand
import cn.anjian.core.HazardRecord
import cn.anjian.core.InspectionRecord
import cn.anjian.core.LedgerQuery
import cn.anjian.core.SiteDocumentItem
import cn.anjian.core.SiteDocumentRequest
import cn.anjian.core.SiteRecord
import cn.anjian.domain.DocumentKind
import cn.anjian.domain.HazardStatus
import java.io.File
import java.time.Instant
import java.util.UUID

data class DocumentsData(
    val inspection: InspectionRecord,
    val site: SiteRecord,
    val documents: List<SiteDocumentItem>,
    /** The hazards this inspection raised. */
    val hazards: List<HazardRecord>,
    /** The officers who sign its documents, the leader first (each in turn, on this phone). */
    val signers: List<DocumentSignerItem> = emptyList(),
) {
    /** The team's other officers, who sign after the leader. */
    val coOfficers get() = signers.filterNot { it.leader }

    /** A 行政检查 (made in an enforcement body's name with a certificate) has documents. */
    val administrative get() = inspection.certificateNumber != null
    val finished get() = inspection.finishedAt != null

    /** The documents that can be made now, in the order they are left on site. */
    val makeable: List<DocumentKind>
        get() = buildList {
            if (!administrative) return@buildList
            if (!finished) add(DocumentKind.INSPECTION_RECORD)
            if (finished && hazards.any { it.status != HazardStatus.CLOSED }) add(DocumentKind.RECTIFICATION_ORDER)
            if (documents.any { it.kind == DocumentKind.RECTIFICATION_ORDER }) add(DocumentKind.REVIEW_OPINION)
            // The result is told once every open hazard is ordered rectified (by the latest order).
            val ordered = documents.lastOrNull { it.kind == DocumentKind.RECTIFICATION_ORDER }?.hazardIds.orEmpty()
            val recorded = documents.any { it.kind == DocumentKind.INSPECTION_RECORD }
            if (finished && recorded && hazards.none { it.status != HazardStatus.CLOSED && it.id !in ordered }) add(DocumentKind.RESULT_NOTICE)
        }
}

/** A document being filled in and signed. */
data class DocumentDraft(
    val kind: DocumentKind,
    /** 被检查单位负责人 (or the person in charge on site). */
    val representative: String = "",
    /** 当事人意见. */
    val statement: String = "",
    val officer: Signature = Signature(),
    val officerAt: Instant? = null,
    /** Each co-officer's signature on this phone, by person id, with its time. */
    val coOfficers: Map<String, Signature> = emptyMap(),
    val coOfficersAt: Map<String, Instant> = emptyMap(),
    val site: Signature = Signature(),
    val siteAt: Instant? = null,
    /** The representative refused to sign (拒签), before [witness]. */
    val refused: Boolean = false,
    val witness: String = "",
    /** 责令限期整改指令书: the 整改期限 (YYYY-MM-DD) of each open hazard it orders, by hazard id. */
    val deadlines: Map<String, String> = emptyMap(),
)

data class DocumentsState(
    val data: Load<DocumentsData> = Load.Loading,
    val draft: DocumentDraft? = null,
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

/**
 * 现场执法文书: the documents of a 行政检查 left with the enterprise — 现场检查记录 before the
 * inspection is finished, 责令限期整改指令书 for its open hazards, 整改复查意见书 after the
 * order, 行政检查结果告知书 once the inspection is finished and its hazards ordered — signed
 * on the screen by every officer of the team in turn (the co-officers on the leader's phone)
 * and the enterprise's representative (or refused before a witness), made into a PDF by the
 * core, shared or printed through the platform.
 */
class DocumentsPresenter(private val session: Session, private val inspectionId: String) :
    Presenter<DocumentsState>(DocumentsState()) {

    override suspend fun load() {
        val r = session.call {
            val insp = inspection(inspectionId)
            DocumentsData(
                inspection = insp,
                site = site(insp.siteId),
                documents = siteDocuments(inspectionId),
                hazards = ledger(LedgerQuery(null, null, null, insp.siteId, false)).filter { it.inspectionId == inspectionId },
                signers = documentSigners(inspectionId),
            )
        }
        update { it.copy(data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) })) }
    }

    fun begin(kind: DocumentKind) = update { s ->
        val d = (s.data as? Load.Ready)?.value
        // The representative named on an earlier document of this inspection is asked again.
        val earlier = d?.documents.orEmpty().asReversed().firstNotNullOfOrNull { doc ->
            doc.signatures.firstOrNull { it.signer == cn.anjian.domain.Signer.REPRESENTATIVE }?.name
        }.orEmpty()
        val deadlines = if (kind != DocumentKind.RECTIFICATION_ORDER) emptyMap()
        else d?.hazards.orEmpty().filter { it.status != HazardStatus.CLOSED }.associate { it.id to (it.deadline ?: "") }
        s.copy(draft = DocumentDraft(kind, representative = earlier, deadlines = deadlines), error = null, done = null)
    }

    /** The 整改期限 of a hazard the order names. */
    fun deadline(hazardId: String, date: String) = edit { it.copy(deadlines = it.deadlines + (hazardId to date)) }

    fun edit(f: (DocumentDraft) -> DocumentDraft) = update { s -> s.copy(draft = s.draft?.let(f)) }
    fun cancel() = update { it.copy(draft = null, error = null) }

    /** Ink on the officer's pad (the time of the last stroke is the signature's time). */
    fun officerInk(sig: Signature) = edit { it.copy(officer = sig, officerAt = if (sig.strokes.isEmpty()) null else Instant.now()) }
    /** Ink on a co-officer's pad: the team's other officers sign on this phone in turn. */
    fun coOfficerInk(personId: String, sig: Signature) = edit {
        if (sig.strokes.isEmpty()) it.copy(coOfficers = it.coOfficers - personId, coOfficersAt = it.coOfficersAt - personId)
        else it.copy(coOfficers = it.coOfficers + (personId to sig), coOfficersAt = it.coOfficersAt + (personId to Instant.now()))
    }

    fun siteInk(sig: Signature) = edit { it.copy(site = sig, siteAt = if (sig.strokes.isEmpty()) null else Instant.now()) }

    /** Makes the signed PDF; false with the reason shown when something is missing or refused. */
    suspend fun make(): Boolean {
        val d = state.value.draft ?: return false
        val team = (state.value.data as? Load.Ready)?.value?.coOfficers.orEmpty()
        val unsigned = team.firstOrNull { d.coOfficers[it.personId]?.isBlank != false }
        val missing = when {
            d.representative.isBlank() -> "请填写被检查单位负责人（或现场负责人）姓名"
            d.officer.isBlank -> "请执法人员在签名框内签名"
            unsigned != null -> "请执法人员${unsigned.name}在本机签名：参加行政检查的每名执法人员都须签名"
            !d.refused && d.site.isBlank -> "请被检查单位负责人签名；拒绝签名的，勾选“拒签”并填写见证人"
            d.refused && d.witness.isBlank() -> "拒签的须填写见证人姓名"
            d.deadlines.values.any { it.isBlank() } -> "请为每项隐患填写整改期限（年-月-日）"
            else -> null
        }
        if (missing != null) {
            update { it.copy(error = missing) }
            return false
        }
        update { it.copy(busy = true, error = null) }
        val scratch = File(session.platform.files.scratchDir).apply { mkdirs() }
        val officerPng = File(scratch, "sign-${UUID.randomUUID()}.png").apply { writeBytes(SignatureImage.png(d.officer)) }
        val coPngs = team.map { o ->
            CoOfficerSignatureInput(
                personId = o.personId,
                signaturePath = File(scratch, "sign-${UUID.randomUUID()}.png").apply { writeBytes(SignatureImage.png(d.coOfficers.getValue(o.personId))) }.path,
                signedAt = d.coOfficersAt[o.personId] ?: Instant.now(),
            )
        }
        val sitePng = if (d.refused) null else File(scratch, "sign-${UUID.randomUUID()}.png").apply { writeBytes(SignatureImage.png(d.site)) }
        val now = Instant.now()
        val hazards = (state.value.data as? Load.Ready)?.value?.hazards.orEmpty()
        val r = session.call {
            // The order's 整改期限 become the hazards' deadlines (五落实's 整改时限) first.
            for ((id, date) in d.deadlines) {
                val h = hazards.firstOrNull { it.id == id } ?: continue
                if (h.deadline != date.trim()) actOnHazard(id, HazardCommand.UpdatePlan(h.plan.copy(deadline = date.trim())))
            }
            makeSiteDocument(
                SiteDocumentRequest(
                    inspectionId = inspectionId,
                    kind = d.kind,
                    representative = d.representative.trim(),
                    statement = d.statement.trim().ifEmpty { null },
                    officerSignaturePath = officerPng.path,
                    officerSignedAt = d.officerAt ?: now,
                    coOfficerSignatures = coPngs,
                    representativeSignaturePath = sitePng?.path,
                    representativeSignedAt = if (sitePng == null) null else d.siteAt ?: now,
                    refusalWitness = if (d.refused) d.witness.trim() else null,
                ),
            )
        }
        officerPng.delete()
        coPngs.forEach { File(it.signaturePath).delete() }
        sitePng?.delete()
        r.fold(
            { doc -> update { it.copy(busy = false, draft = null, done = "${doc.title}已生成（${doc.number}），可分享或打印后交被检查单位") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }

    /** Shares the PDF through the platform (share sheet on Android, a saved copy on a laptop). */
    suspend fun share(doc: SiteDocumentItem) = output(doc) { o, path, title -> o.share(path, title) }

    /** Prints the PDF through the platform's print service. */
    suspend fun print(doc: SiteDocumentItem) = output(doc) { o, path, title -> o.print(path, title) }

    private suspend fun output(doc: SiteDocumentItem, f: suspend (cn.anjian.app.platform.DocumentOutput, String, String) -> String?) {
        val o = session.platform.output ?: run {
            update { it.copy(error = "本设备不能分享或打印文件") }
            return
        }
        val title = "${doc.title}${doc.number}"
        val said = runCatching { f(o, doc.pdfPath, title) }
        update { it.copy(done = said.getOrNull(), error = said.exceptionOrNull()?.let { e -> "未能分享：${e.message ?: e.javaClass.simpleName}" }) }
    }
}
