package cn.anjian.app

import cn.anjian.app.presenter.DocumentsPresenter
import cn.anjian.app.presenter.HomePresenter
import cn.anjian.app.presenter.InspectionPresenter
import cn.anjian.app.presenter.MePresenter
import cn.anjian.app.presenter.ScanPresenter
import cn.anjian.core.SyncOutcome
import cn.anjian.desktop.PictureCodeScanner
import cn.anjian.domain.DocumentKind
import cn.anjian.domain.InspectionKind
import cn.anjian.domain.ItemOutcome
import kotlinx.coroutines.runBlocking
import org.jetbrains.skia.Bitmap
import org.jetbrains.skia.Color
import org.jetbrains.skia.Data
import org.jetbrains.skia.Surface
import org.jetbrains.skia.svg.SVGDOM
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/**
 * 扫码入企 and the documents left on site, through the real core and the demo server: the
 * sticker the console prints is decoded from its picture, verified offline, the visit's
 * warnings confirmed, a joint 行政检查 started; 现场检查记录 signed before it may finish, then
 * 责令限期整改指令书 (refused signature before a witness), 整改复查意见书 and
 * 行政检查结果告知书 (only once the hazard is ordered rectified); shared; synced and
 * read back from the server and as PDF text.
 */
class ScanAndDocumentsTest {
    @TempDir
    lateinit var dir: Path

    /** The sticker's QR code (SVG from `GET /v1/sites/{id}/code`) drawn as a picture, then decoded. */
    private fun decodeSticker(svg: String): String? {
        val dom = SVGDOM(Data.makeFromBytes(svg.toByteArray()))
        val side = 600
        dom.setContainerSize(side.toFloat(), side.toFloat())
        val surface = Surface.makeRasterN32Premul(side, side)
        surface.canvas.clear(Color.WHITE)
        dom.render(surface.canvas)
        return PictureCodeScanner.decodeBitmap(Bitmap.makeFromImage(surface.makeImageSnapshot()))
    }

    private fun pdfText(path: String): String? {
        if (!Files.isExecutable(Path.of("/usr/bin/pdftotext"))) return null
        val p = ProcessBuilder("/usr/bin/pdftotext", "-layout", path, "-").redirectErrorStream(true).start()
        val text = p.inputStream.bufferedReader().readText()
        p.waitFor()
        return text
    }

    @Test
    fun scanTheStickerStartAJointInspectionSignTheDocuments() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        assumeTrue(cjkFont != null, "needs fonts-noto-cjk (scripts/setup.sh installs it)")

        // 县住房城乡建委's officer, on a phone with the county's code key from the first login.
        val officer = Device(dir.resolve("zjw"), font = true)
        officer.store.login(server!!, "zjw_inspector", "anjian-demo")
        assertTrue(officer.syncAndWait().let { it is SyncRun.Finished && it.result.outcome is SyncOutcome.Completed })
        val gases = officer.store.listSites(null).filter { it.industry == "gas" }
        val gas = gases.firstOrNull { it.townshipId == "500233107" } ?: gases.first()

        // The sticker at the gate, as the console prints it.
        val api = OfficeApi(server, "zjw_inspector")
        val code = api.get("/v1/sites/${gas.id}/code")
        val text = jsonString(code, "text")
        assertEquals(text, decodeSticker(jsonString(code, "svg")), "the printed QR code carries the code's text")

        // A forged code (another site id under the same signature) is refused offline.
        val scan = ScanPresenter(officer.session)
        scan.code(text.replace(gas.id, "site-99-99"))
        scan.lookup()
        val forged = scan.state.value.found
        assertTrue(forged is Load.Failed, "$forged")
        assertTrue((forged as Load.Failed).message.contains("场所码"), forged.message)

        // Nothing read by the camera: said, nothing started.
        scan.scan()
        assertTrue(scan.state.value.error!!.contains("没有读到场所码"))

        // 扫码入企: the camera reads the sticker.
        officer.scanner.queue.add(decodeSticker(jsonString(code, "svg"))!!)
        scan.scan()
        val found = ready(scan.state.value.found!!)
        assertEquals(gas.id, found.site.id)
        assertTrue(InspectionKind.ROUTINE_CHECK in found.kinds, found.kinds.toString())
        assertEquals(listOf("县城市管理局"), found.bodies.map { it.name }, "the other body with powers over gas")
        scan.kind(InspectionKind.ROUTINE_CHECK)
        scan.toggleJoint(found.bodies.single().id)
        scan.participants("王强、李娜")
        if (found.warnings.isNotEmpty()) {
            assertNull(scan.start(), "warnings must be confirmed first")
            assertTrue(scan.state.value.error!!.contains("已知悉"))
            scan.acknowledge(true)
        }
        val inspectionId = scan.start()
        assertNotNull(inspectionId, scan.state.value.error)
        val started = officer.store.inspection(inspectionId!!)
        assertNotNull(started.certificateNumber, "a 行政检查 with the officer's certificate")
        assertEquals(listOf("王强", "李娜"), started.participants)

