package cn.anjian.android

import android.annotation.SuppressLint
import android.content.Context
import android.graphics.BitmapFactory
import android.location.Location
import android.location.LocationManager
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import android.os.Build
import android.os.Bundle
import android.os.CancellationSignal
import androidx.activity.ComponentActivity
import androidx.activity.result.ActivityResultLauncher
import androidx.compose.ui.graphics.asImageBitmap
import androidx.core.content.FileProvider
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import cn.anjian.app.platform.AppFiles
import cn.anjian.app.platform.ImageDecoder
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.platform.LocationSource
import cn.anjian.app.platform.NetworkKind
import cn.anjian.app.platform.PhotoSource
import cn.anjian.app.platform.SyncScheduler
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import java.io.File
import java.util.UUID
import java.util.concurrent.TimeUnit
import kotlin.coroutines.resume

class AndroidFiles(context: Context) : AppFiles {
    override val storePath: String = File(context.filesDir, "anjian.db").absolutePath
    override val scratchDir: String = File(context.filesDir, "scratch").apply { mkdirs() }.absolutePath
    /** Android ships Noto CJK; its .ttc face 2 is Simplified Chinese. */
    override val watermarkFont: Pair<String, Int>? =
        listOf("/system/fonts/NotoSansCJK-Regular.ttc", "/system/fonts/NotoSansSC-Regular.otf")
            .firstOrNull { File(it).isFile }?.let { it to if (it.endsWith(".ttc")) 2 else 0 }
}

object AndroidImages : ImageDecoder {
    override fun decode(path: String) = BitmapFactory.decodeFile(path)?.asImageBitmap()
}

/**
 * The system camera (ACTION_IMAGE_CAPTURE through TakePicture) writes a full-size JPEG, with
 * its EXIF, into the app's scratch folder; the path goes to the core, which keeps the original.
 */
class CameraPhotos : PhotoSource {
    private var activity: ComponentActivity? = null
    private var launcher: ActivityResultLauncher<android.net.Uri>? = null
    private var pending: Pair<File, CompletableDeferred<String?>>? = null

    fun attach(a: ComponentActivity, l: ActivityResultLauncher<android.net.Uri>) {
        activity = a
        launcher = l
    }

    fun detach(a: ComponentActivity) {
        if (activity === a) {
            activity = null
            launcher = null
        }
    }

    /** The activity in front, for the print service. */
    fun currentActivity(): ComponentActivity? = activity

    fun onResult(ok: Boolean) {
        val (file, done) = pending ?: return
        pending = null
        done.complete(if (ok && file.length() > 0) file.absolutePath else null)
    }

    override suspend fun takePhoto(purpose: String): String? {
        val a = activity ?: return null
        val dir = File(a.filesDir, "scratch").apply { mkdirs() }
        val file = File(dir, "${UUID.randomUUID()}.jpg")
        val uri = FileProvider.getUriForFile(a, "${a.packageName}.photos", file)
        val done = CompletableDeferred<String?>()
        pending = file to done
        withContext(Dispatchers.Main) { launcher?.launch(uri) }
        return done.await()
    }
}

/** The platform's fused/GPS position with its accuracy and the mock-provider flag. */
class AndroidLocation(private val context: Context) : LocationSource {
    @SuppressLint("MissingPermission")
    override suspend fun current(): LocationFix? = withContext(Dispatchers.Main) {
        val lm = context.getSystemService(LocationManager::class.java) ?: return@withContext null
        val provider = listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER)
            .firstOrNull { runCatching { lm.isProviderEnabled(it) }.getOrDefault(false) } ?: return@withContext null
        val loc: Location? = try {
            if (Build.VERSION.SDK_INT < 30) lm.getLastKnownLocation(provider) else withTimeoutOrNull(15_000) {
                suspendCancellableCoroutine { cont ->
                    val signal = CancellationSignal()
                    cont.invokeOnCancellation { signal.cancel() }
                    lm.getCurrentLocation(provider, signal, context.mainExecutor) { cont.resume(it) }
                }
            } ?: lm.getLastKnownLocation(provider)
        } catch (e: SecurityException) {
            null
        }
        loc?.let {
            val mock = if (Build.VERSION.SDK_INT >= 31) it.isMock else @Suppress("DEPRECATION") it.isFromMockProvider
            LocationFix(it.latitude, it.longitude, if (it.hasAccuracy()) it.accuracy.toDouble() else null, mock)
        }
    }
}

/** Background sync by WorkManager: every 30 minutes when connected; originals on Wi-Fi. */
class WorkManagerSync(private val context: Context) : SyncScheduler {
    override fun scheduleBackgroundSync() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(30, TimeUnit.MINUTES)
            .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
            .build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork("anjian-sync", ExistingPeriodicWorkPolicy.KEEP, request)
    }

    override fun cancelBackgroundSync() {
        WorkManager.getInstance(context).cancelUniqueWork("anjian-sync")
    }

    override fun network(): NetworkKind {
        val cm = context.getSystemService(ConnectivityManager::class.java) ?: return NetworkKind.NONE
        val caps = cm.getNetworkCapabilities(cm.activeNetwork) ?: return NetworkKind.NONE
        return if (caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED)) NetworkKind.UNMETERED else NetworkKind.METERED
    }
}

/** Runs one sync through the shared session (the core refuses a second concurrent one). */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val session = (applicationContext as AnjianApplication).session
        if (!session.store.syncStatus().signedIn) return Result.success()
        if (!session.startSync()) return Result.success()
        withContext(Dispatchers.IO) { session.awaitSync() }
        return Result.success()
    }
}

