package cn.anjian.app

import java.io.File
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Assertions.assertTrue

/**
 * 国办函〔2026〕12号 in the app's own files: no background location, no location tracking, no
 * 打卡 or online-time counting. Fails when a permission or an API for them appears
 * (docs/compliance.md, docs/filing/permissions.md).
 */
class AppRulesTest {
    private val root = generateSequence(File("").absoluteFile) { it.parentFile }
        .first { File(it, "app/src/main/AndroidManifest.xml").exists() }

    private fun sources(): List<File> =
        listOf("app/src/main", "shared/src/main").flatMap { dir ->
            File(root, dir).walkTopDown().filter { it.isFile && (it.extension == "kt" || it.extension == "xml") }.toList()
        }

    @Test
    fun noBackgroundLocationPermission() {
        val manifest = File(root, "app/src/main/AndroidManifest.xml").readText()
        for (p in listOf("ACCESS_BACKGROUND_LOCATION", "FOREGROUND_SERVICE_LOCATION", "FOREGROUND_SERVICE")) {
            assertTrue(p !in manifest, "the manifest asks for $p: position is read only with a photo or at an inspection, in the foreground")
        }
        // Exactly the permissions docs/filing/permissions.md lists.
        val asked = Regex("uses-permission android:name=\"android.permission.([A-Z_]+)\"").findAll(manifest).map { it.groupValues[1] }.toSet()
        val listed = File(root, "../docs/filing/permissions.md").readText()
        for (p in asked) assertTrue(p in listed, "$p is not in docs/filing/permissions.md")
    }

    @Test
    fun noLocationTrackingNorClockInNorOnlineTime() {
        val forbidden = listOf("requestLocationUpdates", "LocationListener", "FusedLocationProvider", "打卡", "签到", "在线时长", "积分排名")
        for (f in sources()) {
            val text = f.readText()
            for (word in forbidden) assertTrue(word !in text, "${f.relativeTo(root)} uses $word")
        }
    }
}