        // Every item answered, one major failure with its note.
        val insp = InspectionPresenter(officer.session, inspectionId)
        insp.load()
        val items = ready(insp.state.value.data).checklist.items
        val major = items.first { it.major }
        for (item in items) {
            if (item.id == major.id) {
                insp.answer(item.id, ItemOutcome.FAIL)
                insp.draft(item.id, "液化气钢瓶12只存放于地下室")
                insp.confirmFail(item.id)
            } else insp.answer(item.id, ItemOutcome.PASS)
        }
        // No 行政检查 finishes without its signed record.
        insp.finish()
        assertTrue(insp.state.value.error!!.contains("现场检查记录"), insp.state.value.error)

        val docs = DocumentsPresenter(officer.session, inspectionId)
        docs.load()
        assertEquals(listOf(DocumentKind.INSPECTION_RECORD), ready(docs.state.value.data).makeable)
        docs.begin(DocumentKind.INSPECTION_RECORD)
        assertTrue(!docs.make())
        assertTrue(docs.state.value.error!!.contains("负责人"), docs.state.value.error)
        docs.edit { it.copy(representative = "王建华", statement = "对检查结果无异议") }
        assertTrue(!docs.make())
        assertTrue(docs.state.value.error!!.contains("执法人员"), docs.state.value.error)
        docs.officerInk(scribble(0))
        // Every officer of the joint team signs on this phone in turn, the leader first.
        val team = ready(docs.state.value.data).signers
        assertEquals(listOf("许峰", "王强", "李娜"), team.map { it.name })
        assertTrue(team.first().leader && team.drop(1).none { it.leader })
        docs.siteInk(scribble(1))
        assertTrue(!docs.make(), "the co-officers sign too")
        assertTrue(docs.state.value.error!!.contains("王强"), docs.state.value.error)
        docs.coOfficerInk(team[1].personId, scribble(5))
        assertTrue(!docs.make())
        assertTrue(docs.state.value.error!!.contains("李娜"), docs.state.value.error)
        docs.coOfficerInk(team[2].personId, scribble(6))
        docs.siteInk(cn.anjian.app.Signature())
        assertTrue(!docs.make(), "the representative signs or refuses before a witness")
        docs.siteInk(scribble(1))
        assertTrue(docs.make(), docs.state.value.error)
        val record = ready(docs.state.value.data).documents.single()
        assertEquals(4, record.signatures.size)
        assertEquals(listOf("许峰", "王强", "李娜", "王建华"), record.signatures.map { it.name })

        // Now it finishes, and the hazard is raised.
        insp.finish()
        assertNull(insp.state.value.error)
        val hazard = insp.state.value.raised.single()

        // 今日 lists the finished 行政检查 as owing its result, until the notice is made.
        val home = HomePresenter(officer.session)
        home.load()
        assertEquals(listOf(inspectionId), ready(home.state.value).resultsToTell.map { it.id })

        // 责令限期整改指令书: the representative refuses to sign, before a witness.
        docs.load()
        assertTrue(DocumentKind.RECTIFICATION_ORDER in ready(docs.state.value.data).makeable)
        assertTrue(DocumentKind.RESULT_NOTICE !in ready(docs.state.value.data).makeable, "no result told before the hazard is ordered rectified")
        docs.begin(DocumentKind.RECTIFICATION_ORDER)
        assertEquals("王建华", docs.state.value.draft!!.representative, "asked again from the record")
        docs.officerInk(scribble(2))
        docs.coOfficerInk(team[1].personId, scribble(7))
        docs.coOfficerInk(team[2].personId, scribble(8))
        docs.edit { it.copy(refused = true) }
        assertTrue(!docs.make())
        assertTrue(docs.state.value.error!!.contains("见证人"))
        docs.edit { it.copy(witness = "石宝镇安监站 刘洋") }
        assertTrue(!docs.make())
        assertTrue(docs.state.value.error!!.contains("整改期限"), docs.state.value.error)
        val due = java.time.LocalDate.now().plusDays(15).toString()
        docs.deadline(hazard.id, due)
        assertTrue(docs.make(), docs.state.value.error)
        assertEquals(due, officer.store.hazard(hazard.id).deadline, "the order's 整改期限 is the hazard's deadline")
        val order = ready(docs.state.value.data).documents.first { it.kind == DocumentKind.RECTIFICATION_ORDER }
        assertEquals("石宝镇安监站 刘洋", order.refusalWitness)
        assertEquals(listOf(hazard.id), order.hazardIds)

