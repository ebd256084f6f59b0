package cn.anjian.app.ui

import cn.anjian.domain.HazardLevel
import cn.anjian.core.HazardRecord
import cn.anjian.domain.HazardStatus
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

val chinaZone: ZoneId = ZoneId.of("Asia/Shanghai")
private val dateTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(chinaZone)

fun Instant.shown(): String = dateTime.format(this)

fun metres(m: Double?): String = when {
    m == null -> "距离未知"
    m < 1000 -> "${"%.0f".format(m)} 米"
    else -> "${"%.1f".format(m / 1000)} 公里"
}

fun bytes(n: ULong): String {
    val v = n.toDouble()
    return when {
        v < 1024 -> "${n} B"
        v < 1024 * 1024 -> "${"%.0f".format(v / 1024)} KB"
        else -> "${"%.1f".format(v / 1024 / 1024)} MB"
    }
}

fun levelTone(level: HazardLevel) = if (level == HazardLevel.MAJOR) Tone.DANGER else Tone.PLAIN

fun statusTone(h: HazardRecord) = when {
    h.overdue -> Tone.DANGER
    h.status == HazardStatus.CLOSED -> Tone.OK
    h.status == HazardStatus.SUBMITTED -> Tone.INFO
    else -> Tone.WARNING
}

fun deadlineText(h: HazardRecord): String = when {
    h.status == HazardStatus.CLOSED -> "已销号"
    h.overdue -> "已逾期（时限 ${h.deadline}）"
    h.deadline != null -> "时限 ${h.deadline}"
    else -> "未定时限"
}

/** An RFC 3339 time from the core (last sync, refusals) in China time; as is if unparsable. */
fun timeShown(rfc3339: String): String =
    runCatching { java.time.OffsetDateTime.parse(rfc3339).toInstant().shown() }.getOrDefault(rfc3339)
