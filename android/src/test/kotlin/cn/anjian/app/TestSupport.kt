package cn.anjian.app

import cn.anjian.app.platform.AppFiles
import cn.anjian.app.platform.CodeScanner
import cn.anjian.app.platform.DocumentOutput
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.platform.LocationSource
import cn.anjian.app.platform.NetworkKind
import cn.anjian.app.platform.PhotoSource
import cn.anjian.app.platform.Platform
import cn.anjian.app.platform.SignInBrowser
import cn.anjian.app.platform.SyncScheduler
import cn.anjian.core.AnjianStore
import cn.anjian.desktop.SkiaImages
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.UUID

/** Real photos from the shared test data, read in place. */
object TestData {
    private val root: Path = Path.of(System.getProperty("anjian.testdata") ?: "../../shared/testdata").toAbsolutePath().normalize()
    fun photo(rel: String): String {
        val p = root.resolve("photos").resolve(rel)
        check(Files.isRegularFile(p)) { "missing test photo $p" }
        return p.toString()
    }
    val before get() = photo("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg")
    val after get() = photo("recurser-exif-orientation-examples/Landscape_0.jpg")
    val during get() = photo("recurser-exif-orientation-examples/Landscape_3.jpg")
}

/** The camera in tests: hands out the queued files in order; empty queue = cancelled. */
class QueuePhotos(vararg paths: String) : PhotoSource {
    val queue = ArrayDeque(paths.toList())
    val asked = mutableListOf<String>()
    fun push(path: String) = queue.addLast(path)
    override suspend fun takePhoto(purpose: String): String? {
        asked += purpose
        return queue.removeFirstOrNull()
    }
}

class SettableLocation(var fix: LocationFix? = null) : LocationSource {
    override suspend fun current(): LocationFix? = fix
}

class TestSync(var kind: NetworkKind = NetworkKind.UNMETERED) : SyncScheduler {
    var scheduled = 0
    override fun scheduleBackgroundSync() { scheduled++ }
    override fun cancelBackgroundSync() {}
    override fun network() = kind
}

/** The system's CJK font (fonts-noto-cjk), which the core needs to draw the documents left on site. */
val cjkFont: Pair<String, Int>? =
    Path.of("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").takeIf { Files.isRegularFile(it) }?.let { it.toString() to 2 }

class TempFiles(dir: Path, font: Boolean = false) : AppFiles {
    override val storePath = dir.resolve("anjian.db").toString()
    override val scratchDir = dir.resolve("scratch").also { Files.createDirectories(it) }.toString()
    override val watermarkFont: Pair<String, Int>? = if (font) cjkFont else null
}

/** The scanner in tests: hands out the queued code texts; empty queue = nothing read. */
class QueueScanner : CodeScanner {
    val queue = ArrayDeque<String>()
    override suspend fun scan(): String? = queue.removeFirstOrNull()
}

/** Share and print in tests: records what was handed over. */
class RecordingOutput : DocumentOutput {
    val shared = mutableListOf<Pair<String, String>>()
    val printed = mutableListOf<Pair<String, String>>()
    override suspend fun share(pdfPath: String, title: String): String {
        shared += pdfPath to title
        return "已分享：$title"
    }
    override suspend fun print(pdfPath: String, title: String): String {
        printed += pdfPath to title
        return "已送打印：$title"
    }
}

/** The system browser in tests: records the pages the app asked to open. */
class RecordingBrowser : SignInBrowser {
    val opened = mutableListOf<String>()
    override fun open(url: String): Boolean {
        opened += url
        return true
    }
}

class Device(dir: Path, font: Boolean = false) {
    val photos = QueuePhotos()
    val browser = RecordingBrowser()
    val location = SettableLocation()
    val sync = TestSync()
    val files = TempFiles(dir, font)
    val scanner = QueueScanner()
    val output = RecordingOutput()
    val store: AnjianStore = AnjianStore.open(files.storePath)
    val session = Session(store, Platform(photos, location, sync, files, SkiaImages, scanner = scanner, output = output, browser = browser))

    /** Starts a sync the way the app does and waits for its end. */
    fun syncAndWait(): SyncRun {
        check(session.startSync()) { "sync refused: ${session.sync.value}" }
        session.awaitSync()
        val deadline = System.currentTimeMillis() + 60_000
        while (session.sync.value is SyncRun.Running && System.currentTimeMillis() < deadline) Thread.sleep(20)
        return session.sync.value
    }
}

fun testServer(): String? = System.getProperty("anjian.test.server")?.takeIf { it.isNotBlank() }

/** The county office, straight through the API (`POST /v1/sync/push`), as the console does. */
class OfficeApi(private val server: String, username: String = "admin", password: String = "anjian-demo") {
    private val http = HttpClient.newHttpClient()
    private val token: String
    private val actor: String

    init {
        val body = post("/v1/auth/login", """{"username":"$username","password":"$password"}""", null)
        token = field(body, "token")
        val person = body.substringAfter("\"person\"")
        val roles = Regex("\"roles\"\\s*:\\s*\\[([^]]*)]").find(person)!!.groupValues[1]
        actor = """{"person_id":"${field(person, "id")}","name":"${field(person, "name")}","unit_id":"${field(person, "unit_id")}","roles":[$roles]}"""
    }