        // Every officer of the team and the representative sign (each pad's strokes from `seed`).
        suspend fun signedByAll(kind: DocumentKind, seed: Int) {
            docs.begin(kind)
            docs.officerInk(scribble(seed))
            team.drop(1).forEachIndexed { n, o -> docs.coOfficerInk(o.personId, scribble(seed + 1 + n)) }
            docs.siteInk(scribble(seed + team.size))
            assertTrue(docs.make(), docs.state.value.error)
        }

        // 整改复查意见书 after the order.
        signedByAll(DocumentKind.REVIEW_OPINION, 3)

        // 行政检查结果告知书: the result told, citing the record and the order.
        assertTrue(DocumentKind.RESULT_NOTICE in ready(docs.state.value.data).makeable)
        signedByAll(DocumentKind.RESULT_NOTICE, 11)
        val all = ready(docs.state.value.data).documents
        assertEquals(
            listOf(DocumentKind.INSPECTION_RECORD, DocumentKind.RECTIFICATION_ORDER, DocumentKind.REVIEW_OPINION, DocumentKind.RESULT_NOTICE),
            all.map { it.kind },
        )
        home.load()
        assertTrue(ready(home.state.value).resultsToTell.isEmpty(), "told")
        pdfText(all.last().pdfPath)?.let { t ->
            val flat = t.replace(Regex("\\s+"), "")
            for (cited in listOf(record.number, order.number, hazard.number)) assertTrue(flat.contains(cited.replace(Regex("\\s+"), "")), "$cited in\n$t")
        }

        // The PDFs read back as the documents they are.
        for (d in all) {
            val bytes = Files.readAllBytes(Path.of(d.pdfPath))
            assertEquals("%PDF", String(bytes, 0, 4))
            pdfText(d.pdfPath)?.let { t ->
                val flat = t.replace(Regex("\\s+"), "")
                assertTrue(flat.contains(d.title), "${d.title} in its PDF")
                assertTrue(flat.contains(gas.name.replace(Regex("\\s+"), "")), "the site in ${d.title}")
            }
        }
        pdfText(order.pdfPath)?.let { assertTrue(it.replace(Regex("\\s+"), "").contains("刘洋"), "the witness on the order") }
        // The record shows each officer's signature line: name, certificate, time.
        pdfText(all.first().pdfPath)?.let { t ->
            val flat = t.replace(Regex("\\s+"), "")
            for (o in team) assertTrue(flat.contains("${o.name}证号：${o.certificateNumber}"), "${o.name}'s signature line in\n$t")
        }

        // Shared and printed through the platform.
        docs.share(order)
        docs.print(all.first())
        assertEquals(order.pdfPath, officer.output.shared.single().first)
        assertTrue(officer.output.shared.single().second.contains(order.number))
        assertEquals(1, officer.output.printed.size)

        // Synced: the server holds the four documents of the inspection.
        val run = officer.syncAndWait()
        assertTrue(run is SyncRun.Finished && run.result.outcome is SyncOutcome.Completed, run.toString())
        assertTrue(officer.store.attention().isEmpty(), officer.store.attention().toString())
        val onServer = api.get("/v1/inspections/$inspectionId/documents")
        for (d in all) assertTrue(onServer.contains(d.number), "${d.number} on the server")

        // Another unit scanning the same code is warned of this recent visit before going in.
        val township = Device(dir.resolve("sb"))
        township.store.login(server, "sb_inspector", "anjian-demo")
        township.syncAndWait()
        val second = ScanPresenter(township.session)
        second.code(text)
        second.lookup()
        val warned = ready(second.state.value.found!!)
        if (warned.site.townshipId == "500233107") {
            assertTrue(warned.warnings.any { it.contains("县住房城乡建委") }, warned.warnings.toString())
        }
        listOf(officer, township).forEach { it.store.destroy() }
    }

    @Test
    fun certificatesAreFlaggedAhead() = runBlocking {
        val server = testServer()
        assumeTrue(server != null, "scripts/test-all.sh passes -Danjian.test.server")
        // 沈文 (县应急管理局): her certificate expires in 40 days.
        val head = Device(dir.resolve("yjj"))
        head.store.login(server!!, "yjj_head", "anjian-demo")
        head.syncAndWait()
        val home = HomePresenter(head.session).also { it.load() }
        val warn = ready(home.state.value).certificateWarnings.single()
        assertTrue(warn.usable && warn.needsAttention, warn.toString())
        val me = MePresenter(head.session).also { it.load() }
        assertEquals(warn.number, ready(me.state.value.data).certificates.single().number)
        // 吕洁 (县民政局): hers expired 20 days ago.
        val lv = Device(dir.resolve("mzj"))
        lv.store.login(server, "mzj_inspector", "anjian-demo")
        lv.syncAndWait()
        val expired = ready(HomePresenter(lv.session).also { it.load() }.state.value).certificateWarnings.single()
        assertTrue(!expired.usable, expired.toString())
        assertTrue(expired.statusLabel.contains("过期"), expired.statusLabel)
        listOf(head, lv).forEach { it.store.destroy() }
    }
}
