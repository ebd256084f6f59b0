package cn.anjian.app.presenter

import cn.anjian.app.Load
import cn.anjian.app.Session
import cn.anjian.app.errorText
import cn.anjian.core.ConditionRecord
import cn.anjian.core.SiteEditInput
import cn.anjian.core.SiteRecord

data class SiteEditDraft(
    val contactName: String,
    val contactPhone: String,
    val address: String,
    val lat: String,
    val lon: String,
    val attributes: Set<String>,
) {
    companion object {
        fun of(s: SiteRecord) = SiteEditDraft(
            contactName = s.contactName.orEmpty(),
            contactPhone = s.contactPhone.orEmpty(),
            address = s.address.orEmpty(),
            lat = "%.6f".format(s.lat),
            lon = "%.6f".format(s.lon),
            attributes = s.attributes.toSet(),
        )
    }
}

data class SiteEditData(
    val site: SiteRecord,
    /** The 场所属性 its industry's checklist asks about. */
    val conditions: List<ConditionRecord>,
    val canEdit: Boolean,
)

data class SiteEditState(
    val data: Load<SiteEditData> = Load.Loading,
    val draft: SiteEditDraft? = null,
    /** Where the position came from, when it was read at the gate. */
    val positionNote: String? = null,
    val busy: Boolean = false,
    val error: String? = null,
    val done: String? = null,
)

/**
 * 修改场所信息: a township or department inspector corrects a site's contact, phone, address,
 * position and attributes. Only the fields changed are sent (with the next sync); the server
 * checks that the person may edit this site. The position is typed, or read once when the
 * site's own code at the gate is scanned — never in the background.
 */
class SiteEditPresenter(private val session: Session, private val siteId: String) :
    Presenter<SiteEditState>(SiteEditState()) {
    override suspend fun load() {
        val r = session.call {
            val site = site(siteId)
            SiteEditData(site, checklist(site.industry).conditions, canEditSite(siteId))
        }
        update { s ->
            s.copy(
                data = r.fold({ d -> Load.Ready(d) }, { e -> Load.Failed(errorText(e)) }),
                draft = s.draft ?: r.getOrNull()?.let { SiteEditDraft.of(it.site) },
            )
        }
    }

    fun edit(f: (SiteEditDraft) -> SiteEditDraft) = update { s -> s.copy(draft = s.draft?.let(f), error = null, done = null) }

    fun toggleAttribute(code: String) = edit { d -> d.copy(attributes = if (code in d.attributes) d.attributes - code else d.attributes + code) }

    /** 扫码定位: scan this site's code at its gate, then take the position once. */
    suspend fun positionFromCode() {
        val text = session.platform.scanner.scan() ?: return
        val found = session.call { siteFromCode(text) }
        val site = found.getOrElse { e -> update { it.copy(error = errorText(e)) }; return }
        if (site.id != siteId) {
            update { it.copy(error = "扫描的是“${site.name}”的场所码，不是本场所的") }
            return
        }
        val fix = session.platform.location.current()
        when {
            fix == null -> update { it.copy(error = "未取得定位，请到开阔处重试，或手工填写经纬度") }
            fix.mock -> update { it.copy(error = "检测到模拟定位，不能用作场所位置") }
            else -> {
                edit { d -> d.copy(lat = "%.6f".format(fix.lat), lon = "%.6f".format(fix.lon)) }
                val accuracy = fix.accuracyM?.let { "，精度约 ${"%.0f".format(it)} 米" } ?: ""
                update { it.copy(positionNote = "已在场所门口扫码定位$accuracy") }
            }
        }
    }

    /** The fields changed, for [save]; null when nothing changed. */
    fun changes(): SiteEditInput? {
        val d = state.value.draft ?: return null
        val site = (state.value.data as? Load.Ready)?.value?.site ?: return null
        val was = SiteEditDraft.of(site)
        fun text(now: String, before: String) = now.trim().takeIf { it != before.trim() }
        val moved = d.lat.trim() != was.lat || d.lon.trim() != was.lon
        return SiteEditInput(
            contactName = text(d.contactName, was.contactName),
            contactPhone = text(d.contactPhone, was.contactPhone),
            address = text(d.address, was.address),
            lat = if (moved) d.lat.trim().toDoubleOrNull() ?: Double.NaN else null,
            lon = if (moved) d.lon.trim().toDoubleOrNull() ?: Double.NaN else null,
            attributes = d.attributes.takeIf { it != was.attributes }?.let { set -> site.attributes.filter { it in set } + (set - site.attributes.toSet()).sorted() },
        ).takeIf { it != SiteEditInput(null, null, null, null, null, null) }
    }

    suspend fun save(): Boolean {
        val input = changes()
        if (input == null) {
            update { it.copy(error = "没有需要修改的内容") }
            return false
        }
        update { it.copy(busy = true, error = null, done = null) }
        val r = session.call { editSite(siteId, input) }
        r.fold(
            { s -> update { it.copy(busy = false, draft = SiteEditDraft.of(s), positionNote = null, done = "已保存，将在下次同步时提交") } },
            { e -> update { it.copy(busy = false, error = errorText(e)) } },
        )
        if (r.isSuccess) {
            session.changed()
            load()
        }
        return r.isSuccess
    }
}