    /** A read of the API as this account (JSON text). */
    fun get(path: String): String {
        val req = HttpRequest.newBuilder(URI.create(server + path)).header("authorization", "Bearer $token").GET().build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() in 200..299) { "$path: ${resp.statusCode()} ${resp.body()}" }
        return resp.body()
    }

    /** A write of the API as this account (JSON in, JSON text out). */
    fun postJson(path: String, json: String): String = post(path, json, token)

    /** A PUT of the API as this account (JSON in); the status. */
    fun putJson(path: String, json: String): Int {
        val req = HttpRequest.newBuilder(URI.create(server + path))
            .header("content-type", "application/json").header("authorization", "Bearer $token")
            .PUT(HttpRequest.BodyPublishers.ofString(json)).build()
        return http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()
    }

    private fun field(json: String, name: String) = Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)
        ?: error("no $name in $json")

    private fun post(path: String, json: String, token: String?): String {
        val req = HttpRequest.newBuilder(URI.create(server + path))
            .header("content-type", "application/json")
            .apply { if (token != null) header("authorization", "Bearer $token") }
            .POST(HttpRequest.BodyPublishers.ofString(json)).build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() in 200..299) { "$path: ${resp.statusCode()} ${resp.body()}" }
        return resp.body()
    }

    /**
     * One action on a hazard, as a transition operation. Returns the op's status
     * (`applied`, `already_applied`, `rejected`) and the reason if refused.
     */
    fun act(hazardId: String, version: ULong, from: String, to: String, actionJson: String): Pair<String, String?> {
        val op = UUID.randomUUID().toString()
        val event = """{"id":"$op","hazard_id":"$hazardId","action":$actionJson,"actor":$actor,"at":"${Instant.now()}","from":"$from","to":"$to","version":${version + 1u}}"""
        val body = post(
            "/v1/sync/push",
            """{"protocol":1,"device_id":"office-console-test","ops":[{"op_id":"$op","entity":"hazard","entity_id":"$hazardId","op":"transition","payload":$event}]}""",
            token,
        )
        val status = field(body, "status")
        val reason = Regex("\"reason\"\\s*:\\s*\"([^\"]*)\"").find(body)?.groupValues?.get(1)
        return status to reason
    }
}

/**
 * Someone complains through a site's code (its public page, no login), and 县安委办 hands the
 * complaint over to [unitId], which must be among the bodies the server offers for the site.
 * Returns the complaint's id.
 */
fun complainAndHandOver(server: String, siteId: String, text: String, unitId: String): String {
    val office = OfficeApi(server)
    val code = jsonString(office.get("/v1/sites/$siteId/code"), "text")
    val form = "text=" + java.net.URLEncoder.encode(text, Charsets.UTF_8) + "&contact=13900001111"
    val res = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(code)).header("content-type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    check(res.statusCode() == 201) { "complaint: ${res.statusCode()} ${res.body().take(300)}" }
    val listed = office.get("/v1/complaints")
    val id = Regex("\\{\"id\":\"([^\"]+)\"[^{}]*?\"text\":\"" + Regex.escape(text) + "\"").find(listed)?.groupValues?.get(1)
        ?: error("the complaint is not in the county's list")
    check(office.get("/v1/complaints/$id/bodies").contains("\"$unitId\"")) { "$unitId is not offered for $siteId" }
    office.postJson("/v1/complaints/$id/assign", """{"unit_id":"$unitId"}""")
    return id
}

fun <T> ready(l: Load<T>): T {
    check(l is Load.Ready) { "not ready: $l" }
    return (l as Load.Ready<T>).value
}

/** A JSON string field's value (the first one named so), unescaped. Tests read the API with it. */
fun jsonString(json: String, name: String): String {
    val start = Regex("\"$name\"\\s*:\\s*\"").find(json)?.range?.last ?: error("no $name in ${json.take(300)}")
    val out = StringBuilder()
    var i = start + 1
    while (json[i] != '"') {
        if (json[i] == '\\') {
            i++
            when (json[i]) {
                'n' -> out.append('\n')
                't' -> out.append('\t')
                'r' -> out.append('\r')
                'u' -> { out.append(json.substring(i + 1, i + 5).toInt(16).toChar()); i += 4 }
                else -> out.append(json[i])
            }
        } else out.append(json[i])
        i++
    }
    return out.toString()
}

/** A signature as a finger draws it: a few strokes across the pad. */
fun scribble(seed: Int = 0): Signature {
    var s = Signature()
    for (k in 0 until 3) {
        val y = 0.3f + 0.2f * k
        s = s.begin(Ink(0.1f + 0.05f * seed, y))
        for (t in 1..20) s = s.extend(Ink(0.1f + 0.04f * t, y + 0.1f * kotlin.math.sin(t / 2.0 + seed).toFloat()))
    }
    return s
}

/** Rounds of [sendReminders] so far in this JVM. */
private val reminderRounds = java.util.concurrent.atomic.AtomicInteger()

/**
 * The demo server's reminder engine, run once at [at] (China time) on its data folder through
 * `anjian reminders --send` — the test's clock, since the server runs with the engine off.
 * Each later round in the same run is 10 minutes later on that clock, past the lease (5
 * minutes) the previous round's instance holds. Null when the scripts did not say where the
 * data and the binary are.
 */
fun sendReminders(at: String): String? {
    val data = System.getProperty("anjian.test.data")?.takeIf { it.isNotBlank() } ?: return null
    val cli = System.getProperty("anjian.test.cli")?.takeIf { it.isNotBlank() } ?: return null
    val round = reminderRounds.getAndIncrement().toLong()
    val time = java.time.OffsetDateTime.parse(at).plusMinutes(10 * round).toString()
    val p = ProcessBuilder(cli, "reminders", "--data", data, "--at", time, "--send").redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    check(p.waitFor() == 0) { "anjian reminders --send failed: $out" }
    return out
}