/**
 * Contracts and invoices through the system's document picker (OpenDocument); the chosen file
 * is copied into the app's scratch folder so the core gets a path, never bytes.
 */
class DocumentPicker : cn.anjian.app.platform.DocumentSource {
    private var activity: ComponentActivity? = null
    private var launcher: ActivityResultLauncher<Array<String>>? = null
    private var pending: CompletableDeferred<String?>? = null

    fun attach(a: ComponentActivity, l: ActivityResultLauncher<Array<String>>) {
        activity = a
        launcher = l
    }

    fun detach(a: ComponentActivity) {
        if (activity === a) {
            activity = null
            launcher = null
        }
    }

    fun onResult(uri: android.net.Uri?) {
        val done = pending ?: return
        pending = null
        val a = activity
        if (uri == null || a == null) {
            done.complete(null)
            return
        }
        val type = a.contentResolver.getType(uri).orEmpty()
        val ext = if (type.contains("pdf")) "pdf" else "jpg"
        val file = File(File(a.filesDir, "scratch").apply { mkdirs() }, "${UUID.randomUUID()}.$ext")
        val copied = runCatching {
            a.contentResolver.openInputStream(uri)!!.use { input -> file.outputStream().use { input.copyTo(it) } }
        }.isSuccess
        done.complete(if (copied) file.absolutePath else null)
    }

    override suspend fun pickDocument(purpose: String): String? {
        val done = CompletableDeferred<String?>()
        pending = done
        withContext(Dispatchers.Main) {
            val l = launcher
            if (l == null) done.complete(null) else l.launch(arrayOf("application/pdf", "image/jpeg"))
        }
        return done.await()
    }
}

/**
 * 扫码入企 with the system camera: the sticker is photographed (no camera library) and the QR
 * code decoded from the picture's pixels by the shared [cn.anjian.app.QrText].
 */
class CameraCodeScanner(private val photos: CameraPhotos) : cn.anjian.app.platform.CodeScanner {
    override suspend fun scan(): String? {
        val path = photos.takePhoto("场所码") ?: return null
        return withContext(Dispatchers.Default) {
            val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
            BitmapFactory.decodeFile(path, bounds)
            var sample = 1
            while (maxOf(bounds.outWidth, bounds.outHeight) / sample > 2048) sample *= 2
            val bmp = BitmapFactory.decodeFile(path, BitmapFactory.Options().apply { inSampleSize = sample })
            File(path).delete()
            bmp?.let {
                val px = IntArray(it.width * it.height)
                it.getPixels(px, 0, it.width, 0, 0, it.width, it.height)
                cn.anjian.app.QrText.decode(it.width, it.height, px)
            }
        }
    }
}

/**
 * The documents left on site: shared through the system's share sheet (a copy in the shared
 * folder, granted by the FileProvider) or printed through the print service.
 */
class AndroidDocumentOutput(private val photos: CameraPhotos, private val context: Context) : cn.anjian.app.platform.DocumentOutput {
    private fun copy(pdfPath: String, title: String): File {
        val dir = File(context.cacheDir, "share").apply { mkdirs() }
        return File(dir, "$title.pdf").also { File(pdfPath).copyTo(it, overwrite = true) }
    }

    override suspend fun share(pdfPath: String, title: String): String? = withContext(Dispatchers.Main) {
        val file = copy(pdfPath, title)
        val uri = FileProvider.getUriForFile(context, "${context.packageName}.photos", file)
        val send = android.content.Intent(android.content.Intent.ACTION_SEND).apply {
            type = "application/pdf"
            putExtra(android.content.Intent.EXTRA_STREAM, uri)
            addFlags(android.content.Intent.FLAG_GRANT_READ_URI_PERMISSION)
        }
        context.startActivity(android.content.Intent.createChooser(send, title).addFlags(android.content.Intent.FLAG_ACTIVITY_NEW_TASK))
        null
    }

    override suspend fun print(pdfPath: String, title: String): String? = withContext(Dispatchers.Main) {
        val a = photos.currentActivity() ?: return@withContext "无法打开打印服务"
        val pm = a.getSystemService(android.print.PrintManager::class.java) ?: return@withContext "本机没有打印服务"
        pm.print(title, PdfPrintAdapter(File(pdfPath), title), null)
        null
    }
}

/** Hands a finished PDF to the print service as it is. */
private class PdfPrintAdapter(private val file: File, private val title: String) : android.print.PrintDocumentAdapter() {
    override fun onLayout(
        old: android.print.PrintAttributes?, new: android.print.PrintAttributes?, cancel: CancellationSignal?,
        callback: LayoutResultCallback, extras: Bundle?,
    ) {
        if (cancel?.isCanceled == true) return callback.onLayoutCancelled()
        val info = android.print.PrintDocumentInfo.Builder("$title.pdf")
            .setContentType(android.print.PrintDocumentInfo.CONTENT_TYPE_DOCUMENT).build()
        callback.onLayoutFinished(info, old != new)
    }

    override fun onWrite(
        pages: Array<out android.print.PageRange>?, destination: android.os.ParcelFileDescriptor,
        cancel: CancellationSignal?, callback: WriteResultCallback,
    ) {
        file.inputStream().use { input ->
            android.os.ParcelFileDescriptor.AutoCloseOutputStream(destination).use { input.copyTo(it) }
        }
        callback.onWriteFinished(arrayOf(android.print.PageRange.ALL_PAGES))
    }
}
