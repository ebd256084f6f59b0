package cn.anjian.app.platform

/**
 * What the shared app needs from the device it runs on. Android implements these with the
 * system camera, LocationManager and WorkManager; the desktop build with a file chooser, a
 * fixed or absent position and a timer; the tests with fixtures.
 */
interface PhotoSource {
    /**
     * Takes (or picks) one photo and returns the path of the JPEG file it wrote, or null when
     * the user cancelled. Photos cross into the core as paths, never as bytes.
     * [purpose] is shown to the user (整改前照片, 整改后照片 ...).
     */
    suspend fun takePhoto(purpose: String): String?
}

/** A position fix with its horizontal accuracy, and whether it came from a mock provider. */
data class LocationFix(
    val lat: Double,
    val lon: Double,
    val accuracyM: Double?,
    val mock: Boolean,
)

interface LocationSource {
    /** The current position, or null when there is no fix (or no permission). */
    suspend fun current(): LocationFix?
}

/** How the device connects now, for 原图仅在 Wi-Fi 下上传. */
enum class NetworkKind { NONE, METERED, UNMETERED }

interface SyncScheduler {
    /** Asks the platform to sync in the background, now and periodically, when online. */
    fun scheduleBackgroundSync()
    fun cancelBackgroundSync()
    fun network(): NetworkKind
}

/** Where the app's files live. */
interface AppFiles {
    /** The store's database file (private storage). */
    val storePath: String
    /** A folder for camera output before it is attached. */
    val scratchDir: String
    /** A CJK font for photo watermarks: path and face index, or null to skip watermarks. */
    val watermarkFont: Pair<String, Int>?
}

/** A contract or invoice (PDF or image) chosen by the user: its path, or null if cancelled. */
fun interface DocumentSource {
    suspend fun pickDocument(purpose: String): String?
}

/** Decodes a JPEG the core made (thumbnail, upload copy) for display. */
fun interface ImageDecoder {
    fun decode(path: String): androidx.compose.ui.graphics.ImageBitmap?
}

/**
 * 扫码入企: reads a site's code (the sticker at the gate) and returns the text it carries, or
 * null when the user cancelled or no code was found. Android takes a picture with the system
 * camera and decodes it ([cn.anjian.app.QrText]); the desktop reads a picture file of the
 * sticker. The text can always be typed or pasted instead.
 */
fun interface CodeScanner {
    suspend fun scan(): String?
}

/**
 * Hands a document left on site (a PDF the core made) to the user: Android shares it through
 * the system's share sheet or prints it through the print service; the desktop saves a copy
 * in a folder the user sees. Returns what to tell the user, or null when nothing was done.
 */
interface DocumentOutput {
    suspend fun share(pdfPath: String, title: String): String?
    suspend fun print(pdfPath: String, title: String): String?
}

/**
 * Tells the user of reminders that arrived with a sync, beside the app's own banner: Android
 * posts a system notification (NotificationCompat); the desktop shows only the banner.
 */
fun interface ReminderNotifier {
    fun notify(reminders: List<cn.anjian.core.ReminderRecord>)
}

/**
 * Opens the unified identity provider's sign-in page (渝快政 and the like) in the system
 * browser: Android uses Custom Tabs (never a web view, so the app never sees the password);
 * the desktop build and the tests inject their own. The provider comes back through the
 * app's link, which the platform hands to [cn.anjian.app.Session.signInLink]. Returns false
 * when no browser could be opened.
 */
fun interface SignInBrowser {
    fun open(url: String): Boolean
}

class Platform(
    val photos: PhotoSource,
    val location: LocationSource,
    val sync: SyncScheduler,
    val files: AppFiles,
    val images: ImageDecoder,
    val documents: DocumentSource = DocumentSource { null },
    val scanner: CodeScanner = CodeScanner { null },
    val output: DocumentOutput? = null,
    val notifier: ReminderNotifier = ReminderNotifier { },
    val browser: SignInBrowser = SignInBrowser { false },
)
